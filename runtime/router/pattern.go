// Package router implements Next.js file-system routing for nextgo: route
// patterns such as /api/post/[pid], Next's precedence order and its build
// errors, URL normalisation and path matching.
//
// It is pure: nothing here touches the file system or the network, so the
// bundler (at build time) and the runtime (on every request) share it.
package router

import (
	"fmt"
	"strings"
)

// Kind is the kind of one pattern segment.
type Kind uint8

// The segment kinds, in Next's order of precedence at one level.
const (
	Static           Kind = iota // a literal segment: "post"
	Dynamic                      // one segment: "[pid]"
	CatchAll                     // one or more segments: "[...slug]"
	OptionalCatchAll             // zero or more segments: "[[...slug]]"
)

// String returns the kind's name.
func (k Kind) String() string {
	switch k {
	case Static:
		return "static"
	case Dynamic:
		return "dynamic"
	case CatchAll:
		return "catch-all"
	case OptionalCatchAll:
		return "optional catch-all"
	}
	return fmt.Sprintf("Kind(%d)", uint8(k))
}

// Segment is one element of a pattern.
type Segment struct {
	Kind Kind
	// Name is the literal text of a static segment, or the slug name of a
	// dynamic one ("pid" for "[pid]", "slug" for "[...slug]").
	Name string
}

// String returns the segment as written in a file name.
func (s Segment) String() string {
	switch s.Kind {
	case Dynamic:
		return "[" + s.Name + "]"
	case CatchAll:
		return "[..." + s.Name + "]"
	case OptionalCatchAll:
		return "[[..." + s.Name + "]]"
	}
	return s.Name
}

// Pattern is a parsed route pattern.
type Pattern struct {
	// Path is the pattern as written: "/api/post/[pid]". The root is "/".
	Path     string
	Segments []Segment
}

// IsDynamic reports whether the pattern has any non-static segment.
func (p Pattern) IsDynamic() bool {
	for _, s := range p.Segments {
		if s.Kind != Static {
			return true
		}
	}
	return false
}

// ParsePattern parses and validates a route pattern. The errors are worded
// as Next.js words them for the same mistake.
func ParsePattern(path string) (Pattern, error) {
	p := Pattern{Path: path}
	if !strings.HasPrefix(path, "/") {
		return p, fmt.Errorf("route %q must start with \"/\"", path)
	}
	var slugs []string
	parts := splitPath(path)
	for i, part := range parts {
		seg, err := parseSegment(part)
		if err != nil {
			return p, err
		}
		if seg.Kind != Static {
			if (seg.Kind == CatchAll || seg.Kind == OptionalCatchAll) && i != len(parts)-1 {
				return p, fmt.Errorf("Catch-all must be the last part of the URL.")
			}
			if err := checkSlug(slugs, seg.Name, part); err != nil {
				return p, err
			}
			slugs = append(slugs, seg.Name)
		}
		p.Segments = append(p.Segments, seg)
	}
	return p, nil
}

// splitPath splits "/a/b" into ["a", "b"], dropping empty elements as Next
// does (`split('/').filter(Boolean)`).
func splitPath(path string) []string {
	var parts []string
	for _, s := range strings.Split(path, "/") {
		if s != "" {
			parts = append(parts, s)
		}
	}
	return parts
}

// parseSegment reads one segment, with Next's checks for malformed brackets
// and dots.
func parseSegment(part string) (Segment, error) {
	if !(strings.HasPrefix(part, "[") && strings.HasSuffix(part, "]")) {
		return Segment{Kind: Static, Name: part}, nil
	}
	name := part[1 : len(part)-1]
	optional, catchAll := false, false
	if strings.HasPrefix(name, "[") && strings.HasSuffix(name, "]") {
		name = name[1 : len(name)-1]
		optional = true
	}
	if strings.HasPrefix(name, "…") {
		return Segment{}, fmt.Errorf("Detected a three-dot character ('…') at ('%s'). Did you mean ('...')?", name)
	}
	if strings.HasPrefix(name, "...") {
		name = name[3:]
		catchAll = true
	}
	if strings.HasPrefix(name, "[") || strings.HasSuffix(name, "]") {
		return Segment{}, fmt.Errorf("Segment names may not start or end with extra brackets ('%s').", name)
	}
	if strings.HasPrefix(name, ".") {
		return Segment{}, fmt.Errorf("Segment names may not start with erroneous periods ('%s').", name)
	}
	if name == "" {
		return Segment{}, fmt.Errorf("Segment names may not be empty ('%s').", part)
	}
	switch {
	case catchAll && optional:
		return Segment{Kind: OptionalCatchAll, Name: name}, nil
	case catchAll:
		return Segment{Kind: CatchAll, Name: name}, nil
	case optional:
		return Segment{}, fmt.Errorf("Optional route parameters are not yet supported (\"%s\").", part)
	}
	return Segment{Kind: Dynamic, Name: name}, nil
}

// checkSlug rejects a slug repeated within one path, or two slugs that differ
// only by non-word characters.
func checkSlug(previous []string, name, part string) error {
	for _, prev := range previous {
		if prev == name {
			return fmt.Errorf("You cannot have the same slug name \"%s\" repeat within a single dynamic path", name)
		}
		if wordOnly(prev) == wordOnly(part) {
			return fmt.Errorf("You cannot have the slug names \"%s\" and \"%s\" differ only by non-word symbols within a single dynamic path", prev, name)
		}
	}
	return nil
}

// wordOnly keeps the characters of \w: ASCII letters, digits and underscore.
func wordOnly(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '_' || ('0' <= c && c <= '9') || ('a' <= c && c <= 'z') || ('A' <= c && c <= 'Z') {
			b.WriteByte(c)
		}
	}
	return b.String()
}
