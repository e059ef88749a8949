package runtimeapi

import (
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/nextgo-dev/nextgo/internal/lambdalimit"
)

// Payload limits of a synchronous Lambda invocation.
const (
	// MaxRequestPayload is the largest event a synchronous invocation
	// accepts (6 MB).
	MaxRequestPayload = lambdalimit.MaxRequest
	// MaxResponsePayload is the largest buffered response or error document
	// the Runtime API accepts from a function (6 MB plus 100 bytes, as
	// Lambda's own Runtime API).
	MaxResponsePayload = lambdalimit.MaxResponse
)

// Errors returned by Invoke, as opposed to function errors, which are
// reported in Result.
var (
	// ErrClosed is returned by Invoke after Close.
	ErrClosed = errors.New("runtimeapi: pool closed")
	// ErrPayloadTooLarge is returned by Invoke for an event larger than
	// MaxRequestPayload; Lambda's Invoke API rejects it with
	// RequestEntityTooLargeException and never runs the function.
	ErrPayloadTooLarge = fmt.Errorf("runtimeapi: request must be smaller than %d bytes for the InvokeFunction operation", MaxRequestPayload)
)

// Error types of failures the function did not report itself.
const (
	// ErrorTypeTimeout: the invocation passed its deadline ("Task timed
	// out after 3.00 seconds"), or the init phase its limit.
	ErrorTypeTimeout = "Sandbox.Timedout"
	// ErrorTypeExit: the runtime process exited before it answered
	// ("Runtime exited with error: exit status 2").
	ErrorTypeExit = "Runtime.ExitError"
	// ErrorTypeInvalidEntry: the bootstrap could not be started.
	ErrorTypeInvalidEntry = "Runtime.InvalidEntrypoint"
	// ErrorTypeResponseTooLarge: a buffered response or error document
	// over MaxResponsePayload.
	ErrorTypeResponseTooLarge = "Function.ResponseSizeTooLarge"
	// ErrorTypeInvalidResponse: an HTTP integration response stream whose
	// prelude cannot be read (nextgo's own type; Lambda's Function URLs
	// answer such a stream with a bare 502).
	ErrorTypeInvalidResponse = "Runtime.InvalidResponse"
	// ErrorTypeUnknown: a function error reported with no type.
	ErrorTypeUnknown = "Runtime.Unknown"
)

// FunctionErrorUnhandled is Result.FunctionError for a failed invocation,
// the value Lambda's Invoke API sends in X-Amz-Function-Error.
const FunctionErrorUnhandled = "Unhandled"

// InvokeError is a function error document, {"errorMessage": ..., "errorType":
// ...}, as Lambda returns it for a failed invocation. It is also the error a
// Result.Stream returns when a streamed response fails part-way.
type InvokeError struct {
	Message    string          `json:"errorMessage"`
	Type       string          `json:"errorType"`
	StackTrace json.RawMessage `json:"stackTrace,omitempty"`
}

// Error implements error.
func (e *InvokeError) Error() string {
	if e.Type == "" {
		return e.Message
	}
	return e.Type + ": " + e.Message
}

// document returns the JSON error document Lambda would return.
func (e *InvokeError) document() []byte {
	b, err := json.Marshal(e)
	if err != nil { // unreachable: strings and valid raw JSON only
		return []byte(`{"errorMessage":"` + ErrorTypeUnknown + `","errorType":"` + ErrorTypeUnknown + `"}`)
	}
	return b
}

// sandboxError builds an error reported by the platform about an invocation,
// worded as Lambda words it: "RequestId: <id> Error: <reason>".
func sandboxError(typ, requestID, reason string) *InvokeError {
	return &InvokeError{Type: typ, Message: fmt.Sprintf("RequestId: %s Error: %s", requestID, reason)}
}

// timeoutError is Lambda's report of an invocation that passed its deadline.
func timeoutError(requestID string, timeout time.Duration) *InvokeError {
	return sandboxError(ErrorTypeTimeout, requestID, fmt.Sprintf("Task timed out after %.2f seconds", timeout.Seconds()))
}

// exitError is Lambda's report of a runtime process that exited before it
// answered an invocation.
func exitError(requestID string, err error) *InvokeError {
	if err == nil {
		return sandboxError(ErrorTypeExit, requestID, "Runtime exited without providing a reason")
	}
	return sandboxError(ErrorTypeExit, requestID, "Runtime exited with error: "+err.Error())
}

// apiError is the document the Runtime API answers a runtime's bad call with.
type apiError struct {
	Message string `json:"errorMessage"`
	Type    string `json:"errorType"`
}
