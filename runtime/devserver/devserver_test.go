package devserver

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/nextgo-dev/nextgo/runtime/mux"
	"github.com/nextgo-dev/nextgo/runtime/requestid"
)

func TestFormatEntry(t *testing.T) {
	tests := []struct {
		e    mux.Entry
		want string
	}{
		{mux.Entry{Method: "GET", Path: "/api/user", Status: 200, File: "pages/api/user.go", Duration: 420 * time.Microsecond}, " GET /api/user 200 in 0.42ms (pages/api/user.go)"},
		{mux.Entry{Method: "POST", Path: "/x?y=1", Status: 404, Duration: 12 * time.Millisecond}, " POST /x?y=1 404 in 12ms (-)"},
		{mux.Entry{Method: "GET", Path: "/slow", Status: 504, File: "s.go", Duration: 1500 * time.Millisecond}, " GET /slow 504 in 1.5s (s.go)"},
		{mux.Entry{Method: "GET", Path: "/c", Status: 200, File: "app/c/route.go", Duration: 2 * time.Millisecond, Cache: "HIT", RequestID: "4f2a"}, " GET /c 200 in 2ms (app/c/route.go) cache=HIT id=4f2a"},
		{mux.Entry{Method: "GET", Path: "/old", Status: 308, File: "nextgo.json redirects[0]", Duration: time.Millisecond, RequestID: "9"}, " GET /old 308 in 1ms (nextgo.json redirects[0]) id=9"},
	}
	for _, tt := range tests {
		if got := FormatEntry(tt.e); got != tt.want {
			t.Errorf("FormatEntry(%+v) = %q, want %q", tt.e, got, tt.want)
		}
	}
}

// TestServeInheritedListener serves on a socket handed over the way nextgo
// dev hands it (NEXTGO_LISTEN_FD), logs the request, and stops with ctx.
func TestServeInheritedListener(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	f, err := l.(*net.TCPListener).File()
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	defer f.Close()
	t.Setenv(ListenFDEnv, strconv.Itoa(int(f.Fd())))

	var out bytes.Buffer
	routes := []mux.Route{{Pattern: "/api/user", File: "pages/api/user.go", Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "ok")
	})}}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	// out is read only after Serve has returned.
	go func() { done <- Serve(ctx, routes, Options{Out: &out}, "unused") }()
	var body []byte
	for i := 0; i < 100; i++ {
		resp, err := http.Get("http://" + addr + "/api/user")
		if err == nil {
			body, _ = io.ReadAll(resp.Body)
			resp.Body.Close()
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if string(body) != "ok" {
		t.Fatalf("body = %q", body)
	}
	if !strings.Contains(out.String(), " GET /api/user 200 in ") || !strings.Contains(out.String(), "(pages/api/user.go)") {
		t.Errorf("log = %q", out.String())
	}
}

func TestListenBadFD(t *testing.T) {
	t.Setenv(ListenFDEnv, "nope")
	if _, err := Listen("127.0.0.1:0"); err == nil || !strings.Contains(err.Error(), ListenFDEnv) {
		t.Fatalf("err = %v", err)
	}
}

func TestDevLogHandler(t *testing.T) {
	var out bytes.Buffer
	log := slog.New(newDevLogHandler(&out, nil)).With("file", "pages/api/panic.go")
	log.Error("api: panic in pages/api/panic.go: boom", "method", "GET", "stack", "goroutine 1 [running]:\nmain.f()\n\t/app/pages/api/panic.go:6 +0x25\n")
	log.Warn("API resolved without sending a response for /api/x")
	want := " ⨯ api: panic in pages/api/panic.go: boom file=pages/api/panic.go method=GET\n" +
		"goroutine 1 [running]:\nmain.f()\n\t/app/pages/api/panic.go:6 +0x25\n" +
		" ⚠ API resolved without sending a response for /api/x file=pages/api/panic.go\n"
	if out.String() != want {
		t.Errorf("log =\n%q\nwant\n%q", out.String(), want)
	}
}

// TestServerBoundsSlowBodiesAndAmbiguousFraming: a client that trickles its
// body is cut off after the longest maxDuration of the routes while others
// are served, and a request with both Content-Length and Transfer-Encoding
// closes its connection.
func TestServerBoundsSlowBodiesAndAmbiguousFraming(t *testing.T) {
	echo := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, err := io.ReadAll(r.Body)
		if err != nil {
			return
		}
		w.Write(b)
	})
	srv, err := NewServer([]mux.Route{
		{Pattern: "/api/echo", File: "pages/api/echo.go", Handler: echo, MaxDuration: 150 * time.Millisecond},
		{Pattern: "/api/quick", File: "pages/api/quick.go", Handler: echo, MaxDuration: 50 * time.Millisecond},
	}, Options{Out: io.Discard})
	if err != nil {
		t.Fatal(err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(l)
	defer srv.Close()
	dial := func() (net.Conn, *bufio.Reader) {
		c, err := net.Dial("tcp", l.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		c.SetDeadline(time.Now().Add(20 * time.Second))
		return c, bufio.NewReader(c)
	}
	// closed drains what the server sends and reports whether it then
	// closed the connection (rather than the test's deadline passing).
	closed := func(br *bufio.Reader) bool {
		_, err := io.Copy(io.Discard, br)
		var ne net.Error
		return !(errors.As(err, &ne) && ne.Timeout())
	}

	// One byte of 2,000, to the route that stops at its own deadline and
	// to the one that reads on.
	for _, path := range []string{"/api/echo", "/api/quick", "/nowhere"} {
		c, br := dial()
		io.WriteString(c, "POST "+path+" HTTP/1.1\r\nHost: x\r\nContent-Length: 2000\r\n\r\nx")
		resp, err := http.Post("http://"+l.Addr().String()+"/api/echo", "text/plain", strings.NewReader("hello"))
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK || string(b) != "hello" {
			t.Fatalf("normal request: %d %q", resp.StatusCode, b)
		}
		if !closed(br) {
			t.Errorf("%s: a slow body kept its connection open", path)
		}
	}

	c, br := dial()
	io.WriteString(c, "POST /api/echo HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n")
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK || string(b) != "abc" || !resp.Close {
		t.Errorf("Content-Length with Transfer-Encoding: %d %q close=%v, want 200 abc and Connection: close", resp.StatusCode, b, resp.Close)
	}
	if !closed(br) {
		t.Error("Content-Length with Transfer-Encoding: connection kept open")
	}
}

func TestFormatEntryColor(t *testing.T) {
	got := FormatEntryColor(mux.Entry{Method: "GET", Path: "/x", Status: 503, File: "x.go", Duration: time.Millisecond, RequestID: "7"})
	want := " GET /x \x1b[31m503\x1b[0m in 1ms \x1b[2m(x.go) id=7\x1b[0m"
	if got != want {
		t.Errorf("FormatEntryColor = %q, want %q", got, want)
	}
}

// TestDevLogHandlerRequestID: a record made with a request's context
// carries its id on the terminal and in the report.
func TestDevLogHandlerRequestID(t *testing.T) {
	var out, rep bytes.Buffer
	log := slog.New(newDevLogHandler(&out, NewReporter(&rep)))
	ctx := requestid.With(context.Background(), "abc")
	log.InfoContext(ctx, "hello", "user", 7)
	log.Info("no request")
	log.Handler().(*devLogHandler).rep.Flush()
	if want := " ○ hello user=7 id=abc\n ○ no request\n"; out.String() != want {
		t.Errorf("terminal = %q, want %q", out.String(), want)
	}
	var r Report
	if err := json.Unmarshal(rep.Bytes(), &r); err != nil {
		t.Fatalf("report %q: %v", rep.String(), err)
	}
	if r.Type != "log" || r.RequestID != "abc" || r.Level != "INFO" || r.Message != " ○ hello user=7 id=abc" {
		t.Errorf("report = %+v", r)
	}
}
