package rules

import (
	"strconv"
	"strings"
)

// query is a parsed query string in the shape of Node's querystring: keys
// in JavaScript object order, each with one value or a list.
type query []queryField

type queryField struct {
	key    string
	values []string
	list   bool
	// raw: the values come from the configuration, not the request, and
	// are written back as they are (Next's stringifyQuery encodes only the
	// request's own values).
	raw bool
}

func (q query) index(key string) int {
	for i := range q {
		if q[i].key == key {
			return i
		}
	}
	return -1
}

// add appends a value as querystring.parse does: a repeated key becomes a
// list.
func (q *query) add(key, value string) {
	if i := q.index(key); i >= 0 {
		f := &(*q)[i]
		f.values = append(f.values, value)
		f.list = true
		return
	}
	*q = append(*q, queryField{key: key, values: []string{value}})
}

// set replaces the value of key in place, or appends it, as an object
// spread does.
func (q *query) set(f queryField) {
	if i := q.index(f.key); i >= 0 {
		(*q)[i] = f
		return
	}
	*q = append(*q, f)
}

// last returns the last value of key, as Next's matchHas reads a list.
func (q query) last(key string) (string, bool) {
	if i := q.index(key); i >= 0 && len(q[i].values) > 0 {
		return q[i].values[len(q[i].values)-1], true
	}
	return "", false
}

// parseQuery parses a raw query string as Node's querystring.parse: "&"
// separated, the first "=" splits key and value, "+" is a space, and
// malformed percent-escapes are kept as they are.
func parseQuery(raw string) query {
	var q query
	for part := range strings.SplitSeq(raw, "&") {
		if part == "" {
			continue
		}
		k, v, _ := strings.Cut(part, "=")
		q.add(unescapeQuery(k), unescapeQuery(v))
	}
	return q
}

func unescapeQuery(s string) string {
	if strings.IndexByte(s, '+') < 0 && strings.IndexByte(s, '%') < 0 {
		return s
	}
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '+':
			b = append(b, ' ')
		case c == '%' && i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2]):
			b = append(b, unhex(s[i+1])<<4|unhex(s[i+2]))
			i += 2
		default:
			b = append(b, c)
		}
	}
	return strings.ToValidUTF8(string(b), "\uFFFD")
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func unhex(c byte) byte {
	switch {
	case c <= '9':
		return c - '0'
	case c >= 'a':
		return c - 'a' + 10
	}
	return c - 'A' + 10
}

// encode returns the query string: keys in JavaScript object order (array
// index keys first, ascending), values of the request encoded as
// encodeURIComponent does, configured values as they are.
func (q query) encode() string {
	var b strings.Builder
	for _, f := range q.ordered() {
		for _, v := range f.values {
			if b.Len() > 0 {
				b.WriteByte('&')
			}
			if f.raw {
				b.WriteString(f.key + "=" + v)
				continue
			}
			b.WriteString(encodeURIComponent(f.key) + "=" + encodeURIComponent(v))
		}
	}
	return b.String()
}

// ordered returns the fields in JavaScript's property order.
func (q query) ordered() []queryField {
	var idx, rest []queryField
	for _, f := range q {
		if _, ok := arrayIndex(f.key); ok {
			idx = append(idx, f)
		} else {
			rest = append(rest, f)
		}
	}
	if len(idx) == 0 {
		return q
	}
	for i := 1; i < len(idx); i++ { // insertion sort: few keys
		for j := i; j > 0; j-- {
			a, _ := arrayIndex(idx[j-1].key)
			b, _ := arrayIndex(idx[j].key)
			if a <= b {
				break
			}
			idx[j-1], idx[j] = idx[j], idx[j-1]
		}
	}
	return append(idx, rest...)
}

// arrayIndex reports whether key is a canonical array index, which
// JavaScript objects order first.
func arrayIndex(key string) (uint64, bool) {
	if key == "" || len(key) > 10 || (len(key) > 1 && key[0] == '0') {
		return 0, false
	}
	n, err := strconv.ParseUint(key, 10, 64)
	if err != nil || n >= 1<<32-1 {
		return 0, false
	}
	return n, true
}

// encodeURIComponent escapes s as JavaScript's encodeURIComponent.
func encodeURIComponent(s string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte("-_.!~*'()", c) >= 0 {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hex[c>>4])
		b.WriteByte(hex[c&15])
	}
	return b.String()
}
