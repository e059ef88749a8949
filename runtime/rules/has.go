package rules

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"

	"github.com/dlclark/regexp2"
)

// cond is a compiled has/missing condition.
type cond struct {
	typ, key string
	value    string // the regular expression as written; "" for none
	re       *regexp.Regexp
	re2      *regexp2.Regexp
	names    []string // named groups of the expression
}

func compileCond(c Condition) (cond, error) {
	switch c.Type {
	case "header", "cookie", "query":
		if c.Key == "" {
			return cond{}, fmt.Errorf("`key` is required for type %q", c.Type)
		}
	case "host":
	default:
		return cond{}, fmt.Errorf("invalid `type` %q: want header, cookie, query or host", c.Type)
	}
	out := cond{typ: c.Type, key: c.Key, value: c.Value}
	if c.Value == "" {
		return out, nil
	}
	expr := "^" + c.Value + "$"
	if re, err := regexp.Compile(expr); err == nil {
		out.re = re
		for _, n := range re.SubexpNames() {
			if n != "" {
				out.names = append(out.names, n)
			}
		}
		return out, nil
	}
	re2, err := regexp2.Compile(expr, regexp2.ECMAScript)
	if err != nil {
		return cond{}, fmt.Errorf("invalid `value` regular expression: %w", err)
	}
	re2.MatchTimeout = matchTimeout
	out.re2 = re2
	for _, n := range re2.GetGroupNames() {
		if !isDigits(n) {
			out.names = append(out.names, n)
		}
	}
	return out, nil
}

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// paramNames are the parameters the condition defines when it holds, for
// the check that a destination uses only known parameters.
func (c cond) paramNames() []string {
	switch {
	case c.value == "" && c.key != "":
		return []string{safeParamName(c.key), c.key}
	case c.value != "" && c.typ == "host":
		return append([]string{"host"}, c.names...)
	}
	return c.names
}

// safeParamName keeps the ASCII letters of a key, as Next's
// getSafeParamName does.
func safeParamName(key string) string {
	var b strings.Builder
	for i := 0; i < len(key); i++ {
		if c := key[i]; 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' {
			b.WriteByte(c)
		}
	}
	return b.String()
}

// request is what conditions read from a request, parsed on first use.
type request struct {
	r     *http.Request
	q     query
	qDone bool
}

func (rq *request) query() query {
	if !rq.qDone {
		rq.q, rq.qDone = parseQuery(rq.r.URL.RawQuery), true
	}
	return rq.q
}

// test reports whether the condition holds, as Next's matchHas, and adds
// the parameters it captures to ps.
func (c cond) test(rq *request, ps *params) bool {
	var value string
	var list []string
	switch c.typ {
	case "header":
		value = headerValue(rq.r.Header, c.key)
	case "cookie":
		value = cookieValue(rq.r.Header, c.key)
	case "query":
		q := rq.query()
		if i := q.index(c.key); i >= 0 {
			if q[i].list {
				list = q[i].values
			}
			value, _ = q.last(c.key)
		}
	case "host":
		host, _, _ := strings.Cut(rq.r.Host, ":")
		value = strings.ToLower(host)
	}
	if c.value == "" {
		if list != nil {
			ps.set(param{name: safeParamName(c.key), values: list, list: true})
			return true
		}
		if value == "" {
			return false
		}
		ps.set(param{name: safeParamName(c.key), values: []string{value}})
		return true
	}
	if value == "" && list == nil {
		return false
	}
	groups, ok := c.match(value)
	if !ok {
		return false
	}
	if len(c.names) == 0 {
		if c.typ == "host" && value != "" {
			ps.set(param{name: "host", values: []string{value}})
		}
		return true
	}
	for _, name := range c.names {
		if v, set := groups[name]; set {
			ps.set(param{name: name, values: []string{v}})
		}
	}
	return true
}

// match runs the expression on value and returns its named groups that
// took part in the match.
func (c cond) match(value string) (map[string]string, bool) {
	groups := map[string]string{}
	if c.re != nil {
		idx := c.re.FindStringSubmatchIndex(value)
		if idx == nil {
			return nil, false
		}
		for i, n := range c.re.SubexpNames() {
			if n != "" && idx[2*i] >= 0 {
				groups[n] = value[idx[2*i]:idx[2*i+1]]
			}
		}
		return groups, true
	}
	m, err := c.re2.FindStringMatch(value)
	if err != nil || m == nil {
		return nil, false
	}
	for _, n := range c.names {
		if g := m.GroupByName(n); g != nil && len(g.Captures) > 0 {
			groups[n] = g.String()
		}
	}
	return groups, true
}

// singleHeaders are the headers of which Node keeps only the first value.
var singleHeaders = map[string]bool{
	"Age": true, "Authorization": true, "Content-Length": true, "Content-Type": true, "Etag": true,
	"Expires": true, "From": true, "Host": true, "If-Modified-Since": true, "If-Unmodified-Since": true,
	"Last-Modified": true, "Location": true, "Max-Forwards": true, "Proxy-Authorization": true,
	"Referer": true, "Retry-After": true, "Server": true, "User-Agent": true,
}

// headerValue reads a request header as Node's req.headers does: repeated
// lines joined with ", " ("; " for Cookie), or the first one for the
// headers Node does not join.
func headerValue(h http.Header, key string) string {
	key = http.CanonicalHeaderKey(key)
	vs := h[key]
	switch {
	case len(vs) == 0:
		return ""
	case len(vs) == 1 || singleHeaders[key]:
		return vs[0]
	case key == "Cookie":
		return strings.Join(vs, "; ")
	}
	return strings.Join(vs, ", ")
}

// cookieValue reads a cookie as Next's cookie parser does: the first pair
// of that name, surrounding quotes removed, percent-decoded when that
// works.
func cookieValue(h http.Header, name string) string {
	for _, line := range h["Cookie"] {
		for pair := range strings.SplitSeq(line, ";") {
			k, v, ok := strings.Cut(pair, "=")
			if !ok || strings.TrimSpace(k) != name {
				continue
			}
			v = strings.TrimSpace(v)
			if len(v) >= 2 && v[0] == '"' && v[len(v)-1] == '"' {
				v = v[1 : len(v)-1]
			}
			if strings.IndexByte(v, '%') >= 0 {
				if d, err := url.PathUnescape(v); err == nil {
					v = d
				}
			}
			return v
		}
	}
	return ""
}
