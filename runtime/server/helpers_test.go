package server

import (
	"bytes"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/nextgo-dev/nextgo/runtime/router"
)

// logBuffer is a goroutine-safe log sink.
type logBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// testLogger returns a logger writing text lines to the returned buffer.
func testLogger() (*slog.Logger, *logBuffer) {
	var buf logBuffer
	return slog.New(slog.NewTextHandler(&buf, nil)), &buf
}

// serve starts a loopback server for h.
func serve(t *testing.T, h http.Handler) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv
}

// withParams puts ps in each request's context, as the dispatcher does.
func withParams(h http.Handler, ps router.Params) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.ServeHTTP(w, r.WithContext(router.WithParams(r.Context(), ps)))
	})
}

// result is a response as the client saw it.
type result struct {
	status int
	header http.Header
	body   string
}

// client does not follow redirects.
var client = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

// do sends one request; hdr holds header names and values in turn.
func do(t *testing.T, url, method, body string, hdr ...string) result {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, url, rd)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		if hdr[i] == "Host" {
			req.Host = hdr[i+1]
			continue
		}
		req.Header.Add(hdr[i], hdr[i+1])
	}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s: reading body: %v", method, url, err)
	}
	return result{resp.StatusCode, resp.Header, string(b)}
}

// check compares a result with the wanted status, body and headers; a
// wanted header value of "<absent>" means the header must not be sent, and
// several values of one header are joined with "\n".
func (r result) check(t *testing.T, status int, body string, headers map[string]string) {
	t.Helper()
	if r.status != status {
		t.Errorf("status = %d, want %d (body %q)", r.status, status, r.body)
	}
	if r.body != body {
		t.Errorf("body = %q, want %q", r.body, body)
	}
	for k, want := range headers {
		vs, ok := r.header[http.CanonicalHeaderKey(k)]
		if want == "<absent>" {
			if ok {
				t.Errorf("header %s = %q, want none", k, vs)
			}
			continue
		}
		if got := strings.Join(vs, "\n"); got != want {
			t.Errorf("header %s = %q, want %q", k, got, want)
		}
	}
}

// text returns a handler answering s.
func text(s string) Method {
	return Func(func(*Request) (*Response, error) { return Text(s), nil })
}
