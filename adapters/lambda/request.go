package lambda

import (
	"errors"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// field is one header or query-string entry in event order. treat is
// buildHeader's note on a header name (see keyPlain).
type field struct {
	k, v  string
	treat uint8
}

// fieldStack is how many fields live on the stack before spilling to the heap.
const fieldStack = 32

// request is an event reduced to what an *http.Request needs, whatever its
// source: the source's read fills most of it (see source), toRequest the
// rest. Strings alias the event, so building it costs nothing.
type request struct {
	kind         Kind
	method       string
	path         string // as the event gives it
	pathDecoded  bool   // path arrives percent-decoded (HTTP API)
	rawQuery     string
	query        uint8  // where rawQuery comes from: queryGiven, queryDecoded or querySent
	cookies      bool   // the event's cookies list becomes the Cookie header (payload 2.0)
	forwardedFor bool   // the client address is the last of X-Forwarded-For
	host         string // fallback when the headers carry no Host
	proto        string
	sourceIP     string
	requestID    string
	stage        string
	prefix       string // the client's path before path: see mux.MountPrefixKey
	multiValue   bool   // the response takes multi-value headers (ALB with them on)
	body         string
	bodyBytes    []byte
	binaryBody   bool // use bodyBytes
}

// Where a request's query string comes from.
const (
	queryGiven   uint8 = iota // rawQuery as the source set it
	queryDecoded              // built from the event's query fields, which arrive decoded
	querySent                 // built from the event's query fields, which arrive as sent
)

// hdrs are an event's header fields and cookies. They travel apart from
// request so that the arrays behind them can stay on the stack: escape
// analysis does not tell one field of a struct from another.
type hdrs struct {
	fields  []field  // in event order, names as the event spells them
	cookies []string // v2 and function URL cookies, none empty
}

func (q *request) bodyLen() int {
	if q.binaryBody {
		return len(q.bodyBytes)
	}
	return len(q.body)
}

// badRequest reports event contents the adapter cannot turn into a
// request (bad base64, a malformed path, a missing method…). They are
// answered with 400 in the event's own response shape.
func badRequest(reason string) error {
	return errors.New(reason)
}

// body is a request body read from the event's string or from its decoded
// bytes, copying neither.
type body struct {
	s string
	b []byte // used when not nil
	i int
}

func (r *body) Read(p []byte) (int, error) {
	var n int
	if r.b != nil {
		n = copy(p, r.b[r.i:])
	} else {
		n = copy(p, r.s[r.i:])
	}
	if n == 0 && len(p) > 0 {
		return 0, io.EOF
	}
	r.i += n
	return n, nil
}

// WriteTo hands the rest of the body to w in one call (as a string when
// w takes strings), so io.Copy needs no buffer.
func (r *body) WriteTo(w io.Writer) (int64, error) {
	var n int
	var err error
	if r.b != nil {
		n, err = w.Write(r.b[r.i:])
	} else {
		n, err = io.WriteString(w, r.s[r.i:])
	}
	r.i += n
	return int64(n), err
}

// Close does nothing: the body is in memory.
func (r *body) Close() error { return nil }

// newHTTPRequest builds the *http.Request a handler sees, as net/http's
// server would have built it: Host moved out of the header into r.Host,
// Content-Length matching the body, RequestURI set, URL holding only the
// path and query.
//
// We do not use api-proxy's converters here: they split every header
// value on commas (breaking values such as dates and quoted strings),
// re-encode the query through a map (losing order), copy the body, build
// the request by formatting and re-parsing a URL string, and, with Proxy,
// marshal the whole request context to JSON into request headers. That
// costs about 55 allocations for a small GET; this costs six.
func (inv *invocation) newHTTPRequest(q *request, hs hdrs) (*http.Request, error) {
	if q.method == "" {
		return nil, badRequest("event has no HTTP method")
	}
	if !validMethod(q.method) {
		return nil, badRequest("invalid HTTP method " + strconv.Quote(q.method))
	}
	if err := setPath(&inv.url, q.path, q.pathDecoded); err != nil {
		return nil, err
	}
	inv.url.RawQuery = q.rawQuery

	n := q.bodyLen()
	h, host, uri := inv.buildHeader(q, hs, n)
	if host == "" {
		host = q.host
	}
	var rbody io.ReadCloser = http.NoBody
	if n > 0 {
		inv.body = body{s: q.body, b: q.bodyBytes}
		rbody = &inv.body
	}
	major, minor, ok := http.ParseHTTPVersion(q.proto)
	proto := q.proto
	if !ok {
		proto, major, minor = "HTTP/1.1", 1, 1
	}
	r := http.Request{
		Method:        q.method,
		URL:           &inv.url,
		Proto:         proto,
		ProtoMajor:    major,
		ProtoMinor:    minor,
		Header:        h,
		Body:          rbody,
		ContentLength: int64(n),
		Host:          host,
		RemoteAddr:    q.sourceIP,
		RequestURI:    uri,
	}
	return r.WithContext(inv), nil
}

// validMethod reports whether m is an HTTP token, as net/http requires.
func validMethod(m string) bool {
	for i := 0; i < len(m); i++ {
		if !isTokenByte(m[i]) {
			return false
		}
	}
	return true
}

// setPath fills u.Path and u.RawPath from the path of an event.
//
// REST APIs, ALB and function URLs pass the path as the client sent it,
// still percent-encoded; HTTP APIs decode it first (both rawPath in
// payload 2.0 and path in payload 1.0), so there a "%" is a literal
// percent sign and the encoded form is recomputed by url.URL.EscapedPath.
// A malformed escape in an encoded path is a 400, as net/http's server
// answers for the same request line.
func setPath(u *url.URL, p string, decoded bool) error {
	if p == "" {
		p = "/"
	} else if p[0] != '/' {
		p = "/" + p
	}
	if decoded || strings.IndexByte(p, '%') < 0 {
		u.Path, u.RawPath = p, ""
		if strings.IndexByte(p, '\\') >= 0 && strings.IndexByte(p, '%') < 0 {
			// Keep the raw backslash that EscapedPath would encode, so
			// the dispatcher normalises it to a slash as Next does.
			u.RawPath = p
		}
		return nil
	}
	dec, err := url.PathUnescape(p)
	if err != nil {
		return badRequest("malformed percent-encoding in path " + strconv.Quote(p))
	}
	u.Path, u.RawPath = dec, p
	return nil
}

// isTokenByte reports whether c may appear in an HTTP token (RFC 9110).
func isTokenByte(c byte) bool {
	return tokenTable[c]
}

var tokenTable = func() (t [256]bool) {
	for c := '0'; c <= '9'; c++ {
		t[c] = true
	}
	for c := 'a'; c <= 'z'; c++ {
		t[c] = true
		t[c-'a'+'A'] = true
	}
	for _, c := range "!#$%&'*+-.^_`|~" {
		t[c] = true
	}
	return t
}()

// isCanonicalKey reports whether textproto.CanonicalMIMEHeaderKey(k)
// would return k unchanged: k is canonical already, or holds a byte that
// is not allowed in a header name (such names are left as they are).
func isCanonicalKey(k string) bool {
	canonical, upper := true, true
	for i := 0; i < len(k); i++ {
		c := k[i]
		if !isTokenByte(c) {
			return true
		}
		if upper && 'a' <= c && c <= 'z' || !upper && 'A' <= c && c <= 'Z' {
			canonical = false
		}
		upper = c == '-'
	}
	return canonical
}

// writeCanonicalKey writes the canonical form of k, which must not be
// canonical already (see isCanonicalKey); it has the same length as k.
func writeCanonicalKey(b *strings.Builder, k string) {
	upper := true
	for i := 0; i < len(k); i++ {
		c := k[i]
		if upper && 'a' <= c && c <= 'z' {
			c -= 'a' - 'A'
		} else if !upper && 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		b.WriteByte(c)
		upper = c == '-'
	}
}

// buildHeader turns the event's header fields into an http.Header with
// canonical keys, taking out Host (returned apart, as net/http does),
// Transfer-Encoding and Content-Length (set from the real body length n),
// and adding the event's cookies as one Cookie header. It also returns
// the RequestURI.
//
// Allocation is what dominates here. Common header names map to constant
// canonical keys; the canonical keys of other names, the joined cookies
// and the RequestURI share one string; and the values live in the
// invocation, a header with several values (consecutive fields with one
// name, as multi-value events give them) taking consecutive slots. Values
// are not split on commas: a comma-joined value is what net/http shows
// for a header sent on one line.
func (inv *invocation) buildHeader(q *request, hs hdrs, n int) (h http.Header, host, uri string) {
	fs, cookies := hs.fields, hs.cookies

	// Classify the names, take out the special ones, and size the shared
	// string: buffered keys, then the joined cookies, then the RequestURI.
	keysLen, clen, hasCookie := 0, "", false
	for i := range fs {
		f := &fs[i]
		t := keyPlain
		if c, ct := commonKey(f.k); c != "" {
			f.k, t = c, ct
		} else if isCanonicalKey(f.k) {
			t = specialKey(f.k)
		} else if t = specialKeyFold(f.k); t == keyPlain {
			t = keyBuffered
			keysLen += len(f.k)
		}
		switch t {
		case keyHost:
			if host == "" {
				host = f.v
			}
			t = keySkip
		case keyContentLength:
			clen, t = f.v, keySkip
		case keyTransferEncoding:
			t = keySkip
		case keyCookie:
			f.k, t, hasCookie = "Cookie", keyPlain, true
		}
		f.treat = t
	}
	all, cookie, uri := inv.sharedString(q, fs, keysLen, cookies)

	vals := inv.hvals[:]
	if len(fs)+2 > len(vals) {
		vals = make([]string, len(fs)+2)
	}
	h = make(http.Header, len(fs)+2)
	used, dup := fillHeader(h, fs, vals, all, false)
	if dup {
		// Two names that differ only in case: do it again, merging.
		clear(h)
		used, _ = fillHeader(h, fs, vals, all, true)
	}
	finishHeader(h, vals, used, cookie, hasCookie, clen, n)
	return h, host, uri
}

// sharedString builds the one string that holds the canonical keys of the
// buffered fields of fs (keysLen bytes), the joined cookies and the
// RequestURI, and returns it with the cookie line and the RequestURI.
func (inv *invocation) sharedString(q *request, fs []field, keysLen int, cookies []string) (all, cookie, uri string) {
	cookiesLen := 0
	if len(cookies) > 1 {
		for _, c := range cookies {
			cookiesLen += len(c) + 2
		}
		cookiesLen -= 2
	}
	uri = inv.url.EscapedPath()
	uriLen := 0
	if q.rawQuery != "" {
		uriLen = len(uri) + 1 + len(q.rawQuery)
	}
	if size := keysLen + cookiesLen + uriLen; size > 0 {
		var sb strings.Builder
		sb.Grow(size)
		if keysLen > 0 {
			for i := range fs {
				if fs[i].treat == keyBuffered {
					writeCanonicalKey(&sb, fs[i].k)
				}
			}
		}
		if len(cookies) > 1 {
			for i, c := range cookies {
				if i > 0 {
					sb.WriteString("; ")
				}
				sb.WriteString(c)
			}
		}
		if uriLen > 0 {
			sb.WriteString(uri)
			sb.WriteByte('?')
			sb.WriteString(q.rawQuery)
		}
		all = sb.String()
		if uriLen > 0 {
			uri = all[keysLen+cookiesLen:]
		}
	}
	switch len(cookies) {
	case 0:
	case 1:
		cookie = cookies[0]
	default:
		cookie = all[keysLen : keysLen+cookiesLen]
	}
	return all, cookie, uri
}

// finishHeader adds the event's cookies and the Content-Length to a
// header whose first used value slots are taken.
func finishHeader(h http.Header, vals []string, used int, cookie string, hasCookie bool, clen string, n int) {
	if cookie != "" {
		// The event's cookies, as a browser sends them: one line. A Cookie
		// header the event also has (it should not) takes them at its end.
		if c := h["Cookie"]; hasCookie && len(c) > 0 {
			c[0] += "; " + cookie
		} else {
			vals[used] = cookie
			h["Cookie"] = vals[used : used+1 : used+1]
			used++
		}
	}
	if n > 0 || clen != "" {
		if v, err := strconv.ParseInt(clen, 10, 64); err != nil || v != int64(n) || clen[0] == '+' {
			clen = strconv.Itoa(n)
		}
		vals[used] = clen
		h["Content-Length"] = vals[used : used+1 : used+1]
	}
}

// fillHeader adds the classified fields to h and returns how many value
// slots it used. Without merge it does not look keys up, and reports a
// name met twice apart (dup) instead of merging; with merge it appends to
// an existing name.
func fillHeader(h http.Header, fs []field, vals []string, all string, merge bool) (used int, dup bool) {
	off := 0
	lastKey, lastStart := "", 0
	for i := range fs {
		f := &fs[i]
		k := f.k
		switch f.treat {
		case keySkip:
			continue
		case keyBuffered:
			k = all[off : off+len(k)]
			off += len(k)
		}
		vals[used] = f.v
		switch {
		case k == lastKey:
			h[k] = vals[lastStart : used+1 : used+1]
		case merge && h[k] != nil:
			h[k] = append(h[k], f.v)
			lastKey = ""
		default:
			before := len(h)
			h[k] = vals[used : used+1 : used+1]
			if len(h) == before {
				return used, true
			}
			lastKey, lastStart = k, used
		}
		used++
	}
	return used, false
}

// buildQuery joins query fields into a raw query string in event order.
// With escape the values arrive decoded (API Gateway) and are
// query-escaped; otherwise they arrive as sent (ALB) and are kept.
func buildQuery(fs []field, escape bool) string {
	if len(fs) == 0 {
		return ""
	}
	size := len(fs) * 2
	for _, f := range fs {
		size += len(f.k) + len(f.v)
	}
	var b strings.Builder
	if escape {
		size += size / 4
	}
	b.Grow(size)
	for i, f := range fs {
		if i > 0 {
			b.WriteByte('&')
		}
		if escape {
			writeQueryEscaped(&b, f.k)
			b.WriteByte('=')
			writeQueryEscaped(&b, f.v)
		} else {
			b.WriteString(f.k)
			b.WriteByte('=')
			b.WriteString(f.v)
		}
	}
	return b.String()
}

// writeQueryEscaped writes s as url.QueryEscape would, without its
// intermediate string.
func writeQueryEscaped(b *strings.Builder, s string) {
	const hexDigits = "0123456789ABCDEF"
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9',
			c == '-', c == '_', c == '.', c == '~':
			b.WriteByte(c)
		case c == ' ':
			b.WriteByte('+')
		default:
			b.WriteByte('%')
			b.WriteByte(hexDigits[c>>4])
			b.WriteByte(hexDigits[c&15])
		}
	}
}

// lastForwardedFor returns the last address in an X-Forwarded-For value:
// the one the nearest proxy (the load balancer) appended, so the only one
// to trust.
func lastForwardedFor(v string) string {
	if i := strings.LastIndexByte(v, ','); i >= 0 {
		v = v[i+1:]
	}
	return strings.TrimSpace(v)
}
