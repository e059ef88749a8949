package api

import (
	"bytes"
	"encoding/json"
	"unicode/utf8"
)

// This file makes JSON text byte-for-byte what JSON.stringify produces, so
// that bodies and ETags match Next.js.

const lowerHex = "0123456789abcdef"

// appendJSString appends s to b as JSON.stringify writes a string: only
// '"', '\\' and control characters are escaped; '<', '>', '&', U+2028 and
// U+2029 are written as they are. Ill-formed UTF-8 is written as U+FFFD.
func appendJSString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c >= utf8.RuneSelf {
			r, n := utf8.DecodeRuneInString(s[i:])
			if r == utf8.RuneError && n == 1 {
				b = append(b, s[start:i]...)
				b = appendLossyUTF8(b, []byte(s[i:invalidEnd(s, i)]))
				i = invalidEnd(s, i)
				start = i
				continue
			}
			i += n
			continue
		}
		if c >= 0x20 && c != '"' && c != '\\' {
			i++
			continue
		}
		b = append(b, s[start:i]...)
		switch c {
		case '"', '\\':
			b = append(b, '\\', c)
		case '\b':
			b = append(b, '\\', 'b')
		case '\f':
			b = append(b, '\\', 'f')
		case '\n':
			b = append(b, '\\', 'n')
		case '\r':
			b = append(b, '\\', 'r')
		case '\t':
			b = append(b, '\\', 't')
		default:
			b = append(b, '\\', 'u', '0', '0', lowerHex[c>>4], lowerHex[c&0xF])
		}
		i++
		start = i
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

// invalidEnd returns the end of the run of bytes, starting at i, that are
// not part of a well-formed UTF-8 sequence.
func invalidEnd(s string, i int) int {
	for i < len(s) {
		if s[i] < utf8.RuneSelf {
			return i
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		if r != utf8.RuneError || n != 1 {
			return i
		}
		i++
	}
	return i
}

// marshalJS encodes v with encoding/json and then undoes the escapes that
// JSON.stringify does not make (see fixGoJSON).
func marshalJS(v any) ([]byte, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	return fixGoJSON(b), nil
}

// fixGoJSON rewrites, in place, the escapes encoding/json writes inside
// strings but JSON.stringify does not: \u003c, \u003e and \u0026 (HTML
// safety), \u2028 and \u2029, and \ufffd (written for ill-formed UTF-8,
// which JavaScript strings carry as a plain U+FFFD). The text only shrinks,
// so no allocation is needed. b must be valid JSON from encoding/json.
func fixGoJSON(b []byte) []byte {
	i := bytes.IndexByte(b, '\\')
	if i < 0 {
		return b
	}
	w := i
	for i < len(b) {
		c := b[i]
		if c != '\\' {
			b[w] = c
			w++
			i++
			continue
		}
		// An escape: b[i+1] exists because b is valid JSON.
		if b[i+1] == 'u' && i+6 <= len(b) {
			if r, ok := undoEscape(b[i+2 : i+6]); ok {
				w += utf8.EncodeRune(b[w:], r)
				i += 6
				continue
			}
			w += copy(b[w:], b[i:i+6])
			i += 6
			continue
		}
		b[w], b[w+1] = b[i], b[i+1]
		w += 2
		i += 2
	}
	return b[:w]
}

// undoEscape returns the character of a \uXXXX escape that fixGoJSON
// writes unescaped.
func undoEscape(h []byte) (rune, bool) {
	switch string(h) {
	case "003c":
		return '<', true
	case "003e":
		return '>', true
	case "0026":
		return '&', true
	case "2028":
		return '\u2028', true
	case "2029":
		return '\u2029', true
	case "fffd":
		return '\uFFFD', true
	}
	return 0, false
}
