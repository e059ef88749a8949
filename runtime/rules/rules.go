package rules

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httputil"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/nextgo-dev/nextgo/runtime/mux"
	"github.com/nextgo-dev/nextgo/runtime/router"
)

// matchTimeout bounds one match of a pattern that runs on the backtracking
// engine, so that a pathological pattern cannot stall a request.
const matchTimeout = 100 * time.Millisecond

// Rules applies an app's headers, redirects, rewrites, trailingSlash and
// basePath in front of its dispatcher. Build one with New.
type Rules struct {
	basePath      string
	trailingSlash bool
	headers       []headerRule
	redirects     []redirectRule
	before        []rewriteRule
	after         []rewriteRule
	fallback      []rewriteRule
	matcher       *router.Matcher // nil without Config.Routes
	dynamic       []bool          // by route index
	proxy         *httputil.ReverseProxy
}

type match struct {
	src          *source
	has, missing []cond
}

type headerRule struct {
	match
	headers []KeyValue
}

type redirectRule struct {
	match
	dest   *destination
	status int
	name   string // for the request log: "nextgo.json redirects[0]", "trailingSlash"
}

type rewriteRule struct {
	match
	dest *destination
}

// New compiles cfg. Every rule is checked as Next checks next.config.js:
// sources must start with "/" and compile as path-to-regexp patterns,
// destinations must be paths or http(s) URLs that use only parameters the
// source or the has conditions define, header names and values must be
// valid, and a redirect's status must be 301, 302, 303, 307 or 308. The
// first problem is returned as an *Error naming the rule.
func New(cfg Config) (*Rules, error) {
	bp := cfg.BasePath
	if bp != "" && (!strings.HasPrefix(bp, "/") || strings.HasSuffix(bp, "/") || strings.ContainsAny(bp, "?#:*()[]{}\\ ")) {
		return nil, &Error{Rule: "basePath", Err: fmt.Errorf("%q must be a path like /docs: starting with /, not ending with /, without ? # : * ( ) [ ] { } or spaces", bp)}
	}
	rs := &Rules{basePath: bp, trailingSlash: cfg.TrailingSlash}
	for i, h := range cfg.Headers {
		name := fmt.Sprintf("headers[%d]", i)
		m, err := compileMatch(name, h.Source, h.Has, h.Missing, prefixed(bp, h.NoBasePath, h.Source), false)
		if err != nil {
			return nil, err
		}
		if len(h.Headers) == 0 {
			return nil, &Error{Rule: name, Field: "headers", Err: fmt.Errorf("no headers to set")}
		}
		for j, kv := range h.Headers {
			if err := checkHeader(kv); err != nil {
				return nil, &Error{Rule: name, Field: fmt.Sprintf("headers[%d]", j), Err: err}
			}
		}
		rs.headers = append(rs.headers, headerRule{match: m, headers: h.Headers})
	}
	if err := rs.addInternalRedirects(); err != nil {
		return nil, err
	}
	for i, r := range cfg.Redirects {
		name := fmt.Sprintf("redirects[%d]", i)
		status := http.StatusTemporaryRedirect
		if r.Permanent {
			status = http.StatusPermanentRedirect
		}
		if r.StatusCode != 0 {
			if !slices.Contains([]int{301, 302, 303, 307, 308}, r.StatusCode) {
				return nil, &Error{Rule: name, Field: "statusCode", Err: fmt.Errorf("%d is not a redirect status: want 301, 302, 303, 307 or 308", r.StatusCode)}
			}
			status = r.StatusCode
		}
		rule, err := compileRule(name, bp, r.Source, r.Destination, r.Has, r.Missing, r.NoBasePath)
		if err != nil {
			return nil, err
		}
		rs.redirects = append(rs.redirects, redirectRule{match: rule.match, dest: rule.dest, status: status, name: "nextgo.json " + name})
	}
	for _, list := range []struct {
		name  string
		rules []Rewrite
		out   *[]rewriteRule
	}{
		{"rewrites.beforeFiles", cfg.Rewrites.BeforeFiles, &rs.before},
		{"rewrites.afterFiles", cfg.Rewrites.AfterFiles, &rs.after},
		{"rewrites.fallback", cfg.Rewrites.Fallback, &rs.fallback},
	} {
		for i, r := range list.rules {
			rule, err := compileRule(fmt.Sprintf("%s[%d]", list.name, i), bp, r.Source, r.Destination, r.Has, r.Missing, r.NoBasePath)
			if err != nil {
				return nil, err
			}
			if rule.dest.external() && rs.proxy == nil {
				rs.proxy = newProxy()
			}
			*list.out = append(*list.out, rule)
		}
	}
	if len(cfg.Routes) > 0 {
		m, err := router.NewMatcher(cfg.Routes)
		if err != nil {
			return nil, &Error{Rule: "routes", Err: err}
		}
		rs.matcher = m
		for _, p := range cfg.Routes {
			rs.dynamic = append(rs.dynamic, strings.Contains(p, "["))
		}
	}
	return rs, nil
}

// prefixed returns a rule's source or destination with the base path in
// front, as Next's processRoutes does.
func prefixed(basePath string, off bool, p string) string {
	if basePath == "" || off {
		return p
	}
	if p == "/" {
		return basePath
	}
	return basePath + p
}

// compileMatch compiles a source and its conditions. text is the source
// with the base path applied; src is the source as configured.
func compileMatch(name, src string, has, missing []Condition, text string, strict bool) (match, error) {
	if src == "" {
		return match{}, &Error{Rule: name, Field: "source", Err: fmt.Errorf("is required")}
	}
	s, err := compileSource(text, strict)
	if err != nil {
		return match{}, &Error{Rule: name, Field: "source", Err: err}
	}
	m := match{src: s}
	for _, c := range []struct {
		field string
		list  []Condition
		out   *[]cond
	}{{"has", has, &m.has}, {"missing", missing, &m.missing}} {
		for i, item := range c.list {
			cc, err := compileCond(item)
			if err != nil {
				return match{}, &Error{Rule: name, Field: fmt.Sprintf("%s[%d]", c.field, i), Err: err}
			}
			*c.out = append(*c.out, cc)
		}
	}
	return m, nil
}

// compileRule compiles a redirect or rewrite.
func compileRule(name, basePath, src, dst string, has, missing []Condition, noBasePath bool) (rewriteRule, error) {
	m, err := compileMatch(name, src, has, missing, prefixed(basePath, noBasePath, src), false)
	if err != nil {
		return rewriteRule{}, err
	}
	if dst == "" {
		return rewriteRule{}, &Error{Rule: name, Field: "destination", Err: fmt.Errorf("is required")}
	}
	if strings.ContainsAny(dst, "\r\n") {
		return rewriteRule{}, &Error{Rule: name, Field: "destination", Err: fmt.Errorf("must not contain CR or LF")}
	}
	text := dst
	if strings.HasPrefix(dst, "/") {
		text = prefixed(basePath, noBasePath, dst)
	}
	d, err := compileDestination(text)
	if err != nil {
		return rewriteRule{}, &Error{Rule: name, Field: "destination", Err: err}
	}
	known := map[string]bool{}
	for _, k := range m.src.keys {
		known[k.Name] = true
	}
	for _, c := range append(append([]cond{}, m.has...), m.missing...) {
		for _, n := range c.paramNames() {
			known[n] = true
		}
	}
	var unknown []string
	for _, n := range d.pathKeys {
		if !known[n] && !slices.Contains(unknown, n) {
			unknown = append(unknown, n)
		}
	}
	if len(unknown) > 0 {
		return rewriteRule{}, &Error{Rule: name, Field: "destination", Err: fmt.Errorf("has segments not in `source` or `has` (%s)", strings.Join(unknown, ", "))}
	}
	return rewriteRule{match: m, dest: d}, nil
}

// addInternalRedirects adds, first, the trailing-slash redirects Next adds
// to every app (load-custom-routes.ts).
func (rs *Rules) addInternalRedirects() error {
	type internal struct {
		src, dst   string
		noBasePath bool
	}
	var list []internal
	bp := rs.basePath
	if rs.trailingSlash {
		if bp != "" {
			list = append(list, internal{bp, bp + "/", true})
		}
		list = append(list,
			internal{`/:file((?!\.well-known(?:/.*)?)(?:[^/]+/)*[^/]+\.\w+)/`, "/:file", false},
			internal{`/:notfile((?!\.well-known(?:/.*)?)(?:[^/]+/)*[^/\.]+)`, "/:notfile/", false})
	} else {
		if bp != "" {
			list = append(list, internal{bp + "/", bp, true})
		}
		list = append(list, internal{"/:path+/", "/:path+", false})
	}
	for _, in := range list {
		src, err := compileSource(prefixed(bp, in.noBasePath, in.src), true)
		if err != nil {
			return fmt.Errorf("rules: internal redirect %s: %w", in.src, err)
		}
		d, err := compileDestination(prefixed(bp, in.noBasePath, in.dst))
		if err != nil {
			return fmt.Errorf("rules: internal redirect %s: %w", in.dst, err)
		}
		rs.redirects = append(rs.redirects, redirectRule{match: match{src: src}, dest: d, status: http.StatusPermanentRedirect, name: "nextgo.json trailingSlash"})
	}
	return nil
}

// checkHeader refuses header names and values net/http would refuse or
// mangle.
func checkHeader(kv KeyValue) error {
	if kv.Key == "" {
		return fmt.Errorf("`key` is required")
	}
	for i := 0; i < len(kv.Key); i++ {
		c := kv.Key[i]
		if c <= ' ' || c >= 0x7f || strings.IndexByte(`"(),/;<=>?@[\]{}`, c) >= 0 {
			if c != ':' { // ":name" parameters are filled in later
				return fmt.Errorf("invalid header name %q", kv.Key)
			}
		}
	}
	for i := 0; i < len(kv.Value); i++ {
		if c := kv.Value[i]; c < ' ' && c != '\t' || c == 0x7f {
			return fmt.Errorf("invalid character %q in the value of header %q", c, kv.Key)
		}
	}
	return nil
}

// match tests a rule against the escaped path and the request.
func (m *match) test(path string, rq *request) (params, bool) {
	ps, ok := m.src.match(path)
	if !ok {
		return nil, false
	}
	for _, c := range m.has {
		if !c.test(rq, &ps) {
			return nil, false
		}
	}
	for _, c := range m.missing {
		var scratch params
		if c.test(rq, &scratch) {
			return nil, false
		}
	}
	return ps, true
}

// Wrap returns next behind the rules. next is the app's dispatcher: it
// receives requests with the base path removed and their URL rewritten.
func (rs *Rules) Wrap(next http.Handler) http.Handler { return rs.Middleware(nil)(next) }

// Middleware returns a wrapper for mux.Options.Middleware that puts the
// app's middleware, inner (nil for none), where Next runs it: after the
// headers and redirects, before the rewrites. The middleware sees the path
// without the base path.
func (rs *Rules) Middleware(inner func(http.Handler) http.Handler) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		var h http.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { rs.rewrite(w, r, next) })
		if inner != nil {
			h = inner(h)
		}
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { rs.front(w, r, h) })
	}
}

// baseKey marks, in the context, a request whose path had the base path
// (removed before the middleware).
type baseKey struct{}

// front applies the headers and the redirects, then removes the base path
// and calls h.
func (rs *Rules) front(w http.ResponseWriter, r *http.Request, h http.Handler) {
	path := r.URL.EscapedPath()
	rq := &request{r: r}
	for i := range rs.headers {
		hr := &rs.headers[i]
		ps, ok := hr.test(path, rq)
		if !ok {
			continue
		}
		for _, kv := range hr.headers {
			key, value := kv.Key, kv.Value
			if len(ps) > 0 {
				key, value = fillNonPath(key, ps), fillNonPath(value, ps)
			}
			if !validHeaderValue(value) || !validHeaderValue(key) {
				continue // a parameter brought in a control character: not sent
			}
			if strings.EqualFold(key, "Set-Cookie") {
				w.Header().Add(key, value)
			} else {
				w.Header().Set(key, value)
			}
		}
	}
	for i := range rs.redirects {
		rd := &rs.redirects[i]
		ps, ok := rd.test(path, rq)
		if !ok {
			continue
		}
		t, err := rd.dest.build(ps, rq.query(), false)
		if err != nil {
			plain(w, http.StatusInternalServerError, "Internal Server Error")
			return
		}
		t.path = normalizeSlashes(t.path)
		loc := t.String()
		if !validHeaderValue(loc) {
			plain(w, http.StatusBadRequest, "Bad Request")
			return
		}
		mux.Answered(w, rd.name)
		redirect(w, rd.status, loc)
		return
	}
	if rs.basePath != "" {
		if rest, ok := rs.stripBase(path); ok {
			r = withPath(r, rest, r.URL.RawQuery)
			if r == nil {
				plain(w, http.StatusBadRequest, "Bad Request")
				return
			}
			r = r.WithContext(context.WithValue(r.Context(), baseKey{}, true))
		}
	}
	h.ServeHTTP(w, r)
}

// stripBase removes the base path from an escaped path.
func (rs *Rules) stripBase(path string) (string, bool) {
	rest, ok := strings.CutPrefix(path, rs.basePath)
	if !ok || rest != "" && rest[0] != '/' {
		return "", false
	}
	if rest == "" {
		rest = "/"
	}
	return rest, true
}

// rewrite applies the rewrites in Next's order and dispatches: beforeFiles;
// then a static route; afterFiles; a dynamic route; fallback.
func (rs *Rules) rewrite(w http.ResponseWriter, r *http.Request, next http.Handler) {
	path := r.URL.EscapedPath()
	if rs.basePath != "" {
		if in, _ := r.Context().Value(baseKey{}).(bool); in {
			path = prefixed(rs.basePath, false, path)
		}
	}
	if len(rs.before)+len(rs.after)+len(rs.fallback) == 0 {
		rs.dispatch(w, r, path, r.URL.RawQuery, next)
		return
	}
	cur := &rewriting{path: path, rawQuery: r.URL.RawQuery, rq: &request{r: r}}
	for i := range rs.before {
		if rs.apply(w, r, &rs.before[i], cur) {
			return
		}
	}
	if rs.served(cur.path, false) {
		rs.dispatch(w, r, cur.path, cur.rawQuery, next)
		return
	}
	for _, list := range [][]rewriteRule{rs.after, nil, rs.fallback} {
		if list == nil { // between afterFiles and fallback: the dynamic routes
			if rs.served(cur.path, true) {
				rs.dispatch(w, r, cur.path, cur.rawQuery, next)
				return
			}
			continue
		}
		for i := range list {
			matched := cur.applied
			if rs.apply(w, r, &list[i], cur) {
				return
			}
			if cur.applied > matched && rs.served(cur.path, true) {
				rs.dispatch(w, r, cur.path, cur.rawQuery, next)
				return
			}
		}
	}
	rs.dispatch(w, r, cur.path, cur.rawQuery, next)
}

// rewriting is the state of one request's URL through the rewrites.
type rewriting struct {
	path     string
	rawQuery string
	rq       *request // conditions read the original request, with the current query
	applied  int
}

// apply applies rule to the current URL if it matches. It returns true when
// it answered the request itself (an external destination, or an error).
func (rs *Rules) apply(w http.ResponseWriter, r *http.Request, rule *rewriteRule, cur *rewriting) bool {
	ps, ok := rule.test(cur.path, cur.rq)
	if !ok {
		return false
	}
	t, err := rule.dest.build(ps, cur.rq.query(), true)
	if err != nil {
		plain(w, http.StatusInternalServerError, "Internal Server Error")
		return true
	}
	if rule.dest.external() {
		u, err := url.Parse(t.String())
		if err != nil || !validHeaderValue(u.String()) {
			plain(w, http.StatusBadRequest, "Bad Request")
			return true
		}
		rs.proxy.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), proxyTarget{}, u)))
		return true
	}
	cur.path = t.path
	if t.queryChanged {
		cur.rawQuery = t.query.encode()
		cur.rq.q = t.query
	}
	cur.applied++
	return false
}

// served reports whether a route serves the escaped path: a static one, or
// any when dynamic is true. Without the route table nothing is served, and
// every matching rewrite applies.
func (rs *Rules) served(path string, dynamic bool) bool {
	if rs.matcher == nil {
		return false
	}
	p, ok := path, true
	if rs.basePath != "" {
		if p, ok = rs.stripBase(path); !ok {
			return false
		}
	}
	if rs.trailingSlash && len(p) > 1 {
		p = strings.TrimSuffix(p, "/")
	}
	i, _, err := rs.matcher.Match(p)
	if err != nil {
		return true // the dispatcher answers 400
	}
	return i >= 0 && (dynamic || !rs.dynamic[i])
}

// dispatch hands the request, with its URL rewritten to the escaped path
// and raw query, to next; a path outside the base path is 404.
func (rs *Rules) dispatch(w http.ResponseWriter, r *http.Request, path, rawQuery string, next http.Handler) {
	if rs.basePath != "" {
		rest, ok := rs.stripBase(path)
		if !ok {
			notFound(w)
			return
		}
		path = rest
	}
	if path != r.URL.EscapedPath() || rawQuery != r.URL.RawQuery {
		if r = withPath(r, path, rawQuery); r == nil {
			plain(w, http.StatusBadRequest, "Bad Request")
			return
		}
	}
	next.ServeHTTP(w, r)
}

// withPath returns a shallow copy of r whose URL has the escaped path and
// raw query, or nil when the path's escapes are malformed.
func withPath(r *http.Request, escaped, rawQuery string) *http.Request {
	p, err := url.PathUnescape(escaped)
	if err != nil {
		return nil
	}
	r2 := new(http.Request)
	*r2 = *r
	u := *r.URL
	u.Path, u.RawPath, u.RawQuery = p, escaped, rawQuery
	if u.EscapedPath() != escaped {
		u.RawPath = ""
	}
	r2.URL = &u
	return r2
}

// redirect answers as Next's router does: Location, Refresh for a 308,
// the destination as the body, no Content-Type.
func redirect(w http.ResponseWriter, status int, loc string) {
	h := w.Header()
	h.Set("Location", loc)
	if status == http.StatusPermanentRedirect {
		h.Set("Refresh", "0;url="+loc)
	}
	h["Content-Type"] = nil
	w.WriteHeader(status)
	_, _ = w.Write([]byte(loc))
}

// notFound answers as the dispatcher does when no route matches.
func notFound(w http.ResponseWriter) {
	w.Header().Set("Cache-Control", "private, no-cache, no-store, max-age=0, must-revalidate")
	plain(w, http.StatusNotFound, "Not Found")
}

func plain(w http.ResponseWriter, status int, body string) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write([]byte(body))
}

// validHeaderValue reports whether s can be sent in a header as it is: no
// control characters (CR and LF above all).
func validHeaderValue(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < ' ' && c != '\t' || c == 0x7f {
			return false
		}
	}
	return true
}

// proxyTarget carries an external rewrite's URL to the proxy.
type proxyTarget struct{}

// newProxy returns the reverse proxy of external rewrites: the request
// goes to the destination URL as it is, with the destination's host.
func newProxy() *httputil.ReverseProxy {
	return &httputil.ReverseProxy{
		Rewrite: func(pr *httputil.ProxyRequest) {
			u := pr.In.Context().Value(proxyTarget{}).(*url.URL)
			pr.Out.URL = u
			pr.Out.Host = ""
		},
	}
}
