package lambda_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/nextgo-dev/nextgo/adapters/lambda"
)

// The tests below run lambda.Start for real: this test binary starts
// itself as a child process with childEnv set, and the child serves
// invocations from a minimal Lambda Runtime API on loopback.
const childEnv = "NEXTGO_LAMBDA_TEST_CHILD"

func TestMain(m *testing.M) {
	if mode := os.Getenv(childEnv); mode != "" {
		runChild(mode)
		return // not reached: Start does not return
	}
	os.Exit(m.Run())
}

func runChild(mode string) {
	control := os.Getenv("NEXTGO_LAMBDA_TEST_CONTROL")
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		slog.InfoContext(r.Context(), "handled", "path", r.URL.Path)
		switch r.URL.Path {
		case "/panic":
			panic("child panic")
		case "/stream":
			w.Header().Set("Content-Type", "text/plain")
			io.WriteString(w, "first;")
			w.(http.Flusher).Flush()
			// Wait until the Runtime API has seen the first chunk.
			resp, err := http.Get(control)
			if err != nil {
				panic(err)
			}
			resp.Body.Close()
			io.WriteString(w, "second")
		default:
			fmt.Fprintf(w, "%s %s %s", lambda.RequestID(r.Context()), lambda.EventKind(r.Context()), r.URL.Path)
		}
	})
	lambda.Start(h, lambda.Options{Streaming: mode == "streaming", Route: "/test", File: "pages/api/test.go"})
}

// invocation is one event the fake Runtime API hands out, and what came
// back for it.
type invocation struct {
	id          string
	payload     []byte
	kind        string // "response" or "error"
	contentType string
	body        []byte
}

// runtimeAPI is a minimal Lambda Runtime API: /next hands out the queued
// invocations in order, /response and /error record the answers.
type runtimeAPI struct {
	t         *testing.T
	queue     chan *invocation
	byID      map[string]*invocation
	answered  chan *invocation
	firstSeen chan struct{} // closed once a streamed "first;" chunk arrived
}

func newRuntimeAPI(t *testing.T, invs []*invocation) (*runtimeAPI, *httptest.Server) {
	api := &runtimeAPI{
		t:         t,
		queue:     make(chan *invocation, len(invs)),
		byID:      map[string]*invocation{},
		answered:  make(chan *invocation, len(invs)),
		firstSeen: make(chan struct{}),
	}
	for _, inv := range invs {
		api.queue <- inv
		api.byID[inv.id] = inv
	}
	srv := httptest.NewServer(api) // listens on 127.0.0.1
	t.Cleanup(srv.Close)
	return api, srv
}

func (api *runtimeAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	const prefix = "/2018-06-01/runtime/invocation/"
	switch {
	case r.URL.Path == "/control":
		select {
		case <-api.firstSeen:
		case <-r.Context().Done():
		}
	case r.Method == http.MethodGet && r.URL.Path == prefix+"next":
		select {
		case inv := <-api.queue:
			w.Header().Set("Lambda-Runtime-Aws-Request-Id", inv.id)
			w.Header().Set("Lambda-Runtime-Deadline-Ms", strconv.FormatInt(time.Now().Add(time.Minute).UnixMilli(), 10))
			w.Header().Set("Lambda-Runtime-Invoked-Function-Arn", "arn:aws:lambda:eu-west-1:123456789012:function:test")
			w.Write(inv.payload)
		case <-r.Context().Done():
		}
	case r.Method == http.MethodPost && strings.HasPrefix(r.URL.Path, prefix):
		id, kind, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, prefix), "/")
		inv := api.byID[id]
		if inv == nil {
			http.Error(w, "unknown invocation", http.StatusBadRequest)
			return
		}
		inv.kind, inv.contentType = kind, r.Header.Get("Content-Type")
		body, err := api.readBody(r)
		if err != nil {
			api.t.Errorf("reading the answer to %s: %v", id, err)
		}
		inv.body = body
		w.WriteHeader(http.StatusAccepted)
		api.answered <- inv
	default:
		http.NotFound(w, r)
	}
}

// readBody reads an answer; a streamed one is read in steps, and
// firstSeen is closed as soon as its first chunk is in.
func (api *runtimeAPI) readBody(r *http.Request) ([]byte, error) {
	if r.Header.Get("Content-Type") != "application/vnd.awslambda.http-integration-response" {
		return io.ReadAll(r.Body)
	}
	var got []byte
	buf := make([]byte, 512)
	for !bytes.Contains(got, []byte("first;")) {
		n, err := r.Body.Read(buf)
		got = append(got, buf[:n]...)
		if err != nil {
			return got, err
		}
	}
	close(api.firstSeen)
	rest, err := io.ReadAll(r.Body)
	return append(got, rest...), err
}

// startChild runs this test binary as a Lambda function against api.
func startChild(t *testing.T, mode string, srv *httptest.Server) *syncBuffer {
	t.Helper()
	host := strings.TrimPrefix(srv.URL, "http://")
	if h, _, err := net.SplitHostPort(host); err != nil || h != "127.0.0.1" {
		t.Fatalf("runtime API must be on loopback, got %s", host)
	}
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(),
		childEnv+"="+mode,
		"AWS_LAMBDA_RUNTIME_API="+host,
		"NEXTGO_LAMBDA_TEST_CONTROL="+srv.URL+"/control",
		"AWS_LAMBDA_FUNCTION_NAME=test",
	)
	var stderr syncBuffer
	cmd.Stderr = &stderr
	cmd.Stdout = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
		if t.Failed() || testing.Verbose() {
			t.Logf("child output:\n%s", stderr.String())
		}
	})
	return &stderr
}

// await waits for the answers to n invocations.
func (api *runtimeAPI) await(t *testing.T, n int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for i := 0; i < n; i++ {
		select {
		case <-api.answered:
		case <-ctx.Done():
			t.Fatalf("only %d of %d invocations answered", i, n)
		}
	}
}

func readEvent(t *testing.T, name string, edit func(ev map[string]any)) []byte {
	t.Helper()
	b, err := os.ReadFile("testdata/events/" + name)
	if err != nil {
		t.Fatal(err)
	}
	if edit == nil {
		return b
	}
	var ev map[string]any
	mustUnmarshal(t, b, &ev)
	edit(ev)
	out, err := json.Marshal(ev)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestStartServesInvocations(t *testing.T) {
	path := func(p string) func(ev map[string]any) { return func(ev map[string]any) { ev["rawPath"] = p } }
	invs := []*invocation{
		{id: "id-a", payload: readEvent(t, "apigw-v2-get.json", path("/hello"))},
		{id: "id-b", payload: readEvent(t, "apigw-v2-get.json", path("/panic"))},
		{id: "id-c", payload: readEvent(t, "apigw-v2-get.json", path("/again"))},
		{id: "id-d", payload: []byte(`{"Records":[]}`)},
		{id: "id-e", payload: readEvent(t, "alb-single.json", nil)},
	}
	api, srv := newRuntimeAPI(t, invs)
	logs := startChild(t, "buffered", srv)
	api.await(t, len(invs))

	want := []struct {
		kind   string
		status int
		body   string
	}{
		{"response", 200, "id-a apigw-v2 /hello"},
		{"response", 500, "Internal Server Error"},
		{"response", 200, "id-c apigw-v2 /again"},
		{"error", 0, ""},
		{"response", 200, "id-e alb /api/search/café"},
	}
	for i, inv := range invs {
		if inv.kind != want[i].kind {
			t.Errorf("%s: answered with %s, want %s (%s)", inv.id, inv.kind, want[i].kind, inv.body)
			continue
		}
		if inv.kind == "error" {
			if !strings.Contains(string(inv.body), "unknown event kind") {
				t.Errorf("%s: error %s", inv.id, inv.body)
			}
			continue
		}
		r := decodeReply(t, inv.body)
		if r.StatusCode != want[i].status || r.Body != want[i].body {
			t.Errorf("%s: %d %q, want %d %q", inv.id, r.StatusCode, r.Body, want[i].status, want[i].body)
		}
	}
	if r := decodeReply(t, invs[4].body); r.StatusDescription != "200 OK" {
		t.Errorf("ALB answer %+v", r)
	}

	// Every log line is JSON and carries the invocation's request id;
	// the handler's own slog.InfoContext lines too.
	for _, want := range []struct{ id, msg string }{
		{"id-a", "handled"},
		{"id-b", "handler panicked; answered 500"},
		{"id-d", "event rejected"},
	} {
		if !hasLogLine(logs.String(), want.id, want.msg) {
			t.Errorf("no log line %q with request_id %s in:\n%s", want.msg, want.id, logs.String())
		}
	}
}

func TestStartStreams(t *testing.T) {
	invs := []*invocation{
		{id: "id-s", payload: readEvent(t, "url-get.json", func(ev map[string]any) { ev["rawPath"] = "/stream" })},
		{id: "id-t", payload: readEvent(t, "apigw-v2-get.json", nil)},
	}
	api, srv := newRuntimeAPI(t, invs)
	startChild(t, "streaming", srv)
	api.await(t, len(invs))

	s := invs[0]
	if s.kind != "response" || s.contentType != "application/vnd.awslambda.http-integration-response" {
		t.Fatalf("streamed answer: %s %q %q", s.kind, s.contentType, s.body)
	}
	br := bufio.NewReader(bytes.NewReader(s.body))
	p := readPrelude(t, br)
	rest, _ := io.ReadAll(br)
	if p.StatusCode != 200 || p.Headers["Content-Type"] != "text/plain" || string(rest) != "first;second" {
		t.Errorf("streamed %+v %q", p, rest)
	}

	b := invs[1]
	if b.kind != "response" || b.contentType != "application/json" {
		t.Fatalf("buffered answer: %s %q", b.kind, b.contentType)
	}
	if r := decodeReply(t, b.body); r.StatusCode != 200 || r.Body != "id-t apigw-v2 /api/post/42" {
		t.Errorf("buffered %+v", r)
	}
}

// hasLogLine reports whether logs hold a JSON line with msg and request_id.
func hasLogLine(logs, id, msg string) bool {
	for _, line := range strings.Split(logs, "\n") {
		var m map[string]any
		if json.Unmarshal([]byte(line), &m) != nil {
			continue
		}
		if m["request_id"] == id && m["msg"] == msg {
			return true
		}
	}
	return false
}
