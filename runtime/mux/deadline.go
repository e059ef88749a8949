package mux

import (
	"context"
	"errors"
	"net/http"
	"sync"
)

// serveWithDeadline runs the route with its maxDuration as the context
// deadline. The handler runs in its own goroutine so that a handler that
// ignores its context still gets the client a 504 on time, as Lambda's
// timeout would. Once the deadline has passed, the handler's writes are
// refused, so a handler that answers only because its context ended cannot
// race the 504.
func (mx *Mux) serveWithDeadline(w http.ResponseWriter, r *http.Request, rt *Route) {
	ctx, cancel := context.WithTimeout(r.Context(), rt.MaxDuration)
	defer cancel()
	gw := &guardedWriter{w: w, h: w.Header().Clone(), ctx: ctx}
	done := make(chan struct{})
	panicked := make(chan any, 1)
	go func() {
		defer close(done)
		defer func() {
			if v := recover(); v != nil {
				panicked <- v
			}
		}()
		rt.Handler.ServeHTTP(gw, r.WithContext(ctx))
	}()
	handlerDone := false
	select {
	case <-done:
		handlerDone = true
	case <-ctx.Done():
	}
	if handlerDone {
		select {
		case v := <-panicked:
			if v == http.ErrAbortHandler {
				panic(v)
			}
			mx.opts.Errorf("panic in %s: %v", rt.File, v)
			if gw.claim() {
				plain(w, http.StatusInternalServerError, "Internal Server Error")
			}
			return
		default:
		}
		if gw.answered() || ctx.Err() == nil {
			return // the handler answered in time (if with nothing: net/http sends an empty 200)
		}
		// The handler returned after the deadline, its writes refused.
	}
	if errors.Is(r.Context().Err(), context.Canceled) {
		// The client went away: nobody to answer.
		gw.close()
		return
	}
	// Our deadline, or an earlier one of the caller's (the Lambda adapter
	// keeps a margin before the invocation's): answer 504.
	mx.opts.Errorf("%s exceeded maxDuration of %s", rt.File, rt.MaxDuration)
	if gw.claim() {
		plain(w, http.StatusGatewayTimeout, "Gateway Timeout")
		return
	}
	// The handler had started its response: cut the connection, as a
	// killed function would.
	panic(http.ErrAbortHandler)
}

// guardedWriter lets a handler goroutine write until the dispatcher takes
// the response over (timeout or panic); after that its writes fail. The
// handler gets its own header map, copied out when it starts the response,
// so the two goroutines never share one.
type guardedWriter struct {
	w       http.ResponseWriter
	h       http.Header
	ctx     context.Context // the request's: writes after it ends are refused
	mu      sync.Mutex
	started bool // the handler wrote headers or body
	closed  bool // the dispatcher owns the response now
}

// claim hands the response to the dispatcher; it reports false when the
// handler had already started it.
func (g *guardedWriter) claim() bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.closed = true
	return !g.started
}

// answered reports whether the handler started the response.
func (g *guardedWriter) answered() bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.started
}

// refused reports whether writes are no longer let through: the dispatcher
// took the response over, or the deadline passed. g.mu is held.
func (g *guardedWriter) refused() bool {
	if !g.closed && g.ctx.Err() != nil {
		g.closed = true
	}
	return g.closed
}

func (g *guardedWriter) close() {
	g.mu.Lock()
	g.closed = true
	g.mu.Unlock()
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
