package devserver

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"time"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/nextgo-dev/nextgo/internal/jsonstr"
)

// The report pipe carries one Report per request: its JSON is written and
// read here, by hand, as encoding/json would write it (same keys, same
// omitempty fields, strings escaped alike, times in RFC 3339 with
// nanoseconds), without reflection or a validating pass.

// AppendJSON appends rep to b as one JSON object, as encoding/json would
// encode it.
func (rep *Report) AppendJSON(b []byte) []byte {
	b = append(b, `{"type":`...)
	b = appendJSONString(b, rep.Type)
	b = append(b, `,"id":`...)
	b = appendJSONString(b, rep.RequestID)
	if rep.File != "" {
		b = append(b, `,"file":`...)
		b = appendJSONString(b, rep.File)
	}
	if rep.Cache != "" {
		b = append(b, `,"cache":`...)
		b = appendJSONString(b, rep.Cache)
	}
	if rep.Status != 0 {
		b = append(b, `,"status":`...)
		b = strconv.AppendInt(b, int64(rep.Status), 10)
	}
	if rep.Method != "" {
		b = append(b, `,"method":`...)
		b = appendJSONString(b, rep.Method)
	}
	if rep.Path != "" {
		b = append(b, `,"path":`...)
		b = appendJSONString(b, rep.Path)
	}
	if f := rep.DurationMs; f != 0 && !math.IsNaN(f) && !math.IsInf(f, 0) {
		b = append(b, `,"durationMs":`...)
		b = appendJSONFloat(b, f)
	}
	if rep.Level != "" {
		b = append(b, `,"level":`...)
		b = appendJSONString(b, rep.Level)
	}
	if rep.Message != "" {
		b = append(b, `,"msg":`...)
		b = appendJSONString(b, rep.Message)
	}
	b = append(b, `,"time":"`...)
	b = rep.Time.AppendFormat(b, time.RFC3339Nano)
	return append(b, `"}`...)
}

// appendJSONFloat formats f as encoding/json does.
func appendJSONFloat(b []byte, f float64) []byte {
	format := byte('f')
	if abs := math.Abs(f); abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		format = 'e'
	}
	b = strconv.AppendFloat(b, f, format, -1, 64)
	if format == 'e' { // e-09 → e-9
		if n := len(b); n >= 4 && b[n-4] == 'e' && b[n-3] == '-' && b[n-2] == '0' {
			b[n-2] = b[n-1]
			b = b[:n-1]
		}
	}
	return b
}

// appendJSONString quotes s as encoding/json does (jsonstr, HTML mode).
func appendJSONString(b []byte, s string) []byte { return jsonstr.Append(b, s, jsonstr.HTML) }

// ParseReport decodes one line of the report pipe: a JSON object with
// Report's keys (other keys are skipped when their value is a string, a
// number, true, false or null; null leaves a field as it is).
func ParseReport(line []byte) (Report, error) {
	var rep Report
	d := jsonScanner{b: line}
	d.space()
	if !d.consume('{') {
		return rep, d.fail("expected {")
	}
	d.space()
	if !d.consume('}') {
		for {
			d.space()
			if d.peek() != '"' {
				return rep, d.fail("expected a key")
			}
			key, err := d.str()
			if err != nil {
				return rep, err
			}
			d.space()
			if !d.consume(':') {
				return rep, d.fail("expected :")
			}
			d.space()
			if err := d.field(&rep, key); err != nil {
				return rep, err
			}
			d.space()
			if d.consume(',') {
				continue
			}
			if d.consume('}') {
				break
			}
			return rep, d.fail("expected , or }")
		}
	}
	d.space()
	if d.i != len(d.b) {
		return rep, d.fail("text after the object")
	}
	return rep, nil
}

// jsonScanner reads the flat JSON object of a report.
type jsonScanner struct {
	b []byte
	i int
}

func (d *jsonScanner) fail(msg string) error {
	return fmt.Errorf("report %.80q: offset %d: %s", d.b, d.i, msg)
}

func (d *jsonScanner) space() {
	for d.i < len(d.b) && (d.b[d.i] == ' ' || d.b[d.i] == '\t' || d.b[d.i] == '\n' || d.b[d.i] == '\r') {
		d.i++
	}
}

func (d *jsonScanner) peek() byte {
	if d.i < len(d.b) {
		return d.b[d.i]
	}
	return 0
}

func (d *jsonScanner) consume(c byte) bool {
	if d.peek() == c {
		d.i++
		return true
	}
	return false
}

// field reads the value of key into rep.
func (d *jsonScanner) field(rep *Report, key string) error {
	if d.literal("null") {
		return nil
	}
	var dst *string
	switch key {
	case "type":
		dst = &rep.Type
	case "id":
		dst = &rep.RequestID
	case "file":
		dst = &rep.File
	case "cache":
		dst = &rep.Cache
	case "method":
		dst = &rep.Method
	case "path":
		dst = &rep.Path
	case "level":
		dst = &rep.Level
	case "msg":
		dst = &rep.Message
	case "time":
		s, err := d.str()
		if err != nil {
			return err
		}
		t, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			return fmt.Errorf("report time: %w", err)
		}
		rep.Time = t
		return nil
	case "status":
		num, err := d.number()
		if err != nil {
			return err
		}
		n, err := strconv.Atoi(num)
		if err != nil {
			return fmt.Errorf("report status: %w", err)
		}
		rep.Status = n
		return nil
	case "durationMs":
		num, err := d.number()
		if err != nil {
			return err
		}
		f, err := strconv.ParseFloat(num, 64)
		if err != nil {
			return fmt.Errorf("report durationMs: %w", err)
		}
		rep.DurationMs = f
		return nil
	default:
		return d.skip()
	}
	s, err := d.str()
	if err != nil {
		return err
	}
	*dst = s
	return nil
}

// literal consumes word (true, false, null) if it comes next.
func (d *jsonScanner) literal(word string) bool {
	if len(d.b)-d.i >= len(word) && string(d.b[d.i:d.i+len(word)]) == word {
		d.i += len(word)
		return true
	}
	return false
}

// skip consumes the value of a key a report does not have: a string, a
// number, true, false or null.
func (d *jsonScanner) skip() error {
	switch c := d.peek(); {
	case c == '"':
		_, err := d.str()
		return err
	case c == '-' || c >= '0' && c <= '9':
		_, err := d.number()
		return err
	case d.literal("true"), d.literal("false"), d.literal("null"):
		return nil
	}
	return d.fail("expected a string, a number, true, false or null")
}

// number consumes a JSON number and returns its text.
func (d *jsonScanner) number() (string, error) {
	start := d.i
	d.consume('-')
	switch {
	case d.consume('0'):
	case d.peek() >= '1' && d.peek() <= '9':
		d.digits()
	default:
		return "", d.fail("expected a number")
	}
	if d.consume('.') {
		if d.digits() == 0 {
			return "", d.fail("expected a digit")
		}
	}
	if d.consume('e') || d.consume('E') {
		if !d.consume('+') {
			d.consume('-')
		}
		if d.digits() == 0 {
			return "", d.fail("expected a digit")
		}
	}
	return string(d.b[start:d.i]), nil
}

func (d *jsonScanner) digits() int {
	n := 0
	for d.i < len(d.b) && d.b[d.i] >= '0' && d.b[d.i] <= '9' {
		d.i++
		n++
	}
	return n
}

var errReportString = errors.New("a string of the report is cut short")

// str consumes a JSON string and returns its value.
func (d *jsonScanner) str() (string, error) {
	if !d.consume('"') {
		return "", d.fail("expected a string")
	}
	start := d.i
	for d.i < len(d.b) {
		switch c := d.b[d.i]; {
		case c == '"':
			s := string(d.b[start:d.i])
			d.i++
			return s, nil
		case c == '\\':
			return d.unescape(start)
		case c < 0x20:
			return "", d.fail("control character in a string")
		}
		d.i++
	}
	return "", errReportString
}

// unescape finishes a string with escapes that began at start.
func (d *jsonScanner) unescape(start int) (string, error) {
	out := append([]byte(nil), d.b[start:d.i]...)
	for d.i < len(d.b) {
		c := d.b[d.i]
		switch {
		case c == '"':
			d.i++
			return string(out), nil
		case c < 0x20:
			return "", d.fail("control character in a string")
		case c != '\\':
			out = append(out, c)
			d.i++
			continue
		}
		if d.i+1 >= len(d.b) {
			return "", errReportString
		}
		e := d.b[d.i+1]
		d.i += 2
		switch e {
		case '"', '\\', '/':
			out = append(out, e)
		case 'b':
			out = append(out, '\b')
		case 'f':
			out = append(out, '\f')
		case 'n':
			out = append(out, '\n')
		case 'r':
			out = append(out, '\r')
		case 't':
			out = append(out, '\t')
		case 'u':
			r, ok := d.hex4()
			if !ok {
				return "", d.fail("bad \\u escape")
			}
			if utf16.IsSurrogate(r) {
				r2 := utf8.RuneError
				if d.i+1 < len(d.b) && d.b[d.i] == '\\' && d.b[d.i+1] == 'u' {
					save := d.i
					d.i += 2
					if lo, ok := d.hex4(); ok && utf16.DecodeRune(r, lo) != utf8.RuneError {
						r2 = utf16.DecodeRune(r, lo)
					} else {
						d.i = save
					}
				}
				r = r2
			}
			out = utf8.AppendRune(out, r)
		default:
			return "", d.fail("bad escape")
		}
	}
	return "", errReportString
}

// hex4 consumes four hexadecimal digits.
func (d *jsonScanner) hex4() (rune, bool) {
	if len(d.b)-d.i < 4 {
		return 0, false
	}
	var r rune
	for _, c := range d.b[d.i : d.i+4] {
		switch {
		case c >= '0' && c <= '9':
			c -= '0'
		case c >= 'a' && c <= 'f':
			c -= 'a' - 10
		case c >= 'A' && c <= 'F':
			c -= 'A' - 10
		default:
			return 0, false
		}
		r = r<<4 | rune(c)
	}
	d.i += 4
	return r, true
}
