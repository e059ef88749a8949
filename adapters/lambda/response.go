package lambda

import (
	"fmt"
	"net/http"
	"sync"
	"sync/atomic"

	"github.com/nextgo-dev/nextgo/internal/pipeline"
)

// responseWriter is the http.ResponseWriter handed to the handler. It
// buffers the response for a buffered Lambda answer, or passes it on as it
// is flushed when streaming (see stream.go). It follows net/http's server
// in what handlers can observe: the first WriteHeader wins, 1xx codes are
// not final, a Write without WriteHeader means 200, 204 and 304 refuse a
// body with http.ErrBodyNotAllowed, and a HEAD response drops the body.
//
// The handler may outlive the invocation (after a timeout the adapter
// answers 504 and moves on), so every method takes mu and a sealed writer
// refuses writes with http.ErrHandlerTimeout.
type responseWriter struct {
	mu     sync.Mutex
	header http.Header
	status int // 0 until the status is set
	buf    []byte
	sc     *scratch // pooled header map and buffer
	size   int64    // body bytes the handler wrote, kept or not
	limit  int64    // bytes kept at most; past it only size grows
	head   bool     // HEAD: the body is counted, not kept
	sealed bool     // the adapter has answered: nothing more is taken
	left   bool     // the handler may still run: keep nothing for reuse
	answer *answer  // what replaces the handler's response once sealed
	cache  *scratchCache
	stream *streamState // non-nil when streaming
}

// scratch is what one invocation's writer borrows from its Handler: a
// header map, a body buffer and the state of the handler's run, reused
// once the response is encoded.
// Reusing the map is sound because a handler may not use its
// ResponseWriter after ServeHTTP returns; it is not reused when the
// handler may still be running (after a 504).
type scratch struct {
	header http.Header
	buf    []byte
	aside  pipeline.Aside // the handler's run, reused once it has ended
}

// scratchCache keeps one spare scratch for the next invocation. A Lambda
// process serves one invocation at a time, so one spare is enough, and an
// atomic swap costs less than a sync.Pool round trip; concurrent
// invocations simply allocate.
type scratchCache struct{ p atomic.Pointer[scratch] }

func (c *scratchCache) get() *scratch {
	if sc := c.p.Swap(nil); sc != nil {
		return sc
	}
	return new(scratch)
}

func (c *scratchCache) put(sc *scratch) { c.p.Store(sc) }

func (w *responseWriter) scratch() *scratch {
	if w.sc == nil {
		w.sc = w.cache.get()
	}
	return w.sc
}

// Header returns the header map the handler fills.
func (w *responseWriter) Header() http.Header {
	w.mu.Lock()
	if w.header == nil {
		sc := w.scratch()
		if sc.header == nil {
			sc.header = make(http.Header)
		}
		w.header = sc.header
	}
	h := w.header
	w.mu.Unlock()
	return h
}

// WriteHeader sets the status code. Invalid codes panic, as in net/http.
func (w *responseWriter) WriteHeader(code int) {
	if code < 100 || code > 999 {
		panic(fmt.Sprintf("invalid WriteHeader code %v", code))
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.status != 0 || w.sealed {
		return
	}
	if code >= 100 && code <= 199 && code != http.StatusSwitchingProtocols {
		return // informational responses cannot cross Lambda
	}
	w.status = code
}

// Write adds p to the body.
func (w *responseWriter) Write(p []byte) (int, error) {
	return w.write(p, "")
}

// WriteString adds s to the body without converting it to bytes first.
func (w *responseWriter) WriteString(s string) (int, error) {
	return w.write(nil, s)
}

func (w *responseWriter) write(p []byte, s string) (int, error) {
	n := len(p) + len(s)
	w.mu.Lock()
	if w.sealed {
		w.mu.Unlock()
		return 0, http.ErrHandlerTimeout
	}
	if w.status == 0 {
		w.status = http.StatusOK
	}
	if !pipeline.BodyAllowed(w.status) {
		w.mu.Unlock()
		return 0, http.ErrBodyNotAllowed
	}
	w.size += int64(n)
	if w.head {
		w.mu.Unlock()
		return n, nil
	}
	if st := w.stream; st != nil {
		w.mu.Unlock()
		return st.write(w, p, s)
	}
	if w.size <= w.limit {
		if w.buf == nil {
			w.buf = w.scratch().buf[:0]
		}
		if p != nil {
			w.buf = append(w.buf, p...)
		} else {
			w.buf = append(w.buf, s...)
		}
	}
	w.mu.Unlock()
	return n, nil
}

// Flush sends what has been written so far when streaming; buffered
// responses are sent whole when the handler returns, so it does nothing.
func (w *responseWriter) Flush() {
	_ = w.FlushError()
}

// FlushError is Flush that reports a failure (http.ResponseController
// prefers it).
func (w *responseWriter) FlushError() error {
	w.mu.Lock()
	if w.sealed {
		w.mu.Unlock()
		return http.ErrHandlerTimeout
	}
	if w.status == 0 {
		w.status = http.StatusOK
	}
	st := w.stream
	w.mu.Unlock()
	if st == nil {
		return nil
	}
	return st.flush(w)
}

// Seal stops the writer taking anything more from the handler and returns
// the writer of the answer that replaces its response (pipeline.Sealer),
// or nil once a streamed response has been committed.
func (w *responseWriter) Seal() http.ResponseWriter {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.sealed = true
	if w.stream != nil && w.stream.committed {
		return nil
	}
	w.answer = new(answer)
	return w.answer
}

// release hands the header map and body buffer back for reuse, once the
// response has been encoded.
func (w *responseWriter) release() {
	const maxPooled = 1 << 20
	sc := w.sc
	if sc == nil || w.left {
		return
	}
	w.sc = nil
	if sc.header != nil {
		clear(sc.header)
	}
	sc.buf = nil
	if cap(w.buf) <= maxPooled {
		sc.buf = w.buf[:0]
	}
	w.buf, w.header = nil, nil
	w.cache.put(sc)
}
