package lambda

import (
	"encoding/base64"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/nextgo-dev/nextgo/internal/jsonstr"
)

// response is a finished HTTP response, ready to be encoded for the kind
// of event it answers.
type response struct {
	status int
	header http.Header
	body   []byte
	binary bool // body goes out base64-encoded

	textLen  int  // escaped length of a text body, once measured
	measured bool // textLen is set
}

// finish completes a response the way net/http's server does before
// sending it: 200 when the handler set no status, a sniffed Content-Type
// when it set none (an explicit nil value suppresses sniffing), and the
// base64 decision for the body.
func (r *response) finish() {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	if len(r.body) > 0 {
		if _, ok := r.header["Content-Type"]; !ok {
			if r.header == nil {
				r.header = make(http.Header, 1)
			}
			r.header["Content-Type"] = []string{http.DetectContentType(r.body)}
		}
	}
	r.binary = len(r.body) > 0 && isBinary(r.header, r.body)
}

// isBinary reports whether a body must be base64-encoded: any encoded
// body (gzip, br…), any content type that is not text, and any body that
// is not valid UTF-8, since JSON strings cannot carry such bytes.
//
// api-proxy decides on UTF-8 validity alone, so binary content that is
// valid UTF-8 by chance (a small file, zero bytes) goes out as text, and a
// REST API with binary media types then tries to base64-decode it.
// Deciding by content type first matches what the event sources do.
func isBinary(h http.Header, body []byte) bool {
	if ce := h["Content-Encoding"]; len(ce) > 0 && ce[0] != "" && !strings.EqualFold(ce[0], "identity") {
		return true
	}
	var ct string
	if v := h["Content-Type"]; len(v) > 0 {
		ct = v[0]
	}
	if !isTextType(ct) {
		return true
	}
	return !utf8.Valid(body)
}

// isTextType reports whether a media type is text: text/*, JSON, XML,
// JavaScript, forms, YAML, GraphQL and their +json / +xml relatives.
func isTextType(ct string) bool {
	switch ct {
	case "application/json", "application/json; charset=utf-8",
		"text/plain; charset=utf-8", "text/html; charset=utf-8":
		return true
	}
	if i := strings.IndexByte(ct, ';'); i >= 0 {
		ct = ct[:i]
	}
	typ, sub, ok := strings.Cut(strings.TrimSpace(ct), "/")
	switch {
	case !ok:
		return false
	case strings.EqualFold(typ, "text"):
		return true
	case hasSuffixFold(sub, "+json"), hasSuffixFold(sub, "+xml"):
		return true
	case !strings.EqualFold(typ, "application"):
		return false
	}
	for _, t := range textSubtypes {
		if len(sub) == len(t) && strings.EqualFold(sub, t) {
			return true
		}
	}
	return false
}

var textSubtypes = [...]string{
	"json", "xml", "javascript", "ecmascript", "x-javascript",
	"x-www-form-urlencoded", "graphql", "x-ndjson", "ndjson",
	"yaml", "x-yaml", "toml", "x-sh", "sql", "csv",
}

func hasSuffixFold(s, suffix string) bool {
	return len(s) >= len(suffix) && strings.EqualFold(s[len(s)-len(suffix):], suffix)
}

// sortedKeys lists the header's keys in order, into buf, so encoded
// responses are deterministic.
func sortedKeys(h http.Header, buf []string) []string {
	for k := range h {
		buf = append(buf, k)
	}
	slices.Sort(buf)
	return buf
}

// jsonOut writes JSON, or in measure mode only counts the bytes it would
// write; both runs go through the same code so the count is exact.
type jsonOut struct {
	b       []byte
	n       int
	measure bool
}

func (o *jsonOut) raw(s string) {
	if o.measure {
		o.n += len(s)
		return
	}
	o.b = append(o.b, s...)
}

func (o *jsonOut) int(v int) {
	if o.measure {
		var tmp [20]byte
		o.n += len(strconv.AppendInt(tmp[:0], int64(v), 10))
		return
	}
	o.b = strconv.AppendInt(o.b, int64(v), 10)
}

func (o *jsonOut) bool(v bool) {
	if v {
		o.raw("true")
	} else {
		o.raw("false")
	}
}

func (o *jsonOut) str(s string) {
	if o.measure {
		o.n += jsonstr.Len(s, 0)
		return
	}
	o.b = jsonstr.Append(o.b, s, 0)
}

// value writes a header value: CR and LF become spaces.
func (o *jsonOut) value(s string) {
	if o.measure {
		o.n += jsonstr.Len(s, jsonstr.HeaderValue)
		return
	}
	o.b = jsonstr.Append(o.b, s, jsonstr.HeaderValue)
}

// body writes the body as a JSON string, base64-encoded when binary.
// A text body is valid UTF-8 (see isBinary); its escaped length is
// measured once and kept in r.
func (o *jsonOut) body(r *response) {
	b := r.body
	if r.binary {
		if o.measure {
			o.n += base64.StdEncoding.EncodedLen(len(b)) + 2
			return
		}
		o.b = append(o.b, '"')
		o.b = base64.StdEncoding.AppendEncode(o.b, b)
		o.b = append(o.b, '"')
		return
	}
	if !r.measured {
		r.textLen, r.measured = textJSONLen(b), true
	}
	if o.measure {
		o.n += r.textLen + 2
		return
	}
	o.b = append(o.b, '"')
	o.b = appendJSONText(o.b, b, r.textLen)
	o.b = append(o.b, '"')
}

// status opens a response object with its statusCode member.
func (o *jsonOut) status(r *response) {
	o.raw(`{"statusCode":`)
	o.int(r.status)
}

// bodyEnd writes the body and isBase64Encoded members and closes the
// response object.
func (o *jsonOut) bodyEnd(r *response) {
	o.raw(`,"body":`)
	o.body(r)
	o.raw(`,"isBase64Encoded":`)
	o.bool(r.binary)
	o.raw("}")
}

// singleHeaders writes one string per header, names in order. Several
// values are joined with ", " (RFC 9110 §5.3), except Set-Cookie, which
// cannot be joined: payload 2.0 carries cookies apart (skipCookies), and an
// ALB without multi-value headers can take only the first. Names that are
// not valid header names are left out, as net/http's server does.
func (o *jsonOut) singleHeaders(h http.Header, skipCookies bool) {
	var kb [32]string
	first := true
	for _, k := range sortedKeys(h, kb[:0]) {
		vs := h[k]
		if len(vs) == 0 || skipCookies && k == "Set-Cookie" || !validHeaderName(k) {
			continue
		}
		if !first {
			o.raw(",")
		}
		first = false
		o.str(k)
		o.raw(":")
		if len(vs) == 1 || k == "Set-Cookie" {
			o.value(vs[0])
			continue
		}
		o.joined(vs)
	}
}

// joined writes header values as one JSON string joined with ", ".
func (o *jsonOut) joined(vs []string) {
	if o.measure {
		o.n += 2 + 2*(len(vs)-1)
		for _, v := range vs {
			o.n += jsonstr.CharsLen(v, jsonstr.HeaderValue)
		}
		return
	}
	o.b = append(o.b, '"')
	for i, v := range vs {
		if i > 0 {
			o.b = append(o.b, ", "...)
		}
		o.b = jsonstr.AppendChars(o.b, v, jsonstr.HeaderValue)
	}
	o.b = append(o.b, '"')
}

// multiHeaders writes a list of strings per header, names in order.
func (o *jsonOut) multiHeaders(h http.Header) {
	var kb [32]string
	first := true
	for _, k := range sortedKeys(h, kb[:0]) {
		vs := h[k]
		if len(vs) == 0 || !validHeaderName(k) {
			continue
		}
		if !first {
			o.raw(",")
		}
		first = false
		o.str(k)
		o.raw(":[")
		for i, v := range vs {
			if i > 0 {
				o.raw(",")
			}
			o.value(v)
		}
		o.raw("]")
	}
}

// validHeaderName reports whether k is a valid header name: a token.
func validHeaderName(k string) bool {
	if k == "" {
		return false
	}
	for i := 0; i < len(k); i++ {
		if !isTokenByte(k[i]) {
			return false
		}
	}
	return true
}

// cleanValue turns CR and LF in a header value into spaces.
func cleanValue(v string) string {
	if strings.IndexByte(v, '\r') < 0 && strings.IndexByte(v, '\n') < 0 {
		return v
	}
	b := []byte(v)
	for i, c := range b {
		if c == '\r' || c == '\n' {
			b[i] = ' '
		}
	}
	return string(b)
}

// jsonExtra[c] is how many bytes escaping c adds inside a JSON string of
// valid UTF-8: 1 for the short escapes, 5 for \u00XX, 0 otherwise.
var jsonExtra = func() (t [256]uint8) {
	for c := 0; c < 0x20; c++ {
		t[c] = 5
	}
	for _, c := range []byte{'"', '\\', '\n', '\r', '\t', '\b', '\f'} {
		t[c] = 1
	}
	return t
}()

// textJSONLen is the length of the valid UTF-8 text b escaped for a JSON
// string, quotes excluded. Bodies can be megabytes, so it is branch-free.
func textJSONLen(b []byte) int {
	n := len(b)
	for _, c := range b {
		n += int(jsonExtra[c])
	}
	return n
}

// appendJSONText appends the valid UTF-8 text b escaped for a JSON
// string, quotes excluded, given its escaped length size (textJSONLen):
// it grows dst once and writes in place.
func appendJSONText(dst, b []byte, size int) []byte {
	const hexDigits = "0123456789abcdef"
	n := len(dst)
	dst = slices.Grow(dst, size)[:n+size]
	out := dst[n:]
	w := 0
	for _, c := range b {
		if jsonExtra[c] == 0 {
			out[w] = c
			w++
			continue
		}
		out[w] = '\\'
		switch c {
		case '"', '\\':
			out[w+1] = c
		case '\n':
			out[w+1] = 'n'
		case '\r':
			out[w+1] = 'r'
		case '\t':
			out[w+1] = 't'
		case '\b':
			out[w+1] = 'b'
		case '\f':
			out[w+1] = 'f'
		default:
			out[w+1], out[w+2], out[w+3], out[w+4], out[w+5] = 'u', '0', '0', hexDigits[c>>4], hexDigits[c&15]
			w += 4
		}
		w += 2
	}
	return dst
}
