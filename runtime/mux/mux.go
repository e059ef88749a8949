// Package mux is the request dispatcher of a nextgo app: it normalises the
// URL as Next.js does (308 for trailing and repeated slashes), runs the
// middleware, finds the route by Next's precedence, puts the dynamic
// parameters in the request context, applies the route's maxDuration as the
// request deadline (504) and turns a panic into a 500.
//
// The same dispatcher serves the whole app in `nextgo dev` and the single
// route inside each Lambda function, so both answer alike.
package mux

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/nextgo-dev/nextgo/internal/pipeline"
	"github.com/nextgo-dev/nextgo/runtime/requestid"
	"github.com/nextgo-dev/nextgo/runtime/router"
)

// Route is one entry of the route table.
type Route struct {
	// Pattern is the Next-style pattern: "/api/post/[pid]".
	Pattern string
	// File is the route's source file, relative to the app, for logs.
	File string
	// Handler serves the route.
	Handler http.Handler
	// MaxDuration, when positive, is the request's deadline: the context is
	// cancelled then and the client gets 504 if nothing was sent yet.
	MaxDuration time.Duration
}

// Entry is what the request log receives for one request.
type Entry struct {
	Method   string
	Path     string // the request URI as received: path and query
	Status   int
	File     string // the route file, or who else answered (see Answered); "" when nobody did
	Duration time.Duration
	// RequestID is the id runtime/requestid put in the request's context.
	RequestID string
	// Cache is the response's x-nextjs-cache header (HIT, MISS, STALE,
	// REVALIDATED), or "".
	Cache string
}

// Options configure a Mux.
type Options struct {
	// Middleware, when set, wraps the dispatch of every request after URL
	// normalisation (for the app's middleware.go). A rewrite it performs is
	// dispatched again with the new URL.
	Middleware func(next http.Handler) http.Handler
	// Log, when set, is called once per request after the response.
	Log func(Entry)
	// Errorf, when set, receives error reports (panics, timeouts). The
	// default discards them.
	Errorf func(format string, args ...any)
	// TrailingSlash is Next's `trailingSlash: true`: the Mux then keeps a
	// trailing slash (only repeated slashes get a 308; the slash itself is
	// handled by the rules of runtime/rules) and matches routes without it.
	TrailingSlash bool
}

// Mux dispatches requests to a route table. It is an http.Handler.
type Mux struct {
	routes  []Route
	matcher *router.Matcher
	guards  []pipeline.Guard // each route's deadline and recover
	entry   http.Handler     // middleware(dispatch) or dispatch
	opts    Options
}

// New builds a Mux for routes, which may be given in any order: precedence is
// Next's (see router.Sort). It fails on the route-table errors of
// router.NewMatcher.
func New(routes []Route, opts Options) (*Mux, error) {
	patterns := make([]string, len(routes))
	for i, r := range routes {
		if r.Handler == nil {
			return nil, fmt.Errorf("mux: route %s (%s) has no handler", r.Pattern, r.File)
		}
		patterns[i] = r.Pattern
	}
	m, err := router.NewMatcher(patterns)
	if err != nil {
		return nil, fmt.Errorf("mux: %w", err)
	}
	if opts.Errorf == nil {
		opts.Errorf = func(string, ...any) {}
	}
	mx := &Mux{routes: routes, matcher: m, opts: opts, guards: make([]pipeline.Guard, len(routes))}
	for i := range routes {
		mx.guards[i] = pipeline.Guard{MaxDuration: routes[i].MaxDuration, Report: mx.reporter(&routes[i])}
	}
	mx.entry = http.HandlerFunc(mx.dispatch)
	if opts.Middleware != nil {
		mx.entry = opts.Middleware(mx.entry)
	}
	return mx, nil
}

// Routes returns the route table as given to New.
func (mx *Mux) Routes() []Route { return mx.routes }

// ServeHTTP normalises the URL, then runs the middleware and the route.
func (mx *Mux) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if mx.opts.Log == nil {
		mx.serve(w, r)
		return
	}
	start := time.Now()
	rec := &recorder{ResponseWriter: w}
	mx.serve(rec, r)
	status := rec.status
	if status == 0 {
		status = http.StatusOK
	}
	mx.opts.Log(Entry{Method: r.Method, Path: r.RequestURI, Status: status, File: rec.file, Duration: time.Since(start),
		RequestID: requestid.From(r.Context()), Cache: rec.Header().Get("X-Nextjs-Cache")})
}

// Answered notes, for the request log, who answered a request that no
// route served: a nextgo.json rule ("nextgo.json redirects[0]") or the
// middleware ("middleware.go"). w is the ResponseWriter the Mux passed
// down, possibly wrapped (Unwrap is followed). The first note stands.
func Answered(w http.ResponseWriter, by string) {
	for w != nil {
		if rec, ok := w.(*recorder); ok {
			if rec.file == "" {
				rec.file = by
			}
			return
		}
		u, ok := w.(interface{ Unwrap() http.ResponseWriter })
		if !ok {
			return
		}
		w = u.Unwrap()
	}
}

func (mx *Mux) serve(w http.ResponseWriter, r *http.Request) {
	path := RequestPath(r.URL)
	clean, changed := router.Normalize(path)
	if changed && mx.opts.TrailingSlash && len(path) > 1 && path[len(path)-1] == '/' {
		changed = clean+"/" != path
		clean += "/"
	}
	if changed {
		dest := clean
		if r.URL.RawQuery != "" {
			dest += "?" + r.URL.RawQuery
		}
		redirect(w, MountPrefix(r.Context())+dest)
		return
	}
	if mx.opts.Middleware == nil {
		mx.route(w, r, path)
		return
	}
	mx.entry.ServeHTTP(w, r)
}

// MountPrefixKey is the request context key of the path a client's URL
// has in front of the path the Mux sees: "/prod" for a request to
// https://{id}.execute-api.{region}.amazonaws.com/prod/api/users, whose
// event path is /api/users. The Mux's own 308s put it in front of their
// Location and Refresh, so that the client stays under it. WithMountPrefix
// sets it; a context type of its own (the Lambda adapter's invocation) may
// answer it with a string instead, saving an allocation.
type MountPrefixKey struct{}

// WithMountPrefix returns ctx with the mount prefix p (see MountPrefixKey).
func WithMountPrefix(ctx context.Context, p string) context.Context {
	return context.WithValue(ctx, MountPrefixKey{}, p)
}

// MountPrefix returns the mount prefix of ctx (see MountPrefixKey), or "".
func MountPrefix(ctx context.Context) string {
	p, _ := ctx.Value(MountPrefixKey{}).(string)
	return p
}

// RequestPath is the path of u as the client sent it, which the Mux
// normalises: the escaped path, except that a raw backslash (which
// EscapedPath would encode as %5C) is kept, so that Normalize turns it
// into a slash as Next does (`GET /api\users` is a 308 to /api/users). An
// encoded %5C is part of a segment and stays. Fronts that pass the path on
// as sent (a REST API's event path) use it too.
func RequestPath(u *url.URL) string {
	if strings.IndexByte(u.RawPath, '\\') >= 0 {
		return u.RawPath
	}
	return u.EscapedPath()
}

// redirect answers as Next's router does for its own 308s: Location,
// Refresh and the destination as the body.
func redirect(w http.ResponseWriter, dest string) {
	h := w.Header()
	h.Set("Location", dest)
	h.Set("Refresh", "0;url="+dest)
	h["Content-Type"] = nil // as Next: no content type; stops net/http sniffing
	w.WriteHeader(http.StatusPermanentRedirect)
	_, _ = w.Write([]byte(dest))
}

// dispatch finds the route for the (possibly rewritten) request and serves it.
func (mx *Mux) dispatch(w http.ResponseWriter, r *http.Request) {
	mx.route(w, r, r.URL.EscapedPath())
}

// route serves r, whose escaped path is path, with the matching route.
func (mx *Mux) route(w http.ResponseWriter, r *http.Request, path string) {
	if mx.opts.TrailingSlash && len(path) > 1 && path[len(path)-1] == '/' {
		path = path[:len(path)-1]
	}
	i, ps, err := mx.matcher.Match(path)
	if err != nil {
		pipeline.Text(w, http.StatusBadRequest, "Bad Request")
		return
	}
	if i < 0 {
		w.Header().Set("Cache-Control", "private, no-cache, no-store, max-age=0, must-revalidate")
		pipeline.Text(w, http.StatusNotFound, "Not Found")
		return
	}
	rt := &mx.routes[i]
	if rec, ok := w.(*recorder); ok {
		rec.file = rt.File
	}
	if len(ps) > 0 {
		r = r.WithContext(router.WithParams(r.Context(), ps))
	}
	mx.guards[i].Serve(w, r, rt.Handler)
}

// reporter logs what a route's Guard answered for.
func (mx *Mux) reporter(rt *Route) func(*http.Request, pipeline.Failure) {
	return func(_ *http.Request, f pipeline.Failure) {
		switch f.Kind {
		case pipeline.KindPanic:
			mx.opts.Errorf("panic in %s: %v", rt.File, f.Value)
		case pipeline.KindGoexit:
			mx.opts.Errorf("%s stopped its goroutine (runtime.Goexit) without answering; answered 500", rt.File)
		case pipeline.KindTimeout:
			mx.opts.Errorf("%s exceeded maxDuration of %s", rt.File, rt.MaxDuration)
		}
	}
}
