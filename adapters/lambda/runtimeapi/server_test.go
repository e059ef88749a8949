package runtimeapi

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"
)

// The tests in this file play the runtime by hand against one environment's
// Runtime API, checking its wire behaviour call by call.

const testARN = "arn:aws:lambda:us-east-1:000000000000:function:wire"

type wire struct {
	t   *testing.T
	srv *runtimeServer
	ctx context.Context
}

func newWire(t *testing.T) *wire {
	t.Helper()
	srv, err := newRuntimeServer(testARN)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.close)
	return &wire{t: t, srv: srv, ctx: testContext(t)}
}

func (w *wire) url(path string) string {
	return "http://" + w.srv.Addr() + "/2018-06-01/runtime/" + path
}

// call makes one Runtime API request and returns its status, headers and
// body.
func (w *wire) call(method, path, body string, header map[string]string) (int, http.Header, string) {
	w.t.Helper()
	req, err := http.NewRequestWithContext(w.ctx, method, w.url(path), strings.NewReader(body))
	if err != nil {
		w.t.Fatal(err)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		w.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		w.t.Fatal(err)
	}
	return resp.StatusCode, resp.Header, string(b)
}

// next enqueues an invocation and takes it with GET /next.
func (w *wire) next(payload string) (*invocation, http.Header, string) {
	w.t.Helper()
	inv := newInvocation([]byte(payload), 2*time.Second)
	w.srv.enqueue(inv)
	status, h, body := w.call(http.MethodGet, "invocation/next", "", nil)
	if status != http.StatusOK {
		w.t.Fatalf("GET next = %d %s", status, body)
	}
	return inv, h, body
}

func (w *wire) answer(inv *invocation) *Result {
	w.t.Helper()
	select {
	case res := <-inv.answer:
		return res
	case <-w.ctx.Done():
		w.t.Fatal("no answer")
		return nil
	}
}

func transitionError(from, to string) string {
	return `{"errorMessage":"State transition from ` + from + ` to ` + to + ` failed for runtime. Error: State transition is not allowed","errorType":"InvalidStateTransition"}` + "\n"
}

const accepted = `{"status":"OK"}` + "\n"

func TestRuntimeAPINext(t *testing.T) {
	w := newWire(t)
	inv, h, body := w.next(`{"hello":"world"}`)
	select {
	case <-inv.dispatched:
	default:
		t.Fatal("invocation not marked dispatched")
	}
	if body != `{"hello":"world"}` {
		t.Errorf("body = %q", body)
	}
	for k, want := range map[string]string{
		"Lambda-Runtime-Aws-Request-Id":       inv.id,
		"Lambda-Runtime-Deadline-Ms":          strconv.FormatInt(inv.deadline.UnixMilli(), 10),
		"Lambda-Runtime-Invoked-Function-Arn": testARN,
		"Lambda-Runtime-Trace-Id":             inv.traceID,
		"Content-Type":                        "application/json",
		"Content-Length":                      "17",
	} {
		if got := h.Get(k); got != want {
			t.Errorf("%s = %q, want %q", k, got, want)
		}
	}
	if len(inv.id) != 36 || inv.id[14] != '4' {
		t.Errorf("request id %q is not a UUIDv4", inv.id)
	}
}

func TestRuntimeAPIBufferedResponse(t *testing.T) {
	w := newWire(t)
	inv, _, _ := w.next(`{}`)
	status, h, body := w.call(http.MethodPost, "invocation/"+inv.id+"/response", `{"ok":true}`, map[string]string{"Content-Type": "application/json"})
	if status != http.StatusAccepted || body != accepted || h.Get("Content-Type") != "application/json" {
		t.Fatalf("POST response = %d %q %q", status, h.Get("Content-Type"), body)
	}
	res := w.answer(inv)
	if string(res.Payload) != `{"ok":true}` || res.ContentType != "application/json" || res.FunctionError != "" || res.RequestID != inv.id || res.Stream != nil {
		t.Errorf("result = %+v", res)
	}
	// The runtime asks for more work: the environment is free again.
	ready := w.srv.awaitNext()
	polled := make(chan error, 1)
	go func() {
		resp, err := http.Get(w.url("invocation/next"))
		if err == nil {
			resp.Body.Close()
		}
		polled <- err
	}()
	select {
	case <-ready:
	case <-w.ctx.Done():
		t.Fatal("awaitNext never fired")
	}
	w.srv.close() // releases the blocked /next
	<-polled
}

func TestRuntimeAPIBadCalls(t *testing.T) {
	type call struct {
		method, path, body string
		header             map[string]string
		status             int
		want               string
	}
	const badID = "00000000-0000-4000-8000-000000000000"
	tests := []struct {
		name  string
		setup func(w *wire) *invocation // runs before the calls; may return the invocation in flight
		calls func(id string) []call
	}{
		{
			name: "answers before any invocation",
			calls: func(string) []call {
				return []call{
					{"POST", "invocation/" + badID + "/response", "{}", nil, 403, transitionError("Started", "InvocationResponse")},
					{"POST", "invocation/" + badID + "/error", "{}", nil, 403, transitionError("Started", "InvocationErrorResponse")},
				}
			},
		},
		{
			name:  "calls during an invocation",
			setup: func(w *wire) *invocation { inv, _, _ := w.next(`{}`); return inv },
			calls: func(id string) []call {
				return []call{
					{"POST", "invocation/" + badID + "/response", "{}", nil, 400, `{"errorMessage":"Invalid request ID","errorType":"InvalidRequestID"}` + "\n"},
					{"POST", "invocation/" + badID + "/error", "{}", nil, 400, `{"errorMessage":"Invalid request ID","errorType":"InvalidRequestID"}` + "\n"},
					{"POST", "init/error", "{}", nil, 403, transitionError("Running", "InitError")},
					{"GET", "invocation/next", "", nil, 403, transitionError("Running", "Ready")},
					{"POST", "invocation/" + id + "/response", "{}", map[string]string{"Lambda-Runtime-Function-Response-Mode": "chunky"}, 400, `{"errorMessage":"Invalid function response mode","errorType":"InvalidFunctionResponseMode"}` + "\n"},
					{"POST", "invocation/" + id + "/response", "{}", nil, 202, accepted},
					{"POST", "invocation/" + id + "/response", "{}", nil, 403, transitionError("RuntimeResponseSentState", "InvocationResponse")},
					{"POST", "invocation/" + id + "/error", "{}", nil, 403, transitionError("RuntimeResponseSentState", "InvocationErrorResponse")},
					{"POST", "init/error", "{}", nil, 403, transitionError("RuntimeResponseSentState", "InitError")},
				}
			},
		},
		{
			name: "calls after an init error",
			calls: func(string) []call {
				return []call{
					{"POST", "init/error", `{"errorMessage":"x","errorType":"Y"}`, nil, 202, accepted},
					{"POST", "init/error", "{}", nil, 403, transitionError("InitError", "InitError")},
					{"GET", "invocation/next", "", nil, 403, transitionError("InitError", "Ready")},
					{"POST", "invocation/" + badID + "/response", "{}", nil, 403, transitionError("InitError", "InvocationResponse")},
				}
			},
		},
		{
			name: "unknown routes and methods",
			calls: func(string) []call {
				return []call{
					{"POST", "invocation/next", "", nil, 405, "Method Not Allowed\n"},
					{"GET", "invocation/" + badID + "/response", "", nil, 405, "Method Not Allowed\n"},
					{"GET", "nope", "", nil, 404, "404 page not found\n"},
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := newWire(t)
			id := ""
			if tt.setup != nil {
				id = tt.setup(w).id
			}
			for i, c := range tt.calls(id) {
				status, _, body := w.call(c.method, c.path, c.body, c.header)
				if status != c.status || body != c.want {
					t.Errorf("call %d %s %s = %d %q, want %d %q", i, c.method, c.path, status, body, c.status, c.want)
				}
			}
		})
	}
}

func TestRuntimeAPIErrors(t *testing.T) {
	tests := []struct {
		name        string
		header      map[string]string
		body        string
		errorType   string
		payload     string
		contentType string
	}{
		{
			name:        "aws-lambda-go style document",
			header:      map[string]string{"Content-Type": "application/json"},
			body:        `{"errorMessage":"boom","errorType":"string","stackTrace":[]}`,
			errorType:   "string",
			payload:     `{"errorMessage":"boom","errorType":"string","stackTrace":[]}`,
			contentType: "application/json",
		},
		{
			name:        "type from the header",
			header:      map[string]string{"Lambda-Runtime-Function-Error-Type": "Custom.Failure", "Content-Type": "application/json"},
			body:        `{"errorMessage":"boom","errorType":"Other"}`,
			errorType:   "Custom.Failure",
			payload:     `{"errorMessage":"boom","errorType":"Other"}`,
			contentType: "application/json",
		},
		{
			name:        "empty body",
			header:      map[string]string{"Lambda-Runtime-Function-Error-Type": "Custom.Failure"},
			errorType:   "Custom.Failure",
			payload:     `{"errorMessage":"Unknown application error occurred","errorType":"Custom.Failure"}`,
			contentType: "application/json",
		},
		{
			name:        "no type at all",
			body:        "plain text failure",
			header:      map[string]string{"Content-Type": "text/plain"},
			errorType:   ErrorTypeUnknown,
			payload:     "plain text failure",
			contentType: "text/plain",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := newWire(t)
			inv, _, _ := w.next(`{}`)
			status, _, body := w.call(http.MethodPost, "invocation/"+inv.id+"/error", tt.body, tt.header)
			if status != http.StatusAccepted || body != accepted {
				t.Fatalf("POST error = %d %q", status, body)
			}
			res := w.answer(inv)
			if res.FunctionError != FunctionErrorUnhandled || res.ErrorType != tt.errorType || string(res.Payload) != tt.payload || res.ContentType != tt.contentType {
				t.Errorf("result = %q %q %q %q, want %q %q %q", res.FunctionError, res.ErrorType, res.Payload, res.ContentType, tt.errorType, tt.payload, tt.contentType)
			}
		})
	}
}

func TestRuntimeAPIPayloadLimit(t *testing.T) {
	const tooLarge = `{"errorMessage":"Exceeded maximum allowed payload size (6291556 bytes).","errorType":"RequestEntityTooLarge"}` + "\n"
	for _, path := range []string{"response", "error"} {
		t.Run(path+" at the limit", func(t *testing.T) {
			w := newWire(t)
			inv, _, _ := w.next(`{}`)
			status, _, body := w.call(http.MethodPost, "invocation/"+inv.id+"/"+path, strings.Repeat("x", MaxResponsePayload), nil)
			if status != http.StatusAccepted || body != accepted {
				t.Fatalf("POST = %d %q", status, body)
			}
			if res := w.answer(inv); len(res.Payload) != MaxResponsePayload {
				t.Errorf("payload of %d bytes", len(res.Payload))
			}
		})
		t.Run(path+" over the limit", func(t *testing.T) {
			w := newWire(t)
			inv, _, _ := w.next(`{}`)
			status, _, body := w.call(http.MethodPost, "invocation/"+inv.id+"/"+path, strings.Repeat("x", MaxResponsePayload+1), nil)
			if status != http.StatusRequestEntityTooLarge || body != tooLarge {
				t.Fatalf("POST = %d %q", status, body)
			}
			res := w.answer(inv)
			want := `{"errorMessage":"Response payload size exceeded maximum allowed payload size (6291556 bytes).","errorType":"Function.ResponseSizeTooLarge"}`
			if res.FunctionError != FunctionErrorUnhandled || string(res.Payload) != want {
				t.Errorf("result = %q %s", res.FunctionError, res.Payload)
			}
		})
	}
}

func TestRuntimeAPIInitError(t *testing.T) {
	w := newWire(t)
	status, _, body := w.call(http.MethodPost, "init/error", `{"errorMessage":"no config","errorType":"Init.Bad"}`, map[string]string{"Lambda-Runtime-Function-Error-Type": "Init.Bad"})
	if status != http.StatusAccepted || body != accepted {
		t.Fatalf("POST init/error = %d %q", status, body)
	}
	select {
	case f := <-w.srv.initErr:
		if f.errorType != "Init.Bad" || string(f.body) != `{"errorMessage":"no config","errorType":"Init.Bad"}` {
			t.Errorf("init failure = %q %q", f.errorType, f.body)
		}
	default:
		t.Fatal("init failure not recorded")
	}
}

// streamingPost starts a chunked POST to /response the way a streaming
// runtime sends one; the test writes the body through the returned pipe.
func (w *wire) streamingPost(id string, header map[string]string) (*io.PipeWriter, http.Header, <-chan string) {
	pr, pw := io.Pipe()
	req, err := http.NewRequestWithContext(w.ctx, http.MethodPost, w.url("invocation/"+id+"/response"), pr)
	if err != nil {
		w.t.Fatal(err)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	req.Trailer = http.Header{headerErrorType: nil, trailerErrorBody: nil}
	done := make(chan string, 1)
	go func() {
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			done <- err.Error()
			return
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		done <- fmt.Sprintf("%d %s", resp.StatusCode, b)
	}()
	return pw, req.Trailer, done
}

func (w *wire) wait(done <-chan string) string {
	w.t.Helper()
	select {
	case s := <-done:
		return s
	case <-w.ctx.Done():
		w.t.Fatal("the runtime's POST never finished")
		return ""
	}
}

func TestRuntimeAPIStreaming(t *testing.T) {
	tests := []struct {
		name        string
		header      map[string]string
		head        string // written before the first chunk
		prelude     *StreamPrelude
		trailerType string
		trailerBody string
		wantErr     string
	}{
		{
			name:   "response mode header, raw body",
			header: map[string]string{"Lambda-Runtime-Function-Response-Mode": "streaming", "Content-Type": "text/plain"},
		},
		{
			name:    "aws-lambda-go http integration response",
			header:  map[string]string{"Content-Type": contentTypeStreamed},
			head:    `{"statusCode":201,"headers":{"X-A":"1"},"cookies":["c=1"]}` + "\x00\x00\x00\x00\x00\x00\x00\x00",
			prelude: &StreamPrelude{StatusCode: 201, Headers: map[string]string{"X-A": "1"}, Cookies: []string{"c=1"}},
		},
		{
			name:    "prelude without a status",
			header:  map[string]string{"Content-Type": contentTypeStreamed, "Lambda-Runtime-Function-Response-Mode": "Streaming"},
			head:    `{}` + "\x00\x00\x00\x00\x00\x00\x00\x00",
			prelude: &StreamPrelude{StatusCode: 200},
		},
		{
			name:        "error trailer",
			header:      map[string]string{"Lambda-Runtime-Function-Response-Mode": "streaming"},
			trailerType: "errorString",
			trailerBody: base64.StdEncoding.EncodeToString([]byte(`{"errorMessage":"disk on fire","errorType":"errorString"}`)),
			wantErr:     "errorString: disk on fire",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := newWire(t)
			inv, _, _ := w.next(`{}`)
			pw, trailer, done := w.streamingPost(inv.id, tt.header)
			if tt.head != "" {
				pw.Write([]byte(tt.head))
			}
			pw.Write([]byte("chunk one;"))

			res := w.answer(inv)
			if res.Stream == nil {
				t.Fatalf("not streamed: %+v", res)
			}
			if fmt.Sprint(res.Prelude) != fmt.Sprint(tt.prelude) {
				t.Errorf("prelude = %+v, want %+v", res.Prelude, tt.prelude)
			}
			if res.ContentType != tt.header["Content-Type"] {
				t.Errorf("ContentType = %q", res.ContentType)
			}
			// The first chunk is readable while the runtime has not
			// written the second.
			buf := make([]byte, 64)
			n, err := io.ReadAtLeast(res.Stream, buf, len("chunk one;"))
			if err != nil || string(buf[:n]) != "chunk one;" {
				t.Fatalf("first read = %q, %v", buf[:n], err)
			}
			pw.Write([]byte("chunk two"))
			if tt.trailerType != "" {
				trailer.Set(headerErrorType, tt.trailerType)
				trailer.Set(trailerErrorBody, tt.trailerBody)
			}
			pw.Close()
			rest, err := io.ReadAll(res.Stream)
			if string(rest) != "chunk two" {
				t.Errorf("rest = %q", rest)
			}
			var e *InvokeError
			switch {
			case tt.wantErr == "" && err != nil:
				t.Errorf("stream error: %v", err)
			case tt.wantErr != "" && (!errors.As(err, &e) || e.Error() != tt.wantErr):
				t.Errorf("stream error = %v, want %s", err, tt.wantErr)
			}
			if got := w.wait(done); got != "202 "+accepted {
				t.Errorf("runtime got %q", got)
			}
			select {
			case <-inv.streamDone:
			default:
				t.Error("streamDone not closed")
			}
		})
	}
}

func TestRuntimeAPIStreamBadPrelude(t *testing.T) {
	tests := []struct {
		name, body, message string
	}{
		{"not JSON", "nope\x00\x00\x00\x00\x00\x00\x00\x00rest", "http integration response prelude: invalid character 'o' in literal null (expecting 'u')"},
		{"no separator", `{"statusCode":200}`, "http integration response ended before its prelude separator"},
		{"short separator", "{}\x00\x00\x00", "http integration response ended inside its prelude separator"},
		{"bad separator", "{}\x00\x00\x00x\x00\x00\x00\x00", "http integration response prelude is not followed by 8 NUL bytes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := newWire(t)
			inv, _, _ := w.next(`{}`)
			status, _, body := w.call(http.MethodPost, "invocation/"+inv.id+"/response", tt.body, map[string]string{"Content-Type": contentTypeStreamed})
			if status != http.StatusAccepted || body != accepted {
				t.Fatalf("POST = %d %q", status, body)
			}
			res := w.answer(inv)
			want := (&InvokeError{Type: ErrorTypeInvalidResponse, Message: tt.message}).document()
			if res.FunctionError != FunctionErrorUnhandled || string(res.Payload) != string(want) {
				t.Errorf("result = %q %s, want %s", res.FunctionError, res.Payload, want)
			}
		})
	}
}

func TestRuntimeAPIStreamAbort(t *testing.T) {
	w := newWire(t)
	inv, _, _ := w.next(`{}`)
	pw, _, done := w.streamingPost(inv.id, map[string]string{"Lambda-Runtime-Function-Response-Mode": "streaming"})
	pw.Write([]byte("partial"))
	res := w.answer(inv)
	buf := make([]byte, 16)
	if n, err := res.Stream.Read(buf); string(buf[:n]) != "partial" || err != nil {
		t.Fatalf("read = %q, %v", buf[:n], err)
	}
	// The supervisor's verdict (here a timeout) is what the reader sees.
	verdict := timeoutError(inv.id, time.Second)
	inv.abort(verdict)
	if _, err := res.Stream.Read(buf); !errors.Is(err, verdict) {
		t.Errorf("read after abort: %v, want %v", err, verdict)
	}
	pw.CloseWithError(errors.New("runtime killed"))
	w.wait(done)
}
