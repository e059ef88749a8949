package server

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/nextgo-dev/nextgo/runtime/cache"
	"github.com/nextgo-dev/nextgo/runtime/internal/pathmatch"
	"github.com/nextgo-dev/nextgo/runtime/mux"
)

// MiddlewareConfig is the configuration of middleware.go, Next's
// `export const config`: `var MiddlewareConfig =
// server.MiddlewareConfig{Matcher: []string{"/api/:path*"}}`.
type MiddlewareConfig struct {
	// Matcher lists the paths the middleware runs for, in Next's matcher
	// syntax (path-to-regexp): "/api/:path*", "/about/:slug?",
	// "/items/:id(\\d+)", "/((?!_next/static).*)". Each must start with
	// "/". None means every path.
	Matcher []string
}

// Validate reports matchers that do not compile, worded like Next's
// "Invalid middleware found" build error.
func (c MiddlewareConfig) Validate() error {
	_, err := c.compile()
	return err
}

func (c MiddlewareConfig) compile() ([]*pathmatch.Pattern, error) {
	var pats []*pathmatch.Pattern
	var problems []string
	for _, src := range c.Matcher {
		p, err := pathmatch.Compile(src)
		if err != nil {
			route, _ := json.Marshal(map[string]string{"source": src})
			reason := "`source` parse failed (" + err.Error() + ")"
			if !strings.HasPrefix(src, "/") {
				reason = "`source` does not start with /"
			}
			problems = append(problems, reason+" for route "+string(route))
			continue
		}
		pats = append(pats, p)
	}
	if len(problems) > 0 {
		return nil, fmt.Errorf("Invalid middleware found: %s", strings.Join(problems, "; "))
	}
	return pats, nil
}

// MiddlewareRoute is the app's middleware.go as the generated code hands it
// to NewMiddleware.
type MiddlewareRoute struct {
	// File is the middleware's source file relative to the app, for logs.
	File string
	// Func is the exported Middleware function.
	Func func(*Request) (*Response, error)
	// Config is the MiddlewareConfig variable; the zero value when absent.
	Config MiddlewareConfig
	// Cache is what RevalidatePath purges when called from the middleware;
	// nil when the process has no cache.
	Cache *cache.Cache
	// Logger receives error reports; nil means slog.Default().
	Logger *slog.Logger
}

// Middleware runs the app's middleware before the routes it matches.
type Middleware struct {
	fn       HandlerFunc
	matchers []*pathmatch.Pattern
	rp       reporter
	store    *cache.Cache
}

// NewMiddleware returns the runtime of the app's middleware. It panics if
// the configuration does not pass Validate (the build checks it first) or
// m.Func is nil.
func NewMiddleware(m MiddlewareRoute) *Middleware {
	if m.Func == nil {
		panic("server: NewMiddleware: " + m.File + ": nil Func")
	}
	pats, err := m.Config.compile()
	if err != nil {
		panic(fmt.Errorf("%s: %w", m.File, err))
	}
	log := m.Logger
	if log == nil {
		log = slog.Default()
	}
	return &Middleware{fn: m.Func, matchers: pats, rp: reporter{file: m.File, log: log}, store: m.Cache}
}

// Matches reports whether the middleware runs for the escaped URL path
// (r.URL.EscapedPath()).
func (mw *Middleware) Matches(path string) bool {
	if len(mw.matchers) == 0 {
		return true
	}
	for _, p := range mw.matchers {
		if p.Match(path) {
			return true
		}
	}
	return false
}

// Wrap returns next behind the middleware. For a matching request the
// middleware runs first and its result decides:
//
//   - Next() (or a nil response): next serves the request, with the request
//     headers of WithRequestHeaders, and the headers and cookies of the Next
//     response and of Cookies(ctx) added to the final response (and the
//     cookies to the request the route sees);
//   - Rewrite(url): the same, with the request's URL changed first, so
//     that next (a dispatcher) serves another route;
//   - any other response (a redirect, an early answer) is sent as is, with
//     the cookies set;
//   - an error or panic is a 500 with an empty body, logged with the file.
func (mw *Middleware) Wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !mw.Matches(r.URL.EscapedPath()) {
			next.ServeHTTP(w, r)
			return
		}
		mw.serve(w, r, next)
	})
}

func (mw *Middleware) serve(w http.ResponseWriter, r *http.Request, next http.Handler) {
	info := requestInfo{orig: r, action: isAction(r)}
	jar := newCookieStore(r.Header)
	sr := r.WithContext(withScope(r.Context(), &scope{file: mw.rp.file, header: r.Header, cookies: jar, cache: mw.store}))
	req := newRequest(sr, r)
	req.buffer = true // the route still needs the body the middleware reads
	res, err := call(mw.fn, req)
	req.cleanup()
	if req.read {
		r = r.WithContext(r.Context())
		r.Body = io.NopCloser(bytes.NewReader(req.body))
	}
	out := mw.rp.resolve(sr, info, res, err, true)
	if out.res == nil || out.res.next == nil {
		mux.Answered(w, mw.rp.file)
		finish(w, sr, out, jar, sendOptions{head: r.Method == http.MethodHead}, mw.rp)
		return
	}
	act := out.res.next
	header := out.res.Header.Clone()
	if c := jar.setCookieHeaders(); len(c) > 0 {
		header["Set-Cookie"] = append(header["Set-Cookie"], c...)
	}
	fr, err := forward(r, act, header["Set-Cookie"])
	if err != nil {
		mw.rp.failure(sr.Context(), sr, err)
		w.WriteHeader(http.StatusInternalServerError)
		return
	}
	mwr := &middlewareWriter{ResponseWriter: w, header: header}
	next.ServeHTTP(mwr, fr)
	if !mwr.committed {
		mwr.WriteHeader(http.StatusOK)
	}
}

// forward returns the request the route gets after the middleware: rewritten
// to act.rewrite if set, with act's request headers, and with the cookies
// of setCookies applied to its Cookie header.
func forward(r *http.Request, act *nextAction, setCookies []string) (*http.Request, error) {
	if act.rewrite == "" && len(act.requestHeader) == 0 && len(setCookies) == 0 {
		return r, nil
	}
	fr := r.Clone(r.Context())
	if act.rewrite != "" {
		u, err := rewriteURL(r, act.rewrite)
		if err != nil {
			return nil, err
		}
		fr.URL = u
		fr.RequestURI = u.RequestURI()
	}
	for k, vs := range act.requestHeader {
		fr.Header[k] = vs
	}
	if len(setCookies) > 0 {
		applySetCookies(fr.Header, setCookies, time.Now())
	}
	return fr, nil
}

// rewriteURL resolves a Rewrite destination for r: a path with an optional
// query, or an absolute URL of r's own host.
func rewriteURL(r *http.Request, dest string) (*url.URL, error) {
	d, err := url.Parse(dest)
	if err != nil {
		return nil, fmt.Errorf("server.Rewrite: invalid URL %q: %w", dest, err)
	}
	if d.Scheme != "" || d.Host != "" {
		if !strings.EqualFold(d.Host, r.Host) {
			return nil, fmt.Errorf("server.Rewrite: %q is on another host than %q: external rewrites are not supported", dest, r.Host)
		}
	}
	if !strings.HasPrefix(d.Path, "/") {
		return nil, fmt.Errorf("server.Rewrite: %q: the destination must be a path starting with / or an absolute URL", dest)
	}
	u := *r.URL
	u.Path, u.RawPath, u.RawQuery, u.ForceQuery = d.Path, d.RawPath, d.RawQuery, false
	return &u, nil
}

// applySetCookies changes the Cookie header of h as if the client had
// already stored the cookies of the Set-Cookie values: a cookie set replaces
// or joins the request's, an expired one is removed. Next passes
// middleware cookies on to the route this way.
func applySetCookies(h http.Header, setCookies []string, now time.Time) {
	pairs := parseCookiePairs(h)
	for _, sc := range setCookies {
		name, value, gone, ok := parseSetCookie(sc, now)
		if !ok {
			continue
		}
		kept := pairs[:0]
		for _, p := range pairs {
			if p.name != name {
				kept = append(kept, p)
			}
		}
		pairs = kept
		if !gone {
			pairs = append(pairs, cookiePair{name, value})
		}
	}
	if len(pairs) == 0 {
		h.Del("Cookie")
		return
	}
	parts := make([]string, len(pairs))
	for i, p := range pairs {
		parts[i] = p.name + "=" + encodeURIComponent(p.value)
	}
	h.Set("Cookie", strings.Join(parts, "; "))
}

// parseSetCookie reads the name and decoded value of a Set-Cookie value, and
// whether it expires the cookie (Max-Age <= 0, or Expires not after now).
func parseSetCookie(s string, now time.Time) (name, value string, gone, ok bool) {
	first, attrs, _ := strings.Cut(s, ";")
	name, raw, found := strings.Cut(strings.TrimSpace(first), "=")
	if !found || name == "" {
		return "", "", false, false
	}
	value, ok = decodeURIComponent(raw)
	if !ok {
		value = raw
	}
	for attr := range strings.SplitSeq(attrs, ";") {
		k, v, _ := strings.Cut(strings.TrimSpace(attr), "=")
		switch strings.ToLower(k) {
		case "max-age":
			if n, err := strconv.Atoi(v); err == nil && n <= 0 {
				gone = true
			}
		case "expires":
			if t, err := http.ParseTime(v); err == nil && !t.After(now) {
				gone = true
			}
		}
	}
	return name, value, gone, true
}

// middlewareWriter adds the middleware's response headers when the route's
// response starts: a header the middleware set wins over the route's, and
// the appended ones (Set-Cookie, Vary, …) come first.
type middlewareWriter struct {
	http.ResponseWriter
	header    http.Header
	committed bool
}

func (w *middlewareWriter) commit() {
	if w.committed {
		return
	}
	w.committed = true
	dst := w.ResponseWriter.Header()
	for k, vs := range w.header {
		ck := http.CanonicalHeaderKey(k)
		if appended[ck] {
			dst[ck] = append(append([]string(nil), vs...), dst[ck]...)
			continue
		}
		dst[ck] = append([]string(nil), vs...)
	}
}

func (w *middlewareWriter) WriteHeader(code int) {
	if code >= 200 {
		w.commit()
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *middlewareWriter) Write(p []byte) (int, error) {
	w.commit()
	return w.ResponseWriter.Write(p)
}

// Flush sends the buffered response to the client.
func (w *middlewareWriter) Flush() {
	w.commit()
	flush(w.ResponseWriter)
}

// Unwrap returns the underlying ResponseWriter, for http.ResponseController.
func (w *middlewareWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
