package httpguard_test

import (
	"bufio"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/nextgo-dev/nextgo/runtime/httpguard"
)

// dial opens a raw connection to srv; the test's deadline bounds it.
func dial(t *testing.T, srv *httptest.Server) (net.Conn, *bufio.Reader) {
	t.Helper()
	c, err := net.Dial("tcp", srv.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	c.SetDeadline(time.Now().Add(20 * time.Second))
	return c, bufio.NewReader(c)
}

// closed reports whether the server closed the connection: the next read
// ends with EOF or a reset rather than the test's own deadline.
func closed(t *testing.T, br *bufio.Reader) bool {
	t.Helper()
	_, err := br.ReadByte()
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return false
	}
	return err != nil
}

func readResponse(t *testing.T, br *bufio.Reader) (*http.Response, string) {
	t.Helper()
	res, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	return res, string(b)
}

// echo answers with the request body's length, or 408 when it could not be
// read in time.
var echo = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
	b, err := io.ReadAll(r.Body)
	if err != nil {
		w.WriteHeader(http.StatusRequestTimeout)
		return
	}
	io.WriteString(w, strings.Repeat("x", len(b)))
})

func TestReadBodyWithinCutsASlowBody(t *testing.T) {
	srv := httptest.NewServer(httpguard.Handler(echo, 100*time.Millisecond))
	defer srv.Close()

	// A client that declares 2000 bytes and sends one.
	slow, slowBR := dial(t, srv)
	io.WriteString(slow, "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 2000\r\n\r\nx")

	// Meanwhile a whole request is answered.
	res, err := http.Post(srv.URL, "text/plain", strings.NewReader("hello"))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusOK || string(b) != "xxxxx" {
		t.Fatalf("normal request: %d %q, want 200 %q", res.StatusCode, b, "xxxxx")
	}

	// The slow one gets the handler's 408, then the connection closes.
	res, _ = readResponse(t, slowBR)
	if res.StatusCode != http.StatusRequestTimeout {
		t.Fatalf("slow body: status %d, want 408", res.StatusCode)
	}
	if !closed(t, slowBR) {
		t.Fatal("slow body: connection still open")
	}
}

func TestReadBodyWithinBoundsAnUnreadBody(t *testing.T) {
	// The handler ignores the body; net/http would wait for it before
	// reusing the connection.
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "ok") })
	srv := httptest.NewServer(httpguard.Handler(h, 100*time.Millisecond))
	defer srv.Close()
	c, br := dial(t, srv)
	io.WriteString(c, "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 2000\r\n\r\n")
	res, body := readResponse(t, br)
	if res.StatusCode != http.StatusOK || body != "ok" {
		t.Fatalf("got %d %q, want 200 ok", res.StatusCode, body)
	}
	if !closed(t, br) {
		t.Fatal("connection still open with its body never sent")
	}
}

func TestReadBodyWithinLetsTheResponseRunOn(t *testing.T) {
	const bound = 50 * time.Millisecond
	// The body arrives at once; the streamed answer lasts several bounds.
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, err := io.ReadAll(r.Body); err != nil {
			w.WriteHeader(http.StatusRequestTimeout)
			return
		}
		for i := 0; i < 5; i++ {
			select {
			case <-r.Context().Done():
				return
			case <-time.After(bound):
			}
			io.WriteString(w, "chunk\n")
			http.NewResponseController(w).Flush()
		}
	})
	srv := httptest.NewServer(httpguard.Handler(h, bound))
	defer srv.Close()
	for _, body := range []io.Reader{strings.NewReader("payload"), io.MultiReader(strings.NewReader("chunked"))} {
		res, err := http.Post(srv.URL, "text/plain", body)
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(res.Body)
		res.Body.Close()
		if err != nil || res.StatusCode != http.StatusOK || string(b) != strings.Repeat("chunk\n", 5) {
			t.Fatalf("got %d %q (%v), want 200 and five chunks", res.StatusCode, b, err)
		}
	}
}

func TestReadBodyWithinLeavesOthersAlone(t *testing.T) {
	body := io.NopCloser(strings.NewReader("x"))
	rec := httptest.NewRecorder()
	if got := httpguard.ReadBodyWithin(rec, body, time.Second); got != body {
		t.Error("a recorder has no connection: the body should be left as it is")
	}
	if got := httpguard.ReadBodyWithin(rec, http.NoBody, time.Second); got != http.NoBody {
		t.Error("http.NoBody should be left as it is")
	}
}

func TestCloseAfterTransferCoded(t *testing.T) {
	srv := httptest.NewServer(httpguard.Handler(echo, time.Minute))
	defer srv.Close()
	tests := []struct {
		name      string
		head      string
		body      string
		want      string
		wantClose bool
	}{
		{"content-length", "Content-Length: 3\r\n", "abc", "xxx", false},
		{"chunked", "Transfer-Encoding: chunked\r\n", "3\r\nabc\r\n0\r\n\r\n", "xxx", true},
		{"content-length and chunked", "Content-Length: 3\r\nTransfer-Encoding: chunked\r\n", "3\r\nabc\r\n0\r\n\r\n", "xxx", true},
		{"chunked and content-length", "Transfer-Encoding: chunked\r\nContent-Length: 100\r\n", "3\r\nabc\r\n0\r\n\r\n", "xxx", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, br := dial(t, srv)
			io.WriteString(c, "POST / HTTP/1.1\r\nHost: x\r\n"+tt.head+"\r\n"+tt.body)
			res, body := readResponse(t, br)
			if res.StatusCode != http.StatusOK || body != tt.want {
				t.Fatalf("got %d %q, want 200 %q", res.StatusCode, body, tt.want)
			}
			if res.Close != tt.wantClose {
				t.Errorf("Connection: close sent = %v, want %v", res.Close, tt.wantClose)
			}
			if tt.wantClose {
				if !closed(t, br) {
					t.Error("connection still open")
				}
				return
			}
			// Kept alive: a second request on the same connection.
			io.WriteString(c, "GET / HTTP/1.1\r\nHost: x\r\n\r\n")
			if res, _ := readResponse(t, br); res.StatusCode != http.StatusOK {
				t.Errorf("second request: %d", res.StatusCode)
			}
		})
	}
}

func TestRefuse(t *testing.T) {
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/early" { // as a proxy answering for another server
			httpguard.CloseEarly(w)
			w.WriteHeader(http.StatusRequestEntityTooLarge)
			io.WriteString(w, "too large")
			return
		}
		if r.ContentLength > 1000 {
			httpguard.Refuse(w, r, http.StatusRequestEntityTooLarge, "too large")
			return
		}
		io.WriteString(w, "ok")
	})
	srv := httptest.NewServer(httpguard.Handler(h, time.Minute))
	defer srv.Close()
	for _, path := range []string{"/", "/early"} {
		c, br := dial(t, srv)
		// The body is never sent: the answer cannot wait for it.
		io.WriteString(c, "POST "+path+" HTTP/1.1\r\nHost: x\r\nContent-Length: 2000\r\n\r\n")
		res, body := readResponse(t, br)
		if res.StatusCode != http.StatusRequestEntityTooLarge || body != "too large" || !res.Close {
			t.Fatalf("%s: got %d %q close=%v, want 413 %q and Connection: close", path, res.StatusCode, body, res.Close, "too large")
		}
		if !closed(t, br) {
			t.Fatalf("%s: connection still open", path)
		}
	}

	// A client sending a large body reads the answer, not a reset, whether
	// the handler drains it (Refuse) or leaves it to net/http (CloseEarly).
	for _, path := range []string{"/", "/early"} {
		for _, n := range []int{2000, 4 << 20} {
			for range 2 {
				res, err := http.Post(srv.URL+path, "application/octet-stream", strings.NewReader(strings.Repeat("x", n)))
				if err != nil {
					t.Fatalf("%s, %d bytes: %v", path, n, err)
				}
				b, _ := io.ReadAll(res.Body)
				res.Body.Close()
				if res.StatusCode != http.StatusRequestEntityTooLarge || string(b) != "too large" {
					t.Errorf("%s, %d bytes: got %d %q", path, n, res.StatusCode, b)
				}
			}
		}
	}
}
