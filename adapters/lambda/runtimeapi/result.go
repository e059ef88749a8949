package runtimeapi

import (
	"encoding/json"
	"errors"
	"io"
	"time"
)

// Result is the outcome of one invocation, as Lambda's Invoke API reports
// it: a buffered payload, a function error, or a response stream.
type Result struct {
	// RequestID is the invocation's request id (Lambda-Runtime-Aws-Request-Id).
	RequestID string

	// Payload is the buffered response, or the error document when
	// FunctionError is set. It is nil for a streamed response.
	Payload []byte
	// ContentType is the Content-Type the runtime posted the response with.
	ContentType string

	// FunctionError is empty on success and FunctionErrorUnhandled when the
	// invocation failed, Payload then holding the error document
	// ({"errorMessage": ..., "errorType": ...}).
	FunctionError string
	// ErrorType is the failure's errorType: the type the function reported,
	// or Lambda's own (ErrorTypeTimeout, ErrorTypeExit, ...).
	ErrorType string

	// Stream is the body of a streamed response, read as the function writes
	// it; Payload is nil then. The caller must close it; closing it early
	// discards the rest while the function runs to its end. A stream that
	// fails part-way returns an *InvokeError from Read: the function's own
	// (its Lambda-Runtime-Function-Error-Type/-Body trailers), a timeout or
	// a crash (io.ErrUnexpectedEOF if the runtime's connection broke for
	// no known reason).
	Stream io.ReadCloser
	// Prelude is the status, headers and cookies a streamed
	// application/vnd.awslambda.http-integration-response started with
	// (aws-lambda-go's events.LambdaFunctionURLStreamingResponse); nil for
	// other streams and for buffered responses.
	Prelude *StreamPrelude

	// ColdStart reports whether this invocation started its execution
	// environment; InitDuration is then the time from process start to the
	// runtime's first request for work.
	ColdStart    bool
	InitDuration time.Duration
	// PID is the process id of the runtime that served the invocation, or 0
	// when no process could be started.
	PID int
}

// Err returns the function error as an *InvokeError, or nil when the
// invocation succeeded.
func (r *Result) Err() error {
	if r.FunctionError == "" {
		return nil
	}
	e := &InvokeError{}
	if err := json.Unmarshal(r.Payload, e); err != nil || (e.Type == "" && e.Message == "") {
		e = &InvokeError{Type: r.ErrorType, Message: string(r.Payload)}
	}
	if e.Type == "" {
		e.Type = r.ErrorType
	}
	return e
}

// StreamPrelude is the JSON head of an HTTP integration response stream.
type StreamPrelude struct {
	StatusCode        int                 `json:"statusCode"`
	Headers           map[string]string   `json:"headers,omitempty"`
	MultiValueHeaders map[string][]string `json:"multiValueHeaders,omitempty"`
	Cookies           []string            `json:"cookies,omitempty"`
}

// errBroken marks a response stream whose connection broke before its end;
// the stream reader replaces it with the reason the sandbox settled on.
var errBroken = errors.New("runtimeapi: response stream broken")

// errStreamClosed is what a runtime's still-arriving stream is discarded
// with after the caller closed it.
var errStreamClosed = errors.New("runtimeapi: response stream closed by the caller")

// stream is Result.Stream.
type stream struct {
	pr  *io.PipeReader
	inv *invocation
}

func (s *stream) Read(p []byte) (int, error) {
	n, err := s.pr.Read(p)
	if errors.Is(err, errBroken) {
		<-s.inv.settled
		if s.inv.settleErr != nil {
			return n, s.inv.settleErr
		}
		return n, io.ErrUnexpectedEOF
	}
	return n, err
}

func (s *stream) Close() error {
	s.inv.markAnswered()
	s.pr.CloseWithError(errStreamClosed)
	return nil
}
