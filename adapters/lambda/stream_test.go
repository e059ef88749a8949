package lambda_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/nextgo-dev/nextgo/adapters/lambda"
)

// urlEvent is a function URL event for path.
func urlEvent(t *testing.T, path string) []byte {
	t.Helper()
	payload, err := os.ReadFile("testdata/events/url-get.json")
	if err != nil {
		t.Fatal(err)
	}
	var ev map[string]any
	mustUnmarshal(t, payload, &ev)
	ev["rawPath"] = path
	b, err := json.Marshal(ev)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// prelude is the JSON head of a streamed function URL response.
type prelude struct {
	StatusCode int               `json:"statusCode"`
	Headers    map[string]string `json:"headers"`
	Cookies    []string          `json:"cookies"`
}

// readPrelude reads a streamed response up to and including the eight NUL
// bytes that end its prelude.
func readPrelude(t *testing.T, r *bufio.Reader) prelude {
	t.Helper()
	var head []byte
	for !bytes.HasSuffix(head, make([]byte, 8)) {
		b, err := r.ReadByte()
		if err != nil {
			t.Fatalf("reading prelude after %q: %v", head, err)
		}
		head = append(head, b)
	}
	var p prelude
	mustUnmarshal(t, head[:len(head)-8], &p)
	return p
}

func streamingResponse(t *testing.T, rd io.Reader) *events.LambdaFunctionURLStreamingResponse {
	t.Helper()
	sr, ok := rd.(*events.LambdaFunctionURLStreamingResponse)
	if !ok {
		t.Fatalf("got %T, want a streaming response", rd)
	}
	if sr.ContentType() != "application/vnd.awslambda.http-integration-response" {
		t.Errorf("content type %q", sr.ContentType())
	}
	return sr
}

func TestStreamDeliversFlushedBytes(t *testing.T) {
	next := make(chan struct{})
	done := make(chan struct{})
	h := lambda.NewHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer close(done)
		w.Header().Set("Content-Type", "text/event-stream")
		w.Header().Add("Set-Cookie", "a=1")
		w.Header().Add("Set-Cookie", "b=2")
		io.WriteString(w, "data: first\n\n")
		w.(http.Flusher).Flush()
		<-next // the test reads the first event before the handler goes on
		io.WriteString(w, "data: second\n\n")
	}), lambda.Options{Streaming: true, Logger: jsonLogger(io.Discard)})

	rd, err := h.InvokeStream(lambdaContext("id-s1"), urlEvent(t, "/api/events"))
	if err != nil {
		t.Fatal(err)
	}
	sr := streamingResponse(t, rd)
	defer sr.Close()
	br := bufio.NewReader(sr)
	p := readPrelude(t, br)
	if p.StatusCode != 200 || p.Headers["Content-Type"] != "text/event-stream" || len(p.Cookies) != 2 || p.Headers["Set-Cookie"] != "" {
		t.Errorf("prelude %+v", p)
	}
	first := make([]byte, len("data: first\n\n"))
	if _, err := io.ReadFull(br, first); err != nil || string(first) != "data: first\n\n" {
		t.Fatalf("first chunk %q, %v", first, err)
	}
	select {
	case <-done:
		t.Fatal("handler finished before its first chunk was read")
	default:
	}
	close(next)
	rest, err := io.ReadAll(br)
	if err != nil || string(rest) != "data: second\n\n" {
		t.Errorf("rest %q, %v", rest, err)
	}
}

func TestStreamCommitsWithoutFlush(t *testing.T) {
	big := strings.Repeat("x", 10_000)
	tests := []struct {
		name    string
		handler http.HandlerFunc
		status  int
		ctype   string
		body    string
	}{
		{"returns without writing", func(w http.ResponseWriter, r *http.Request) {}, 200, "", ""},
		{"status only", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(204) }, 204, "", ""},
		{"sniffed at commit", func(w http.ResponseWriter, r *http.Request) {
			io.WriteString(w, "<html><body>hi</body></html>")
		}, 200, "text/html; charset=utf-8", "<html><body>hi</body></html>"},
		{"more than a chunk", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/plain")
			io.WriteString(w, big)
		}, 200, "text/plain", big},
		{"binary stays raw", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "image/png")
			w.Write(pngBytes)
		}, 200, "image/png", string(pngBytes)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := lambda.NewHandler(tt.handler, lambda.Options{Streaming: true, Logger: jsonLogger(io.Discard)})
			rd, err := h.InvokeStream(context.Background(), urlEvent(t, "/"))
			if err != nil {
				t.Fatal(err)
			}
			br := bufio.NewReader(streamingResponse(t, rd))
			p := readPrelude(t, br)
			body, err := io.ReadAll(br)
			if err != nil {
				t.Fatal(err)
			}
			if p.StatusCode != tt.status || p.Headers["Content-Type"] != tt.ctype || string(body) != tt.body {
				t.Errorf("got %d %q %d bytes, want %d %q %d bytes", p.StatusCode, p.Headers["Content-Type"], len(body), tt.status, tt.ctype, len(tt.body))
			}
		})
	}
}

func TestStreamFailures(t *testing.T) {
	tests := []struct {
		name    string
		opts    lambda.Options
		event   func(t *testing.T) []byte
		handler http.HandlerFunc
		status  int    // prelude status
		body    string // what can be read
		readErr bool   // the stream ends with an error
		log     string
	}{
		{"panic before commit", lambda.Options{}, func(t *testing.T) []byte { return urlEvent(t, "/") },
			func(w http.ResponseWriter, r *http.Request) {
				io.WriteString(w, "never sent")
				panic("early")
			}, 500, "Internal Server Error", false, "handler panicked"},
		{"panic after commit", lambda.Options{}, func(t *testing.T) []byte { return urlEvent(t, "/") },
			func(w http.ResponseWriter, r *http.Request) {
				io.WriteString(w, "sent")
				w.(http.Flusher).Flush()
				panic("late")
			}, 200, "sent", true, "handler panicked"},
		{"deadline before commit", lambda.Options{MaxDuration: 20 * time.Millisecond}, func(t *testing.T) []byte { return urlEvent(t, "/") },
			func(w http.ResponseWriter, r *http.Request) {
				<-r.Context().Done()
			}, 504, "Gateway Timeout", false, "exceeded its deadline; answered 504"},
		{"deadline after commit", lambda.Options{MaxDuration: 50 * time.Millisecond}, func(t *testing.T) []byte { return urlEvent(t, "/") },
			func(w http.ResponseWriter, r *http.Request) {
				io.WriteString(w, "partial")
				w.(http.Flusher).Flush()
				<-r.Context().Done()
				io.WriteString(w, "never")
				w.(http.Flusher).Flush()
			}, 200, "partial", true, "response cut short"},
		{"body over the limit", lambda.Options{BodyLimit: 1}, func(t *testing.T) []byte {
			var ev map[string]any
			mustUnmarshal(t, urlEvent(t, "/"), &ev)
			ev["body"] = "too long"
			b, _ := json.Marshal(ev)
			return b
		}, func(w http.ResponseWriter, r *http.Request) { t.Error("handler called") }, 413, "Body exceeded 1 limit", false, "over limit"},
		{"bad base64", lambda.Options{}, func(t *testing.T) []byte {
			var ev map[string]any
			mustUnmarshal(t, urlEvent(t, "/"), &ev)
			ev["body"], ev["isBase64Encoded"] = "!!", true
			b, _ := json.Marshal(ev)
			return b
		}, func(w http.ResponseWriter, r *http.Request) { t.Error("handler called") }, 400, "Bad Request", false, "malformed event"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var logs syncBuffer
			tt.opts.Streaming = true
			tt.opts.Logger = jsonLogger(&logs)
			h := lambda.NewHandler(tt.handler, tt.opts)
			rd, err := h.InvokeStream(lambdaContext("id-s2"), tt.event(t))
			if err != nil {
				t.Fatal(err)
			}
			br := bufio.NewReader(streamingResponse(t, rd))
			p := readPrelude(t, br)
			body, err := io.ReadAll(br)
			if p.StatusCode != tt.status || string(body) != tt.body || (err != nil) != tt.readErr {
				t.Errorf("got %d %q err=%v, want %d %q err=%v", p.StatusCode, body, err, tt.status, tt.body, tt.readErr)
			}
			// Log lines may come from the handler's goroutine: wait for them.
			for i := 0; i < 200 && !strings.Contains(logs.String(), tt.log); i++ {
				time.Sleep(5 * time.Millisecond)
			}
			if l := logs.String(); !strings.Contains(l, tt.log) || !strings.Contains(l, `"request_id":"id-s2"`) {
				t.Errorf("log lacks %q: %s", tt.log, l)
			}
		})
	}
}

func TestInvokeStreamBuffersOtherKinds(t *testing.T) {
	payload, err := os.ReadFile("testdata/events/apigw-v2-get.json")
	if err != nil {
		t.Fatal(err)
	}
	h := lambda.NewHandler(&okHandler{}, lambda.Options{Streaming: true, Logger: jsonLogger(io.Discard)})
	want, err := h.Invoke(context.Background(), payload)
	if err != nil {
		t.Fatal(err)
	}
	rd, err := h.InvokeStream(context.Background(), payload)
	if err != nil {
		t.Fatal(err)
	}
	ct, ok := rd.(interface{ ContentType() string })
	if !ok || ct.ContentType() != "application/json" {
		t.Errorf("reader %T has no JSON content type", rd)
	}
	if _, err := json.Marshal(rd); err == nil {
		t.Error("the buffered reader must not JSON-encode, or aws-lambda-go would encode it")
	}
	got, err := io.ReadAll(rd)
	if err != nil || !bytes.Equal(got, want) {
		t.Errorf("got %s, want %s", got, want)
	}
	if _, err := h.InvokeStream(context.Background(), []byte("nope")); !errors.Is(err, lambda.ErrMalformedEvent) {
		t.Errorf("err = %v", err)
	}
}
