package runtimeapi

import (
	"bufio"
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"runtime"
	"strings"
	"sync"
	"time"
)

// Runtime API header and content-type names.
const (
	headerRequestID     = "Lambda-Runtime-Aws-Request-Id"
	headerDeadline      = "Lambda-Runtime-Deadline-Ms"
	headerFunctionARN   = "Lambda-Runtime-Invoked-Function-Arn"
	headerTraceID       = "Lambda-Runtime-Trace-Id"
	headerResponseMode  = "Lambda-Runtime-Function-Response-Mode"
	headerErrorType     = "Lambda-Runtime-Function-Error-Type"
	trailerErrorBody    = "Lambda-Runtime-Function-Error-Body"
	contentTypeStreamed = "application/vnd.awslambda.http-integration-response"

	// maxPrelude bounds the JSON head of an HTTP integration response stream.
	maxPrelude = 1 << 20
)

// Runtime states, named as Lambda names them in its state-transition errors.
const (
	stateStarted          = "Started"
	stateReady            = "Ready"
	stateRunning          = "Running"
	stateResponse         = "InvocationResponse"
	stateErrorResponse    = "InvocationErrorResponse"
	stateResponseSent     = "RuntimeResponseSentState"
	stateInitError        = "InitError"
	transitionFailedFmt   = "State transition from %s to %s failed for runtime. Error: State transition is not allowed"
	errorTypeTransition   = "InvalidStateTransition"
	errorTypeRequestID    = "InvalidRequestID"
	errorTypeTooLarge     = "RequestEntityTooLarge"
	errorTypeResponseMode = "InvalidFunctionResponseMode"
)

// initFailure is what a runtime posted to /runtime/init/error.
type initFailure struct {
	errorType string
	body      []byte
}

// runtimeServer is the Runtime API endpoint of one execution environment,
// listening on its own loopback port as a Lambda sandbox's does.
type runtimeServer struct {
	arn string
	ln  net.Listener
	mux *http.ServeMux // every call but the two each invocation makes

	queue   chan *invocation  // the invocation waiting for /next; capacity 1
	initErr chan *initFailure // capacity 1
	closed  chan struct{}
	once    sync.Once

	mu      sync.Mutex
	state   string
	cur     *invocation
	onNext  func()                // run by the next call of /next; see whenNext
	conns   map[*apiConn]struct{} // open connections
	stopped bool
	cut     bool          // closed: connections are cut
	quiet   chan struct{} // closed when stopped with no connection left
}

// newRuntimeServer starts a Runtime API endpoint on an ephemeral loopback
// port. arn is sent in Lambda-Runtime-Invoked-Function-Arn.
func newRuntimeServer(arn string) (*runtimeServer, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("runtimeapi: listen: %w", err)
	}
	s := &runtimeServer{
		arn:     arn,
		ln:      ln,
		queue:   make(chan *invocation, 1),
		initErr: make(chan *initFailure, 1),
		closed:  make(chan struct{}),
		quiet:   make(chan struct{}),
		state:   stateStarted,
		conns:   make(map[*apiConn]struct{}),
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+pathNext, s.next)
	mux.HandleFunc("POST "+pathInvocation+"{id}/response", func(w http.ResponseWriter, r *http.Request) { s.response(w, r, r.PathValue("id")) })
	mux.HandleFunc("POST "+pathInvocation+"{id}/error", s.invocationError)
	mux.HandleFunc("POST /2018-06-01/runtime/init/error", s.initError)
	s.mux = mux
	go s.accept()
	return s, nil
}

// Paths of the calls every invocation makes.
const (
	pathInvocation = "/2018-06-01/runtime/invocation/"
	pathNext       = pathInvocation + "next"
)

// route serves one request: the two calls every invocation makes
// directly, the others through the mux (which also answers unknown paths
// and methods).
func (s *runtimeServer) route(w http.ResponseWriter, r *http.Request) {
	path := r.URL.Path
	switch {
	case r.Method == http.MethodGet && path == pathNext && r.URL.RawPath == "":
		s.next(w, r)
		return
	case r.Method == http.MethodPost && r.URL.RawPath == "" && strings.HasPrefix(path, pathInvocation) && strings.HasSuffix(path, "/response"):
		if id := path[len(pathInvocation) : len(path)-len("/response")]; id != "" && !strings.Contains(id, "/") {
			s.response(w, r, id)
			return
		}
	}
	s.mux.ServeHTTP(w, r)
}

// accept serves each connection on a goroutine of its own until the
// listener is closed.
func (s *runtimeServer) accept() {
	for {
		conn, err := s.ln.Accept()
		if err != nil {
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				continue
			}
			return
		}
		c := &apiConn{s: s, conn: conn, limit: -1}
		c.br = bufio.NewReader(flushingReader{c})
		c.ctx, c.cancel = context.WithCancel(context.Background())
		s.mu.Lock()
		if s.cut {
			s.mu.Unlock()
			conn.Close()
			continue
		}
		s.conns[c] = struct{}{}
		s.mu.Unlock()
		go func() {
			c.serve()
			conn.Close()
			s.mu.Lock()
			delete(s.conns, c)
			if s.stopped && len(s.conns) == 0 && !isClosed(s.quiet) {
				close(s.quiet)
			}
			s.mu.Unlock()
		}()
	}
}

// logPanic reports a handler's panic, as net/http's server does.
func (s *runtimeServer) logPanic(v any) {
	buf := make([]byte, 64<<10)
	buf = buf[:runtime.Stack(buf, false)]
	log.Printf("runtimeapi: panic serving the Runtime API at %s: %v\n%s", s.Addr(), v, buf)
}

// isClosed reports whether ch is closed.
func isClosed(ch chan struct{}) bool {
	select {
	case <-ch:
		return true
	default:
		return false
	}
}

// Addr is the value of AWS_LAMBDA_RUNTIME_API: host and port, no scheme.
func (s *runtimeServer) Addr() string { return s.ln.Addr().String() }

// stop releases every blocked /next and fails the next ones; the
// connections still open are read to their end. quiet is closed once
// none is left.
func (s *runtimeServer) stop() {
	s.once.Do(func() {
		close(s.closed)
		s.mu.Lock()
		s.stopped = true
		if len(s.conns) == 0 {
			close(s.quiet)
		}
		s.mu.Unlock()
	})
}

// close stops the endpoint at once, cutting the connections in use.
func (s *runtimeServer) close() {
	s.stop()
	s.ln.Close()
	s.mu.Lock()
	s.cut = true
	for c := range s.conns {
		c.conn.Close()
	}
	s.mu.Unlock()
}

// enqueue hands inv to the runtime's next (or current) /next call. The pool
// gives an environment one invocation at a time, so the queue is empty.
func (s *runtimeServer) enqueue(inv *invocation) { s.queue <- inv }

// whenNext runs f once the runtime waits in /next: at once, on the
// caller's goroutine, if it already does, else on the goroutine of its next
// /next call, before that call waits for an invocation, so that f can hand
// it one without a hop through another goroutine. One f is pending at a
// time; cancelNext withdraws it.
func (s *runtimeServer) whenNext(f func()) {
	s.mu.Lock()
	if s.state == stateReady {
		s.mu.Unlock()
		f()
		return
	}
	s.onNext = f
	s.mu.Unlock()
}

// cancelNext withdraws the function whenNext left pending and reports
// whether it did: false when it has run or is running.
func (s *runtimeServer) cancelNext() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	pending := s.onNext != nil
	s.onNext = nil
	return pending
}

// awaitNext returns a channel closed when the runtime is waiting in /next:
// at once if it already is, else at its next call.
func (s *runtimeServer) awaitNext() <-chan struct{} {
	ch := make(chan struct{})
	s.whenNext(func() { close(ch) })
	return ch
}

func (s *runtimeServer) next(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	switch s.state {
	case stateStarted, stateReady, stateResponseSent:
	default:
		state := s.state
		s.mu.Unlock()
		writeAPIError(w, http.StatusForbidden, errorTypeTransition, fmt.Sprintf(transitionFailedFmt, state, stateReady))
		return
	}
	s.state = stateReady
	ready := s.onNext
	s.onNext = nil
	s.mu.Unlock()
	if ready != nil {
		ready()
	}

	// Every request comes through an apiConn (see conn.go), whose writer
	// holds what the connection has yet to write.
	aw := w.(*apiWriter)
	if aw.c.holding() {
		// The runtime asked for more work in the same write as its answer,
		// whose 202 waits: the supervisor the answer woke is about to hand
		// this environment its next invocation, if one waits. Let it run,
		// so that the 202 and the next event go out in one write.
		for i := 0; i < 3 && len(s.queue) == 0; i++ {
			runtime.Gosched()
		}
	}
	var inv *invocation
	select {
	case inv = <-s.queue:
	default:
		// None yet: what the connection holds goes out first (the 202 of
		// the answer before), and the wait ends if the runtime hangs up.
		aw.c.flush()
		stop := aw.c.watchClose()
		closed := false
		select {
		case inv = <-s.queue:
		case <-aw.c.ctx.Done(): // the connection's: its requests carry none
		case <-s.closed: // the environment is being discarded
			closed = true
		}
		stop()
		switch {
		case closed:
			writeAPIError(w, http.StatusInternalServerError, "InternalServerError", "Internal Server Error")
			return
		case inv == nil:
			return
		}
	}
	s.mu.Lock()
	s.state = stateRunning
	s.cur = inv
	inv.deadline = time.Now().Add(inv.timeout)
	s.mu.Unlock()
	close(inv.dispatched)

	aw.event(inv, s.arn)
}

// begin moves the runtime from Running to state for the invocation id,
// or answers the call with Lambda's error and returns nil.
func (s *runtimeServer) begin(w http.ResponseWriter, id, state string) *invocation {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.state != stateRunning {
		writeAPIError(w, http.StatusForbidden, errorTypeTransition, fmt.Sprintf(transitionFailedFmt, s.state, state))
		return nil
	}
	if s.cur.id != id {
		writeAPIError(w, http.StatusBadRequest, errorTypeRequestID, "Invalid request ID")
		return nil
	}
	s.state = state
	return s.cur
}

// finish records that the current invocation's answer is complete.
func (s *runtimeServer) finish() {
	s.mu.Lock()
	s.state = stateResponseSent
	s.cur = nil
	s.mu.Unlock()
}

func (s *runtimeServer) response(w http.ResponseWriter, r *http.Request, id string) {
	streamed, ok := responseMode(r.Header)
	if !ok {
		writeAPIError(w, http.StatusBadRequest, errorTypeResponseMode, "Invalid function response mode")
		return
	}
	inv := s.begin(w, id, stateResponse)
	if inv == nil {
		return
	}
	contentType := r.Header.Get("Content-Type")
	if streamed {
		s.stream(w, r, inv, contentType)
		return
	}

	body, ok := s.readPayload(w, r, inv)
	if !ok {
		return
	}
	if e := trailerError(r.Trailer); e != nil {
		inv.answer <- errorResult(inv.id, e)
	} else {
		inv.answer <- &Result{RequestID: inv.id, Payload: body, ContentType: contentType}
	}
	s.finish()
	writeAccepted(w)
}

// readPayload reads the buffered body of a /response or /error call and
// reports whether the call goes on. A body over MaxResponsePayload fails
// the invocation, as Lambda does, and is answered 413; a broken connection
// is not answered: the runtime is gone or going, and the supervisor reports
// its exit or the timeout.
func (s *runtimeServer) readPayload(w http.ResponseWriter, r *http.Request, inv *invocation) ([]byte, bool) {
	body, err := readLimited(r.Body, MaxResponsePayload)
	if errors.Is(err, errTooLarge) {
		e := &InvokeError{
			Type:    ErrorTypeResponseTooLarge,
			Message: fmt.Sprintf("Response payload size exceeded maximum allowed payload size (%d bytes).", MaxResponsePayload),
		}
		inv.answer <- errorResult(inv.id, e)
		s.finish()
		writeTooLarge(w)
		return nil, false
	}
	return body, err == nil
}

// responseMode reports whether a /response call streams, and whether its
// Lambda-Runtime-Function-Response-Mode header is valid. aws-lambda-go does
// not send the header: it streams events.LambdaFunctionURLStreamingResponse
// as a chunked application/vnd.awslambda.http-integration-response body, so
// that content type streams too.
func responseMode(h http.Header) (streamed, ok bool) {
	switch mode := h.Get(headerResponseMode); {
	case strings.EqualFold(mode, "streaming"):
		return true, true
	case mode != "" && !strings.EqualFold(mode, "buffered"):
		return false, false
	}
	return h.Get("Content-Type") == contentTypeStreamed, true
}

// stream relays a streamed response to the caller as it arrives.
func (s *runtimeServer) stream(w http.ResponseWriter, r *http.Request, inv *invocation, contentType string) {
	defer close(inv.streamDone)
	br := bufio.NewReader(r.Body)
	res := &Result{RequestID: inv.id, ContentType: contentType}
	if contentType == contentTypeStreamed {
		prelude, err := readPrelude(br)
		if err != nil {
			if errors.Is(err, errBrokenBody) {
				return
			}
			inv.answer <- errorResult(inv.id, &InvokeError{Type: ErrorTypeInvalidResponse, Message: err.Error()})
			io.Copy(io.Discard, br)
			s.finish()
			writeAccepted(w)
			return
		}
		res.Prelude = prelude
	}
	pr, pw := inv.startStream()
	if pw == nil { // the invocation already failed (timeout, crash)
		return
	}
	res.Stream = &stream{pr: pr, inv: inv}
	inv.answer <- res

	_, err := copyBody(pw, br)
	switch {
	case errors.Is(err, errBrokenBody):
		pw.CloseWithError(errBroken)
		return
	case err != nil: // the caller stopped reading: drain what the runtime still sends
		if _, err := io.Copy(io.Discard, br); err != nil {
			return
		}
	}
	inv.markAnswered()
	if e := trailerError(r.Trailer); e != nil {
		pw.CloseWithError(e)
	} else {
		pw.Close()
	}
	s.finish()
	writeAccepted(w)
}

// errBrokenBody marks a failure to read the runtime's request body, as
// opposed to a failure to pass it on.
var errBrokenBody = errors.New("runtimeapi: runtime request body broken")

// copyBody copies src to dst, telling read errors (errBrokenBody) from write
// errors.
func copyBody(dst io.Writer, src io.Reader) (int64, error) {
	buf := make([]byte, 32<<10)
	var n int64
	for {
		nr, rerr := src.Read(buf)
		if nr > 0 {
			nw, werr := dst.Write(buf[:nr])
			n += int64(nw)
			if werr != nil {
				return n, werr
			}
		}
		if rerr == io.EOF {
			return n, nil
		}
		if rerr != nil {
			return n, errBrokenBody
		}
	}
}

// readPrelude reads the JSON head of an HTTP integration response stream,
// which ends with eight NUL bytes.
func readPrelude(br *bufio.Reader) (*StreamPrelude, error) {
	var head []byte
	for {
		chunk, err := br.ReadSlice(0)
		head = append(head, chunk...)
		if len(head) > maxPrelude {
			return nil, fmt.Errorf("http integration response prelude exceeds %d bytes", maxPrelude)
		}
		if err == nil {
			break
		}
		if errors.Is(err, bufio.ErrBufferFull) {
			continue
		}
		if err == io.EOF {
			return nil, errors.New("http integration response ended before its prelude separator")
		}
		return nil, errBrokenBody
	}
	var sep [7]byte
	if _, err := io.ReadFull(br, sep[:]); err != nil {
		if errors.Is(err, io.ErrUnexpectedEOF) || err == io.EOF {
			return nil, errors.New("http integration response ended inside its prelude separator")
		}
		return nil, errBrokenBody
	}
	if sep != [7]byte{} {
		return nil, errors.New("http integration response prelude is not followed by 8 NUL bytes")
	}
	p := &StreamPrelude{}
	if err := json.Unmarshal(head[:len(head)-1], p); err != nil {
		return nil, fmt.Errorf("http integration response prelude: %w", err)
	}
	if p.StatusCode == 0 {
		p.StatusCode = http.StatusOK
	}
	return p, nil
}

func (s *runtimeServer) invocationError(w http.ResponseWriter, r *http.Request) {
	inv := s.begin(w, r.PathValue("id"), stateErrorResponse)
	if inv == nil {
		return
	}
	body, ok := s.readPayload(w, r, inv)
	if !ok {
		return
	}
	inv.answer <- functionErrorResult(inv.id, r.Header.Get(headerErrorType), body, r.Header.Get("Content-Type"))
	s.finish()
	writeAccepted(w)
}

func (s *runtimeServer) initError(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	if s.state != stateStarted {
		state := s.state
		s.mu.Unlock()
		writeAPIError(w, http.StatusForbidden, errorTypeTransition, fmt.Sprintf(transitionFailedFmt, state, stateInitError))
		return
	}
	s.state = stateInitError
	s.mu.Unlock()
	body, err := readLimited(r.Body, MaxResponsePayload)
	if errors.Is(err, errTooLarge) {
		body = nil
	} else if err != nil {
		return
	}
	s.initErr <- &initFailure{errorType: r.Header.Get(headerErrorType), body: body}
	if err != nil {
		writeTooLarge(w)
		return
	}
	writeAccepted(w)
}

// functionErrorResult is the Result of an error the runtime reported: its
// document is passed on as Lambda passes it, the error type taken from the
// Lambda-Runtime-Function-Error-Type header or else from the document.
func functionErrorResult(requestID, errorType string, body []byte, contentType string) *Result {
	if errorType == "" {
		var doc InvokeError
		if json.Unmarshal(body, &doc) == nil {
			errorType = doc.Type
		}
	}
	if len(bytes.TrimSpace(body)) == 0 {
		typ := errorType
		if typ == "" {
			typ = ErrorTypeUnknown
		}
		body = (&InvokeError{Type: typ, Message: "Unknown application error occurred"}).document()
		contentType = "application/json"
	}
	if errorType == "" {
		errorType = ErrorTypeUnknown
	}
	return &Result{
		RequestID:     requestID,
		Payload:       body,
		ContentType:   contentType,
		FunctionError: FunctionErrorUnhandled,
		ErrorType:     errorType,
	}
}

// errorResult is the Result of a failure Lambda itself reports.
func errorResult(requestID string, e *InvokeError) *Result {
	return &Result{
		RequestID:     requestID,
		Payload:       e.document(),
		ContentType:   "application/json",
		FunctionError: FunctionErrorUnhandled,
		ErrorType:     e.Type,
	}
}

// trailerError returns the error a runtime reported in the trailers of a
// response body, or nil.
func trailerError(t http.Header) *InvokeError {
	typ := t.Get(headerErrorType)
	if typ == "" {
		return nil
	}
	e := &InvokeError{Type: typ}
	if raw, err := base64.StdEncoding.DecodeString(t.Get(trailerErrorBody)); err == nil {
		var doc InvokeError
		if json.Unmarshal(raw, &doc) == nil {
			e.Message = doc.Message
			e.StackTrace = doc.StackTrace
		} else {
			e.Message = string(raw)
		}
	}
	return e
}

var errTooLarge = errors.New("runtimeapi: payload too large")

// readLimited reads all of r, failing with errTooLarge past limit bytes.
func readLimited(r io.Reader, limit int64) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > limit {
		return nil, errTooLarge
	}
	return b, nil
}

func writeAccepted(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusAccepted)
	io.WriteString(w, `{"status":"OK"}`+"\n")
}

func writeTooLarge(w http.ResponseWriter) {
	writeAPIError(w, http.StatusRequestEntityTooLarge, errorTypeTooLarge,
		fmt.Sprintf("Exceeded maximum allowed payload size (%d bytes).", MaxResponsePayload))
}

func writeAPIError(w http.ResponseWriter, status int, typ, msg string) {
	b, _ := json.Marshal(apiError{Message: msg, Type: typ})
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	w.Write(append(b, '\n'))
}
