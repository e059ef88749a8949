package pipeline

import (
	"context"
	"errors"
	"net/http"
	"runtime/debug"
	"strconv"
	"sync"
	"time"
)

// Guard runs handlers under a deadline and one recover. Its zero value
// runs them with no deadline and reports nothing.
type Guard struct {
	// MaxDuration, when positive, is the request's deadline: the context
	// is cancelled then and the client gets 504 if nothing was sent yet.
	MaxDuration time.Duration
	// Report, when set, is told of every failure the Guard answers.
	Report func(*http.Request, Failure)
	// Contained says no net/http server runs above the Guard (the Lambda
	// adapter): the handler always runs on its own goroutine (so that a
	// runtime.Goexit cannot end the caller's), and a failure is answered,
	// never passed up as a panic of http.ErrAbortHandler.
	Contained bool
}

// Failure is what a Guard answered for.
type Failure struct {
	Kind  FailureKind
	Value any    // the panic value (KindPanic)
	Stack []byte // the panicking goroutine's stack (KindPanic, not for http.ErrAbortHandler)
}

// FailureKind says why a Guard answered.
type FailureKind int

const (
	// KindPanic: the handler panicked (500, or a cut connection when its
	// response had started).
	KindPanic FailureKind = iota + 1
	// KindGoexit: the handler called runtime.Goexit, neither returning nor
	// panicking (500).
	KindGoexit
	// KindTimeout: the deadline passed before the handler answered (504,
	// or a cut connection when its response had started).
	KindTimeout
)

// Sealer is a ResponseWriter that can refuse, from another goroutine, the
// writes of a handler that outlived its deadline or failed. The Lambda
// adapter's writer is one; the Guard wraps any other writer in one.
type Sealer interface {
	http.ResponseWriter
	// Seal refuses every later write of the handler and returns the writer
	// the Guard answers on instead, or nil when the handler's response has
	// reached the client and can no longer be replaced.
	Seal() http.ResponseWriter
}

// Starter is a ResponseWriter that says whether the handler's response has
// started (the dispatcher's request recorder is one). The Guard asks it
// only of a handler that ran on the Guard's own goroutine and has ended;
// a handler run aside, which may outlive its deadline, writes through a
// Sealer instead, which refuses its late writes.
type Starter interface {
	http.ResponseWriter
	Started() bool
}

// GuardedKey is the context key that marks a request already running
// under a deadline and a recover. Guarded sets it; a context type of its
// own (the Lambda adapter's invocation) may answer it with a non-nil value
// instead, saving an allocation.
type GuardedKey struct{}

// Guarded returns ctx marked as running under a deadline and a recover, so
// that a Guard below adds neither: for a caller that runs its own (the
// Lambda adapter).
func Guarded(ctx context.Context) context.Context { return context.WithValue(ctx, GuardedKey{}, true) }

// Serve runs h for r under g. A request that already runs under a Guard
// (the dispatcher inside the Lambda adapter) is served by h directly: the
// outer Guard's deadline and recover apply, and a second would only add a
// timer, a goroutine and a recover. Only a MaxDuration shorter than the
// outer deadline is applied again.
func (g *Guard) Serve(w http.ResponseWriter, r *http.Request, h http.Handler) {
	if r.Context().Value(GuardedKey{}) != nil && (g.MaxDuration <= 0 || !earlier(r.Context(), g.MaxDuration)) {
		h.ServeHTTP(w, r)
		return
	}
	var deadline time.Time
	if g.MaxDuration > 0 {
		deadline = time.Now().Add(g.MaxDuration)
	}
	g.ServeUntil(w, r, h, deadline)
}

// ServeUntil is Serve with the deadline given as a time (the Lambda
// adapter's: the invocation's less its margin, or MaxDuration, whichever is
// sooner); a zero deadline means none. It reports whether h was left
// running (past the deadline): its writer must then not be reused.
func (g *Guard) ServeUntil(w http.ResponseWriter, r *http.Request, h http.Handler, deadline time.Time) (left bool) {
	if deadline.IsZero() && !g.Contained {
		g.serveInline(w, r, h)
		return false
	}
	return g.serveAside(w, r, h, deadline)
}

// earlier reports whether d from now is sooner than ctx's deadline.
func earlier(ctx context.Context, d time.Duration) bool {
	dl, ok := ctx.Deadline()
	return !ok || time.Now().Add(d).Before(dl)
}

// Run calls h, recovering a panic and telling a runtime.Goexit from a
// return: it records a failure in *f, whose Kind stays 0 when h returned.
// It is the one recover of a request. A Goexit goes on ending the calling
// goroutine once *f is set (so the caller's deferred calls read it).
func Run(w http.ResponseWriter, r *http.Request, h http.Handler, f *Failure) {
	returned := false
	defer func() {
		if returned {
			return
		}
		switch v := recover(); {
		case v == nil:
			*f = Failure{Kind: KindGoexit}
		case v == http.ErrAbortHandler:
			*f = Failure{Kind: KindPanic, Value: v}
		default:
			*f = Failure{Kind: KindPanic, Value: v, Stack: debug.Stack()}
		}
	}()
	h.ServeHTTP(w, r)
	returned = true
}

// serveInline runs h on this goroutine, under net/http's server. A Goexit
// cannot be stopped, so its 500 is written and flushed before the
// goroutine ends (net/http then closes the connection). Whether the
// response had started is asked of w when it is a Sealer or a Starter (the
// dispatcher's request recorder); a plain writer is answered on as it is,
// which net/http ignores once the headers are out.
func (g *Guard) serveInline(w http.ResponseWriter, r *http.Request, h http.Handler) {
	var f Failure
	defer func() {
		if f.Kind == 0 {
			return
		}
		answer := w
		switch sw := w.(type) {
		case Sealer:
			answer = sw.Seal()
		case Starter:
			if sw.Started() {
				answer = nil
			}
		}
		if answer != nil {
			clear(answer.Header()) // they described the handler's response
		}
		if f.Kind == KindGoexit && answer != nil {
			answer.Header()["Content-Length"] = []string{strconv.Itoa(len(internalError))}
			g.fail(r, answer, &f)
			_ = http.NewResponseController(answer).Flush()
			return
		}
		g.fail(r, answer, &f)
	}()
	Run(w, r, h, &f)
}

const internalError = "Internal Server Error"

// fail reports f and answers it on answer (nil: the response had reached
// the client). Under net/http, http.ErrAbortHandler and a panic after the
// response started cut the connection.
func (g *Guard) fail(r *http.Request, answer http.ResponseWriter, f *Failure) {
	if f.Value == http.ErrAbortHandler && !g.Contained {
		panic(http.ErrAbortHandler)
	}
	if g.Report != nil {
		g.Report(r, *f)
	}
	if answer == nil {
		if f.Kind == KindPanic && !g.Contained {
			panic(http.ErrAbortHandler)
		}
		return
	}
	Text(answer, http.StatusInternalServerError, internalError)
}

// ServeContext runs h for r on its own goroutine under r's context, which
// the caller made: it carries the request's deadline (if any) and is
// marked as guarded (see GuardedKey), as the Lambda adapter's invocation
// context is. a holds the run's state; a caller may embed one in a value it
// allocates anyway, or keep one for its next request: an Aside whose run
// has ended (h was not left running) is reused without allocating. It
// reports whether h was left running (see ServeUntil).
func (g *Guard) ServeContext(w http.ResponseWriter, r *http.Request, h http.Handler, a *Aside) (left bool) {
	return g.aside(w, r, h, r.Context(), nil, a)
}

// Aside is the state of one handler run on its own goroutine. What a run
// needs allocated (its channel, its goroutine's function) is kept for the
// next run of the same Aside; a copy of an Aside starts afresh.
type Aside struct {
	done  chan struct{} // takes one value when the run ends
	start func()        // run, bound to self: starting it allocates nothing
	self  *Aside        // the Aside done and start belong to
	f     Failure
	w     http.ResponseWriter
	r     *http.Request
	h     http.Handler
}

func (a *Aside) run() {
	defer a.end()
	Run(a.w, a.r, a.h, &a.f)
}

// end reports the end of the run. The channel has room for the one value,
// so a handler left running ends without anyone waiting.
func (a *Aside) end() { a.done <- struct{}{} }

// serveAside runs h aside under deadline (none when zero).
func (g *Guard) serveAside(w http.ResponseWriter, r *http.Request, h http.Handler, deadline time.Time) (left bool) {
	parent := r.Context()
	var ctx context.Context
	var cancel context.CancelFunc
	if deadline.IsZero() {
		ctx, cancel = context.WithCancel(Guarded(parent))
	} else {
		ctx, cancel = context.WithDeadline(Guarded(parent), deadline)
	}
	defer cancel()
	return g.aside(w, r.WithContext(ctx), h, ctx, parent, new(Aside))
}

// aside runs h on its own goroutine, so that a handler that ignores its
// context still gets the client a 504 on time, as Lambda's timeout would.
// Once ctx ends, the handler's writes are refused, so a handler that
// answers only because its context ended cannot race the 504. parent, when
// set, is the client's context: when it was cancelled, nobody is answered.
func (g *Guard) aside(w http.ResponseWriter, r *http.Request, h http.Handler, ctx, parent context.Context, a *Aside) (left bool) {
	sw, ok := w.(Sealer)
	if !ok {
		sw = &guardedWriter{w: w, h: w.Header().Clone(), ctx: ctx}
	}
	done, start := a.done, a.start
	if a.self != a {
		done, start = make(chan struct{}, 1), a.run
	}
	*a = Aside{done: done, start: start, self: a, w: sw, r: r, h: h}
	go a.start()
	select {
	case <-a.done:
		a.w, a.r, a.h = nil, nil, nil // the run is over: keep nothing of it
		if a.f.Kind != 0 {
			g.fail(r, sw.Seal(), &a.f)
			return false
		}
		if ctx.Err() == nil {
			return false // answered in time (if with nothing: an empty 200)
		}
		// It returned once the deadline had passed: an answer that had
		// reached the client stands, any other becomes the 504.
		if answer := sw.Seal(); answer != nil {
			g.timeout(r, answer, parent)
		}
		return false
	case <-ctx.Done():
		answer := sw.Seal()
		if answer == nil && !g.Contained {
			// The handler had started its response: cut the connection, as
			// a killed function would.
			g.report(r, Failure{Kind: KindTimeout})
			panic(http.ErrAbortHandler)
		}
		if answer != nil {
			g.timeout(r, answer, parent)
		}
		return true
	}
}

// timeout answers 504 on answer, unless the client went away.
func (g *Guard) timeout(r *http.Request, answer http.ResponseWriter, parent context.Context) {
	if parent != nil && errors.Is(parent.Err(), context.Canceled) {
		return // the client went away: nobody to answer
	}
	// Our deadline, or an earlier one of the caller's (the Lambda adapter
	// keeps a margin before the invocation's).
	g.report(r, Failure{Kind: KindTimeout})
	Text(answer, http.StatusGatewayTimeout, "Gateway Timeout")
}

func (g *Guard) report(r *http.Request, f Failure) {
	if g.Report != nil {
		g.Report(r, f)
	}
}

// guardedWriter lets a handler goroutine write until the Guard seals it
// (deadline or failure); after that its writes fail. The handler gets its
// own header map, copied out when it starts the response, so the two
// goroutines never share one.
type guardedWriter struct {
	w       http.ResponseWriter
	h       http.Header
	ctx     context.Context // the request's: writes after it ends are refused
	mu      sync.Mutex
	started bool // the handler wrote headers or body
	closed  bool // the Guard owns the response now
}

// Seal hands the response to the Guard.
func (g *guardedWriter) Seal() http.ResponseWriter {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.closed = true
	if g.started {
		return nil
	}
	return g.w
}

// refused reports whether writes are no longer let through: the Guard
// took the response over, or the deadline passed. g.mu is held.
func (g *guardedWriter) refused() bool {
	if !g.closed && g.ctx.Err() != nil {
		g.closed = true
	}
	return g.closed
}

func (g *guardedWriter) Header() http.Header { return g.h }

// copyHeader moves the handler's headers to the real writer; g.mu is held.
func (g *guardedWriter) copyHeader() {
	dst := g.w.Header()
	for k, v := range g.h {
		dst[k] = v
	}
}

func (g *guardedWriter) WriteHeader(code int) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.refused() || g.started {
		return
	}
	g.copyHeader()
	if code >= 200 {
		g.started = true
	}
	g.w.WriteHeader(code)
}

func (g *guardedWriter) Write(p []byte) (int, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.refused() {
		return 0, http.ErrHandlerTimeout
	}
	if !g.started {
		g.copyHeader()
		g.started = true
	}
	return g.w.Write(p)
}

// Flush sends buffered data to the client.
func (g *guardedWriter) Flush() {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.refused() {
		return
	}
	if !g.started {
		g.copyHeader()
		g.started = true
	}
	_ = http.NewResponseController(g.w).Flush()
}

// Unwrap returns the underlying ResponseWriter.
func (g *guardedWriter) Unwrap() http.ResponseWriter { return g.w }
