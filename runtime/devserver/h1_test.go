//go:build linux

package devserver

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// h1Pair serves one handler twice over loopback: by net/http's server,
// and by h1Server on connections handed as the CLI hands them (whatever
// it does not serve itself going to a net/http server, as in the dev
// server). Both log to their own buffer.
type h1Pair struct {
	netAddr, leanAddr string
	netLog, leanLog   *syncBuffer
	lean              *h1Server
	h                 *handoff
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func newH1Pair(t testing.TB, handler http.Handler, configure ...func(*http.Server)) *h1Pair {
	t.Helper()
	p := &h1Pair{netLog: &syncBuffer{}, leanLog: &syncBuffer{}}
	server := func(out io.Writer) *http.Server {
		s := &http.Server{Handler: handler, ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 2 * time.Minute,
			MaxHeaderBytes: 1 << 20, ErrorLog: log.New(out, "", 0), ConnContext: connContext}
		for _, f := range configure {
			f(s)
		}
		return s
	}
	nl, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	netSrv := server(p.netLog)
	go netSrv.Serve(nl)
	t.Cleanup(func() { netSrv.Close() })
	p.netAddr = nl.Addr().String()

	// The CLI's end of the message socket only needs to be drained.
	fds, err := syscall.Socketpair(syscall.AF_UNIX, syscall.SOCK_SEQPACKET|syscall.SOCK_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	ours := os.NewFile(uintptr(fds[0]), "handoff")
	cli := os.NewFile(uintptr(fds[1]), "cli")
	c, err := net.FileConn(ours)
	ours.Close()
	if err != nil {
		t.Fatal(err)
	}
	go io.Copy(io.Discard, cli)
	h := &handoff{sock: c.(*net.UnixConn), slots: make([]byte, 64*SlotSize), conns: make(chan net.Conn), done: make(chan struct{})}
	t.Cleanup(func() { h.Close(); c.Close(); cli.Close() })
	fallback := server(p.leanLog)
	go fallback.Serve(h)
	t.Cleanup(func() { fallback.Close() })
	p.lean = newH1Server(server(p.leanLog), h.toNetHTTP)
	p.h = h

	ll, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ll.Close() })
	p.leanAddr = ll.Addr().String()
	go func() {
		for id := 0; ; id = (id + 1) % 64 {
			conn, err := ll.Accept()
			if err != nil {
				return
			}
			go p.lean.serve(&trackedConn{Conn: conn, id: id, h: h})
		}
	}()
	return p
}

// exchange sends raw to addr, closes its writing half, and returns all it
// reads: the answers to the requests in raw, then whatever comes until the server closes the
// connection or stays quiet for quiet.
func exchange(t *testing.T, addr, raw string, quiet time.Duration) string {
	t.Helper()
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := io.WriteString(conn, raw); err != nil {
		t.Fatal(err)
	}
	conn.(*net.TCPConn).CloseWrite() // a cut head is cut, not slow
	var out bytes.Buffer
	br := bufio.NewReader(io.TeeReader(conn, &out))
	method := raw[:max(strings.IndexByte(raw, ' '), 0)]
	conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	// One answer per request line, and at least one: a request that is not
	// HTTP/1 (garbage, HTTP/2's preface) is answered or the connection
	// closed, which ends the wait as well.
	for range max(strings.Count(raw, " HTTP/1."), 1) {
		resp, err := http.ReadResponse(br, &http.Request{Method: method})
		if err != nil {
			break
		}
		if _, err := io.Copy(io.Discard, resp.Body); err != nil {
			break
		}
	}
	conn.SetReadDeadline(time.Now().Add(quiet))
	io.Copy(io.Discard, br)
	return out.String()
}

var (
	dateLine   = regexp.MustCompile(`(?m)^Date: [^\r]*\r$`)
	clientAddr = regexp.MustCompile(`127\.0\.0\.1:[0-9]+`)
)

// sameAnswer checks that both servers answer raw alike, byte for byte but
// for the date, and log alike.
func (p *h1Pair) sameAnswer(t *testing.T, raw string) string {
	t.Helper()
	quiet := 30 * time.Millisecond
	var want string
	done := make(chan struct{})
	go func() {
		defer close(done)
		want = dateLine.ReplaceAllString(exchange(t, p.netAddr, raw, quiet), "Date: -\r")
	}()
	got := dateLine.ReplaceAllString(exchange(t, p.leanAddr, raw, quiet), "Date: -\r")
	<-done
	if got != want {
		t.Errorf("request %q:\nh1Server answered\n%q\nnet/http answered\n%q", raw, got, want)
	}
	// Log lines name the calling function and line: alike too, but for a
	// panic's stack trace.
	cut := func(s string) string {
		if i := strings.Index(s, "\ngoroutine "); i >= 0 {
			s = s[:i]
		}
		return clientAddr.ReplaceAllString(s, "client")
	}
	if g, w := cut(p.leanLog.String()), cut(p.netLog.String()); g != w {
		t.Errorf("request %q: h1Server logged %q, net/http %q", raw, g, w)
	}
	return got
}

// TestH1AnswersAsNetHTTP serves a range of handlers by both servers: the
// answers on the wire and the log lines must be net/http's.
func TestH1AnswersAsNetHTTP(t *testing.T) {
	big := strings.Repeat("0123456789", 500)
	handlers := []struct {
		name string
		h    http.HandlerFunc
	}{
		{"json", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json; charset=utf-8")
			w.Header().Set("Etag", `"x"`)
			io.WriteString(w, `{"name":"John Doe"}`)
		}},
		{"sniffed", func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "<html><body>hi</body></html>") }},
		{"empty", func(w http.ResponseWriter, r *http.Request) {}},
		{"204 with a body", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Length", "3")
			w.WriteHeader(204)
			if _, err := io.WriteString(w, "abc"); err != http.ErrBodyNotAllowed {
				panic(err)
			}
		}},
		{"304", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/plain")
			w.Header().Set("Etag", `"e"`)
			w.WriteHeader(304)
		}},
		{"long", func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, big) }},
		{"long with length", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Length", "5000")
			io.WriteString(w, big)
		}},
		{"2048 bytes", func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, big[:2048]) }},
		{"2049 bytes", func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, big[:2049]) }},
		{"flushed", func(w http.ResponseWriter, r *http.Request) {
			io.WriteString(w, "first ")
			w.(http.Flusher).Flush()
			io.WriteString(w, "second")
		}},
		{"flushed by a controller", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/event-stream")
			io.WriteString(w, "data: 1\n\n")
			if err := http.NewResponseController(w).Flush(); err != nil {
				panic(err)
			}
			io.WriteString(w, "data: 2\n\n")
		}},
		{"flush before writing", func(w http.ResponseWriter, r *http.Request) { w.(http.Flusher).Flush() }},
		{"trailers", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Trailer", "X-Sum, Content-Length, If-Match")
			io.WriteString(w, "body")
			w.Header().Set("X-Sum", "42")
			w.Header().Set(http.TrailerPrefix+"X-Late", "yes")
		}},
		{"connection close", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Connection", "close")
			io.WriteString(w, "bye")
		}},
		{"identity", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Transfer-Encoding", "identity")
			io.WriteString(w, "till the end")
		}},
		{"chunked asked", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Transfer-Encoding", "chunked")
			io.WriteString(w, "chunks")
		}},
		{"chunked and length", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Transfer-Encoding", "chunked")
			w.Header().Set("Content-Length", "6")
			io.WriteString(w, "chunks")
		}},
		{"invalid length", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Length", "abc")
			io.WriteString(w, "x")
		}},
		{"short of its length", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Length", "10")
			io.WriteString(w, "12345")
		}},
		{"over its length", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Length", "2")
			if _, err := io.WriteString(w, "12345"); err != http.ErrContentLength {
				panic(err)
			}
		}},
		{"early hints", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Link", "</style.css>; rel=preload")
			w.Header().Set("Content-Length", "9")
			w.WriteHeader(103)
			w.Header().Del("Content-Length")
			io.WriteString(w, "final")
		}},
		{"superfluous status", func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(201)
			w.WriteHeader(500)
			io.WriteString(w, "created")
		}},
		{"header after status", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("X-Before", "1")
			w.WriteHeader(202)
			w.Header().Set("X-After", "2")
			io.WriteString(w, "accepted")
		}},
		{"header first read after status", func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(202)
			w.Header().Set("X-After", "2")
			io.WriteString(w, "accepted")
		}},
		{"encoded, not sniffed", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Encoding", "gzip")
			io.WriteString(w, "\x1f\x8b not really")
		}},
		{"own date", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Date", "Mon, 02 Jan 2006 15:04:05 GMT")
			io.WriteString(w, "dated")
		}},
		{"unknown status", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(499) }},
		{"header values", func(w http.ResponseWriter, r *http.Request) {
			w.Header()["X-Multi"] = []string{"a", " b ", "c\r\nd"}
			w.Header()["bad name"] = []string{"dropped"}
			io.WriteString(w, "ok")
		}},
		{"panic", func(w http.ResponseWriter, r *http.Request) { panic("boom") }},
		{"panic after a flush", func(w http.ResponseWriter, r *http.Request) {
			io.WriteString(w, "partial")
			w.(http.Flusher).Flush()
			panic("boom")
		}},
		{"abort", func(w http.ResponseWriter, r *http.Request) { panic(http.ErrAbortHandler) }},
		{"hijack", func(w http.ResponseWriter, r *http.Request) {
			conn, bw, err := w.(http.Hijacker).Hijack()
			if err != nil {
				panic(err)
			}
			defer conn.Close()
			bw.WriteString("HTTP/1.1 200 OK\r\nContent-Length: 8\r\n\r\nhijacked")
			bw.Flush()
		}},
		{"request as seen", func(w http.ResponseWriter, r *http.Request) {
			_, local := r.Context().Value(http.LocalAddrContextKey).(net.Addr)
			_, server := r.Context().Value(http.ServerContextKey).(*http.Server)
			host, _, _ := net.SplitHostPort(r.RemoteAddr)
			_, hasHost := r.Header["Host"]
			io.WriteString(w, strings.Join([]string{r.Method, r.Host, r.RequestURI, r.Proto, host,
				r.Header.Get("X-A"), strings.Join(r.Header.Values("X-B"), "|"), r.URL.Query().Get("q"),
				boolString(local), boolString(server), boolString(hasHost), boolString(r.Body == http.NoBody)}, " "))
		}},
	}
	requests := []string{
		"GET /p HTTP/1.1\r\nHost: example.com\r\n\r\n",
		"GET /p HTTP/1.1\r\nHost: example.com\r\n\r\nGET /p HTTP/1.1\r\nHost: example.com\r\n\r\n",
	}
	for _, hc := range handlers {
		t.Run(hc.name, func(t *testing.T) {
			t.Parallel()
			p := newH1Pair(t, hc.h)
			for _, raw := range requests {
				p.sameAnswer(t, raw)
			}
		})
	}
}

func boolString(b bool) string {
	if b {
		return "true"
	}
	return "false"
}

// TestH1Requests sends the requests h1Server serves and those it leaves to
// net/http: the answers are net/http's either way.
func TestH1Requests(t *testing.T) {
	echo := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		_, hasHost := r.Header["Host"]
		io.WriteString(w, strings.Join([]string{r.Method, r.Host, r.RequestURI, r.Proto, r.Header.Get("X-A"),
			boolString(hasHost), string(body)}, " "))
	})
	p := newH1Pair(t, echo)
	for _, tc := range []struct {
		name, raw string
		lean      bool // served by h1Server itself
	}{
		{"plain", "GET /a?q=1 HTTP/1.1\r\nHost: example.com\r\nX-A: b\r\n\r\n", true},
		{"keep-alive asked", "GET /a HTTP/1.1\r\nHost: h\r\nConnection: keep-alive\r\n\r\n", true},
		{"bare line feeds", "GET /a HTTP/1.1\nHost: h\n\n", true},
		{"absolute form", "GET http://other/x HTTP/1.1\r\nHost: h\r\n\r\n", true},
		{"pipelined", "GET /1 HTTP/1.1\r\nHost: h\r\n\r\nDELETE /2 HTTP/1.1\r\nHost: h\r\n\r\nGET /3 HTTP/1.1\r\nHost: h\r\n\r\n", true},
		{"length zero", "GET /a HTTP/1.1\r\nHost: h\r\nContent-Length: 0\r\n\r\n", true},
		{"post with a body", "POST /a HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n\r\nabc", false},
		{"post then get", "POST /a HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n\r\nabc\r\nGET /b HTTP/1.1\r\nHost: h\r\n\r\n", false},
		{"chunked body", "POST /a HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n", false},
		{"head", "HEAD /a HTTP/1.1\r\nHost: h\r\n\r\n", false},
		{"http/1.0", "GET /a HTTP/1.0\r\n\r\n", false},
		{"close asked", "GET /a HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n", false},
		{"expect", "GET /a HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\n\r\n", false},
		{"unknown expectation", "GET /a HTTP/1.1\r\nHost: h\r\nExpect: tea\r\n\r\n", false},
		{"upgrade", "GET /a HTTP/1.1\r\nHost: h\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n", false},
		{"no host", "GET /a HTTP/1.1\r\n\r\n", false},
		{"two hosts", "GET /a HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", false},
		{"empty host", "GET /a HTTP/1.1\r\nHost:\r\n\r\n", true},
		{"odd method", "0 /a HTTP/1.1\r\nHost: h\r\n\r\n", true},
		{"bad host", "GET /a HTTP/1.1\r\nHost: a b\r\n\r\n", false},
		{"bad header name", "GET /a HTTP/1.1\r\nHost: h\r\nX(A): 1\r\n\r\n", false},
		{"a space in a header name", "GET /a HTTP/1.1\r\nHost: h\r\nX A: 1\r\n\r\n", false},
		{"bad header value", "GET /a HTTP/1.1\r\nHost: h\r\nX-A: a\x01b\r\n\r\n", false},
		{"folded header", "GET /a HTTP/1.1\r\nHost: h\r\nX-A: a\r\n b\r\n\r\n", false},
		{"garbage", "NOT HTTP\r\n\r\n", false},
		{"leading blank line", "\r\nGET /a HTTP/1.1\r\nHost: h\r\n\r\n", false},
		{"options star", "OPTIONS * HTTP/1.1\r\nHost: h\r\n\r\n", false},
		{"http/2 preface", "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", false},
		{"large head", "GET /a HTTP/1.1\r\nHost: h\r\nX-A: " + strings.Repeat("v", 5000) + "\r\n\r\n", false},
		{"head past the limit", "GET /a HTTP/1.1\r\nHost: h\r\nX-A: " + strings.Repeat("v", 1<<20+8192) + "\r\n\r\n", false},
		{"cut head", "GET /a HTTP/1.1\r\nHost: h\r\n", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if tc.lean != leanServes(tc.raw) {
				t.Errorf("served by h1Server: %v, want %v", !tc.lean, tc.lean)
			}
			p.sameAnswer(t, tc.raw)
		})
	}
}

// leanServes reports whether h1Server serves the first request of raw
// itself.
func leanServes(raw string) bool {
	br := bufio.NewReader(strings.NewReader(raw))
	b, _ := br.Peek(br.Buffered())
	if len(b) == 0 {
		b, _ = br.Peek(min(len(raw), h1BufferSize))
	}
	end := headEnd(b)
	if end < 0 {
		return false
	}
	req, err := http.ReadRequest(bufio.NewReader(strings.NewReader(raw)))
	return err == nil && plain(req) && oneValidHost(b[:end])
}

// TestH1ClientLeaves: a handler that runs on sees its request's context
// cancelled once the client closes the connection, as under net/http; one
// that returns at once is not watched.
func TestH1ClientLeaves(t *testing.T) {
	cancelled := make(chan error, 1)
	p := newH1Pair(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
			cancelled <- r.Context().Err()
		case <-time.After(5 * time.Second):
			cancelled <- nil
		}
	}))
	conn, err := net.Dial("tcp", p.leanAddr)
	if err != nil {
		t.Fatal(err)
	}
	io.WriteString(conn, "GET /wait HTTP/1.1\r\nHost: h\r\n\r\n")
	time.Sleep(3 * watchAfter)
	start := time.Now()
	conn.Close()
	if err := <-cancelled; !errors.Is(err, context.Canceled) {
		t.Fatalf("context: %v, want cancelled", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("cancelled %v after the client left", d)
	}
}

// TestH1Watch: a handler that runs past watchAfter while the client
// pipelines its next request keeps its context, and the next request is
// answered after it.
func TestH1Watch(t *testing.T) {
	p := newH1Pair(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/slow" {
			select {
			case <-r.Context().Done():
				io.WriteString(w, "cancelled")
				return
			case <-time.After(4 * watchAfter):
			}
		}
		io.WriteString(w, r.URL.Path)
	}))
	conn, err := net.Dial("tcp", p.leanAddr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	io.WriteString(conn, "GET /slow HTTP/1.1\r\nHost: h\r\n\r\n")
	time.Sleep(2 * watchAfter)
	io.WriteString(conn, "GET /next HTTP/1.1\r\nHost: h\r\n\r\n")
	br := bufio.NewReader(conn)
	for _, want := range []string{"/slow", "/next"} {
		conn.SetReadDeadline(time.Now().Add(5 * time.Second))
		resp, err := http.ReadResponse(br, nil)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		if string(body) != want {
			t.Errorf("body %q, want %q", body, want)
		}
	}
}

// TestH1SlowHead: a head that arrives a byte at a time is cut off by the
// header timeout counted from its first bytes, not pushed back by each.
func TestH1SlowHead(t *testing.T) {
	p := newH1Pair(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}),
		func(s *http.Server) { s.ReadHeaderTimeout = 300 * time.Millisecond })
	conn, err := net.Dial("tcp", p.leanAddr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	start := time.Now()
	head := "GET / HTTP/1.1\r\nHost: h\r\nX-Slow: " + strings.Repeat("v", 100)
	closed := make(chan time.Duration, 1)
	go func() {
		io.Copy(io.Discard, conn)
		closed <- time.Since(start)
	}()
	for i := 0; i < len(head); i++ {
		if _, err := conn.Write([]byte{head[i]}); err != nil {
			break
		}
		select {
		case d := <-closed:
			if d > 2*time.Second {
				t.Errorf("closed after %v, want about 300ms", d)
			}
			return
		case <-time.After(50 * time.Millisecond):
		}
	}
	t.Errorf("a head sent a byte every 50 ms was still read after %v", time.Since(start))
}

// TestH1Shutdown: an idle connection closes at once; one in a request
// answers it (with Connection: close) and closes, and so does one whose
// request had begun to arrive.
func TestH1Shutdown(t *testing.T) {
	release := make(chan struct{})
	p := newH1Pair(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/wait" {
			<-release
		}
		io.WriteString(w, "done")
	}))
	idle, err := net.Dial("tcp", p.leanAddr)
	if err != nil {
		t.Fatal(err)
	}
	defer idle.Close()
	busy, err := net.Dial("tcp", p.leanAddr)
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	io.WriteString(idle, "GET / HTTP/1.1\r\nHost: h\r\n\r\n")
	if _, err := http.ReadResponse(bufio.NewReader(idle), nil); err != nil {
		t.Fatal(err)
	}
	begun, err := net.Dial("tcp", p.leanAddr)
	if err != nil {
		t.Fatal(err)
	}
	defer begun.Close()
	io.WriteString(busy, "GET /wait HTTP/1.1\r\nHost: h\r\n\r\n")
	io.WriteString(begun, "GET /begun HTTP/1.1\r\nHo")
	time.Sleep(50 * time.Millisecond)
	shut := make(chan error, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		shut <- p.lean.Shutdown(ctx)
	}()
	idle.SetReadDeadline(time.Now().Add(5 * time.Second))
	if n, err := idle.Read(make([]byte, 1)); n != 0 || err != io.EOF {
		t.Errorf("idle connection: read %d, %v; want closed", n, err)
	}
	io.WriteString(begun, "st: h\r\n\r\n")
	begun.SetReadDeadline(time.Now().Add(5 * time.Second))
	if all, _ := io.ReadAll(begun); !bytes.HasSuffix(all, []byte("done")) {
		t.Errorf("a request begun before the shutdown got %q; want it answered", all)
	}
	close(release)
	busy.SetReadDeadline(time.Now().Add(5 * time.Second))
	all, _ := io.ReadAll(busy)
	if !bytes.Contains(all, []byte("\r\nConnection: close\r\n")) || !bytes.HasSuffix(all, []byte("done")) {
		t.Errorf("busy connection got %q; want done, with Connection: close", all)
	}
	if err := <-shut; err != nil {
		t.Errorf("Shutdown: %v", err)
	}
}

// FuzzHeadEnd: where headEnd says a request head ends is where
// http.ReadRequest stops reading it, and a head headEnd does not see
// whole is one http.ReadRequest does not read either; plain and
// oneValidHost take only what net/http's server would.
func FuzzHeadEnd(f *testing.F) {
	for _, seed := range []string{
		"GET /a?q=1 HTTP/1.1\r\nHost: example.com\r\nX-A: b\r\n\r\n",
		"GET /a HTTP/1.1\nHost: h\n\n",
		"GET /1 HTTP/1.1\r\nHost: h\r\n\r\nGET /2 HTTP/1.1\r\nHost: h\r\n\r\n",
		"POST /a HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n\r\nabc",
		"GET /a HTTP/1.1\r\nHost: h\r\nX-A: a\r\n b\r\n\r\n",
		"GET /a HTTP/1.1\r\nHost: a\r\nhost: b\r\n\r\n",
		"\r\nGET /a HTTP/1.1\r\nHost: h\r\n\r\n",
		"GET /a HTTP/1.1\r\nHost: h\r\n",
		"GET /a HTTP/1.1\r\nHost: h\r\n\n",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		end := headEnd(b)
		rd := bytes.NewReader(b)
		br := bufio.NewReaderSize(rd, len(b)+16)
		req, err := http.ReadRequest(br)
		if err != nil {
			return
		}
		consumed := len(b) - br.Buffered() - rd.Len()
		if end != consumed {
			t.Fatalf("headEnd = %d, http.ReadRequest read %d of %q", end, consumed, b)
		}
		if plain(req) && oneValidHost(b[:end]) {
			hosts := 0
			for _, line := range strings.Split(string(b[:end]), "\n")[1:] {
				name, value, _ := strings.Cut(line, ":")
				if strings.EqualFold(name, "host") {
					hosts++
					if !validHost(strings.Trim(strings.TrimSuffix(value, "\r"), " \t")) {
						t.Fatalf("%q: a malformed Host taken", b)
					}
				}
			}
			if hosts != 1 {
				t.Fatalf("%q: taken with %d Host fields", b, hosts)
			}
		}
	})
}

// BenchmarkH1 sends GET requests one after another over one loopback
// connection to net/http's server and to h1Server, both answering with
// the same small JSON: the cost of a connection's own work per request.
func BenchmarkH1(b *testing.B) {
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		io.WriteString(w, `{"name":"John Doe"}`)
	})
	p := newH1Pair(b, handler)
	for _, bc := range []struct{ name, addr string }{{"net-http", p.netAddr}, {"h1", p.leanAddr}} {
		b.Run(bc.name, func(b *testing.B) {
			conn, err := net.Dial("tcp", bc.addr)
			if err != nil {
				b.Fatal(err)
			}
			defer conn.Close()
			br := bufio.NewReader(conn)
			req := []byte("GET /api/user HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: bench\r\n\r\n")
			b.ReportAllocs()
			for b.Loop() {
				if _, err := conn.Write(req); err != nil {
					b.Fatal(err)
				}
				resp, err := http.ReadResponse(br, nil)
				if err != nil {
					b.Fatal(err)
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
			}
		})
	}
}
