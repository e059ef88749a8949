package runtimeapi

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/nextgo-dev/nextgo/internal/lambdalimit"
	"github.com/nextgo-dev/nextgo/runtime/httpguard"
	"github.com/nextgo-dev/nextgo/runtime/router"
)

// Statuses and messages API Gateway's HTTP API answers with when it cannot
// pass on a function's own response.
const (
	// StatusFunctionError is the status of a request whose function failed
	// (a function error, a timeout of the function, a crash) or answered
	// with a response HTTP API cannot read. HTTP API answers these with 500
	// {"message":"Internal Server Error"}; REST APIs use 502.
	StatusFunctionError = http.StatusInternalServerError
	// StatusIntegrationTimeout is the status of a request whose function
	// did not answer within the integration timeout (30 s at most).
	StatusIntegrationTimeout = http.StatusServiceUnavailable
	// MaxGatewayPayload is the largest request body HTTP API accepts (10 MB).
	MaxGatewayPayload = lambdalimit.MaxGatewayRequest
	// DefaultIntegrationTimeout is HTTP API's default (and maximum)
	// integration timeout.
	DefaultIntegrationTimeout = lambdalimit.MaxIntegrationTimeout * time.Second
	// DefaultAPIID is requestContext.apiId unless FrontOptions sets one.
	DefaultAPIID = "nextgolocal"
	// DefaultRouteKey is the route key of HTTP API's catch-all route, which
	// receives the requests no other route matches; the front invokes
	// FrontOptions.Fallback with it.
	DefaultRouteKey = "$default"
)

// Invoker runs one invocation of a function; *Pool is one.
type Invoker interface {
	Invoke(ctx context.Context, payload []byte) (*Result, error)
}

// FrontRoute binds a route pattern ("/api/post/[pid]") to the function
// serving it.
type FrontRoute struct {
	// Pattern is a route pattern as the router parses it.
	Pattern string
	// Pool runs the route's function, usually a *Pool.
	Pool Invoker
	// BodyLimit, when positive, is the route's request body limit in bytes:
	// a request that declares a longer Content-Length is answered 413 at
	// once, as the function would answer it, and the connection closed, so
	// the body is never read. BodyLimitText is the limit as configured
	// ("1mb"), for the 413's body "Body exceeded 1mb limit"; default
	// BodyLimit in bytes.
	BodyLimit     int64
	BodyLimitText string
	// BodyTimeout bounds the time a client has to send the request body
	// (default FrontOptions.BodyTimeout); nextgo start gives it the route's
	// maxDuration.
	BodyTimeout time.Duration
	// Stream marks a streaming route: behind a REST API (GatewayREST) its
	// integration has responseTransferMode STREAM, so its response is
	// passed on as the function writes it, past 6 MB and up to
	// MaxStreamDuration. Behind an HTTP API it has no effect.
	Stream bool
}

// FrontOptions configure a Front.
type FrontOptions struct {
	// Fallback, when set, is the function behind HTTP API's $default route:
	// it receives every request whose path no route matches, with routeKey
	// "$default" and no pathParameters. Without it the front answers such
	// requests itself with 404 {"message":"Not Found"}, as an HTTP API
	// without a $default route does.
	Fallback Invoker
	// Logger receives function errors and unreadable responses (default
	// slog.Default()).
	Logger *slog.Logger
	// IntegrationTimeout is how long the front waits for a function to
	// answer before it answers 503 itself (default 30 s, HTTP API's
	// maximum). The function runs on, as it does behind API Gateway.
	IntegrationTimeout time.Duration
	// BodyTimeout bounds the time a client has to send a request body, for
	// the fallback and the routes that set none (default the integration
	// timeout). A body not read in time is answered 408 and the connection
	// closed; the response is not bounded.
	BodyTimeout time.Duration
	// APIID and AccountID fill requestContext (defaults DefaultAPIID and
	// DefaultAccountID).
	APIID     string
	AccountID string
	// Now returns the request time (default time.Now).
	Now func() time.Time
	// Observe, when set, is called once per request handed to a function,
	// when the invocation returns and before the response is written: with
	// the route's pattern (DefaultRouteKey for the fallback) and the
	// invocation's result, nil when it could not be made. It feeds request
	// logs; it must not write to the response.
	Observe func(r *http.Request, route string, res *Result)
	// Gateway is the API the front models: GatewayHTTP (the default) or
	// GatewayREST, the API nextgo deploy creates for an app with a
	// streaming route. Behind a REST API the fallback is the function of
	// the greedy resource /{proxy+}, events are REST proxy events, and the
	// API's own answers are a REST API's (403 Missing Authentication
	// Token, 502, 504 after RESTIntegrationTimeout unless
	// IntegrationTimeout is set).
	Gateway Gateway
	// Stage is the REST API stage in events (default "$default" for an
	// HTTP API, "live" for a REST API).
	Stage string
}

// Front is an http.Handler that serves a set of functions the way API
// Gateway's HTTP API (payload format 2.0) serves them on Lambda.
type Front struct {
	matcher *router.Matcher
	routes  []frontRoute
	opts    FrontOptions
}

type frontRoute struct {
	pattern     router.Pattern
	pool        Invoker
	bodyLimit   int64
	limitText   string
	bodyTimeout time.Duration
	stream      bool
}

// NewFront returns a front for routes. It fails on a pattern the router
// rejects, with the router's error.
func NewFront(routes []FrontRoute, opts FrontOptions) (*Front, error) {
	patterns := make([]string, len(routes))
	f := &Front{routes: make([]frontRoute, len(routes)), opts: opts}
	for i, rt := range routes {
		p, err := router.ParsePattern(rt.Pattern)
		if err != nil {
			return nil, fmt.Errorf("runtimeapi: route %q: %w", rt.Pattern, err)
		}
		if rt.Pool == nil {
			return nil, fmt.Errorf("runtimeapi: route %q has no function", rt.Pattern)
		}
		patterns[i] = rt.Pattern
		f.routes[i] = frontRoute{pattern: p, pool: rt.Pool, bodyLimit: rt.BodyLimit, limitText: rt.BodyLimitText, bodyTimeout: rt.BodyTimeout, stream: rt.Stream}
		if f.routes[i].limitText == "" {
			f.routes[i].limitText = strconv.FormatInt(rt.BodyLimit, 10)
		}
	}
	m, err := router.NewMatcher(patterns)
	if err != nil {
		return nil, fmt.Errorf("runtimeapi: %w", err)
	}
	f.matcher = m
	if f.opts.Logger == nil {
		f.opts.Logger = slog.Default()
	}
	f.opts.defaults()
	if f.opts.BodyTimeout <= 0 {
		f.opts.BodyTimeout = f.opts.IntegrationTimeout
	}
	for i := range f.routes {
		if f.routes[i].bodyTimeout <= 0 {
			f.routes[i].bodyTimeout = f.opts.BodyTimeout
		}
	}
	if f.opts.APIID == "" {
		f.opts.APIID = DefaultAPIID
	}
	if f.opts.AccountID == "" {
		f.opts.AccountID = DefaultAccountID
	}
	if f.opts.Now == nil {
		f.opts.Now = time.Now
	}
	return f, nil
}

// ServeHTTP chooses the function for the request's path (the fallback
// when no route matches), invokes it with an HTTP API event and writes its
// response.
//
// The path is normalised only to choose the function; the function receives
// the raw path and answers trailing-slash and repeated-slash redirects
// itself, as it does on Lambda.
func (f *Front) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	now := f.opts.Now()
	requestID := f.requestID(w)
	httpguard.CloseAfterTransferCoded(w, r)

	i, ps := f.match(r.URL.EscapedPath())
	var (
		rt       *frontRoute
		pool     Invoker
		routeKey string
		route    string // for logs
		params   map[string]string
		timeout  = f.opts.BodyTimeout
	)
	switch {
	case i >= 0:
		rt = &f.routes[i]
		pool, route, timeout = rt.pool, rt.pattern.Path, rt.bodyTimeout
		routeKey = "ANY " + gatewayPath(rt.pattern, ps)
		params = pathParameters(ps)
	case f.opts.Fallback != nil:
		pool, route, routeKey = f.opts.Fallback, DefaultRouteKey, DefaultRouteKey
	}
	// Bounded before any answer: net/http reads an unread body before it
	// writes the response.
	defer httpguard.RestoreBody(r, r.Body)
	r.Body = httpguard.ReadBodyWithin(w, r.Body, timeout)

	switch {
	case !utf8.ValidString(r.URL.Path):
		// The event is JSON and carries the decoded path: a path that does
		// not decode to UTF-8 cannot be handed to a function.
		writeGatewayError(w, http.StatusBadRequest, "Bad Request")
		return
	case pool == nil:
		f.fail(w, failNoRoute)
		return
	case rt != nil && rt.bodyLimit > 0 && r.ContentLength > rt.bodyLimit:
		// The function would answer 413 without looking at the body: so
		// does the front, without reading it.
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Header().Set("X-Content-Type-Options", "nosniff")
		httpguard.Refuse(w, r, http.StatusRequestEntityTooLarge, "Body exceeded "+rt.limitText+" limit")
		return
	}
	body, err := readLimited(r.Body, MaxGatewayPayload)
	var ne net.Error
	switch {
	case errors.Is(err, errTooLarge):
		writeGatewayError(w, http.StatusRequestEntityTooLarge, "Request Entity Too Large")
		return
	case errors.As(err, &ne) && ne.Timeout():
		w.Header().Set("Connection", "close")
		writeGatewayError(w, http.StatusRequestTimeout, "Request Timeout")
		return
	case err != nil:
		writeGatewayError(w, http.StatusBadRequest, "Bad Request")
		return
	}
	payload, err := f.event(r, routeKey, params, requestID, now, body)
	if err != nil {
		f.opts.Logger.Error("cannot encode the HTTP API event", "route", route, "error", err)
		writeGatewayError(w, http.StatusInternalServerError, "Internal Server Error")
		return
	}

	ctx, cancel := context.WithTimeout(r.Context(), f.integrationTimeout(rt))
	defer cancel()
	res, err := pool.Invoke(ctx, payload)
	if f.opts.Observe != nil {
		f.opts.Observe(r, route, res)
	}
	switch {
	case err == nil:
	case errors.Is(err, ErrPayloadTooLarge):
		f.fail(w, failTooLarge)
		return
	case r.Context().Err() != nil: // the client went away
		return
	case errors.Is(err, context.DeadlineExceeded):
		f.opts.Logger.Warn("function did not answer within the integration timeout", "route", route, "timeout", f.integrationTimeout(rt))
		f.fail(w, failTimeout)
		return
	default:
		f.opts.Logger.Error("cannot invoke function", "route", route, "error", err)
		f.fail(w, failFunction)
		return
	}

	err = f.write(w, res)
	switch {
	case err == nil:
	case errors.Is(err, ErrStreamCut):
		// The client sees an incomplete response.
		f.opts.Logger.Warn("response stream failed", "route", route, "requestId", res.RequestID, "error", err)
		panic(http.ErrAbortHandler)
	case res.FunctionError != "":
		f.opts.Logger.Warn("function error", "route", route, "requestId", res.RequestID, "error", res.Err())
		f.fail(w, failFunction)
	default:
		f.opts.Logger.Warn("function returned a response API Gateway cannot read", "route", route, "requestId", res.RequestID, "error", err)
		f.fail(w, failFunction)
	}
}

// match returns the index of the route serving the escaped path and its
// parameters, or -1. The path is normalised only to choose the route.
func (f *Front) match(path string) (int, router.Params) {
	clean, _ := router.Normalize(path)
	i, ps, err := f.matcher.Match(clean)
	if errors.Is(err, router.ErrMalformedEncoding) {
		// HTTP API routes on the raw segments; the function itself answers
		// the malformed encoding (400).
		i, ps, _ = f.matcher.Match(strings.ReplaceAll(clean, "%", "%25"))
	}
	return i, ps
}

// Route returns the pattern of the route serving the escaped path as the
// front routes it, or DefaultRouteKey when none does (the fallback's, when
// the front has one).
func (f *Front) Route(path string) string {
	if i, _ := f.match(path); i >= 0 {
		return f.routes[i].pattern.Path
	}
	return DefaultRouteKey
}

// writeGatewayError writes one of API Gateway's own JSON error responses.
func writeGatewayError(w http.ResponseWriter, status int, message string) {
	body := `{"message":"` + message + `"}`
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	io.WriteString(w, body)
}
