package runtimeapi

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// The Runtime API endpoint serves its connections itself rather than
// through net/http's server, for the runtime loop's sake: a runtime that
// posts its answer and asks for the next invocation in one write
// (pipelined) gets the 202 and, when an invocation is ready, the next event
// in one write too, and a connection reads only when it has nothing left to
// answer. net/http answers each request in its own write and reads in the
// background while a handler runs, two system calls and a goroutine per
// request on a path every invocation takes twice. The handlers are the same
// http.Handlers, behind the same http.ServeMux for whatever is not one of
// the two calls every invocation makes.

// Limits of a Runtime API connection, as net/http's server applies them.
const (
	// apiHeaderTimeout bounds the time a request's headers take to arrive
	// once its first byte has (http.Server.ReadHeaderTimeout).
	apiHeaderTimeout = 10 * time.Second
	// maxUnreadBody is how much of a request body a handler left unread is
	// read and discarded to keep the connection; past it the connection is
	// closed after the response.
	maxUnreadBody = 256 << 10
	// maxHeaderBytes bounds a request's head (http.DefaultMaxHeaderBytes,
	// and the slack net/http's server allows): past it the request is
	// answered 431 and the connection closed.
	maxHeaderBytes = http.DefaultMaxHeaderBytes + 4096
)

// aLongTimeAgo is a read deadline in the past: it ends a pending read at
// once.
var aLongTimeAgo = time.Unix(1, 0)

// apiConn is one connection of a runtime to its Runtime API endpoint. It
// reads requests one at a time and queues their responses in out, which it
// writes when it would otherwise wait: before it reads from the connection
// and before a handler blocks.
type apiConn struct {
	s    *runtimeServer
	conn net.Conn
	br   *bufio.Reader
	out  []byte // responses not yet written
	werr error  // the first write error: nothing more is written

	ctx    context.Context // cancelled when the runtime closes the connection
	cancel context.CancelFunc

	limit int64 // what reads may still take from the connection; < 0: no limit

	w apiWriter // the response being written, reused
}

// serve serves c's requests until the connection ends. A handler's
// panic ends the connection, as under net/http's server.
func (c *apiConn) serve() {
	defer c.cancel()
	defer func() {
		if v := recover(); v != nil && v != http.ErrAbortHandler {
			c.s.logPanic(v)
		}
	}()
	for {
		req, err := c.readRequest()
		if err != nil {
			var ne net.Error
			switch {
			case c.limit == 0:
				// net/http's answer to a head over its limit.
				c.out = append(c.out, "HTTP/1.1 431 Request Header Fields Too Large\r\nContent-Type: text/plain; charset=utf-8\r\nConnection: close\r\n\r\n431 Request Header Fields Too Large"...)
			case errors.Is(err, io.EOF) || errors.Is(err, net.ErrClosed) || (errors.As(err, &ne) && ne.Timeout()) || c.werr != nil:
			default:
				// Malformed: net/http's plain 400, then close.
				c.out = append(c.out, "HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain; charset=utf-8\r\nConnection: close\r\n\r\n400 Bad Request"...)
			}
			if len(c.out) > 0 {
				c.closeWriteAndWait()
			}
			c.flush()
			return
		}
		if !c.handle(req) {
			c.flush()
			return
		}
	}
}

// readRequest reads the next request's head; the body is read by the
// handler. The header timeout runs from the request's first byte, unless
// its head is here already.
func (c *apiConn) readRequest() (*http.Request, error) {
	c.limit = maxHeaderBytes
	if _, err := c.br.Peek(1); err != nil {
		return nil, err
	}
	timed := !bytes.Contains(c.peekBuffered(), []byte("\r\n\r\n"))
	if timed {
		c.conn.SetReadDeadline(time.Now().Add(apiHeaderTimeout))
	}
	req, err := http.ReadRequest(c.br)
	if err == nil {
		c.limit = -1
	}
	if timed {
		c.conn.SetReadDeadline(time.Time{})
	}
	return req, err
}

// peekBuffered returns what the reader holds, without reading.
func (c *apiConn) peekBuffered() []byte {
	b, _ := c.br.Peek(c.br.Buffered())
	return b
}

// handle serves one request and reports whether the connection stays open.
func (c *apiConn) handle(req *http.Request) bool {
	keep := !req.Close
	if req.Header.Get("Expect") == "100-continue" && req.ContentLength != 0 {
		c.out = append(c.out, "HTTP/1.1 100 Continue\r\n\r\n"...)
	}
	w := &c.w
	w.reset(c)
	c.s.route(w, req)
	// What the handler left of the body is read to keep the connection,
	// up to a bound.
	if req.Body != nil && req.Body != http.NoBody {
		n, err := io.CopyN(io.Discard, req.Body, maxUnreadBody+1)
		if n > maxUnreadBody || (err != nil && err != io.EOF) {
			keep = false
		}
		req.Body.Close()
	}
	w.finish(!keep)
	return keep && c.werr == nil
}

// rstAvoidanceDelay is how long an error answer is given to reach the
// runtime before the connection, with unread data, is closed (and reset),
// as net/http's server gives it.
const rstAvoidanceDelay = 500 * time.Millisecond

// closeWriteAndWait writes what waits, closes the writing half and waits
// rstAvoidanceDelay, so that the runtime reads the answer before the reset
// closing a connection with unread data causes.
func (c *apiConn) closeWriteAndWait() {
	c.flush()
	if cw, ok := c.conn.(interface{ CloseWrite() error }); ok {
		cw.CloseWrite()
	}
	time.Sleep(rstAvoidanceDelay)
}

// holding reports whether responses wait to be written.
func (c *apiConn) holding() bool { return len(c.out) > 0 }

// flush writes the responses waiting.
func (c *apiConn) flush() {
	if len(c.out) == 0 {
		return
	}
	if c.werr == nil {
		_, c.werr = c.conn.Write(c.out)
	}
	if cap(c.out) > 64<<10 {
		c.out = nil // a large response's buffer is not kept
	} else {
		c.out = c.out[:0]
	}
}

// watchClose cancels c's context if the runtime closes the connection
// before the returned stop is called; stop ends the watch and returns
// once it has. In between, nothing else may read from the connection or
// queue a response: the watch reads through c.br.
func (c *apiConn) watchClose() (stop func()) {
	done := make(chan struct{})
	go func() {
		defer close(done)
		if _, err := c.br.Peek(1); err != nil {
			var ne net.Error
			if !errors.As(err, &ne) || !ne.Timeout() {
				c.cancel()
			}
		}
	}()
	return func() {
		c.conn.SetReadDeadline(aLongTimeAgo)
		<-done
		c.conn.SetReadDeadline(time.Time{})
	}
}

// flushingReader is the connection as the request reader sees it: the
// responses waiting are written before any read, so that a runtime never
// waits for an answer the endpoint holds while the endpoint waits for the
// runtime.
type flushingReader struct{ c *apiConn }

func (r flushingReader) Read(p []byte) (int, error) {
	c := r.c
	c.flush()
	if c.limit == 0 {
		return 0, io.EOF
	}
	if c.limit > 0 && int64(len(p)) > c.limit {
		p = p[:c.limit]
	}
	n, err := c.conn.Read(p)
	if c.limit > 0 {
		c.limit -= int64(n)
	}
	return n, err
}

// apiWriter is the http.ResponseWriter of a request on an apiConn: the
// response is built in memory and queued whole, with its Content-Length,
// when the handler returns.
type apiWriter struct {
	c      *apiConn
	header http.Header
	status int
	body   []byte
	raw    bool // the handler queued its response itself (see event)
}

func (w *apiWriter) reset(c *apiConn) {
	w.c = c
	if w.header == nil {
		w.header = make(http.Header)
	} else {
		clear(w.header)
	}
	w.status = 0
	w.body = w.body[:0]
	w.raw = false
}

// Header returns the response's header map.
func (w *apiWriter) Header() http.Header { return w.header }

// WriteHeader sets the status; the first one counts.
func (w *apiWriter) WriteHeader(status int) {
	if w.status == 0 {
		w.status = status
	}
}

// Write appends to the body.
func (w *apiWriter) Write(p []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	w.body = append(w.body, p...)
	return len(p), nil
}

// finish queues the response, with Connection: close when closing.
func (w *apiWriter) finish(closing bool) {
	if w.raw {
		return
	}
	status := w.status
	if status == 0 {
		status = http.StatusOK
	}
	b := w.c.out
	b = append(b, "HTTP/1.1 "...)
	b = strconv.AppendInt(b, int64(status), 10)
	b = append(b, ' ')
	b = append(b, http.StatusText(status)...)
	b = append(b, "\r\n"...)
	if _, ok := w.header["Content-Type"]; !ok && len(w.body) > 0 {
		w.header.Set("Content-Type", http.DetectContentType(w.body))
	}
	for k, vs := range w.header {
		switch k {
		case "Content-Length", "Connection", "Transfer-Encoding", "Date":
			continue
		}
		for _, v := range vs {
			b = appendHeader(b, k, v)
		}
	}
	b = appendDate(b)
	b = append(b, "Content-Length: "...)
	b = strconv.AppendInt(b, int64(len(w.body)), 10)
	if closing {
		b = append(b, "\r\nConnection: close"...)
	}
	b = append(b, "\r\n\r\n"...)
	w.c.out = append(b, w.body...)
	if cap(w.body) > 64<<10 {
		w.body = nil
	}
}

// event queues the answer to GET /next: the invocation's event with
// Lambda's headers, written straight into the connection's output.
func (w *apiWriter) event(inv *invocation, arn string) {
	w.raw = true
	b := append(w.c.out, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"...)
	b = appendHeader(b, headerDeadline, strconv.FormatInt(inv.deadline.UnixMilli(), 10))
	b = appendHeader(b, headerFunctionARN, arn)
	b = appendHeader(b, headerRequestID, inv.id)
	b = appendHeader(b, headerTraceID, inv.traceID)
	b = appendDate(b)
	b = append(b, "Content-Length: "...)
	b = strconv.AppendInt(b, int64(len(inv.payload)), 10)
	b = append(b, "\r\n\r\n"...)
	w.c.out = append(b, inv.payload...)
}

// appendHeader appends one header line, its value's line breaks replaced
// by spaces as net/http does.
func appendHeader(b []byte, k, v string) []byte {
	b = append(b, k...)
	b = append(b, ": "...)
	if strings.ContainsAny(v, "\r\n") {
		v = strings.NewReplacer("\r", " ", "\n", " ").Replace(v)
	}
	b = append(b, v...)
	return append(b, "\r\n"...)
}

func appendDate(b []byte) []byte {
	b = append(b, "Date: "...)
	b = time.Now().UTC().AppendFormat(b, http.TimeFormat)
	return append(b, "\r\n"...)
}
