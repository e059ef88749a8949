package runtimeapi

import (
	"fmt"
	"net/http"
	"unicode/utf8"
)

// parseV2Fast reads the common shape of a function's structured response,
// as nextgo's functions write it, without reflection:
//
//	{"statusCode":200,"headers":{...},"cookies":[...],"body":"...","isBase64Encoded":false}
//
// It reports ok only for a payload it read entirely, whose reading by
// encoding/json (parseV2Response) gives the same response: one JSON object
// holding each of statusCode (a plain integer), headers, multiValueHeaders,
// cookies, body and isBase64Encoded at most once, spelled exactly so,
// strings without \u escapes. Anything else (null members, other members,
// other spellings, numbers with fractions or exponents, invalid UTF-8)
// is left to parseV2Response, as is an error.
func parseV2Fast(payload []byte) (resp *v2Response, ok bool) {
	s := fastScanner{b: payload}
	var (
		status   int
		hasCode  bool
		headers  map[string]string
		multi    map[string][]string
		cookies  []string
		body     string
		isBase64 bool
		seen     uint8
	)
	if !s.byte('{') {
		return nil, false
	}
	for {
		key, ok := s.str()
		if !ok || !s.byte(':') {
			return nil, false
		}
		var bit uint8
		switch key {
		case "statusCode":
			bit = 1
			status, ok = s.int()
			hasCode = true
		case "headers":
			bit = 2
			headers, ok = s.strMap()
		case "multiValueHeaders":
			bit = 4
			multi, ok = s.listMap()
		case "cookies":
			bit = 8
			cookies, ok = s.list()
		case "body":
			bit = 16
			body, ok = s.str()
		case "isBase64Encoded":
			bit = 32
			isBase64, ok = s.bool()
		default:
			return nil, false
		}
		if !ok || seen&bit != 0 {
			return nil, false
		}
		seen |= bit
		s.ws()
		if s.peek() == ',' {
			s.i++
			continue
		}
		if !s.byte('}') {
			return nil, false
		}
		break
	}
	if s.ws(); s.i != len(s.b) || !hasCode || status < 200 || status > 599 {
		return nil, false
	}
	b, err := responseBody(body, isBase64)
	if err != nil {
		return nil, false
	}
	h := make(http.Header, len(headers)+len(multi)+len(cookies))
	setHeaders(h, headers, multi, cookies)
	return &v2Response{status: status, header: h, body: b}, true
}

// fastScanner reads the JSON parseV2Fast accepts.
type fastScanner struct {
	b []byte
	i int
}

func (s *fastScanner) ws() {
	for s.i < len(s.b) {
		switch s.b[s.i] {
		case ' ', '\t', '\n', '\r':
			s.i++
		default:
			return
		}
	}
}

func (s *fastScanner) peek() byte {
	if s.i < len(s.b) {
		return s.b[s.i]
	}
	return 0
}

// byte skips white space and c, reporting whether c was there.
func (s *fastScanner) byte(c byte) bool {
	s.ws()
	if s.peek() != c {
		return false
	}
	s.i++
	return true
}

// int reads a plain integer of at most 9 digits.
func (s *fastScanner) int() (int, bool) {
	s.ws()
	start, n := s.i, 0
	for s.i < len(s.b) && s.b[s.i] >= '0' && s.b[s.i] <= '9' {
		n = n*10 + int(s.b[s.i]-'0')
		s.i++
	}
	digits := s.i - start
	if digits == 0 || digits > 9 || (digits > 1 && s.b[start] == '0') {
		return 0, false
	}
	switch s.peek() { // a fraction or an exponent
	case '.', 'e', 'E':
		return 0, false
	}
	return n, true
}

func (s *fastScanner) bool() (bool, bool) {
	s.ws()
	rest := s.b[s.i:]
	switch {
	case len(rest) >= 4 && string(rest[:4]) == "true":
		s.i += 4
		return true, true
	case len(rest) >= 5 && string(rest[:5]) == "false":
		s.i += 5
		return false, true
	}
	return false, false
}

// str reads a string without \u escapes, valid UTF-8.
func (s *fastScanner) str() (string, bool) {
	if !s.byte('"') {
		return "", false
	}
	start := s.i
	ascii := true
	for s.i < len(s.b) {
		c := s.b[s.i]
		switch {
		case c == '"':
			raw := s.b[start:s.i]
			s.i++
			if !ascii && !utf8.Valid(raw) {
				return "", false
			}
			return string(raw), true
		case c == '\\':
			return s.escaped(start, ascii)
		case c < 0x20:
			return "", false
		case c >= utf8.RuneSelf:
			ascii = false
		}
		s.i++
	}
	return "", false
}

// escaped reads the rest of a string that has escapes, from its first
// backslash at s.i; the string began at start.
func (s *fastScanner) escaped(start int, ascii bool) (string, bool) {
	out := make([]byte, 0, s.i-start+16)
	out = append(out, s.b[start:s.i]...)
	for s.i < len(s.b) {
		c := s.b[s.i]
		switch {
		case c == '"':
			s.i++
			if !ascii && !utf8.Valid(out) {
				return "", false
			}
			return string(out), true
		case c == '\\':
			if s.i+1 >= len(s.b) {
				return "", false
			}
			var r byte
			switch s.b[s.i+1] {
			case '"', '\\', '/':
				r = s.b[s.i+1]
			case 'b':
				r = '\b'
			case 'f':
				r = '\f'
			case 'n':
				r = '\n'
			case 'r':
				r = '\r'
			case 't':
				r = '\t'
			default: // \u, or invalid
				return "", false
			}
			out = append(out, r)
			s.i += 2
			continue
		case c < 0x20:
			return "", false
		case c >= utf8.RuneSelf:
			ascii = false
		}
		out = append(out, c)
		s.i++
	}
	return "", false
}

// strMap reads an object of strings.
func (s *fastScanner) strMap() (map[string]string, bool) {
	m := map[string]string{}
	ok := s.object(func() bool {
		k, ok := s.str()
		if !ok || !s.byte(':') {
			return false
		}
		v, ok := s.str()
		m[k] = v
		return ok
	})
	return m, ok
}

// listMap reads an object of lists of strings.
func (s *fastScanner) listMap() (map[string][]string, bool) {
	m := map[string][]string{}
	ok := s.object(func() bool {
		k, ok := s.str()
		if !ok || !s.byte(':') {
			return false
		}
		v, ok := s.list()
		m[k] = v
		return ok
	})
	return m, ok
}

// object reads '{' members '}', each member read by member.
func (s *fastScanner) object(member func() bool) bool {
	if !s.byte('{') {
		return false
	}
	if s.byte('}') {
		return true
	}
	for {
		if !member() {
			return false
		}
		if s.byte(',') {
			continue
		}
		return s.byte('}')
	}
}

// list reads an array of strings.
func (s *fastScanner) list() ([]string, bool) {
	if !s.byte('[') {
		return nil, false
	}
	l := []string{}
	if s.byte(']') {
		return l, true
	}
	for {
		v, ok := s.str()
		if !ok {
			return nil, false
		}
		l = append(l, v)
		if s.byte(',') {
			continue
		}
		return l, s.byte(']')
	}
}

// String describes the scanner's position, for tests.
func (s *fastScanner) String() string { return fmt.Sprintf("at %d of %q", s.i, s.b) }
