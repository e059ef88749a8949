package api

import (
	"slices"
	"strings"
)

// Cookies maps the name of each request cookie to its value, as Next.js's
// req.cookies does. A request without cookies has a nil Cookies, which
// reads as an empty map and encodes as {} (not null), like Next.js's empty
// object.
type Cookies map[string]string

// MarshalJSON encodes c as a JSON object, {} when c is nil. Names that are
// array indices come first in numeric order, the others follow sorted (a Go
// map does not remember the order in which the header listed them).
func (c Cookies) MarshalJSON() ([]byte, error) {
	names := make([]string, 0, len(c))
	for k := range c {
		names = append(names, k)
	}
	slices.SortFunc(names, func(a, b string) int {
		na, oka := arrayIndex(a)
		nb, okb := arrayIndex(b)
		switch {
		case oka && okb:
			if na < nb {
				return -1
			}
			return 1
		case oka:
			return -1
		case okb:
			return 1
		}
		return strings.Compare(a, b)
	})
	b := []byte{'{'}
	for i, k := range names {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendJSString(b, k)
		b = append(b, ':')
		b = appendJSString(b, c[k])
	}
	return append(b, '}'), nil
}

// parseCookies parses the Cookie header lines of a request the way
// Next.js's cookie parser (the cookie package) does: lines are joined with
// "; ", pairs are split at ';' and at their first '=', pairs without '='
// are skipped, names and values are trimmed, a value starting with '"'
// loses its first and last characters, values are decoded with
// decodeURIComponent (kept as they are when that fails), and the first
// occurrence of a name wins. It returns nil when there is no cookie.
func parseCookies(lines []string) Cookies {
	var c Cookies
	for _, line := range lines {
		for line != "" {
			var pair string
			pair, line, _ = strings.Cut(line, ";")
			eq := strings.IndexByte(pair, '=')
			if eq < 0 {
				continue
			}
			name := jsTrim(pair[:eq])
			if _, dup := c[name]; dup {
				continue
			}
			val := jsTrim(pair[eq+1:])
			if len(val) > 0 && val[0] == '"' {
				// JavaScript's val.slice(1, -1).
				if len(val) >= 2 {
					val = val[1 : len(val)-1]
				} else {
					val = ""
				}
			}
			if d, ok := decodeURIComponent(val); ok {
				val = d
			}
			if c == nil {
				c = make(Cookies, 4)
			}
			c[name] = val
		}
	}
	return c
}
