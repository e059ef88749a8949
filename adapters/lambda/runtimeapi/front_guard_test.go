package runtimeapi

import (
	"bufio"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

// rawConn is a raw client connection to a test front; the test's own
// deadline bounds every read.
type rawConn struct {
	net.Conn
	br *bufio.Reader
}

func dialRaw(t *testing.T, url string) *rawConn {
	t.Helper()
	c, err := net.Dial("tcp", strings.TrimPrefix(url, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	c.SetDeadline(time.Now().Add(20 * time.Second))
	return &rawConn{Conn: c, br: bufio.NewReader(c)}
}

func (c *rawConn) response(t *testing.T) (*http.Response, string) {
	t.Helper()
	res, err := http.ReadResponse(c.br, nil)
	if err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return res, string(b)
}

// closedByServer reports whether the front closed the connection, rather
// than the test's deadline passing.
func (c *rawConn) closedByServer() bool {
	_, err := c.br.ReadByte()
	var ne net.Error
	return err != nil && !(errors.As(err, &ne) && ne.Timeout())
}

func TestFrontAnswersADeclaredBodyOverTheLimitAtOnce(t *testing.T) {
	fn := &fakeFunction{}
	srv := newTestFront(t, []FrontRoute{{Pattern: "/api/upload", Pool: fn, BodyLimit: 1024, BodyLimitText: "1kb"}}, FrontOptions{})
	c := dialRaw(t, srv.URL)
	// 2,000 bytes declared, none sent: the answer cannot wait for them.
	io.WriteString(c, "POST /api/upload HTTP/1.1\r\nHost: x\r\nContent-Length: 2000\r\n\r\n")
	res, body := c.response(t)
	if res.StatusCode != http.StatusRequestEntityTooLarge || body != "Body exceeded 1kb limit" ||
		res.Header.Get("Content-Type") != "text/plain; charset=utf-8" || !res.Close {
		t.Fatalf("got %d %q %v close=%v; want 413 %q, text/plain, Connection: close",
			res.StatusCode, body, res.Header, res.Close, "Body exceeded 1kb limit")
	}
	if !c.closedByServer() {
		t.Error("connection still open")
	}
	if fn.count() != 0 {
		t.Error("the function ran")
	}

	// A body within the limit reaches the function, on a kept connection.
	c = dialRaw(t, srv.URL)
	for i := 0; i < 2; i++ {
		io.WriteString(c, "POST /api/upload HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\nContent-Length: 1024\r\n\r\n"+strings.Repeat("a", 1024))
		if res, body := c.response(t); res.StatusCode != http.StatusOK || body != "ok" || res.Close {
			t.Fatalf("request %d: got %d %q close=%v, want 200 ok", i, res.StatusCode, body, res.Close)
		}
	}
	if ev := fn.last(t); len(ev.Body) != 1024 {
		t.Errorf("the function got %d bytes", len(ev.Body))
	}
}

func TestFrontCutsASlowBody(t *testing.T) {
	fn := &fakeFunction{}
	srv := newTestFront(t, []FrontRoute{
		{Pattern: "/api/slow", Pool: fn, BodyTimeout: 100 * time.Millisecond},
		{Pattern: "/api/default", Pool: fn},
	}, FrontOptions{BodyTimeout: 150 * time.Millisecond})
	for _, path := range []string{"/api/slow", "/api/default", "/fallback-less"} {
		t.Run(path, func(t *testing.T) {
			// Two bytes of the 2,000 declared.
			c := dialRaw(t, srv.URL)
			io.WriteString(c, "POST "+path+" HTTP/1.1\r\nHost: x\r\nContent-Length: 2000\r\n\r\nab")
			// Meanwhile a whole request is answered.
			res, err := http.Post(srv.URL+"/api/slow", "text/plain", strings.NewReader("body"))
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(res.Body)
			res.Body.Close()
			if res.StatusCode != http.StatusOK || string(b) != "ok" {
				t.Fatalf("normal request: %d %q", res.StatusCode, b)
			}
			want := http.StatusRequestTimeout
			if path == "/fallback-less" {
				want = http.StatusNotFound // no function: the front answers before any body
			}
			if res, _ := c.response(t); res.StatusCode != want {
				t.Fatalf("slow body: %d, want %d", res.StatusCode, want)
			}
			if !c.closedByServer() {
				t.Error("slow body: connection still open")
			}
		})
	}
}

func TestFrontClosesAfterContentLengthWithTransferEncoding(t *testing.T) {
	fn := &fakeFunction{}
	srv := newTestFront(t, []FrontRoute{{Pattern: "/api/x", Pool: fn}}, FrontOptions{})
	c := dialRaw(t, srv.URL)
	io.WriteString(c, "POST /api/x HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n")
	res, body := c.response(t)
	if res.StatusCode != http.StatusOK || body != "ok" || !res.Close {
		t.Fatalf("got %d %q close=%v, want 200 ok and Connection: close", res.StatusCode, body, res.Close)
	}
	if ev := fn.last(t); ev.Body != "abc" {
		t.Errorf("the function got %q, want the chunked body", ev.Body)
	}
	if !c.closedByServer() {
		t.Error("connection still open")
	}
}
