package runtimeapi

import (
	"io"
	"sync"
	"time"
)

// invocation is one event on its way through an execution environment. The
// Runtime API handlers fill it in; the pool's supervisor waits on it.
type invocation struct {
	id      string
	payload []byte
	traceID string
	timeout time.Duration

	// deadline is set by the /next handler when the runtime takes the
	// invocation, before dispatched is closed.
	deadline   time.Time
	dispatched chan struct{}

	// answer receives the first answer of the runtime: a buffered response,
	// an error, or the start of a stream. Capacity 1: handlers never block.
	answer chan *Result
	// streamDone is closed when a streamed body has ended, well or not.
	streamDone chan struct{}

	// settled is closed by the supervisor when it is done with the
	// invocation; settleErr then holds the platform's failure, if any.
	settled   chan struct{}
	settleErr error

	mu      sync.Mutex
	pw      *io.PipeWriter // the streamed body, once started
	aborted error          // set by abort; no stream starts after it

	// onAnswered is called, once, when the caller has the whole answer (or
	// has given up on a stream), until ended; see markAnswered.
	onAnswered func()
	answered   int // 0, 1 once onAnswered ran, 2 once ended
}

func newInvocation(payload []byte, timeout time.Duration) *invocation {
	return &invocation{
		id:         newRequestID(),
		payload:    payload,
		traceID:    newTraceID(time.Now()),
		timeout:    timeout,
		dispatched: make(chan struct{}),
		answer:     make(chan *Result, 1),
		streamDone: make(chan struct{}),
		settled:    make(chan struct{}),
	}
}

// lastAnswer returns the runtime's answer after its process exited: one
// already received, or one still in the connections of srv, once they are
// read to their end; nil if there is none.
func (inv *invocation) lastAnswer(srv *runtimeServer) *Result {
	select {
	case res := <-inv.answer:
		return res
	default:
	}
	select {
	case res := <-inv.answer:
		return res
	case <-srv.quiet:
	}
	select {
	case res := <-inv.answer:
		return res
	default:
		return nil
	}
}

// startStream returns the pipe a streamed body is written to, or nil when
// the invocation was already aborted.
func (inv *invocation) startStream() (*io.PipeReader, *io.PipeWriter) {
	inv.mu.Lock()
	defer inv.mu.Unlock()
	if inv.aborted != nil {
		return nil, nil
	}
	pr, pw := io.Pipe()
	inv.pw = pw
	return pr, pw
}

// abort fails a stream in progress with err (the first error wins) and
// prevents one from starting.
func (inv *invocation) abort(err error) {
	inv.mu.Lock()
	defer inv.mu.Unlock()
	if inv.aborted == nil {
		inv.aborted = err
	}
	if inv.pw != nil {
		inv.pw.CloseWithError(err)
	}
}

// markAnswered runs onAnswered once, unless the invocation has ended.
func (inv *invocation) markAnswered() {
	inv.mu.Lock()
	defer inv.mu.Unlock()
	if inv.answered == 0 && inv.onAnswered != nil {
		inv.answered = 1
		inv.onAnswered()
	}
}

// end stops markAnswered and reports whether onAnswered ran.
func (inv *invocation) end() bool {
	inv.mu.Lock()
	defer inv.mu.Unlock()
	ran := inv.answered == 1
	inv.answered = 2
	return ran
}

// settle records the final failure, if any, and releases stream readers
// waiting for it.
func (inv *invocation) settle(err error) {
	inv.settleErr = err
	close(inv.settled)
}
