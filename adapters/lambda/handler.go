package lambda

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"strconv"
	"time"

	"github.com/nextgo-dev/nextgo/internal/lambdalimit"
	"github.com/nextgo-dev/nextgo/internal/pipeline"
)

// DefaultMaxResponse is Lambda's limit on a buffered (synchronous)
// response payload, in bytes: the JSON answer, after base64 growth.
const DefaultMaxResponse = lambdalimit.MaxResponse

// DefaultMargin is the longest time the adapter keeps between its own
// deadline and the invocation's, so it can still answer 504 before Lambda
// stops the function. See Options.Margin.
const DefaultMargin = 500 * time.Millisecond

// Options configure a Handler. The zero value is usable.
type Options struct {
	// MaxDuration bounds how long the handler may run, from the start of
	// the invocation. 0 means only the invocation deadline applies.
	MaxDuration time.Duration

	// Margin is kept between the invocation deadline and the request's,
	// so that the adapter answers 504 itself, logs it and returns before
	// Lambda kills the process. 0 means a tenth of the time left, at most
	// DefaultMargin; a negative value means none.
	Margin time.Duration

	// BodyLimit is the largest request body, in bytes, the handler is
	// given; a larger one is answered 413 with the body
	// "Body exceeded <BodyLimitText> limit" and the handler does not run.
	// 0 means no limit.
	BodyLimit int64

	// BodyLimitText is the limit as configured (e.g. "1mb"), echoed in
	// the 413 body as Next.js does. Empty means BodyLimit in bytes.
	BodyLimitText string

	// MaxResponse is the largest buffered response payload, in bytes,
	// JSON and base64 included. A larger response is replaced by 502 and
	// a log line giving its size. 0 means DefaultMaxResponse; a negative
	// value means no limit. Streamed responses are not bounded here.
	MaxResponse int64

	// Streaming makes Start answer function URL events (invoke mode
	// RESPONSE_STREAM) and API Gateway REST API events (an integration
	// with responseTransferMode STREAM) with a streamed response: the
	// status and headers go out when the handler first flushes (or has 4
	// KB pending, or returns), and the body as it is flushed. Other event
	// kinds are answered buffered as usual. (InvokeStream streams those
	// events whatever this says.)
	Streaming bool

	// Logger receives the adapter's log lines (malformed events, limits,
	// timeouts, panics). nil means JSON to standard error. Its handler is
	// wrapped with NewLogHandler, so lines carry the request id.
	Logger *slog.Logger

	// Route and File name the route in log lines, e.g. "/api/post/[pid]"
	// and "pages/api/post/[pid].go".
	Route string
	File  string
}

// Handler serves Lambda HTTP events with an http.Handler. Its Invoke
// method makes it an aws-lambda-go lambda.Handler that reads the raw event
// itself. A Handler serves one invocation at a time or several
// concurrently.
type Handler struct {
	h     http.Handler
	opts  Options
	log   *slog.Logger
	guard pipeline.Guard // the request's deadline and recover
	spare scratchCache   // a response header map and body buffer to reuse
}

// NewHandler returns a Handler that serves events with h.
func NewHandler(h http.Handler, opts Options) *Handler {
	if opts.MaxResponse == 0 {
		opts.MaxResponse = DefaultMaxResponse
	}
	var lh slog.Handler
	if opts.Logger != nil {
		lh = opts.Logger.Handler()
	} else {
		lh = slog.NewJSONHandler(os.Stderr, nil)
	}
	ah := &Handler{h: h, opts: opts, log: slog.New(NewLogHandler(lh))}
	ah.guard = pipeline.Guard{Contained: true, Report: ah.report}
	return ah
}

// Invoke serves one event given as raw JSON and returns the JSON response
// for its kind. It returns an error, which the Lambda runtime reports as a
// failed invocation, only when the payload is not JSON or not an HTTP
// event it knows; every other failure is an HTTP answer (400, 413, 500,
// 502, 504).
func (h *Handler) Invoke(ctx context.Context, payload []byte) ([]byte, error) {
	// One copy of the payload: every string of the request is a piece of
	// it, and it stays valid after the runtime reuses its buffer.
	return h.invoke(ctx, string(payload))
}

func (h *Handler) invoke(ctx context.Context, payload string) ([]byte, error) {
	return h.invokeAs(ctx, nil, payload, nil)
}

// invokeAs serves one event of source src, or of the source detected when
// src is nil. orig, when not nil, is the event as the caller holds it,
// which Event returns.
func (h *Handler) invokeAs(ctx context.Context, src *source, payload string, orig any) ([]byte, error) {
	var (
		fs [fieldStack]field
		qs [16]field
		cs [16]string
	)
	ls := eventLists{headers: fs[:0], query: qs[:0], cookies: cs[:0]}
	inv := &invocation{payload: payload, event: orig}
	ls, src, err := h.parse(ctx, payload, src, &inv.ev, ls)
	if err != nil {
		return nil, err
	}
	hs, err := inv.read(src, ls)
	resp := h.serve(ctx, inv, hs, err)
	out := h.encode(inv, src, resp)
	inv.w.release()
	return out, nil
}

// parse reads an event and finds its source, unless src is given.
func (h *Handler) parse(ctx context.Context, payload string, src *source, ev *rawEvent, ls eventLists) (eventLists, *source, error) {
	ls, perr := parseEvent(payload, ev, ls)
	var err error
	switch {
	case perr == errNotObjectEvent:
		err = &eventError{ErrUnknownEvent, perr}
	case perr != nil:
		err = &eventError{ErrMalformedEvent, perr}
	case src == nil:
		if src = detect(ev); src == nil {
			err = &eventError{ErrUnknownEvent, errors.New("not an API Gateway, ALB or function URL HTTP event")}
		}
	}
	if err != nil {
		h.logf(ctx, slog.LevelError, "event rejected", slog.String("error", err.Error()))
	}
	return ls, src, err
}

// eventError is the error Invoke returns for a payload it cannot serve;
// the Lambda runtime reports its type name, "eventError", as errorType.
type eventError struct {
	kind  error // ErrMalformedEvent or ErrUnknownEvent
	cause error
}

func (e *eventError) Error() string   { return "lambda: " + e.kind.Error() + ": " + e.cause.Error() }
func (e *eventError) Unwrap() []error { return []error{e.kind, e.cause} }

// serve turns the invocation's request into an *http.Request, runs the
// handler under the pipeline's Guard (the request's one deadline and one
// recover: the dispatcher inside sees the request is guarded and adds
// neither) and returns the response to send. convErr is a failure to read
// the event.
func (h *Handler) serve(ctx context.Context, inv *invocation, hs hdrs, convErr error) *response {
	deadline, hasDeadline := h.deadline(ctx)
	if hasDeadline {
		var cancel context.CancelFunc
		ctx, cancel = context.WithDeadline(ctx, deadline)
		defer cancel()
	}
	r, early := h.prepare(ctx, inv, hs, convErr)
	if early != nil {
		return early
	}
	// The handler runs on its own goroutine, so that the adapter can
	// answer when the deadline passes even if the handler ignores its
	// context. It may go on running; the sealed writer refuses what it
	// writes after that.
	inv.w.mu.Lock()
	sc := inv.w.scratch()
	inv.w.mu.Unlock()
	inv.w.left = h.guard.ServeContext(&inv.w, r, h.h, &sc.aside)
	return h.result(inv)
}

// report logs what the Guard answered for.
func (h *Handler) report(r *http.Request, f pipeline.Failure) {
	ctx := r.Context()
	switch {
	case f.Kind == pipeline.KindPanic && f.Value == http.ErrAbortHandler:
		h.logf(ctx, slog.LevelWarn, "handler aborted the response", slog.String("path", r.URL.Path))
	case f.Kind == pipeline.KindPanic:
		h.logf(ctx, slog.LevelError, "handler panicked; answered 500",
			slog.String("method", r.Method), slog.String("path", r.URL.Path),
			slog.String("panic", fmt.Sprint(f.Value)), slog.String("stack", string(f.Stack)))
	case f.Kind == pipeline.KindGoexit:
		h.logf(ctx, slog.LevelError, "handler stopped its goroutine (runtime.Goexit) without answering; answered 500",
			slog.String("method", r.Method), slog.String("path", r.URL.Path))
	case f.Kind == pipeline.KindTimeout:
		h.logf(ctx, slog.LevelError, "handler exceeded its deadline; answered 504",
			slog.String("method", r.Method), slog.String("path", r.URL.Path),
			slog.Duration("max_duration", h.opts.MaxDuration))
	}
}

// prepare fills the invocation and builds the request. A non-nil
// response is the answer when the handler must not run: the event could
// not be read (400) or the body is over the limit (413).
func (h *Handler) prepare(ctx context.Context, inv *invocation, hs hdrs, convErr error) (*http.Request, *response) {
	q := &inv.req
	inv.kind, inv.requestID, inv.stage, inv.prefix = q.kind, q.requestID, q.stage, q.prefix
	inv.w.cache = &h.spare
	inv.w.limit = h.opts.MaxResponse
	if inv.w.limit < 0 {
		inv.w.limit = 1<<63 - 1
	}
	inv.parent = ctx

	if convErr != nil {
		h.logf(inv, slog.LevelWarn, "malformed event", slog.String("kind", q.kind.String()), slog.String("error", convErr.Error()))
		return nil, textResponse(http.StatusBadRequest, "Bad Request")
	}
	if lim := h.opts.BodyLimit; lim > 0 && int64(q.bodyLen()) > lim {
		h.logf(inv, slog.LevelWarn, "request body over limit; answered 413",
			slog.Int("size", q.bodyLen()), slog.Int64("limit", lim))
		return nil, textResponse(http.StatusRequestEntityTooLarge, pipeline.TooLargeMessage(h.limitText()))
	}
	r, err := inv.newHTTPRequest(q, hs)
	if err != nil {
		h.logf(inv, slog.LevelWarn, "malformed event", slog.String("kind", q.kind.String()), slog.String("error", err.Error()))
		return nil, textResponse(http.StatusBadRequest, "Bad Request")
	}
	inv.w.head = r.Method == http.MethodHead
	return r, nil
}

// deadline returns the request deadline: the invocation deadline less the
// margin, or MaxDuration from now, whichever is sooner.
func (h *Handler) deadline(ctx context.Context) (time.Time, bool) {
	d, ok := ctx.Deadline()
	if ok {
		m := h.opts.Margin
		if m == 0 {
			m = min(DefaultMargin, time.Until(d)/10)
		}
		if m > 0 {
			d = d.Add(-m)
		}
	}
	if md := h.opts.MaxDuration; md > 0 {
		if t := time.Now().Add(md); !ok || t.Before(d) {
			d, ok = t, true
		}
	}
	return d, ok
}

// result builds the response once the handler has returned, or the
// Guard's answer when it answered instead (500, 504).
func (h *Handler) result(inv *invocation) *response {
	w := &inv.w
	if w.answer != nil {
		return w.answer.response()
	}
	if w.size > w.limit && !w.head {
		h.tooLarge(inv, w.size, "body")
		return textResponse(http.StatusBadGateway, "Response payload too large")
	}
	resp := &inv.resp
	resp.status, resp.header = w.status, w.header
	if !w.head && pipeline.BodyAllowed(max(w.status, 200)) {
		resp.body = w.buf
	}
	resp.finish()
	return resp
}

// encode writes the response in the shape of the event's source,
// replacing one too large for a buffered Lambda response by a 502.
func (h *Handler) encode(inv *invocation, src *source, resp *response) []byte {
	if src.warn != nil {
		src.warn(h, inv, resp)
	}
	n := inv.encodedSize(src, resp)
	if !h.fits(inv, n) {
		resp = textResponse(http.StatusBadGateway, "Response payload too large")
		n = inv.encodedSize(src, resp)
	}
	inv.out = jsonOut{b: make([]byte, 0, n)}
	src.write(&inv.out, &inv.req, resp)
	out := inv.out.b
	inv.out = jsonOut{}
	return out
}

// encodedSize is the exact length of the JSON encoding of resp.
func (inv *invocation) encodedSize(src *source, resp *response) int {
	inv.out = jsonOut{measure: true}
	src.write(&inv.out, &inv.req, resp)
	return inv.out.n
}

// fits reports whether an encoded response of n bytes fits MaxResponse,
// logging why when it does not.
func (h *Handler) fits(inv *invocation, n int) bool {
	if lim := h.opts.MaxResponse; lim < 0 || int64(n) <= lim {
		return true
	}
	h.tooLarge(inv, int64(n), "payload")
	return false
}

func (h *Handler) tooLarge(inv *invocation, size int64, what string) {
	h.logf(inv, slog.LevelError, "response too large for a buffered Lambda response; answered 502",
		slog.String("measured", what), slog.Int64("size", size), slog.Int64("limit", h.opts.MaxResponse))
}

func (h *Handler) limitText() string {
	if h.opts.BodyLimitText != "" {
		return h.opts.BodyLimitText
	}
	return strconv.FormatInt(h.opts.BodyLimit, 10)
}

// logf logs one line with the route attributes.
func (h *Handler) logf(ctx context.Context, level slog.Level, msg string, attrs ...slog.Attr) {
	if !h.log.Enabled(ctx, level) {
		return
	}
	all := make([]slog.Attr, 0, len(attrs)+2)
	if h.opts.Route != "" {
		all = append(all, slog.String("route", h.opts.Route))
	}
	if h.opts.File != "" {
		all = append(all, slog.String("file", h.opts.File))
	}
	all = append(all, attrs...)
	h.log.LogAttrs(ctx, level, msg, all...)
}

// textResponse is a plain-text answer made by the adapter itself, as the
// pipeline writes them.
func textResponse(status int, body string) *response {
	var a answer
	pipeline.Text(&a, status, body)
	return a.response()
}

// answer is the ResponseWriter of an answer the adapter or the Guard makes
// in place of the handler's.
type answer struct {
	header http.Header
	status int
	body   []byte
}

func (a *answer) Header() http.Header {
	if a.header == nil {
		a.header = make(http.Header, 2)
	}
	return a.header
}

func (a *answer) WriteHeader(code int) {
	if a.status == 0 {
		a.status = code
	}
}

func (a *answer) Write(p []byte) (int, error) {
	a.WriteHeader(http.StatusOK)
	a.body = append(a.body, p...)
	return len(p), nil
}

func (a *answer) response() *response {
	r := &response{status: a.status, header: a.Header(), body: a.body}
	r.finish()
	return r
}
