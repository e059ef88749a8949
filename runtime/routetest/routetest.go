// Package routetest calls a route in process, with no server, from a
// *_test.go file placed next to it: build a request, get the recorded
// response. `nextgo test` compiles such files together with their route.
//
//	// pages/api/post/[pid]_test.go
//	package post
//
//	func TestPost(t *testing.T) {
//		rt := routetest.API(t, "/api/post/[pid]", Handler, Config)
//		res := rt.Get("/api/post/42?draft=1")
//		if res.Status != 200 || res.Text() != `{"draft":"1","pid":"42"}` {
//			t.Fatalf("got %d %s", res.Status, res.Text())
//		}
//	}
//
// Requests go through nextgo's dispatcher (runtime/mux), as in `nextgo dev`
// and on Lambda: the path is normalised (a trailing slash answers 308), a
// path the pattern does not match answers 404, the dynamic parameters are
// taken from the path and put in the request context (router.WithParams),
// the route's MaxDuration is the request's deadline (504), and a panic is
// a 500. Request.Params skips the matching and sets the parameters as
// given.
package routetest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/nextgo-dev/nextgo/runtime/api"
	"github.com/nextgo-dev/nextgo/runtime/cache"
	"github.com/nextgo-dev/nextgo/runtime/mux"
	"github.com/nextgo-dev/nextgo/runtime/router"
	"github.com/nextgo-dev/nextgo/runtime/server"
)

// Route is a route under test. Build one with API, APIHandler or Server.
type Route struct {
	tb       testing.TB
	pattern  string
	handler  http.Handler // the route's own handler
	dispatch http.Handler // the dispatcher in front of it
}

// API returns the API route (pages/api) with handler and cfg — its Handler
// and Config — served at pattern, the route's path as nextgo derives it
// from the file: "/api/post/[pid]" for pages/api/post/[pid].go.
func API(tb testing.TB, pattern string, handler func(*api.Request, *api.Response), cfg api.Config) *Route {
	tb.Helper()
	rt := api.Route{File: pattern, Config: cfg, Handler: handler, Cache: cache.New(), Logger: testLogger(tb)}
	return newRoute(tb, pattern, func() http.Handler { return api.NewHandler(rt) }, cfg.MaxDuration)
}

// APIHandler is API for a route in net/http form: `func Handler(w
// http.ResponseWriter, r *http.Request)` (pass http.HandlerFunc(Handler))
// or `var Handler http.Handler`.
func APIHandler(tb testing.TB, pattern string, h http.Handler, cfg api.Config) *Route {
	tb.Helper()
	rt := api.Route{File: pattern, Config: cfg, HTTP: h, Cache: cache.New(), Logger: testLogger(tb)}
	return newRoute(tb, pattern, func() http.Handler { return api.NewHandler(rt) }, cfg.MaxDuration)
}

// Server returns the route handler (app/**/route.go) rt served at pattern
// ("/api/items/[slug]" for app/api/items/[slug]/route.go). Set the methods
// the route exports and its Config:
//
//	server.Route{GET: server.Func(GET), POST: server.Func(POST), Config: Config}
//
// A route without its own Cache gets a fresh one, so cached GETs behave as
// in `nextgo dev` (x-nextjs-cache).
func Server(tb testing.TB, pattern string, rt server.Route) *Route {
	tb.Helper()
	if rt.File == "" {
		rt.File = pattern
	}
	if rt.Cache == nil {
		rt.Cache = cache.New()
	}
	if rt.Logger == nil {
		rt.Logger = testLogger(tb)
	}
	return newRoute(tb, pattern, func() http.Handler { return server.NewHandler(rt) }, rt.Config.MaxDuration)
}

func newRoute(tb testing.TB, pattern string, build func() http.Handler, maxDuration int) *Route {
	tb.Helper()
	h, err := safely(build)
	if err != nil {
		tb.Fatalf("routetest: route %s: %v", pattern, err)
	}
	mx, err := mux.New([]mux.Route{{Pattern: pattern, File: pattern, Handler: h, MaxDuration: time.Duration(maxDuration) * time.Second}},
		mux.Options{Errorf: func(format string, args ...any) { tb.Logf(format, args...) }})
	if err != nil {
		tb.Fatalf("routetest: %v", err)
	}
	return &Route{tb: tb, pattern: pattern, handler: h, dispatch: mx}
}

// safely builds a handler, turning the panic of an invalid Config into an
// error.
func safely(build func() http.Handler) (h http.Handler, err error) {
	defer func() {
		if v := recover(); v != nil {
			err = fmt.Errorf("%v", v)
		}
	}()
	return build(), nil
}

// Request describes a request to a route.
type Request struct {
	// Method is the HTTP method; "" means GET.
	Method string
	// Path is the URL path with an optional query: "/api/post/1?draft=1".
	// "" means the route's pattern itself, for a static route.
	Path string
	// Header holds the request headers.
	Header http.Header
	// Body is the request body. JSON, when set instead, is encoded as the
	// body with Content-Type application/json (unless Header sets one).
	Body io.Reader
	JSON any
	// Params, when set, are the route's dynamic parameters as they are:
	// the path is not matched against the pattern. Build them with Param
	// and CatchAll.
	Params router.Params
}

// Param is a dynamic segment's parameter ([id]).
func Param(name, value string) router.Param {
	return router.Param{Name: name, Values: []string{value}}
}

// CatchAll is a catch-all segment's parameter ([...slug]), one value per
// path segment.
func CatchAll(name string, values ...string) router.Param {
	return router.Param{Name: name, Values: values, CatchAll: true}
}

// Response is the recorded response.
type Response struct {
	Status int
	Header http.Header
	Body   []byte
}

// Text returns the body as a string.
func (r *Response) Text() string { return string(r.Body) }

// DecodeJSON decodes the body into v.
func (r *Response) DecodeJSON(v any) error {
	if err := json.Unmarshal(r.Body, v); err != nil {
		return fmt.Errorf("routetest: decode %q: %w", r.Body, err)
	}
	return nil
}

// Cookies returns the cookies the response sets (Set-Cookie).
func (r *Response) Cookies() []*http.Cookie {
	return (&http.Response{Header: r.Header}).Cookies()
}

// Get is Do with a GET of path.
func (rt *Route) Get(path string) *Response { return rt.Do(Request{Path: path}) }

// Do sends req to the route and returns its response. A request that
// cannot be built fails the test.
func (rt *Route) Do(req Request) *Response {
	rt.tb.Helper()
	r, err := rt.newRequest(req)
	if err != nil {
		rt.tb.Fatalf("routetest: %v", err)
	}
	w := httptest.NewRecorder()
	if req.Params != nil {
		rt.handler.ServeHTTP(w, r.WithContext(router.WithParams(r.Context(), req.Params)))
	} else {
		rt.dispatch.ServeHTTP(w, r)
	}
	res := w.Result()
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	return &Response{Status: res.StatusCode, Header: res.Header, Body: body}
}

func (rt *Route) newRequest(req Request) (*http.Request, error) {
	method := req.Method
	if method == "" {
		method = http.MethodGet
	}
	target := req.Path
	if target == "" {
		target = rt.pattern
	}
	if !strings.HasPrefix(target, "/") {
		return nil, fmt.Errorf("request path %q must start with /", target)
	}
	u, err := url.ParseRequestURI(target)
	if err != nil {
		return nil, fmt.Errorf("request path %q: %w", target, err)
	}
	body := req.Body
	header := req.Header.Clone()
	if header == nil {
		header = http.Header{}
	}
	if req.JSON != nil {
		b, err := json.Marshal(req.JSON)
		if err != nil {
			return nil, fmt.Errorf("encode the JSON body: %w", err)
		}
		body = bytes.NewReader(b)
		if header.Get("Content-Type") == "" {
			header.Set("Content-Type", "application/json")
		}
	}
	r, err := http.NewRequestWithContext(testContext(rt.tb), method, "http://localhost:3000"+target, body)
	if err != nil {
		return nil, err
	}
	r.URL = u
	r.URL.Scheme, r.URL.Host = "", ""
	r.RequestURI = target
	r.Host = "localhost:3000"
	r.RemoteAddr = "127.0.0.1:50000"
	r.Header = header
	switch {
	case body == nil:
		r.Body = http.NoBody
	case r.ContentLength == 0 && r.Body != http.NoBody:
		r.ContentLength = -1 // unknown, as for a chunked request
	}
	return r, nil
}

// testContext is the test's context, cancelled when it ends; Background
// for a testing.TB that has none.
func testContext(tb testing.TB) context.Context {
	if ctx := tb.Context(); ctx != nil {
		return ctx
	}
	return context.Background()
}

// testLogger sends a route's log lines to the test's log.
func testLogger(tb testing.TB) *slog.Logger {
	return slog.New(slog.NewTextHandler(logWriter{tb}, nil))
}

type logWriter struct{ tb testing.TB }

func (l logWriter) Write(p []byte) (int, error) {
	if testContext(l.tb).Err() == nil { // the test is still running
		l.tb.Logf("%s", bytes.TrimRight(p, "\n"))
	}
	return len(p), nil
}
