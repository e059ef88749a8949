package api

import (
	"unicode/utf8"
)

// This file holds the text primitives that JavaScript gives Next.js for
// free: UTF-8 decoding with replacement characters, decodeURIComponent, the
// lenient percent-decoding of Node's querystring, and String.prototype.trim.

// replacement is U+FFFD encoded as UTF-8.
const replacement = "\uFFFD"

// appendLossyUTF8 appends src to dst, replacing every ill-formed sequence
// with U+FFFD the way the WHATWG Encoding Standard (and so Node's
// Buffer.toString) does: one replacement character per maximal subpart of an
// ill-formed sequence, the offending byte being examined again.
func appendLossyUTF8(dst, src []byte) []byte {
	for i := 0; i < len(src); {
		c := src[i]
		if c < utf8.RuneSelf {
			dst = append(dst, c)
			i++
			continue
		}
		need, lo, hi := 0, byte(0x80), byte(0xBF)
		switch {
		case c >= 0xC2 && c <= 0xDF:
			need = 1
		case c == 0xE0:
			need, lo = 2, 0xA0
		case c == 0xED:
			need, hi = 2, 0x9F
		case c >= 0xE1 && c <= 0xEF:
			need = 2
		case c == 0xF0:
			need, lo = 3, 0x90
		case c >= 0xF1 && c <= 0xF3:
			need = 3
		case c == 0xF4:
			need, hi = 3, 0x8F
		default:
			dst = append(dst, replacement...)
			i++
			continue
		}
		j := i + 1
		ok := true
		for k := 0; k < need; k++ {
			if j >= len(src) {
				ok = false
				break
			}
			b := src[j]
			if (k == 0 && (b < lo || b > hi)) || (k > 0 && (b < 0x80 || b > 0xBF)) {
				ok = false
				break
			}
			j++
		}
		if ok {
			dst = append(dst, src[i:j]...)
		} else {
			dst = append(dst, replacement...)
		}
		i = j
	}
	return dst
}

// lossyString returns b as a valid UTF-8 string (see appendLossyUTF8).
func lossyString(b []byte) string {
	if utf8.Valid(b) {
		return string(b)
	}
	return string(appendLossyUTF8(make([]byte, 0, len(b)+8), b))
}

// unhex returns the value of the hexadecimal digit c, or -1.
func unhex(c byte) int {
	switch {
	case '0' <= c && c <= '9':
		return int(c - '0')
	case 'a' <= c && c <= 'f':
		return int(c - 'a' + 10)
	case 'A' <= c && c <= 'F':
		return int(c - 'A' + 10)
	}
	return -1
}

// decodeFormComponent decodes one key or value of a query string or an
// urlencoded body as Node's querystring does: '+' is a space, a '%'
// followed by two hexadecimal digits is that byte, any other '%' stays as
// it is, and the resulting bytes are read as UTF-8 with replacement
// characters. It does not allocate when there is nothing to decode.
func decodeFormComponent(s string) string {
	clean := true
	for i := 0; i < len(s); i++ {
		if c := s[i]; c == '+' || c == '%' || c >= utf8.RuneSelf {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '+':
			c = ' '
		case c == '%' && i < len(s)-2:
			hi, lo := unhex(s[i+1]), unhex(s[i+2])
			if hi >= 0 && lo >= 0 {
				c = byte(hi<<4 | lo)
				i += 2
			}
		}
		b = append(b, c)
	}
	return lossyString(b)
}

// decodeURIComponent decodes s as JavaScript's decodeURIComponent does and
// reports false where that would throw: a '%' not followed by two
// hexadecimal digits, or escapes that do not spell well-formed UTF-8.
func decodeURIComponent(s string) (string, bool) {
	n := 0
	for i := 0; i < len(s); i++ {
		if s[i] == '%' {
			n++
		}
	}
	if n == 0 {
		return s, true
	}
	b := make([]byte, 0, max(len(s)-2*n, 0))
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '%' {
			b = append(b, c)
			continue
		}
		if i+2 >= len(s) {
			return "", false
		}
		hi, lo := unhex(s[i+1]), unhex(s[i+2])
		if hi < 0 || lo < 0 {
			return "", false
		}
		b = append(b, byte(hi<<4|lo))
		i += 2
	}
	// Every escaped byte must belong to a well-formed sequence; raw bytes
	// of s are kept as they are.
	if !utf8.Valid(b) {
		return "", false
	}
	return string(b), true
}

// isJSSpace reports whether r is white space or a line terminator for
// String.prototype.trim.
func isJSSpace(r rune) bool {
	switch r {
	case '\t', '\n', '\v', '\f', '\r', ' ', 0xA0, 0x1680, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000, 0xFEFF:
		return true
	}
	return r >= 0x2000 && r <= 0x200A
}

// jsTrim trims s as String.prototype.trim does.
func jsTrim(s string) string {
	for len(s) > 0 {
		if c := s[0]; c < utf8.RuneSelf {
			if !isJSSpace(rune(c)) {
				break
			}
			s = s[1:]
			continue
		}
		r, n := utf8.DecodeRuneInString(s)
		if !isJSSpace(r) || (r == utf8.RuneError && n == 1) {
			break
		}
		s = s[n:]
	}
	for len(s) > 0 {
		if c := s[len(s)-1]; c < utf8.RuneSelf {
			if !isJSSpace(rune(c)) {
				break
			}
			s = s[:len(s)-1]
			continue
		}
		r, n := utf8.DecodeLastRuneInString(s)
		if !isJSSpace(r) || (r == utf8.RuneError && n == 1) {
			break
		}
		s = s[:len(s)-n]
	}
	return s
}
