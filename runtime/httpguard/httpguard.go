// Package httpguard bounds what a slow or ambiguous HTTP/1.1 client can
// hold of nextgo's local servers, `nextgo dev` and `nextgo start`, where
// net/http's own timeouts stop at the request headers:
//
//   - ReadBodyWithin gives a client a bounded time to send its request body,
//     without bounding the response: a streamed answer runs on.
//   - CloseAfterTransferCoded closes the connection after a request whose
//     body had a transfer coding, as RFC 9112 §6.1 requires when it also
//     declared a Content-Length.
//   - Refuse and CloseEarly answer at once, without waiting for the body,
//     and close the connection, for a declared body the server will never
//     use (413).
//
// Handler applies the first two to every request of a server.
package httpguard

import (
	"io"
	"net/http"
	"strconv"
	"time"
)

// ReadBodyWithin returns body, the body of a request answered through w,
// such that reading it fails with a timeout once d has passed from now. It
// sets the connection's read deadline and lifts it when body has been read
// to its end, so that the deadline never cuts the response that follows
// (net/http watches the connection for a closed client once the body is
// read). A body the handler leaves unread stays bounded by the deadline
// while net/http discards it after the handler returns.
//
// A request without a body (http.NoBody), d <= 0, or a ResponseWriter
// without a connection behind it (a test recorder, the Lambda adapter)
// leave body as it is.
func ReadBodyWithin(w http.ResponseWriter, body io.ReadCloser, d time.Duration) io.ReadCloser {
	if body == nil || body == http.NoBody || d <= 0 {
		return body
	}
	rc := http.NewResponseController(w)
	if rc.SetReadDeadline(time.Now().Add(d)) != nil {
		return body
	}
	return &deadlineBody{ReadCloser: body, rc: rc}
}

// deadlineBody lifts the connection's read deadline at the body's end.
type deadlineBody struct {
	io.ReadCloser
	rc     *http.ResponseController
	lifted bool
}

func (b *deadlineBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if err == io.EOF && !b.lifted {
		b.lifted = true
		_ = b.rc.SetReadDeadline(time.Time{})
	}
	return n, err
}

// CloseAfterTransferCoded asks net/http to close the connection after the
// response when the request's body had a transfer coding.
//
// RFC 9112 §6.1: a server that receives both Transfer-Encoding and
// Content-Length "MUST close the connection after responding to such a
// request", since the two framings may be read differently by a proxy in
// front (request smuggling). net/http frames the body by Transfer-Encoding
// and drops Content-Length before a handler runs, so the pair cannot be told
// from Transfer-Encoding alone: every transfer-coded request closes its
// connection. Browsers do not send transfer-coded request bodies over
// HTTP/1.1, so only such clients lose keep-alive.
func CloseAfterTransferCoded(w http.ResponseWriter, r *http.Request) {
	if len(r.TransferEncoding) > 0 {
		w.Header().Set("Connection", "close")
	}
}

// Refuse answers r at once with status and body, before its body is read
// (such as a 413 for a declared Content-Length over a limit), and closes the
// connection. The caller sets any other header first.
//
// The answer is flushed before anything else happens. What the client still
// sends is then read and dropped for at most half a second before the
// connection closes, so that a client busy sending its body reads the
// answer rather than a connection reset; a client that never sends it is
// let go after that half second.
func Refuse(w http.ResponseWriter, r *http.Request, status int, body string) {
	CloseEarly(w)
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	io.WriteString(w, body)
	rc := http.NewResponseController(w)
	if rc.Flush() == nil {
		_, _ = io.Copy(io.Discard, r.Body)
	}
}

// CloseEarly prepares w for an answer written without waiting for the
// request body (a proxied answer, say): net/http closes the connection after
// the response, reading and dropping what the client still sends for at most
// half a second first, instead of waiting for the whole body. Call it before
// the status is written.
func CloseEarly(w http.ResponseWriter) {
	w.Header().Set("Connection", "close")
	_ = http.NewResponseController(w).SetReadDeadline(time.Now().Add(refuseDrain))
}

// refuseDrain is how long a refused body is still read and dropped.
const refuseDrain = 500 * time.Millisecond

// RestoreBody puts body back as r's body. A server's outermost handler
// that replaces the body of the request net/http gave it defers it first,
// with that body:
//
//	defer httpguard.RestoreBody(r, r.Body)
//
// net/http looks at the request's body once the handler has returned to
// tell whether it was left unread, and only then, before closing the
// connection, waits for the client to take the answer: without it, a
// client still sending a refused body reads a connection reset instead of
// the 413.
func RestoreBody(r *http.Request, body io.ReadCloser) { r.Body = body }

// Handler returns h with every request's body bounded to bodyTimeout (see
// ReadBodyWithin) and the connection closed after a transfer-coded request
// (see CloseAfterTransferCoded).
// Once h returns, the request holds its own body again (see RestoreBody).
func Handler(h http.Handler, bodyTimeout time.Duration) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer RestoreBody(r, r.Body)
		CloseAfterTransferCoded(w, r)
		r.Body = ReadBodyWithin(w, r.Body, bodyTimeout)
		h.ServeHTTP(w, r)
	})
}
