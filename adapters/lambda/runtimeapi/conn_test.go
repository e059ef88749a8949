package runtimeapi

import (
	"bufio"
	"bytes"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"
)

// The tests in this file speak raw HTTP/1.1 to one environment's Runtime
// API, checking what the endpoint's own connection handling writes and
// when.

// runtimeConn is a runtime's connection written and read by hand.
type runtimeConn struct {
	t    *testing.T
	conn net.Conn
	br   *bufio.Reader
}

func (w *wire) dial() *runtimeConn {
	w.t.Helper()
	conn, err := net.Dial("tcp", w.srv.Addr())
	if err != nil {
		w.t.Fatal(err)
	}
	w.t.Cleanup(func() { conn.Close() })
	if dl, ok := w.ctx.Deadline(); ok {
		conn.SetDeadline(dl)
	}
	return &runtimeConn{t: w.t, conn: conn, br: bufio.NewReader(conn)}
}

func (c *runtimeConn) write(s string) {
	c.t.Helper()
	if _, err := io.WriteString(c.conn, s); err != nil {
		c.t.Fatal(err)
	}
}

// response reads one response and its body.
func (c *runtimeConn) response() (*http.Response, string) {
	c.t.Helper()
	resp, err := http.ReadResponse(c.br, nil)
	if err != nil {
		c.t.Fatal(err)
	}
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		c.t.Fatal(err)
	}
	return resp, string(b)
}

func rawNext() string {
	return "GET /2018-06-01/runtime/invocation/next HTTP/1.1\r\nHost: x\r\n\r\n"
}

func rawPost(id, path, body string) string {
	return "POST /2018-06-01/runtime/invocation/" + id + "/" + path + " HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: " +
		strconv.Itoa(len(body)) + "\r\n\r\n" + body
}

// TestRuntimeAPIPipelined: a runtime that posts its answer and asks for
// the next invocation in one write gets the 202 and, the next invocation
// being ready, its event in one write; each is a complete HTTP/1.1
// response, read as aws-lambda-go's net/http client reads it.
func TestRuntimeAPIPipelined(t *testing.T) {
	w := newWire(t)
	c := w.dial()
	first := newInvocation([]byte(`{"n":1}`), 2*time.Second)
	w.srv.enqueue(first)
	c.write(rawNext())
	resp, body := c.response()
	if resp.StatusCode != http.StatusOK || body != `{"n":1}` || resp.Header.Get(headerRequestID) != first.id {
		t.Fatalf("GET next = %d %q %q", resp.StatusCode, resp.Header.Get(headerRequestID), body)
	}

	second := newInvocation([]byte(`{"n":2}`), 2*time.Second)
	w.srv.enqueue(second) // waiting already, as under load
	c.write(rawPost(first.id, "response", `{"ok":1}`) + rawNext())
	buf := make([]byte, 64<<10)
	n, err := c.conn.Read(buf)
	if err != nil {
		t.Fatal(err)
	}
	if got := w.answer(first); string(got.Payload) != `{"ok":1}` || got.ContentType != "application/json" {
		t.Errorf("answer = %q %q", got.Payload, got.ContentType)
	}
	// One read holds both responses: they were written together.
	br := bufio.NewReader(bytes.NewReader(buf[:n]))
	tests := []struct {
		status int
		header map[string]string
		body   string
	}{
		{http.StatusAccepted, map[string]string{"Content-Type": "application/json", "Content-Length": strconv.Itoa(len(accepted))}, accepted},
		{http.StatusOK, map[string]string{
			"Content-Type":      "application/json",
			"Content-Length":    "7",
			headerRequestID:     second.id,
			headerFunctionARN:   testARN,
			headerTraceID:       second.traceID,
			headerDeadline:      strconv.FormatInt(second.deadline.UnixMilli(), 10),
			"Transfer-Encoding": "",
			"Connection":        "",
		}, `{"n":2}`},
	}
	for i, tt := range tests {
		resp, err := http.ReadResponse(br, nil)
		if err != nil {
			t.Fatalf("response %d: %v (read %q)", i, err, buf[:n])
		}
		b, err := io.ReadAll(resp.Body)
		if err != nil {
			t.Fatalf("response %d: %v", i, err)
		}
		if resp.StatusCode != tt.status || string(b) != tt.body || resp.Close {
			t.Errorf("response %d = %d %q close=%v, want %d %q", i, resp.StatusCode, b, resp.Close, tt.status, tt.body)
		}
		for k, want := range tt.header {
			if got := resp.Header.Get(k); got != want {
				t.Errorf("response %d: %s = %q, want %q", i, k, got, want)
			}
		}
		if _, err := http.ParseTime(resp.Header.Get("Date")); err != nil {
			t.Errorf("response %d: Date %q: %v", i, resp.Header.Get("Date"), err)
		}
	}
	if br.Buffered() != 0 {
		t.Errorf("%d bytes after the two responses", br.Buffered())
	}
}

// TestRuntimeAPIPipelinedWaits: when no invocation waits, the 202 goes
// out at once and the event follows when one comes.
func TestRuntimeAPIPipelinedWaits(t *testing.T) {
	w := newWire(t)
	c := w.dial()
	first := newInvocation([]byte(`{}`), 2*time.Second)
	w.srv.enqueue(first)
	c.write(rawNext())
	c.response()
	ready := w.srv.awaitNext()
	c.write(rawPost(first.id, "response", `{}`) + rawNext())
	if resp, body := c.response(); resp.StatusCode != http.StatusAccepted || body != accepted {
		t.Fatalf("POST response = %d %q", resp.StatusCode, body)
	}
	select {
	case <-ready:
	case <-w.ctx.Done():
		t.Fatal("the runtime never waited in /next")
	}
	second := newInvocation([]byte(`{"n":2}`), 2*time.Second)
	w.srv.enqueue(second)
	if resp, body := c.response(); resp.StatusCode != http.StatusOK || body != `{"n":2}` || resp.Header.Get(headerRequestID) != second.id {
		t.Errorf("GET next = %d %q %q", resp.StatusCode, resp.Header.Get(headerRequestID), body)
	}
}

// TestRuntimeAPIHangUpInNext: a runtime that hangs up while it waits in
// /next leaves the invocation that comes next to its next connection.
func TestRuntimeAPIHangUpInNext(t *testing.T) {
	w := newWire(t)
	c := w.dial()
	ready := w.srv.awaitNext()
	c.write(rawNext())
	select {
	case <-ready:
	case <-w.ctx.Done():
		t.Fatal("the runtime never waited in /next")
	}
	c.conn.Close()
	for {
		w.srv.mu.Lock()
		open := len(w.srv.conns)
		w.srv.mu.Unlock()
		if open == 0 {
			break
		}
		select {
		case <-w.ctx.Done():
			t.Fatal("the connection was never closed")
		case <-time.After(time.Millisecond):
		}
	}
	inv, _, body := w.next(`{"again":true}`)
	if body != `{"again":true}` {
		t.Errorf("GET next on a new connection = %q (invocation %s)", body, inv.id)
	}
}

// TestRuntimeAPIConnection: requests net/http's server answers in its own
// way are answered alike: a malformed one with 400 and the connection
// closed; Connection: close with the connection closed after the answer; a
// body the handler left unread is skipped to keep the connection.
func TestRuntimeAPIConnection(t *testing.T) {
	const badID = "00000000-0000-4000-8000-000000000000"
	tests := []struct {
		name    string
		request string
		status  int
		body    string
		closed  bool
	}{
		{"malformed request line", "NOPE\r\n\r\n", http.StatusBadRequest, "400 Bad Request", true},
		{"connection close", "GET /nope HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", http.StatusNotFound, "404 page not found\n", true},
		{"unread body", rawPost(badID, "response", `{"unread":true}`), http.StatusForbidden, transitionError("Started", "InvocationResponse"), false},
		{"head over the limit", "GET /nope HTTP/1.1\r\nHost: x\r\nX-Big: " + strings.Repeat("x", maxHeaderBytes+8192) + "\r\n\r\n",
			http.StatusRequestHeaderFieldsTooLarge, "431 Request Header Fields Too Large", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := newWire(t)
			c := w.dial()
			// The endpoint may answer and close before it has read all.
			go io.WriteString(c.conn, tt.request)
			resp, body := c.response()
			if resp.StatusCode != tt.status || body != tt.body || resp.Close != tt.closed {
				t.Fatalf("got %d %q close=%v, want %d %q close=%v", resp.StatusCode, body, resp.Close, tt.status, tt.body, tt.closed)
			}
			if tt.closed {
				if n, err := c.br.Read(make([]byte, 1)); err != io.EOF {
					t.Errorf("after the answer: %d bytes, %v; want EOF", n, err)
				}
				return
			}
			// The connection serves the next request.
			c.write("GET /nope HTTP/1.1\r\nHost: x\r\n\r\n")
			if resp, body := c.response(); resp.StatusCode != http.StatusNotFound || body != "404 page not found\n" {
				t.Errorf("next request = %d %q", resp.StatusCode, body)
			}
		})
	}
}
