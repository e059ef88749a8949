// Package jsonstr writes Go strings as JSON strings without reflection,
// byte for byte as encoding/json writes them: the quote, the backslash and
// control characters escaped (\b, \f, \n, \r and \t short, the others as
// \u00XX), invalid UTF-8 as \ufffd, U+2028 and U+2029 escaped, and, in
// HTML mode (encoding/json.Marshal's default), <, > and & as \u003c,
// \u003e and \u0026.
//
// It is the one JSON string writer of nextgo's hand-written encoders: the
// Lambda adapter's responses, the dev server's reports and the local
// front's events.
package jsonstr

import "unicode/utf8"

// Mode selects how a string is written.
type Mode uint8

const (
	// HTML escapes <, > and & as encoding/json.Marshal does by default
	// (without it, as an Encoder with SetEscapeHTML(false) does).
	HTML Mode = 1 << iota
	// HeaderValue writes CR and LF as spaces, as net/http's server writes
	// a header value, before quoting.
	HeaderValue
)

// safe marks, per mode, the ASCII bytes written as they are.
var safe = func() (t [2][utf8.RuneSelf]bool) {
	for c := 0x20; c < utf8.RuneSelf; c++ {
		t[0][c], t[1][c] = true, true
	}
	t[0]['"'], t[1]['"'] = false, false
	t[0]['\\'], t[1]['\\'] = false, false
	t[1]['<'], t[1]['>'], t[1]['&'] = false, false, false
	return t
}()

const hexDigits = "0123456789abcdef"

// Append appends s to dst as a quoted JSON string.
func Append(dst []byte, s string, m Mode) []byte {
	dst = append(dst, '"')
	dst = AppendChars(dst, s, m)
	return append(dst, '"')
}

// AppendChars is Append without the quotes.
func AppendChars(dst []byte, s string, m Mode) []byte {
	table := &safe[m&HTML]
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if table[c] {
				i++
				continue
			}
			dst = append(dst, s[start:i]...)
			switch {
			case m&HeaderValue != 0 && (c == '\r' || c == '\n'):
				dst = append(dst, ' ')
			case c == '"', c == '\\':
				dst = append(dst, '\\', c)
			case c == '\b':
				dst = append(dst, '\\', 'b')
			case c == '\f':
				dst = append(dst, '\\', 'f')
			case c == '\n':
				dst = append(dst, '\\', 'n')
			case c == '\r':
				dst = append(dst, '\\', 'r')
			case c == '\t':
				dst = append(dst, '\\', 't')
			default: // a control character, or <, > and & in HTML mode
				dst = append(dst, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\ufffd`...)
		case r == '\u2028' || r == '\u2029':
			dst = append(dst, s[start:i]...)
			dst = append(dst, '\\', 'u', '2', '0', '2', hexDigits[r&0xf])
		default:
			i += size
			continue
		}
		i += size
		start = i
	}
	return append(dst, s[start:]...)
}

// Len is len(Append(nil, s, m)), computed without writing.
func Len(s string, m Mode) int { return CharsLen(s, m) + 2 }

// CharsLen is len(AppendChars(nil, s, m)), computed without writing.
func CharsLen(s string, m Mode) int {
	table := &safe[m&HTML]
	n := len(s)
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case table[c]:
			case m&HeaderValue != 0 && (c == '\r' || c == '\n'):
			case c == '"', c == '\\', c == '\b', c == '\f', c == '\n', c == '\r', c == '\t':
				n++
			default:
				n += len(`\u00XX`) - 1
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			n += len(`\ufffd`) - 1
		case r == '\u2028' || r == '\u2029':
			n += len(`\u2028`) - size
		}
		i += size
	}
	return n
}
