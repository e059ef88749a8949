package lambda_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/nextgo-dev/nextgo/adapters/lambda"
)

// restPrelude is the JSON head of a REST API streamed response.
type restPrelude struct {
	StatusCode        int                 `json:"statusCode"`
	Headers           map[string]string   `json:"headers"`
	MultiValueHeaders map[string][]string `json:"multiValueHeaders"`
	Cookies           []string            `json:"cookies"`
}

// readRESTPrelude reads a REST API streamed response up to and including
// the eight NUL bytes that end its prelude.
func readRESTPrelude(t *testing.T, r *bufio.Reader) restPrelude {
	t.Helper()
	var head []byte
	for !bytes.HasSuffix(head, make([]byte, 8)) {
		b, err := r.ReadByte()
		if err != nil {
			t.Fatalf("reading prelude after %q: %v", head, err)
		}
		head = append(head, b)
	}
	var p restPrelude
	mustUnmarshal(t, head[:len(head)-8], &p)
	return p
}

// restEvent is a REST API event (testdata apigw-v1-get.json) for path;
// with version set, it is an HTTP API event in payload format 1.0 instead.
func restEvent(t *testing.T, path, version string) []byte {
	t.Helper()
	payload, err := os.ReadFile("testdata/events/apigw-v1-get.json")
	if err != nil {
		t.Fatal(err)
	}
	var ev map[string]any
	mustUnmarshal(t, payload, &ev)
	ev["path"] = path
	if version != "" {
		ev["version"] = version
	}
	b, err := json.Marshal(ev)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestRESTStreamDeliversFlushedBytes(t *testing.T) {
	next := make(chan struct{})
	done := make(chan struct{})
	h := lambda.NewHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer close(done)
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Header().Set("X-Route", r.URL.Path)
		w.Header().Add("Set-Cookie", "a=1")
		w.Header().Add("Set-Cookie", "b=2")
		io.WriteString(w, "first\n")
		http.NewResponseController(w).Flush()
		<-next // the test reads the first chunk before the handler goes on
		io.WriteString(w, "second\n")
	}), lambda.Options{Streaming: true, Logger: jsonLogger(io.Discard)})

	rd, err := h.InvokeStream(lambdaContext("id-r1"), restEvent(t, "/api/stream", ""))
	if err != nil {
		t.Fatal(err)
	}
	sr, ok := rd.(*events.APIGatewayProxyStreamingResponse)
	if !ok {
		t.Fatalf("got %T, want *events.APIGatewayProxyStreamingResponse", rd)
	}
	defer sr.Close()
	if ct := sr.ContentType(); ct != "application/vnd.awslambda.http-integration-response" {
		t.Errorf("content type %q", ct)
	}
	br := bufio.NewReader(sr)
	p := readRESTPrelude(t, br)
	want := restPrelude{
		StatusCode:        200,
		Headers:           map[string]string{"Content-Type": "text/plain; charset=utf-8", "X-Route": "/api/stream"},
		MultiValueHeaders: map[string][]string{"Set-Cookie": {"a=1", "b=2"}},
	}
	if got, _ := json.Marshal(p); string(got) != string(mustMarshal(t, want)) {
		t.Errorf("prelude %s, want %s", got, mustMarshal(t, want))
	}
	first := make([]byte, len("first\n"))
	if _, err := io.ReadFull(br, first); err != nil || string(first) != "first\n" {
		t.Fatalf("first chunk %q, %v", first, err)
	}
	select {
	case <-done:
		t.Fatal("handler finished before its first chunk was read")
	default:
	}
	close(next)
	rest, err := io.ReadAll(br)
	if err != nil || string(rest) != "second\n" {
		t.Errorf("rest %q, %v", rest, err)
	}
}

func TestRESTStreamOnlyForRESTEvents(t *testing.T) {
	h := lambda.NewHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "hello")
	}), lambda.Options{Streaming: true, Logger: jsonLogger(io.Discard)})
	tests := []struct {
		name    string
		payload []byte
		stream  bool
	}{
		{"REST API", restEvent(t, "/x", ""), true},
		// An HTTP API sends format 1.0 with a version and cannot stream.
		{"HTTP API payload 1.0", restEvent(t, "/x", "1.0"), false},
		{"HTTP API payload 2.0", mustRead(t, "testdata/events/apigw-v2-get.json"), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rd, err := h.InvokeStream(lambdaContext("id-r2"), tt.payload)
			if err != nil {
				t.Fatal(err)
			}
			b, err := io.ReadAll(rd)
			if err != nil {
				t.Fatal(err)
			}
			_, streamed := rd.(*events.APIGatewayProxyStreamingResponse)
			if streamed != tt.stream {
				t.Fatalf("streamed %v (%T), want %v", streamed, rd, tt.stream)
			}
			if tt.stream {
				prelude, body, ok := bytes.Cut(b, make([]byte, 8))
				if !ok || string(body) != "hello" || !strings.Contains(string(prelude), `"statusCode":200`) {
					t.Errorf("stream %q", b)
				}
				return
			}
			var resp struct {
				StatusCode int    `json:"statusCode"`
				Body       string `json:"body"`
			}
			mustUnmarshal(t, b, &resp)
			if resp.StatusCode != 200 || resp.Body != "hello" {
				t.Errorf("buffered answer %s", b)
			}
		})
	}
}

func TestRESTStreamLargerThanBufferedLimit(t *testing.T) {
	const size = 7 << 20 // past Lambda's 6 MB buffered limit
	chunk := bytes.Repeat([]byte("0123456789abcdef"), 4096)
	h := lambda.NewHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/octet-stream")
		for n := 0; n < size; n += len(chunk) {
			w.Write(chunk)
		}
	}), lambda.Options{Streaming: true, Logger: jsonLogger(io.Discard)})
	rd, err := h.InvokeStream(lambdaContext("id-r3"), restEvent(t, "/big", ""))
	if err != nil {
		t.Fatal(err)
	}
	br := bufio.NewReader(rd)
	if p := readRESTPrelude(t, br); p.StatusCode != 200 {
		t.Errorf("prelude %+v", p)
	}
	n, err := io.Copy(io.Discard, br)
	if err != nil || n != size {
		t.Errorf("body %d bytes, %v; want %d", n, err, size)
	}
}

func mustMarshal(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func mustRead(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
