package lambda

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"slices"
	"strings"

	"github.com/nextgo-dev/nextgo/internal/pipeline"
)

// Response streaming, for the event sources that stream (function URLs in
// invoke mode RESPONSE_STREAM, REST APIs with STREAM integrations).
//
// How it works: InvokeStream starts the handler on its own goroutine and
// waits until the response is committed, which happens, as in net/http's
// server, at the handler's first Flush, once 4 KB of body are pending, or
// when it returns. It then returns the source's streaming response (such
// as *events.LambdaFunctionURLStreamingResponse) whose status and headers
// are a snapshot taken at commit and whose Body is the read end of a pipe. aws-lambda-go (built with lambda.norpc) posts
// that reader to the Runtime API as a chunked request with the content
// type application/vnd.awslambda.http-integration-response: the JSON
// prelude, eight NUL bytes, then the body. Go's HTTP client flushes each
// chunk it reads, so every Flush of the handler reaches the client
// without waiting for the next one.
//
// The pipe gives back-pressure: a Flush blocks until the runtime has taken
// the bytes. When the deadline passes before the commit, the answer is a
// 504 like a buffered one; after it, the stream is cut with an error, which
// the runtime reports as a failed invocation (the status is gone already).
// A panic after the commit cuts the stream the same way.

// streamChunk is how many pending bytes are passed on without a Flush.
const streamChunk = 4096

// errStreamPanic and errStreamDeadline end a stream cut short.
var (
	errStreamPanic    = errors.New("lambda: handler panicked while streaming")
	errStreamDeadline = errors.New("lambda: handler exceeded its deadline while streaming")
)

// streamState is the streaming side of a responseWriter. pending is only
// touched by the handler's goroutine; committed and failed are guarded by
// the writer's mutex and published by closing ready.
type streamState struct {
	ready     chan struct{}
	committed bool
	failed    bool // the handler panicked before committing
	late      bool // the handler ended after the deadline, uncommitted
	ended     bool // the body is complete
	pending   []byte
	pr        *io.PipeReader
	pw        *io.PipeWriter
	dead      <-chan struct{} // closed when the request deadline passes

	// Taken at commit.
	status  int
	headers map[string]string
	cookies []string
}

func newStreamState(dead <-chan struct{}) *streamState {
	st := &streamState{ready: make(chan struct{}), dead: dead}
	st.pr, st.pw = io.Pipe()
	return st
}

func (st *streamState) write(w *responseWriter, p []byte, s string) (int, error) {
	if p != nil {
		st.pending = append(st.pending, p...)
	} else {
		st.pending = append(st.pending, s...)
	}
	if len(st.pending) >= streamChunk {
		if err := st.flush(w); err != nil {
			return 0, err
		}
	}
	return len(p) + len(s), nil
}

// flush commits the response if needed and hands pending bytes to the
// reader, waiting until it has taken them.
func (st *streamState) flush(w *responseWriter) error {
	if err := st.commit(w); err != nil {
		return err
	}
	if len(st.pending) == 0 {
		return nil
	}
	select {
	case <-st.dead: // past the deadline nothing more goes out
		return errStreamDeadline
	default:
	}
	_, err := st.pw.Write(st.pending)
	st.pending = st.pending[:0]
	return err
}

// commit snapshots status and headers, unless the adapter has answered
// or the deadline has passed (the adapter answers 504 then).
func (st *streamState) commit(w *responseWriter) error {
	w.mu.Lock()
	if st.committed {
		w.mu.Unlock()
		return nil
	}
	if w.sealed {
		w.mu.Unlock()
		return http.ErrHandlerTimeout
	}
	select {
	case <-st.dead:
		w.mu.Unlock()
		return errStreamDeadline
	default:
	}
	r := response{status: w.status, header: w.header}
	if !w.head && pipeline.BodyAllowed(max(w.status, 200)) {
		r.body = st.pending[:min(len(st.pending), 512)] // enough to sniff
	}
	r.finish()
	st.status = r.status
	st.headers = singleValueHeaders(r.header)
	st.cookies = slices.Clone(r.header["Set-Cookie"])
	st.committed = true
	w.mu.Unlock()
	close(st.ready)
	return nil
}

// finish ends the stream once the handler has returned.
func (st *streamState) finish(w *responseWriter, p *pipeline.Failure) {
	w.mu.Lock()
	if !st.committed && !w.sealed {
		select {
		case <-st.dead:
			st.late = true
		default:
			st.failed = p != nil
		}
		if st.late || st.failed {
			w.sealed = true
			w.mu.Unlock()
			close(st.ready)
			return
		}
	}
	w.mu.Unlock()
	if p != nil {
		st.pw.CloseWithError(errStreamPanic)
		return
	}
	if err := st.flush(w); err != nil {
		st.pw.CloseWithError(err)
		return
	}
	w.mu.Lock()
	st.ended = true
	w.mu.Unlock()
	st.pw.Close()
}

// InvokeStream serves one event given as raw JSON, streaming the response
// of a function URL event or of an API Gateway REST API event (see
// apigw_v1.go): it returns an *events.LambdaFunctionURLStreamingResponse,
// or for a REST API an *events.APIGatewayProxyStreamingResponse, as soon as
// the handler commits its response (see the package documentation). Other
// event kinds get their buffered JSON response as an io.Reader. Errors are
// as for Invoke.
func (h *Handler) InvokeStream(ctx context.Context, payload []byte) (io.Reader, error) {
	return h.invokeStream(ctx, string(payload))
}

func (h *Handler) invokeStream(ctx context.Context, payload string) (io.Reader, error) {
	var (
		fs [fieldStack]field
		qs [16]field
		cs [16]string
	)
	ls := eventLists{headers: fs[:0], query: qs[:0], cookies: cs[:0]}
	inv := &invocation{payload: payload}
	ls, src, err := h.parse(ctx, payload, nil, &inv.ev, ls)
	if err != nil {
		return nil, err
	}
	if src.streams == nil || !src.streams(&inv.ev) {
		out, err := h.invoke(ctx, payload)
		if err != nil {
			return nil, err
		}
		return jsonPayload{bytes.NewReader(out)}, nil
	}
	hs, err := inv.read(src, ls)
	return src.stream(h.serveStream(ctx, inv, hs, err)), nil
}

// streamed is a streamed answer before its source shapes it: the status
// and headers taken at commit (one string per header, Set-Cookie apart in
// cookies), and the body.
type streamed struct {
	status  int
	headers map[string]string
	cookies []string
	body    io.Reader
}

func (h *Handler) serveStream(ctx context.Context, inv *invocation, hs hdrs, convErr error) *streamed {
	cancel := context.CancelFunc(func() {})
	if deadline, ok := h.deadline(ctx); ok {
		ctx, cancel = context.WithDeadline(ctx, deadline)
	}
	// The stream keeps its own deadline and recover (below): the
	// dispatcher inside sees the request is guarded and adds neither.
	r, early := h.prepare(ctx, inv, hs, convErr)
	if early != nil {
		cancel()
		return streamAnswer(early)
	}
	st := newStreamState(inv.Done())
	w := &inv.w
	w.stream = st
	stop := context.AfterFunc(inv, func() {
		w.mu.Lock()
		cut := st.committed && !st.ended
		w.mu.Unlock()
		if cut {
			h.logf(inv, slog.LevelError, "handler exceeded its deadline while streaming; response cut short",
				slog.String("path", r.URL.Path))
			st.pw.CloseWithError(errStreamDeadline)
		}
	})
	go func() {
		defer cancel()
		var f pipeline.Failure
		defer func() { // after a Goexit too
			if f.Kind != 0 {
				h.report(r, f)
			}
			if f.Kind == 0 {
				st.finish(w, nil)
			} else {
				st.finish(w, &f)
			}
			stop()
		}()
		pipeline.Run(w, r, h.h, &f) // the request's one recover
	}()

	select {
	case <-st.ready:
	case <-inv.Done():
		w.mu.Lock()
		if !st.committed && !st.failed {
			st.late, w.sealed = true, true
		}
		w.mu.Unlock()
	}
	switch {
	case st.late:
		h.logf(inv, slog.LevelError, "handler exceeded its deadline; answered 504",
			slog.String("method", r.Method), slog.String("path", r.URL.Path),
			slog.Duration("max_duration", h.opts.MaxDuration))
		return streamAnswer(textResponse(http.StatusGatewayTimeout, "Gateway Timeout"))
	case st.failed:
		return streamAnswer(textResponse(http.StatusInternalServerError, "Internal Server Error"))
	}
	return &streamed{status: st.status, headers: st.headers, cookies: st.cookies, body: st.pr}
}

// streamAnswer sends an answer of the adapter's own in streaming form.
func streamAnswer(r *response) *streamed {
	headers := singleValueHeaders(r.header)
	return &streamed{status: r.status, headers: headers, body: strings.NewReader(string(r.body))}
}

// jsonPayload is a buffered JSON response returned through the streaming
// entry point. aws-lambda-go sends an io.Reader whose JSON encoding fails
// as is, with the content type it reports.
type jsonPayload struct{ *bytes.Reader }

func (jsonPayload) ContentType() string { return "application/json" }

func (jsonPayload) MarshalJSON() ([]byte, error) {
	return nil, errors.New("lambda: raw payload, not for encoding/json")
}

// singleValueHeaders flattens a header for a streamed response's prelude:
// values joined with ", ", Set-Cookie left out (it travels apart), invalid
// names dropped and CR and LF in values turned into spaces, as the
// buffered encoder writes them (see jsonOut.singleHeaders).
func singleValueHeaders(h http.Header) map[string]string {
	m := make(map[string]string, len(h))
	for k, vs := range h {
		switch {
		case len(vs) == 0, k == "Set-Cookie", !validHeaderName(k):
		case len(vs) == 1:
			m[k] = cleanValue(vs[0])
		default:
			m[k] = cleanValue(strings.Join(vs, ", "))
		}
	}
	return m
}
