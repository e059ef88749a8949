package lambda

import (
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// This file holds a small JSON reader used to decode Lambda events.
//
// Why not encoding/json: decoding an API Gateway event into the
// aws-lambda-go structs costs about three quarters of a warm invocation
// (reflection, one allocation per map entry and per string, maps we then
// copy again into an http.Header). The reader below works on one string
// holding the whole payload, so every string without escapes (paths, header
// names and values, query strings, request ids…) is a substring of it and
// costs no allocation, and it visits only the fields the adapter needs.
// It is strict: anything encoding/json would reject as syntax is an error,
// and nesting is bounded so hostile input cannot exhaust the stack.

// maxDepth bounds the nesting of arrays and objects the reader accepts.
const maxDepth = 256

// syntaxError reports malformed JSON and where it was found.
type syntaxError struct {
	msg string
	off int
}

func (e *syntaxError) Error() string {
	return "invalid JSON at offset " + strconv.Itoa(e.off) + ": " + e.msg
}

// typeError reports a well-formed value of the wrong type for a field.
type typeError struct {
	field string
	want  string
}

func (e *typeError) Error() string {
	return "field " + e.field + ": want " + e.want
}

// scanner reads one JSON document held in s.
type scanner struct {
	s     string
	i     int
	depth int
}

func (d *scanner) fail(msg string) error {
	return &syntaxError{msg: msg, off: d.i}
}

// ws skips white space.
func (d *scanner) ws() {
	for d.i < len(d.s) {
		switch d.s[d.i] {
		case ' ', '\t', '\n', '\r':
			d.i++
		default:
			return
		}
	}
}

// peek skips white space and returns the next byte, or 0 at the end.
func (d *scanner) peek() byte {
	d.ws()
	if d.i < len(d.s) {
		return d.s[d.i]
	}
	return 0
}

// end checks that only white space follows the document.
func (d *scanner) end() error {
	d.ws()
	if d.i != len(d.s) {
		return d.fail("unexpected data after top-level value")
	}
	return nil
}

// null consumes a null literal if one is next and reports whether it did.
func (d *scanner) null() bool {
	if d.peek() == 'n' && len(d.s)-d.i >= 4 && d.s[d.i:d.i+4] == "null" {
		d.i += 4
		return true
	}
	return false
}

// rawString consumes a string and returns its contents between the quotes,
// still escaped, and whether it holds any escape.
//
// Strings are most of an event. Short ones (keys, most values) are read
// byte by byte. Longer ones without escapes are read in runs: the closing
// quote and any backslash are found with strings.IndexByte (vectorised)
// and control characters are looked for eight bytes at a time. From its
// first backslash, a string (a JSON body, typically dense with \") is
// read byte by byte again, which beats stepping from escape to escape.
func (d *scanner) rawString() (raw string, escaped bool, err error) {
	if d.peek() != '"' {
		return "", false, d.fail("expected string")
	}
	s := d.s
	start := d.i + 1
	j := start
	for end := min(len(s), start+16); j < end; j++ {
		if c := s[j]; strSpecial[c] {
			if c == '"' {
				d.i = j + 1
				return s[start:j], false, nil
			}
			return d.escapedString(start, j)
		}
	}
	q := strings.IndexByte(s[j:], '"')
	if q < 0 {
		d.i = len(s)
		return "", false, d.fail("unterminated string")
	}
	q += j
	run := s[j:q]
	bs := strings.IndexByte(run, '\\')
	if bs >= 0 {
		run = run[:bs]
	}
	if c := ctlIndex(run); c >= 0 {
		d.i = j + c
		return "", false, d.fail("control character in string")
	}
	if bs < 0 {
		d.i = q + 1
		return s[start:q], false, nil
	}
	return d.escapedString(start, j+bs)
}

// escapedString goes on reading the string that starts at start from j,
// which holds a backslash or a control character, byte by byte.
func (d *scanner) escapedString(start, j int) (raw string, escaped bool, err error) {
	s := d.s
	for j < len(s) {
		c := s[j]
		if !strSpecial[c] {
			j++
			continue
		}
		switch c {
		case '"':
			d.i = j + 1
			return s[start:j], true, nil
		case '\\':
			if j+1 >= len(s) {
				d.i = j
				return "", false, d.fail("unterminated string")
			}
			switch s[j+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				j += 2
			case 'u':
				if j+6 > len(s) || !isHex4(s[j+2:j+6]) {
					d.i = j
					return "", false, d.fail("invalid \\u escape")
				}
				j += 6
			default:
				d.i = j
				return "", false, d.fail("invalid escape")
			}
		default:
			d.i = j
			return "", false, d.fail("control character in string")
		}
	}
	d.i = len(s)
	return "", false, d.fail("unterminated string")
}

// strSpecial marks the bytes that stop the byte-by-byte string scan: the
// quote, the backslash and control characters.
var strSpecial = func() (t [256]bool) {
	for c := 0; c < 0x20; c++ {
		t[c] = true
	}
	t['"'] = true
	t['\\'] = true
	return t
}()

// ctlIndex returns the index of the first byte below 0x20 in s, or -1.
func ctlIndex(s string) int {
	const (
		ones  = 0x0101010101010101
		highs = 0x8080808080808080
	)
	i := 0
	for ; i+8 <= len(s); i += 8 {
		w := s[i : i+8]
		x := uint64(w[0]) | uint64(w[1])<<8 | uint64(w[2])<<16 | uint64(w[3])<<24 |
			uint64(w[4])<<32 | uint64(w[5])<<40 | uint64(w[6])<<48 | uint64(w[7])<<56
		if (x-0x20*ones)&^x&highs != 0 {
			break
		}
	}
	for ; i < len(s); i++ {
		if s[i] < 0x20 {
			return i
		}
	}
	return -1
}

// str consumes a string and returns its value. Without escapes the value
// is a substring of the document and costs no allocation.
func (d *scanner) str() (string, error) {
	raw, esc, err := d.rawString()
	if err != nil || !esc {
		return raw, err
	}
	return string(appendUnescaped(nil, raw)), nil
}

// strOrNull is str that also accepts null, as the empty string.
func (d *scanner) strOrNull(field string) (string, error) {
	switch d.peek() {
	case '"':
		return d.str()
	case 'n':
		if d.null() {
			return "", nil
		}
	}
	return "", d.mismatch(field, "string")
}

// boolean consumes true or false (null counts as false).
func (d *scanner) boolean(field string) (bool, error) {
	switch d.peek() {
	case 't':
		if d.literal("true") == nil {
			return true, nil
		}
	case 'f':
		if d.literal("false") == nil {
			return false, nil
		}
	case 'n':
		if d.null() {
			return false, nil
		}
	}
	return false, d.mismatch(field, "boolean")
}

// mismatch skips the value at hand and reports a type error for field. When
// the value is not even well-formed, the syntax error wins.
func (d *scanner) mismatch(field, want string) error {
	if err := d.skip(); err != nil {
		return err
	}
	return &typeError{field: field, want: want}
}

// skip consumes any value, checking that it is well-formed.
func (d *scanner) skip() error {
	switch c := d.peek(); c {
	case '{':
		return d.object(func(string) error { return d.skip() })
	case '[':
		return d.array(d.skip)
	case '"':
		_, _, err := d.rawString()
		return err
	case 't':
		return d.literal("true")
	case 'f':
		return d.literal("false")
	case 'n':
		return d.literal("null")
	default:
		if c == '-' || (c >= '0' && c <= '9') {
			return d.number()
		}
		if c == 0 {
			return d.fail("unexpected end of input")
		}
		return d.fail("invalid character " + strconv.QuoteRune(rune(c)))
	}
}

func (d *scanner) literal(lit string) error {
	if len(d.s)-d.i >= len(lit) && d.s[d.i:d.i+len(lit)] == lit {
		d.i += len(lit)
		return nil
	}
	return d.fail("invalid literal")
}

// number consumes a number following the JSON grammar.
func (d *scanner) number() error {
	s, i := d.s, d.i
	if i < len(s) && s[i] == '-' {
		i++
	}
	switch {
	case i < len(s) && s[i] == '0':
		i++
	case i < len(s) && s[i] >= '1' && s[i] <= '9':
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
	default:
		d.i = i
		return d.fail("invalid number")
	}
	if i < len(s) && s[i] == '.' {
		i++
		if i >= len(s) || s[i] < '0' || s[i] > '9' {
			d.i = i
			return d.fail("invalid number")
		}
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		if i >= len(s) || s[i] < '0' || s[i] > '9' {
			d.i = i
			return d.fail("invalid number")
		}
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
	}
	d.i = i
	return nil
}

// object consumes an object, calling member for each key with the scanner
// positioned at the member's value; member must consume that value.
func (d *scanner) object(member func(key string) error) error {
	return d.container('{', '}', "object", "closing brace", func() error {
		key, err := d.str()
		if err != nil {
			return err
		}
		if d.peek() != ':' {
			return d.fail("expected colon after object key")
		}
		d.i++
		return member(key)
	})
}

// array consumes an array, calling elem with the scanner positioned at each
// element; elem must consume it.
func (d *scanner) array(elem func() error) error {
	return d.container('[', ']', "array", "closing bracket", elem)
}

// container consumes an object or an array delimited by open and close,
// calling item for each of its comma-separated items.
func (d *scanner) container(open, close byte, what, closing string, item func() error) error {
	if d.peek() != open {
		return d.fail("expected " + what)
	}
	if d.depth++; d.depth > maxDepth {
		return d.fail("nesting too deep")
	}
	d.i++
	if d.peek() == close {
		d.i++
		d.depth--
		return nil
	}
	for {
		if err := item(); err != nil {
			return err
		}
		switch d.peek() {
		case ',':
			d.i++
		case close:
			d.i++
			d.depth--
			return nil
		default:
			return d.fail("expected comma or " + closing + " in " + what)
		}
	}
}

func isHex4(s string) bool {
	for i := 0; i < 4; i++ {
		if unhex(s[i]) < 0 {
			return false
		}
	}
	return true
}

func unhex(c byte) rune {
	switch {
	case c >= '0' && c <= '9':
		return rune(c - '0')
	case c >= 'a' && c <= 'f':
		return rune(c - 'a' + 10)
	case c >= 'A' && c <= 'F':
		return rune(c - 'A' + 10)
	}
	return -1
}

func hex4(s string) rune {
	return unhex(s[0])<<12 | unhex(s[1])<<8 | unhex(s[2])<<4 | unhex(s[3])
}

// appendUnescaped appends the value of the escaped string contents raw,
// which rawString has already validated. Lone surrogates become U+FFFD, as
// with encoding/json. The output is never longer than raw, so it is
// written in place after growing dst once.
func appendUnescaped(dst []byte, raw string) []byte {
	n := len(dst)
	dst = append(dst, raw...) // room enough; overwritten below
	out := dst[n:]
	w := 0
	for i := 0; i < len(raw); {
		c := raw[i]
		if c != '\\' {
			out[w] = c
			w++
			i++
			continue
		}
		e := raw[i+1]
		i += 2
		switch e {
		case 'b':
			out[w] = '\b'
		case 'f':
			out[w] = '\f'
		case 'n':
			out[w] = '\n'
		case 'r':
			out[w] = '\r'
		case 't':
			out[w] = '\t'
		case 'u':
			r := hex4(raw[i:])
			i += 4
			if utf16.IsSurrogate(r) {
				r2 := utf8.RuneError
				if i+6 <= len(raw) && raw[i] == '\\' && raw[i+1] == 'u' {
					r2 = utf16.DecodeRune(r, hex4(raw[i+2:]))
				}
				if r2 != utf8.RuneError {
					i += 6
				}
				r = r2
			}
			w += utf8.EncodeRune(out[w:], r)
			continue
		default: // '"', '\\', '/'
			out[w] = e
		}
		w++
	}
	return dst[:n+w]
}
