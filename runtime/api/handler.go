package api

import (
	"bufio"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"runtime/debug"

	"github.com/nextgo-dev/nextgo/internal/pipeline"
	"github.com/nextgo-dev/nextgo/runtime/cache"
)

// Route is one API route, as the generated code of a compiled function
// mounts it.
type Route struct {
	// File is the route's source file relative to the app, e.g.
	// "pages/api/post/[pid].go"; log lines name it.
	File string
	// Config is the route's Config.
	Config Config
	// Handler is the route's func Handler(*api.Request, *api.Response).
	// Exactly one of Handler and HTTP is set.
	Handler func(*Request, *Response)
	// HTTP is the route's plain net/http handler (func Handler(w, r) or
	// var Handler http.Handler). It gets the body size limit and panic
	// recovery, but no parsing. Exactly one of Handler and HTTP is set.
	HTTP http.Handler
	// Cache is what Response.Revalidate purges; nil when the route runs
	// without a response cache.
	Cache cache.Revalidator
	// Logger receives the route's warnings and errors; nil means
	// slog.Default().
	Logger *slog.Logger
}

// NewHandler returns the http.Handler of an API route. The handler reads
// the route's dynamic parameters from the request context
// (router.ParamsFrom).
//
// For a Handler route it builds the Request (query, cookies, body parsed
// and limited per Config.BodyParser) and the Response, and answers as
// Next.js does when something goes wrong: 413 "Body exceeded <limit>
// limit", 400 "Invalid JSON" or 400 "Invalid body" without calling the
// handler, and 500 "Internal Server Error" (logged with the stack) when the
// handler panics; these error bodies carry no Content-Type. A panic after
// the headers went out aborts the connection, as net/http does.
//
// For an HTTP route it applies the size limit (413 before the handler when
// Content-Length exceeds it, an http.MaxBytesReader while reading) and the
// panic recovery.
//
// Either way a response of ResponseLimit bytes or more is logged as a
// warning, and sent.
//
// NewHandler panics if the Route does not set exactly one of Handler and
// HTTP or if its Config is invalid (see Config.Validate); the bundler
// rejects such routes at build time.
func NewHandler(rt Route) http.Handler {
	lim, err := newLimits(rt.Config)
	if err != nil {
		panic(fmt.Sprintf("api: route %s: invalid Config: %v", rt.File, err))
	}
	base := routeInfo{file: rt.File, lim: lim, cache: rt.Cache, log: rt.Logger, external: rt.Config.ExternalResolver}
	switch {
	case rt.Handler != nil && rt.HTTP != nil:
		panic(fmt.Sprintf("api: route %s sets both Handler and HTTP; set exactly one", rt.File))
	case rt.Handler != nil:
		return &apiHandler{routeInfo: base, fn: rt.Handler}
	case rt.HTTP != nil:
		return &httpHandler{routeInfo: base, h: rt.HTTP}
	}
	panic(fmt.Sprintf("api: route %s sets neither Handler nor HTTP; set exactly one", rt.File))
}

// routeInfo is what both kinds of handler know about their route.
type routeInfo struct {
	file     string
	lim      limits
	cache    cache.Revalidator
	log      *slog.Logger
	external bool
}

func (ri *routeInfo) logger() *slog.Logger {
	if ri.log != nil {
		return ri.log
	}
	return slog.Default()
}

// logPanic logs a recovered panic with its stack.
func (ri *routeInfo) logPanic(r *http.Request, v any) {
	ri.logger().Error(fmt.Sprintf("api: panic in %s: %v", ri.file, v),
		"file", ri.file, "method", r.Method, "url", requestURL(r), "stack", string(debug.Stack()))
}

// warnSize logs Next's response size warning when written reaches the
// ResponseLimit.
func (ri *routeInfo) warnSize(r *http.Request, written int64) {
	if ri.lim.response < 0 || written < ri.lim.response {
		return
	}
	ri.logger().Warn("API response for "+requestURL(r)+" exceeds "+ri.lim.respLabel+
		". API Routes are meant to respond quickly. https://nextjs.org/docs/messages/api-routes-response-size-limit",
		"file", ri.file, "bytes", written)
}

// apiHandler serves a func(*Request, *Response) route.
type apiHandler struct {
	routeInfo
	fn func(*Request, *Response)
}

// exchange is one request's Request and Response in one allocation.
type exchange struct {
	req   Request
	res   Response
	probe [1]byte
}

// ServeHTTP parses the request, runs the handler and finishes the response.
func (h *apiHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	x := &exchange{}
	req, res := &x.req, &x.res
	res.w, res.req, res.route = w, r, h
	defer func() {
		if v := recover(); v != nil {
			h.recovered(res, v)
		}
	}()
	req.Request = r
	req.Query = queryOf(r)
	req.Cookies = parseCookies(r.Header["Cookie"])
	if h.lim.parse {
		if r.ContentLength > h.lim.body {
			pipeline.Refuse(w) // the body will not be read: close, not drain
		}
		if code, msg := req.parseBody(&h.lim, x.probe[:]); code != 0 {
			res.sendError(code, msg)
			return
		}
	}
	h.fn(req, res)
	if res.state&(headerSent|ended) == 0 {
		if !h.external {
			h.logger().Warn("API resolved without sending a response for "+requestURL(r)+", this may result in stalled requests.",
				"file", h.file)
		}
		res.sendHeader()
	}
	h.warnSize(r, res.written)
	if res.state&broken != 0 {
		panic(http.ErrAbortHandler)
	}
}

// recovered handles a panic out of the handler: logged and answered with
// 500, unless the response is complete (logged only) or under way (the
// connection is aborted). http.ErrAbortHandler goes on up unlogged.
func (h *apiHandler) recovered(res *Response, v any) {
	if v == http.ErrAbortHandler {
		panic(v)
	}
	h.logPanic(res.req, v)
	switch {
	case res.state&ended != 0 && res.state&broken == 0:
		// The response was complete before the panic: let it go.
	case res.state&headerSent != 0:
		panic(http.ErrAbortHandler)
	default:
		res.sendError(http.StatusInternalServerError, "Internal Server Error")
	}
}

// httpHandler serves a plain net/http route.
type httpHandler struct {
	routeInfo
	h http.Handler
}

// ServeHTTP applies the size limit and runs the handler under panic
// recovery.
func (h *httpHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if h.lim.parse && !pipeline.LimitBody(w, r, h.lim.body, h.lim.bodyText) {
		return
	}
	tw := &trackingWriter{w: w}
	defer func() {
		if v := recover(); v != nil {
			if v == http.ErrAbortHandler {
				panic(v)
			}
			h.logPanic(r, v)
			if tw.sent {
				panic(http.ErrAbortHandler)
			}
			pipeline.Bare(w, http.StatusInternalServerError, "Internal Server Error")
		}
	}()
	h.h.ServeHTTP(tw, r)
	h.warnSize(r, tw.written)
}

// trackingWriter records whether a plain handler started its response and
// how many body bytes it wrote.
type trackingWriter struct {
	w       http.ResponseWriter
	sent    bool
	written int64
}

func (t *trackingWriter) Header() http.Header { return t.w.Header() }

func (t *trackingWriter) WriteHeader(code int) {
	if code >= 200 || code == http.StatusSwitchingProtocols {
		t.sent = true
	}
	t.w.WriteHeader(code)
}

func (t *trackingWriter) Write(p []byte) (int, error) {
	t.sent = true
	n, err := t.w.Write(p)
	t.written += int64(n)
	return n, err
}

func (t *trackingWriter) WriteString(s string) (int, error) {
	t.sent = true
	n, err := io.WriteString(t.w, s)
	t.written += int64(n)
	return n, err
}

// ReadFrom lets io.Copy use the underlying writer's ReadFrom (sendfile).
func (t *trackingWriter) ReadFrom(src io.Reader) (int64, error) {
	t.sent = true
	var n int64
	var err error
	if rf, ok := t.w.(io.ReaderFrom); ok {
		n, err = rf.ReadFrom(src)
	} else {
		n, err = io.Copy(writerOnly{t.w}, src)
	}
	t.written += n
	return n, err
}

// Flush sends buffered data to the client when the underlying writer can.
func (t *trackingWriter) Flush() {
	t.sent = true
	_ = http.NewResponseController(t.w).Flush()
}

// Hijack hands the connection over when the underlying writer can, for
// handlers (WebSocket servers) that assert http.Hijacker.
func (t *trackingWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	t.sent = true
	return http.NewResponseController(t.w).Hijack()
}

// Unwrap returns the underlying writer, for http.ResponseController.
func (t *trackingWriter) Unwrap() http.ResponseWriter { return t.w }

// writerOnly hides every method but Write, so io.Copy does not loop back
// into ReadFrom.
type writerOnly struct{ io.Writer }
