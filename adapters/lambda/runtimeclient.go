package lambda

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"reflect"
	"runtime"
	"strconv"
	"time"

	"github.com/aws/aws-lambda-go/lambda/messages"
	"github.com/aws/aws-lambda-go/lambdacontext"
)

// Runtime API (2018-06-01) names the loop uses.
const (
	runtimeAPIPrefix     = "/2018-06-01/runtime/invocation/"
	hdrRequestID         = "Lambda-Runtime-Aws-Request-Id"
	hdrDeadlineMs        = "Lambda-Runtime-Deadline-Ms"
	hdrFunctionARN       = "Lambda-Runtime-Invoked-Function-Arn"
	hdrTraceID           = "Lambda-Runtime-Trace-Id"
	hdrTenantID          = "Lambda-Runtime-Aws-Tenant-Id"
	hdrCognitoIdentity   = "Lambda-Runtime-Cognito-Identity"
	hdrClientContext     = "Lambda-Runtime-Client-Context"
	hdrXRayErrorCause    = "Lambda-Runtime-Function-Xray-Error-Cause"
	maxXRayErrorCause    = 1 << 20
	contentTypeBytes     = "application/octet-stream"
	contentTypeErrorJSON = "application/json"
)

// runtimeLoop serves invocations of h from the Runtime API at addr (the
// value of AWS_LAMBDA_RUNTIME_API) one at a time, as aws-lambda-go's
// runtime loop does for a lambda.Handler: the same context (deadline,
// lambdacontext, the trace id in _X_AMZN_TRACE_ID and the context), the
// same answers (the response as application/octet-stream; an error or a
// panic as aws-lambda-go's error document, logged, with its X-Ray cause; a
// panic then ends the loop), and the same failures. It differs only on
// the wire: one kept-alive HTTP/1.1 connection, on which each answer goes
// out with its Content-Length in one write together with the request for
// the next invocation (pipelined, RFC 9112 §9.3.2), where aws-lambda-go's
// net/http client sends a chunked body in three writes and waits for its
// 202 before asking for more; and the connection is read and written
// without waking the Go runtime's monitor thread at every invocation (see
// runtimeConn). It returns only on failure.
func runtimeLoop(addr string, h *Handler) error {
	c := &runtimeClient{addr: addr, userAgent: "aws-lambda-go/" + runtime.Version()}
	inv, err := c.next()
	for err == nil {
		inv, err = c.handle(inv, h)
	}
	return err
}

// runtimeClient is one HTTP/1.1 connection to the Runtime API.
type runtimeClient struct {
	addr      string
	userAgent string
	conn      *runtimeConn
	br        *bufio.Reader
	req       []byte // the requests being written, reused
}

// runtimeInvocation is what GET /next handed out.
type runtimeInvocation struct {
	id      string
	header  http.Header
	payload []byte
}

// next asks for the next invocation and waits for it. A kept-alive
// connection found broken is replaced once.
func (c *runtimeClient) next() (*runtimeInvocation, error) {
	for attempt := 0; ; attempt++ {
		reused := c.conn != nil
		if err := c.dial(); err != nil {
			return nil, fmt.Errorf("failed to get the next invoke: %v", err)
		}
		c.req = c.appendNext(c.req[:0])
		_, err := c.conn.Write(c.req)
		if err == nil {
			c.conn.waiting()
			var resp *http.Response
			var body []byte
			if resp, body, err = c.read(); err == nil {
				return c.invocation(resp, body)
			}
		}
		c.closeConn()
		if !reused || attempt > 0 {
			return nil, fmt.Errorf("failed to get the next invoke: %v", err)
		}
	}
}

// answer posts an invocation's answer to path and, unless last, asks for
// the next invocation in the same write, returning it.
func (c *runtimeClient) answer(path, contentType string, body, xrayCause []byte, last bool) (*runtimeInvocation, error) {
	url := "http://" + c.addr + path
	if err := c.dial(); err != nil {
		return nil, fmt.Errorf("failed to POST to %s: %v", url, err)
	}
	b := c.appendPost(c.req[:0], path, contentType, body, xrayCause)
	if !last {
		b = c.appendNext(b)
	}
	c.req = b
	if _, err := c.conn.Write(b); err != nil {
		c.closeConn()
		return nil, fmt.Errorf("failed to POST to %s: %v", url, err)
	}
	if !last {
		c.conn.waiting()
	}
	resp, _, err := c.read()
	if err != nil {
		c.closeConn()
		return nil, fmt.Errorf("failed to POST to %s: %v", url, err)
	}
	if resp.StatusCode != http.StatusAccepted {
		c.closeConn()
		return nil, fmt.Errorf("failed to POST to %s: got unexpected status code: %d", url, resp.StatusCode)
	}
	if last {
		return nil, nil
	}
	if c.conn != nil {
		if resp, body, err := c.read(); err == nil {
			return c.invocation(resp, body)
		}
		c.closeConn()
	}
	return c.next()
}

// invocation is the invocation a GET /next call was answered with.
func (c *runtimeClient) invocation(resp *http.Response, body []byte) (*runtimeInvocation, error) {
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("failed to GET http://%s%snext: got unexpected status code: %d", c.addr, runtimeAPIPrefix, resp.StatusCode)
	}
	return &runtimeInvocation{id: resp.Header.Get(hdrRequestID), header: resp.Header, payload: body}, nil
}

func (c *runtimeClient) dial() error {
	if c.conn != nil {
		return nil
	}
	conn, err := net.Dial("tcp", c.addr)
	if err != nil {
		return err
	}
	c.conn = newRuntimeConn(conn)
	c.br = bufio.NewReader(c.conn)
	return nil
}

// appendNext appends a GET /next request to b.
func (c *runtimeClient) appendNext(b []byte) []byte {
	b = append(b, "GET "+runtimeAPIPrefix+"next HTTP/1.1\r\nHost: "...)
	b = append(b, c.addr...)
	b = append(b, "\r\nUser-Agent: "...)
	b = append(b, c.userAgent...)
	return append(b, "\r\n\r\n"...)
}

// appendPost appends a POST of body to path to b.
func (c *runtimeClient) appendPost(b []byte, path, contentType string, body, xrayCause []byte) []byte {
	b = append(b, "POST "...)
	b = append(b, path...)
	b = append(b, " HTTP/1.1\r\nHost: "...)
	b = append(b, c.addr...)
	b = append(b, "\r\nUser-Agent: "...)
	b = append(b, c.userAgent...)
	b = append(b, "\r\nContent-Type: "...)
	b = append(b, contentType...)
	b = append(b, "\r\nContent-Length: "...)
	b = strconv.AppendInt(b, int64(len(body)), 10)
	if len(xrayCause) > 0 && len(xrayCause) < maxXRayErrorCause {
		b = append(b, "\r\n"+hdrXRayErrorCause+": "...)
		b = append(b, xrayCause...)
	}
	b = append(b, "\r\n\r\n"...)
	return append(b, body...)
}

// read reads one response to its end.
func (c *runtimeClient) read() (*http.Response, []byte, error) {
	resp, err := http.ReadResponse(c.br, nil)
	if err != nil {
		return nil, nil, err
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return nil, nil, err
	}
	if resp.Close {
		c.closeConn()
	}
	return resp, body, nil
}

func (c *runtimeClient) closeConn() {
	if c.conn != nil {
		c.conn.Close()
		c.conn, c.br = nil, nil
	}
}

// handle runs one invocation, sends its answer and returns the next
// invocation. It returns an error when the loop must end: the answer could
// not be sent, or the handler panicked.
func (c *runtimeClient) handle(inv *runtimeInvocation, h *Handler) (*runtimeInvocation, error) {
	ms, err := strconv.ParseInt(inv.header.Get(hdrDeadlineMs), 10, 64)
	if err != nil {
		return c.fail(inv, errorDocument(fmt.Errorf("failed to parse deadline: %v", err)))
	}
	ctx, cancel := context.WithDeadline(context.Background(), time.UnixMilli(ms))
	defer cancel()
	lc := lambdacontext.LambdaContext{
		AwsRequestID:       inv.id,
		InvokedFunctionArn: inv.header.Get(hdrFunctionARN),
		TenantID:           inv.header.Get(hdrTenantID),
	}
	if v := inv.header.Get(hdrClientContext); v != "" {
		if err := json.Unmarshal([]byte(v), &lc.ClientContext); err != nil {
			return c.fail(inv, errorDocument(fmt.Errorf("failed to unmarshal client context json: %v", err)))
		}
	}
	if v := inv.header.Get(hdrCognitoIdentity); v != "" {
		if err := json.Unmarshal([]byte(v), &lc.Identity); err != nil {
			return c.fail(inv, errorDocument(fmt.Errorf("failed to unmarshal cognito identity json: %v", err)))
		}
	}
	ctx = lambdacontext.NewContext(ctx, &lc)
	traceID := inv.header.Get(hdrTraceID)
	os.Setenv("_X_AMZN_TRACE_ID", traceID)
	ctx = context.WithValue(ctx, "x-amzn-trace-id", traceID) //nolint:staticcheck // aws-lambda-go's key

	resp, doc := invokeGuarded(ctx, h, inv.payload)
	if doc != nil {
		return c.fail(inv, doc)
	}
	next, err := c.answer(runtimeAPIPrefix+inv.id+"/response", contentTypeBytes, resp, nil, false)
	if err != nil {
		return nil, fmt.Errorf("unexpected error occurred when sending the function functionResponse to the API: %v", err)
	}
	return next, nil
}

// invokeGuarded calls the handler, turning an error or a panic into
// aws-lambda-go's error document.
func invokeGuarded(ctx context.Context, h *Handler, payload []byte) (resp []byte, doc *messages.InvokeResponse_Error) {
	defer func() {
		if v := recover(); v != nil {
			doc = panicDocument(v)
		}
	}()
	resp, err := h.Invoke(ctx, payload)
	if err != nil {
		return nil, errorDocument(err)
	}
	return resp, nil
}

// fail reports an invocation error, logging its document first, and
// returns the next invocation; after a panic (doc.ShouldExit) it asks for
// none and ends the loop.
func (c *runtimeClient) fail(inv *runtimeInvocation, doc *messages.InvokeResponse_Error) (*runtimeInvocation, error) {
	body, err := json.Marshal(doc)
	if err != nil {
		body, _ = json.Marshal(&messages.InvokeResponse_Error{Type: "Runtime.SerializationError", Message: err.Error()})
	}
	log.Printf("%s", body)
	cause, err := json.Marshal(xrayCause(doc))
	if err != nil {
		return nil, fmt.Errorf("unexpected error occurred when serializing the function error cause for X-Ray: %v", err)
	}
	next, err := c.answer(runtimeAPIPrefix+inv.id+"/error", contentTypeErrorJSON, body, cause, doc.ShouldExit)
	if err != nil {
		return nil, fmt.Errorf("unexpected error occurred when sending the function error to the API: %v", err)
	}
	if doc.ShouldExit {
		return nil, errors.New("calling the handler function resulted in a panic, the process should exit")
	}
	return next, nil
}

// errorDocument is aws-lambda-go's document of an error a handler returned.
func errorDocument(err error) *messages.InvokeResponse_Error {
	if doc, ok := err.(messages.InvokeResponse_Error); ok {
		return &doc
	}
	return &messages.InvokeResponse_Error{Message: err.Error(), Type: typeName(err)}
}

// panicDocument is aws-lambda-go's document of a handler's panic.
func panicDocument(v any) *messages.InvokeResponse_Error {
	if doc, ok := v.(messages.InvokeResponse_Error); ok {
		return &doc
	}
	pcs := make([]uintptr, 32)
	n := runtime.Callers(3, pcs) // Callers, panicDocument, the deferred recover
	var stack []*messages.InvokeResponse_Error_StackFrame
	frames := runtime.CallersFrames(pcs[:n])
	for {
		f, more := frames.Next()
		stack = append(stack, &messages.InvokeResponse_Error_StackFrame{Path: f.File, Line: int32(f.Line), Label: f.Function})
		if !more {
			break
		}
	}
	return &messages.InvokeResponse_Error{Message: fmt.Sprintf("%v", v), Type: typeName(v), StackTrace: stack, ShouldExit: true}
}

// typeName is the name of v's type, or of the type it points to.
func typeName(v any) string {
	t := reflect.TypeOf(v)
	if t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	return t.Name()
}

// xrayCause is the Lambda-Runtime-Function-Xray-Error-Cause document of an
// error, as aws-lambda-go writes it.
func xrayCause(doc *messages.InvokeResponse_Error) any {
	type exception struct {
		Type    string                                      `json:"type"`
		Message string                                      `json:"message"`
		Stack   []*messages.InvokeResponse_Error_StackFrame `json:"stack"`
	}
	paths := make([]string, 0, len(doc.StackTrace))
	seen := make(map[string]bool, len(doc.StackTrace))
	for _, f := range doc.StackTrace {
		if !seen[f.Path] {
			seen[f.Path] = true
			paths = append(paths, f.Path)
		}
	}
	cwd, _ := os.Getwd()
	return struct {
		WorkingDirectory string      `json:"working_directory"`
		Exceptions       []exception `json:"exceptions"`
		Paths            []string    `json:"paths"`
	}{cwd, []exception{{Type: doc.Type, Message: doc.Message, Stack: doc.StackTrace}}, paths}
}
