package router

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
	"unicode/utf8"
)

// ErrMalformedEncoding is returned by Match when a path segment captured by a
// dynamic segment has malformed percent-encoding. Next answers it with 400.
var ErrMalformedEncoding = errors.New("router: malformed percent-encoding in path")

// Matcher finds the route that serves a path, with Next's precedence: an
// exact static route first, then the dynamic routes in sorted order, the
// first match winning.
type Matcher struct {
	static  map[string]int // escaped path → index
	dynamic []compiled     // in precedence order
}

type compiled struct {
	index    int
	segments []Segment
}

// NewMatcher compiles patterns (in any order). Match returns indexes into
// patterns. Two identical patterns, or any error of Sort, are an error.
func NewMatcher(patterns []string) (*Matcher, error) {
	m := &Matcher{static: make(map[string]int)}
	byPath := make(map[string]int, len(patterns))
	for i, p := range patterns {
		if _, dup := byPath[p]; dup {
			return nil, &ConflictError{Msg: fmt.Sprintf("duplicate route %q", p), Paths: []string{p, p}}
		}
		byPath[p] = i
	}
	sorted, err := Sort(patterns)
	if err != nil {
		return nil, err
	}
	for _, p := range sorted {
		pat, err := ParsePattern(p)
		if err != nil {
			return nil, err
		}
		i := byPath[p]
		if !pat.IsDynamic() {
			m.static[canonical(pat)] = i
			continue
		}
		m.dynamic = append(m.dynamic, compiled{index: i, segments: pat.Segments})
	}
	return m, nil
}

// canonical spells a static pattern the way a normalised request path is
// spelled: "/" joined segments, "/" for the root.
func canonical(p Pattern) string {
	if len(p.Segments) == 0 {
		return "/"
	}
	var b strings.Builder
	for _, s := range p.Segments {
		b.WriteByte('/')
		b.WriteString(s.Name)
	}
	return b.String()
}

// Match returns the index of the pattern that serves escapedPath (the
// request's r.URL.EscapedPath(), already normalised, see Normalize) and the
// decoded parameters, or -1 when no route matches. The path is split on "/"
// first and each segment is then percent-decoded once, so "a%2Fb" stays one
// segment whose value is "a/b".
func (m *Matcher) Match(escapedPath string) (int, Params, error) {
	if i, ok := m.static[escapedPath]; ok {
		return i, nil, nil
	}
	if len(m.dynamic) == 0 && strings.IndexByte(escapedPath, '%') < 0 {
		return -1, nil, nil
	}
	parts := splitPath(escapedPath)
	if strings.IndexByte(escapedPath, '%') >= 0 {
		if dec, ok := decodeStatic(parts); ok {
			if i, ok := m.static[dec]; ok {
				return i, nil, nil
			}
		}
	}
	for _, c := range m.dynamic {
		ps, ok, err := c.match(parts)
		if err != nil {
			return -1, nil, err
		}
		if ok {
			return c.index, ps, nil
		}
	}
	return -1, nil, nil
}

// decodeStatic decodes every segment for a static lookup; a segment that
// decodes to "/" cannot name a static route.
func decodeStatic(parts []string) (string, bool) {
	var b strings.Builder
	for _, p := range parts {
		d, err := decode(p)
		if err != nil || strings.IndexByte(d, '/') >= 0 {
			return "", false
		}
		b.WriteByte('/')
		b.WriteString(d)
	}
	if b.Len() == 0 {
		return "/", true
	}
	return b.String(), true
}

func (c compiled) match(parts []string) (Params, bool, error) {
	var ps Params
	for i, seg := range c.segments {
		switch seg.Kind {
		case Static:
			if i >= len(parts) || !segmentEquals(parts[i], seg.Name) {
				return nil, false, nil
			}
		case Dynamic:
			if i >= len(parts) {
				return nil, false, nil
			}
			v, err := decode(parts[i])
			if err != nil {
				return nil, false, err
			}
			ps = append(ps, Param{Name: seg.Name, Values: []string{v}})
		case CatchAll, OptionalCatchAll:
			rest := parts[min(i, len(parts)):]
			if len(rest) == 0 {
				if seg.Kind == CatchAll {
					return nil, false, nil
				}
				return ps, true, nil
			}
			vals := make([]string, len(rest))
			for j, r := range rest {
				v, err := decode(r)
				if err != nil {
					return nil, false, err
				}
				vals[j] = v
			}
			return append(ps, Param{Name: seg.Name, Values: vals, CatchAll: true}), true, nil
		}
	}
	return ps, len(parts) == len(c.segments), nil
}

func segmentEquals(raw, literal string) bool {
	if raw == literal {
		return true
	}
	if strings.IndexByte(raw, '%') < 0 {
		return false
	}
	d, err := decode(raw)
	return err == nil && d == literal
}

// decode is JavaScript's decodeURIComponent: percent-escapes only ("+" stays
// "+"), and the result must be valid UTF-8.
func decode(s string) (string, error) {
	if strings.IndexByte(s, '%') < 0 {
		return s, nil
	}
	d, err := url.PathUnescape(s)
	if err != nil || !utf8.ValidString(d) {
		return "", ErrMalformedEncoding
	}
	return d, nil
}

// Normalize returns the path a request for escapedPath is redirected to with
// 308 (Next's trailingSlash: false): backslashes become slashes, repeated
// slashes collapse and a trailing slash is dropped ("/" stays "/"). changed
// reports whether a redirect is due.
func Normalize(escapedPath string) (clean string, changed bool) {
	if !needsNormalize(escapedPath) {
		return escapedPath, false
	}
	b := make([]byte, 0, len(escapedPath))
	for i := 0; i < len(escapedPath); i++ {
		c := escapedPath[i]
		if c == '\\' {
			c = '/'
		}
		if c == '/' && len(b) > 0 && b[len(b)-1] == '/' {
			continue
		}
		b = append(b, c)
	}
	if len(b) > 1 && b[len(b)-1] == '/' {
		b = b[:len(b)-1]
	}
	if len(b) == 0 || b[0] != '/' {
		b = append([]byte{'/'}, b...)
	}
	return string(b), true
}

func needsNormalize(p string) bool {
	if p == "" || p[0] != '/' {
		return true
	}
	if len(p) > 1 && p[len(p)-1] == '/' {
		return true
	}
	for i := 0; i < len(p); i++ {
		if p[i] == '\\' || (p[i] == '/' && i+1 < len(p) && p[i+1] == '/') {
			return true
		}
	}
	return false
}
