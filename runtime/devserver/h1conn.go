//go:build linux

package devserver

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/nextgo-dev/nextgo/internal/quietio"
	"github.com/nextgo-dev/nextgo/runtime/requestid"
)

// The dev server serves the plain requests of the connections the CLI
// hands it itself, rather than through net/http's server: a GET or
// DELETE of HTTP/1.1 without a body, which is nearly every request a
// browser or a test makes. net/http pays, per request, a goroutine that
// reads in the background (to see a client leave), four changes of the
// connection's read deadline and a response allocated anew; here the
// connection keeps its buffers and writer, sets its idle deadline about
// once a second, and watches for a leaving client only once a handler has
// run for a while (watchAfter). The answers are net/http's, byte for byte
// (h1Writer).
//
// Anything else goes to net/http's server for the rest of the connection,
// with the bytes already read: a request with a body, HEAD, CONNECT,
// OPTIONS *, HTTP/1.0, Expect, Upgrade or Connection: close, a head that
// does not fit in the 4 KB buffer, or one net/http would refuse (a missing
// or malformed Host, an invalid header): net/http answers those as it
// always has.

// Limits of a connection, as the dev server's http.Server sets them.
const (
	h1BufferSize = 4 << 10 // a head larger than this goes to net/http
	// watchAfter is how long a handler runs before its connection is
	// watched for a client that leaves (which cancels the request's
	// context, as under net/http).
	watchAfter = 100 * time.Millisecond
	// idleSlack is how stale an idle deadline may get before it is set
	// again: the idle timeout is kept to within a second.
	idleSlack = time.Second
)

// aLongTimeAgo is a deadline in the past: it ends a pending read at once.
var aLongTimeAgo = time.Unix(1, 0)

// h1Server serves handed connections through srv's handler.
type h1Server struct {
	srv *http.Server
	// fallback gives a connection, with the bytes already read from it, to
	// net/http's server; false when that server no longer accepts.
	fallback func(*trackedConn) bool

	shutting atomic.Bool
	dates    atomic.Pointer[httpDate] // the Date of this second
	// loud makes the next read of a connection wake the runtime's monitor
	// thread (see quietio); the scan sets it.
	loud     atomic.Bool
	mu       sync.Mutex
	conns    map[*h1Conn]struct{}
	scanning bool
}

func newH1Server(srv *http.Server, fallback func(*trackedConn) bool) *h1Server {
	return &h1Server{srv: srv, fallback: fallback, conns: map[*h1Conn]struct{}{}}
}

func (s *h1Server) logf(format string, args ...any) {
	if s.srv.ErrorLog != nil {
		s.srv.ErrorLog.Printf(format, args...)
	}
}

// serve serves tc until it closes, is hijacked or goes to net/http.
func (s *h1Server) serve(tc *trackedConn) {
	c := &h1Conn{s: s, tc: tc}
	var rd io.Reader = tc
	if q := quietio.New(tc.Conn, &s.loud); q != nil && q.Stamp() == nil {
		c.quiet, rd = q, q
	}
	c.br = bufio.NewReaderSize(rd, h1BufferSize)
	c.bw = bufio.NewWriterSize(errWriter{c}, h1BufferSize)
	if ra := tc.RemoteAddr(); ra != nil {
		c.remote = ra.String()
	}
	c.local = tc.LocalAddr()
	s.mu.Lock()
	s.conns[c] = struct{}{}
	if !s.scanning {
		s.scanning = true
		go s.scan()
	}
	s.mu.Unlock()
	c.serve()
}

// httpDate is a Date value and the second it names.
type httpDate struct {
	sec int64
	b   [len(http.TimeFormat)]byte
}

// date appends now as a Date value to b, formatted once a second.
func (s *h1Server) date(now time.Time, b []byte) []byte {
	sec := now.Unix()
	if d := s.dates.Load(); d != nil && d.sec == sec {
		return append(b, d.b[:]...)
	}
	b = now.UTC().AppendFormat(b, http.TimeFormat)
	d := &httpDate{sec: sec}
	copy(d.b[:], b)
	s.dates.Store(d)
	return b
}

// forget removes c from the connections.
func (s *h1Server) forget(c *h1Conn) {
	s.mu.Lock()
	delete(s.conns, c)
	s.mu.Unlock()
}

// scan starts, every watchAfter, the watch of connections whose handler
// has run since the last scan.
func (s *h1Server) scan() {
	t := time.NewTicker(watchAfter)
	defer t.Stop()
	for range t.C {
		s.mu.Lock()
		if len(s.conns) == 0 {
			s.scanning = false
			s.mu.Unlock()
			return
		}
		for c := range s.conns {
			c.tick()
		}
		s.mu.Unlock()
		s.loud.Store(true) // the monitor keeps watching the handlers
	}
}

// Shutdown lets every connection finish the request it serves, then
// closes it (a draining dev server's connections go back to the CLI); an
// idle one closes at once. It returns when none is left, or with ctx's
// error.
func (s *h1Server) Shutdown(ctx context.Context) error {
	s.shutting.Store(true)
	s.mu.Lock()
	for c := range s.conns {
		_ = c.tc.SetReadDeadline(aLongTimeAgo) // wakes an idle read
	}
	s.mu.Unlock()
	t := time.NewTicker(10 * time.Millisecond)
	defer t.Stop()
	for {
		s.mu.Lock()
		n := len(s.conns)
		s.mu.Unlock()
		if n == 0 {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
		}
	}
}

// h1Conn is one connection h1Server serves.
type h1Conn struct {
	s      *h1Server
	tc     *trackedConn
	quiet  *quietio.Conn // the connection's reads and writes, dated; nil where unavailable
	br     *bufio.Reader
	bw     *bufio.Writer
	werr   error // the first write error
	local  net.Addr
	remote string

	deadline      time.Time // the read deadline set last
	now           time.Time // the time of the last answer's Date, if any
	writeDeadline bool      // a handler set a write deadline
	lastMethod    string
	hijacked      bool
	gone          atomic.Bool // the client left while a handler ran

	mu       sync.Mutex    // guards what follows, shared with the scan
	busy     bool          // a handler runs
	gen      uint64        // requests served
	seen     uint64        // gen at the last scan
	ctx      *reqCtx       // the context of the request being served
	watching chan struct{} // closed when the watch ends

	w h1Writer
}

// errWriter is the connection as the response buffer writes to it: the
// first error is kept, and cancels the request's context.
type errWriter struct{ c *h1Conn }

func (e errWriter) Write(p []byte) (int, error) {
	var n int
	var err error
	if e.c.quiet != nil {
		n, err = e.c.quiet.Write(p)
	} else {
		n, err = e.c.tc.Conn.Write(p)
	}
	if err != nil && e.c.werr == nil {
		e.c.werr = err
		e.c.mu.Lock()
		if e.c.ctx != nil {
			e.c.ctx.cancel()
		}
		e.c.mu.Unlock()
	}
	return n, err
}

// errFallback is returned by next for a request net/http serves.
var errFallback = errors.New("for net/http")

func (c *h1Conn) serve() {
	handedOver := false
	defer func() {
		if v := recover(); v != nil && v != http.ErrAbortHandler {
			buf := make([]byte, 64<<10)
			buf = buf[:runtime.Stack(buf, false)]
			c.s.logf("http: panic serving %v: %v\n%s", c.remote, v, buf)
		}
		c.mu.Lock()
		ctx := c.ctx
		c.mu.Unlock()
		if ctx != nil {
			ctx.cancel() // a panicking handler's request
		}
		c.endHandler()
		c.s.forget(c)
		if handedOver || c.hijacked {
			return
		}
		_ = c.bw.Flush()
		c.tc.Close()
	}()
	for {
		req, err := c.next()
		if errors.Is(err, errFallback) {
			handedOver = true
			if !c.s.fallback(c.tc) {
				c.tc.Close()
			}
			return
		}
		if err != nil {
			return
		}
		if !c.handle(req) {
			return
		}
	}
}

// next reads the next request. It returns errFallback, with the bytes read
// put back for net/http, for a request it does not serve.
func (c *h1Conn) next() (*http.Request, error) {
	if c.br.Buffered() == 0 {
		now := c.now // the answer just sent was dated a moment ago
		if now.IsZero() {
			now = time.Now()
		}
		c.now = time.Time{}
		if idle := c.s.srv.IdleTimeout; idle > 0 && (c.deadline.IsZero() || c.deadline.Sub(now) < idle-idleSlack) {
			c.deadline = now.Add(idle)
			_ = c.tc.SetReadDeadline(c.deadline)
		}
		// After the deadline is set: Shutdown's wake-up comes after it.
		if c.s.shutting.Load() {
			return nil, net.ErrClosed
		}
		if _, err := c.br.Peek(1); err != nil {
			return nil, err
		}
	}
	end := -1
	headerDeadline := false
	for {
		buf, _ := c.br.Peek(c.br.Buffered())
		if end = headEnd(buf); end >= 0 {
			break
		}
		if end == -2 || len(buf) == h1BufferSize {
			return nil, c.putBack()
		}
		if d := c.s.srv.ReadHeaderTimeout; d > 0 && !headerDeadline {
			// From the head's first bytes, as net/http counts it: a client
			// sending a byte now and then does not push it back.
			headerDeadline = true
			c.deadline = time.Now().Add(d)
			_ = c.tc.SetReadDeadline(c.deadline)
		}
		if _, err := c.br.Peek(len(buf) + 1); err != nil {
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				if c.s.shutting.Load() && time.Now().Before(c.deadline) {
					// Shutdown's wake-up: a request begun is served.
					_ = c.tc.SetReadDeadline(c.deadline)
					continue
				}
				return nil, err // net/http closes without a word
			}
			return nil, c.putBack() // net/http answers a cut head
		}
	}
	if c.lastMethod == "POST" {
		return nil, c.putBack() // net/http skips a CR LF after a POST
	}
	all, _ := c.br.Peek(c.br.Buffered())
	req, err := http.ReadRequest(c.br)
	if err != nil || !plain(req) || !oneValidHost(all[:end]) {
		// The head was whole in the buffer: reading it filled nothing,
		// and all still holds what was read.
		c.tc.pre = bytes.Clone(all)
		return nil, errFallback
	}
	return req, nil
}

// putBack hands what the buffer holds back to the connection, for
// net/http, and returns errFallback.
func (c *h1Conn) putBack() error {
	b, _ := c.br.Peek(c.br.Buffered())
	c.tc.pre = bytes.Clone(b)
	return errFallback
}

// headEnd returns the length of the request head at the start of b
// (through its empty line), -1 when it is not whole yet, and -2 when b
// starts with an empty line (which net/http deals with).
func headEnd(b []byte) int {
	for start := 0; ; {
		i := bytes.IndexByte(b[start:], '\n')
		if i < 0 {
			return -1
		}
		line := b[start : start+i]
		if len(line) == 0 || len(line) == 1 && line[0] == '\r' {
			if start == 0 {
				return -2
			}
			return start + i + 1
		}
		start += i + 1
	}
}

// plain reports whether h1Conn serves req: HTTP/1.1 without a body, not
// HEAD, CONNECT or OPTIONS *, with none of Expect, Upgrade or Connection:
// close. http.ReadRequest refuses the header fields net/http's server
// answers 400 to, but for a name with a space (go.dev/issue/34540), left
// to net/http here.
func plain(req *http.Request) bool {
	if req.ProtoMajor != 1 || req.ProtoMinor != 1 || req.Close || req.Body != http.NoBody ||
		req.Method == http.MethodHead || req.Method == http.MethodConnect || req.RequestURI == "*" {
		return false
	}
	for k, vv := range req.Header {
		switch k {
		case "Expect", "Upgrade":
			return false
		case "Connection":
			for _, v := range vv {
				if hasToken(v, "close") || hasToken(v, "upgrade") {
					return false
				}
			}
		}
		if strings.Contains(k, " ") {
			return false
		}
	}
	return true
}

// handle serves req and reports whether the connection serves another.
func (c *h1Conn) handle(req *http.Request) bool {
	c.lastMethod = req.Method
	rc := &reqCtx{c: c}
	// The request id goes into the context here, with the rest, rather
	// than in a copy of the request that requestid.Middleware would make.
	req = req.WithContext(requestid.With(rc, requestid.New()))
	req.RemoteAddr = c.remote
	w := &c.w
	w.reset(c, req)
	c.mu.Lock()
	c.busy, c.ctx = true, rc
	c.gen++
	c.mu.Unlock()

	c.s.srv.Handler.ServeHTTP(w, req)

	c.endHandler()
	rc.cancel()
	if c.hijacked {
		return false
	}
	w.finish()
	if c.writeDeadline {
		c.writeDeadline = false
		_ = c.tc.SetWriteDeadline(time.Time{})
	}
	return w.reusable() && !c.s.shutting.Load()
}

// endHandler marks the handler returned and ends the watch, if any.
func (c *h1Conn) endHandler() {
	c.mu.Lock()
	watching := c.watching
	c.busy, c.ctx, c.watching = false, nil, nil
	c.mu.Unlock()
	if watching != nil {
		_ = c.tc.SetReadDeadline(aLongTimeAgo)
		<-watching
		c.deadline = time.Time{}
		_ = c.tc.SetReadDeadline(c.deadline)
	}
}

// tick, called by the scan, watches the connection when the handler that
// runs ran at the last scan already: a read in the background cancels
// the request's context when the client closes the connection. A byte
// that arrives (the next request, pipelined) ends the watch and stays in
// the buffer.
func (c *h1Conn) tick() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.busy && c.watching == nil && c.gen == c.seen && !c.hijacked {
		done := make(chan struct{})
		c.watching = done
		ctx := c.ctx
		// The idle deadline is lifted for the time the handler runs, as
		// net/http's server lifts it once a head is read; endHandler sets
		// one in the past to end the watch, always after this.
		_ = c.tc.SetReadDeadline(time.Time{})
		go func() {
			defer close(done)
			if _, err := c.br.Peek(1); err != nil {
				var ne net.Error
				if !errors.As(err, &ne) || !ne.Timeout() {
					c.gone.Store(true)
					ctx.cancel()
				}
			}
		}()
	}
	c.seen = c.gen
}

// arrival returns when the newest bytes read from the connection arrived,
// or the zero time when unknown.
func (c *h1Conn) arrival() time.Time {
	if c.quiet == nil {
		return time.Time{}
	}
	return c.quiet.Arrival()
}

// hijack hands the connection to the handler (http.Hijacker).
func (c *h1Conn) hijack() (net.Conn, *bufio.ReadWriter, error) {
	if c.hijacked {
		return nil, nil, http.ErrHijacked
	}
	c.endHandler()
	c.hijacked = true
	_ = c.tc.SetDeadline(time.Time{})
	return c.tc, bufio.NewReadWriter(c.br, bufio.NewWriter(c.tc)), nil
}

// oneValidHost reports whether head, a request head, has one Host field,
// with a value net/http's server takes, and no folded line. (http.ReadRequest
// takes the Host fields out of the header it returns.)
func oneValidHost(head []byte) bool {
	n := 0
	_, rest, _ := bytes.Cut(head, []byte("\n"))
	for len(rest) > 0 {
		var line []byte
		line, rest, _ = bytes.Cut(rest, []byte("\n"))
		line = bytes.TrimSuffix(line, []byte("\r"))
		if len(line) > 0 && (line[0] == ' ' || line[0] == '\t') {
			return false
		}
		name, value, _ := bytes.Cut(line, []byte(":"))
		if string(name) == "Host" || bytes.EqualFold(name, []byte("host")) {
			n++
			if n > 1 || !validHost(string(bytes.Trim(value, " \t"))) {
				return false
			}
		}
	}
	return n == 1
}

// validHost reports whether net/http's server takes h as a Host value.
func validHost(h string) bool {
	for i := 0; i < len(h); i++ {
		if !validHostByte[h[i]] {
			return false
		}
	}
	return true
}

var validHostByte = func() (t [256]bool) {
	for _, b := range []byte("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ!$%&()*+,-.:;=[']_~") {
		t[b] = true
	}
	return t
}()

// reqCtx is the context of a request h1Conn serves, made in one
// allocation: the values net/http's server puts in a request's context
// (the server, the local address), the handed connection, and the
// request's cancellation (its handler returned, its client left, a write
// failed).
type reqCtx struct {
	c    *h1Conn
	mu   sync.Mutex
	done chan struct{} // made when first asked for
	err  error
}

// Deadline reports no deadline.
func (*reqCtx) Deadline() (time.Time, bool) { return time.Time{}, false }

// Done returns a channel closed once the request is cancelled.
func (x *reqCtx) Done() <-chan struct{} {
	x.mu.Lock()
	defer x.mu.Unlock()
	if x.done == nil {
		x.done = make(chan struct{})
		if x.err != nil {
			close(x.done)
		}
	}
	return x.done
}

// Err returns context.Canceled once the request is cancelled.
func (x *reqCtx) Err() error {
	x.mu.Lock()
	defer x.mu.Unlock()
	return x.err
}

// Value returns the server (http.ServerContextKey), the local address
// (http.LocalAddrContextKey) and the handed connection (connKey).
func (x *reqCtx) Value(key any) any {
	switch key {
	case http.ServerContextKey:
		return x.c.s.srv
	case http.LocalAddrContextKey:
		return x.c.local
	case connKey{}:
		return x.c.tc
	}
	return nil
}

// String names the context as the context package names its own.
func (x *reqCtx) String() string { return "devserver.requestContext" }

func (x *reqCtx) cancel() {
	x.mu.Lock()
	defer x.mu.Unlock()
	if x.err == nil {
		x.err = context.Canceled
		if x.done != nil {
			close(x.done)
		}
	}
}
