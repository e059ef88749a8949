package lambda

import (
	"encoding/base64"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// response is a finished HTTP response, ready to be encoded for the kind
// of event it answers.
type response struct {
	status int
	header http.Header
	body   []byte
	binary bool // body goes out base64-encoded
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
// api-proxy decides on UTF-8 validity alone, so a binary body that happens
// to be valid UTF-8 (a short PNG chunk, protobuf, a zero-filled file) is
// sent as text and reaches the client altered once API Gateway applies
// its own binary media type rules. Deciding by content type first is what
// API Gateway and function URLs expect.
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
	ct = strings.TrimSpace(ct)
	var buf [64]byte
	if len(ct) > len(buf) {
		return false
	}
	// Media types are case-insensitive; compare in lower case.
	lower := buf[:len(ct)]
	for i := 0; i < len(ct); i++ {
		c := ct[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		lower[i] = c
	}
	typ, sub, ok := strings.Cut(string(lower), "/")
	if !ok {
		return false
	}
	switch {
	case typ == "text":
		return true
	case strings.HasSuffix(sub, "+json"), strings.HasSuffix(sub, "+xml"):
		return true
	case typ != "application":
		return false
	}
	switch sub {
	case "json", "xml", "javascript", "ecmascript", "x-javascript",
		"x-www-form-urlencoded", "graphql", "x-ndjson", "ndjson",
		"yaml", "x-yaml", "toml", "x-sh", "sql", "csv":
		return true
	}
	return false
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
		o.n += jsonStringLen(s, false)
		return
	}
	o.b = appendJSONString(o.b, s, false)
}

// body writes the body as a JSON string, base64-encoded when binary.
// A text body is valid UTF-8 (see isBinary).
func (o *jsonOut) body(b []byte, binary bool) {
	if binary {
		if o.measure {
			o.n += base64.StdEncoding.EncodedLen(len(b)) + 2
			return
		}
		o.b = append(o.b, '"')
		o.b = base64.StdEncoding.AppendEncode(o.b, b)
		o.b = append(o.b, '"')
		return
	}
	if o.measure {
		o.n += textJSONLen(b) + 2
		return
	}
	o.b = append(o.b, '"')
	o.b = appendJSONText(o.b, b)
	o.b = append(o.b, '"')
}

func (o *jsonOut) response(k Kind, multiValue bool, r *response, keys []string) {
	o.raw(`{"statusCode":`)
	o.int(r.status)
	switch k {
	case KindAPIGatewayV2, KindFunctionURL:
		o.raw(`,"headers":{`)
		o.singleHeaders(r.header, keys, true)
		o.raw("}")
		if cookies := r.header["Set-Cookie"]; len(cookies) > 0 {
			o.raw(`,"cookies":[`)
			for i, c := range cookies {
				if i > 0 {
					o.raw(",")
				}
				o.str(c)
			}
			o.raw("]")
		}
	case KindAPIGatewayV1:
		o.raw(`,"multiValueHeaders":{`)
		o.multiHeaders(r.header, keys)
		o.raw("}")
	case KindALB:
		o.raw(`,"statusDescription":`)
		o.str(statusDescription(r.status))
		if multiValue {
			o.raw(`,"multiValueHeaders":{`)
			o.multiHeaders(r.header, keys)
		} else {
			o.raw(`,"headers":{`)
			o.singleHeaders(r.header, keys, false)
		}
		o.raw("}")
	}
	o.raw(`,"body":`)
	o.body(r.body, r.binary)
	o.raw(`,"isBase64Encoded":`)
	o.bool(r.binary)
	o.raw("}")
}

// singleHeaders writes one string per header. Several values are joined
// with ", " (RFC 9110 §5.3), except Set-Cookie, which cannot be joined:
// v2 and function URLs carry cookies apart (skipCookies), and an ALB
// without multi-value headers can take only the first.
func (o *jsonOut) singleHeaders(h http.Header, keys []string, skipCookies bool) {
	first := true
	for _, k := range keys {
		vs := h[k]
		if len(vs) == 0 || skipCookies && k == "Set-Cookie" {
			continue
		}
		if !first {
			o.raw(",")
		}
		first = false
		o.str(k)
		o.raw(":")
		if len(vs) == 1 || k == "Set-Cookie" {
			o.str(vs[0])
			continue
		}
		o.joined(vs)
	}
}

// joined writes values as one JSON string joined with ", ".
func (o *jsonOut) joined(vs []string) {
	if o.measure {
		o.n += 2 + 2*(len(vs)-1)
		for _, v := range vs {
			o.n += jsonCharsLen(v, false)
		}
		return
	}
	o.b = append(o.b, '"')
	for i, v := range vs {
		if i > 0 {
			o.b = append(o.b, ", "...)
		}
		o.b = appendJSONChars(o.b, v, false)
	}
	o.b = append(o.b, '"')
}

func (o *jsonOut) multiHeaders(h http.Header, keys []string) {
	first := true
	for _, k := range keys {
		vs := h[k]
		if len(vs) == 0 {
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
			o.str(v)
		}
		o.raw("]")
	}
}

// statusDescription is ALB's "200 OK" form.
func statusDescription(code int) string {
	if t := http.StatusText(code); t != "" {
		return strconv.Itoa(code) + " " + t
	}
	return strconv.Itoa(code)
}

// jsonSafe marks the ASCII bytes that need no escaping in a JSON string.
var jsonSafe = func() (t [256]bool) {
	for c := 0x20; c < 0x80; c++ {
		t[c] = true
	}
	t['"'] = false
	t['\\'] = false
	return t
}()

// appendJSONString appends s as a quoted JSON string, escaping like
// encoding/json without HTML escaping. Unless validUTF8 is known, invalid
// UTF-8 becomes U+FFFD, as encoding/json does.
func appendJSONString[T string | []byte](dst []byte, s T, validUTF8 bool) []byte {
	dst = append(dst, '"')
	dst = appendJSONChars(dst, s, validUTF8)
	return append(dst, '"')
}

// appendJSONChars is appendJSONString without the quotes.
func appendJSONChars[T string | []byte](dst []byte, s T, validUTF8 bool) []byte {
	const hexDigits = "0123456789abcdef"
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if jsonSafe[c] || c >= 0x80 && validUTF8 {
			i++
			continue
		}
		if c >= 0x80 {
			r, size := utf8.DecodeRuneInString(string(s[i:min(i+utf8.UTFMax, len(s))]))
			if r != utf8.RuneError || size != 1 {
				i += size
				continue
			}
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\ufffd`...)
			i++
			start = i
			continue
		}
		dst = append(dst, s[start:i]...)
		switch c {
		case '"', '\\':
			dst = append(dst, '\\', c)
		case '\n':
			dst = append(dst, '\\', 'n')
		case '\r':
			dst = append(dst, '\\', 'r')
		case '\t':
			dst = append(dst, '\\', 't')
		case '\b':
			dst = append(dst, '\\', 'b')
		case '\f':
			dst = append(dst, '\\', 'f')
		default:
			dst = append(dst, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&15])
		}
		i++
		start = i
	}
	return append(dst, s[start:]...)
}

// jsonStringLen is len(appendJSONString(nil, s, validUTF8)), computed.
func jsonStringLen[T string | []byte](s T, validUTF8 bool) int {
	return jsonCharsLen(s, validUTF8) + 2
}

// jsonCharsLen is len(appendJSONChars(nil, s, validUTF8)), computed.
func jsonCharsLen[T string | []byte](s T, validUTF8 bool) int {
	n := len(s)
	for i := 0; i < len(s); {
		c := s[i]
		if jsonSafe[c] || c >= 0x80 && validUTF8 {
			i++
			continue
		}
		if c >= 0x80 {
			r, size := utf8.DecodeRuneInString(string(s[i:min(i+utf8.UTFMax, len(s))]))
			if r != utf8.RuneError || size != 1 {
				i += size
				continue
			}
			n += len(`\ufffd`) - 1
			i++
			continue
		}
		switch c {
		case '"', '\\', '\n', '\r', '\t', '\b', '\f':
			n++
		default:
			n += 5
		}
		i++
	}
	return n
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
	var n0, n1, n2, n3 int
	i := 0
	for ; i+4 <= len(b); i += 4 {
		n0 += int(jsonExtra[b[i]])
		n1 += int(jsonExtra[b[i+1]])
		n2 += int(jsonExtra[b[i+2]])
		n3 += int(jsonExtra[b[i+3]])
	}
	for ; i < len(b); i++ {
		n0 += int(jsonExtra[b[i]])
	}
	return len(b) + n0 + n1 + n2 + n3
}

// appendJSONText appends the valid UTF-8 text b escaped for a JSON
// string, quotes excluded: runs that need no escape are copied whole.
func appendJSONText(dst, b []byte) []byte {
	const hexDigits = "0123456789abcdef"
	for i := 0; i < len(b); {
		j := i
		for j < len(b) && jsonExtra[b[j]] == 0 {
			j++
		}
		dst = append(dst, b[i:j]...)
		if j == len(b) {
			break
		}
		switch c := b[j]; c {
		case '"', '\\':
			dst = append(dst, '\\', c)
		case '\n':
			dst = append(dst, '\\', 'n')
		case '\r':
			dst = append(dst, '\\', 'r')
		case '\t':
			dst = append(dst, '\\', 't')
		case '\b':
			dst = append(dst, '\\', 'b')
		case '\f':
			dst = append(dst, '\\', 'f')
		default:
			dst = append(dst, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&15])
		}
		i = j + 1
	}
	return dst
}
