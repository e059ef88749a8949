package api

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/nextgo-dev/nextgo/internal/pipeline"
	"github.com/nextgo-dev/nextgo/runtime/navigation"
)

// Response is what an API route's Handler writes its answer to: an
// http.ResponseWriter with the helpers of Next's res (Status, JSON, Send,
// Redirect, Revalidate, End).
//
// JSON, Send, Redirect, RedirectWithStatus and End each finish the
// response: later writes fail with ErrEnded and later helper calls are
// logged and ignored. Plain Write calls may stream a body instead; the
// response then ends when the handler returns.
type Response struct {
	w       http.ResponseWriter
	req     *http.Request
	route   *apiHandler
	status  int // set by Status or WriteHeader; 0 means 200
	state   uint8
	written int64     // body bytes written, for the size warning
	hv      [3]string // backing arrays of the headers set by finish
}

// Response states.
const (
	headerSent uint8 = 1 << iota // WriteHeader reached the underlying writer
	ended                        // a helper finished the response
	broken                       // a streamed body failed half way
)

// Slots of Response.hv.
const (
	hvType = iota
	hvETag
	hvLength
)

// Content types the helpers set.
const (
	contentTypeJSON   = "application/json; charset=utf-8"
	contentTypeBinary = "application/octet-stream"
)

// ErrEnded is returned by Response.Write once the response has been
// finished by JSON, Send, a redirect or End.
var ErrEnded = errors.New("api: response already ended")

// ErrNoCache is wrapped by the error of Response.Revalidate when the route
// was mounted without a cache (Route.Cache is nil).
var ErrNoCache = errors.New("no cache is configured for this route")

// Header returns the response header map, as http.ResponseWriter does.
func (r *Response) Header() http.Header { return r.w.Header() }

// WriteHeader sends the status line and headers, as
// http.ResponseWriter.WriteHeader does; like it, it panics on a code
// outside 100–999.
func (r *Response) WriteHeader(code int) {
	checkCode(code)
	if r.state&headerSent == 0 && (code >= 200 || code == http.StatusSwitchingProtocols) {
		// A final status; 1xx informational responses go out on their
		// own, and net/http ignores (and logs) a second final status.
		r.status = code
		r.state |= headerSent
	}
	r.w.WriteHeader(code)
}

// Write writes body bytes, sending the headers first with the status set by
// Status (200 by default). It fails with ErrEnded after a helper finished
// the response.
func (r *Response) Write(p []byte) (int, error) {
	if r.state&ended != 0 {
		return 0, ErrEnded
	}
	r.sendHeader()
	n, err := r.w.Write(p)
	r.written += int64(n)
	return n, err
}

// WriteString is Write for a string, without copying it.
func (r *Response) WriteString(s string) (int, error) {
	if r.state&ended != 0 {
		return 0, ErrEnded
	}
	r.sendHeader()
	n, err := io.WriteString(r.w, s)
	r.written += int64(n)
	return n, err
}

// Flush sends the headers and any buffered body to the client, when the
// underlying writer can.
func (r *Response) Flush() {
	r.sendHeader()
	_ = http.NewResponseController(r.w).Flush()
}

// Unwrap returns the underlying http.ResponseWriter, for
// http.ResponseController.
func (r *Response) Unwrap() http.ResponseWriter { return r.w }

// Status sets the status code of the response and returns r, so calls
// chain: res.Status(201).JSON(v). It has no effect once the headers were
// sent. Like http.ResponseWriter.WriteHeader, it panics on a code outside
// 100–999 (the panic becomes a 500, as Node's RangeError does in Next.js).
func (r *Response) Status(code int) *Response {
	checkCode(code)
	if r.state&(headerSent|ended) == 0 {
		r.status = code
	}
	return r
}

// StatusCode returns the status code set so far (200 by default).
func (r *Response) StatusCode() int {
	if r.status == 0 {
		return http.StatusOK
	}
	return r.status
}

// JSON sends v as JSON, as Next's res.json: the body is v encoded as
// JSON.stringify would (encoding/json, without its HTML escaping),
// Content-Type is application/json; charset=utf-8, and the response
// carries an ETag and answers a matching If-None-Match with 304. With
// status 204 or 304 no body is sent. A value encoding/json cannot encode
// makes the response a 500, logged.
func (r *Response) JSON(v any) {
	if r.refuse("JSON") {
		return
	}
	b, err := marshalJS(v)
	if err != nil {
		r.fail(fmt.Errorf("api: JSON: %w", err))
		return
	}
	r.Header()["Content-Type"] = r.headerValue(hvType, contentTypeJSON)
	r.finishBytes(b, false)
}

// Send sends v as Next's res.send does:
//   - a string as it is, with no Content-Type added (the one set, if any, is
//     kept);
//   - a []byte as it is, as application/octet-stream unless a Content-Type
//     is set;
//   - an io.Reader streamed to the client, as application/octet-stream
//     unless a Content-Type is set, without ETag (Send does not close it);
//   - nil as an empty body, without ETag;
//   - any other value as JSON (see JSON), Content-Type forced to
//     application/json; charset=utf-8.
//
// Strings, bytes and JSON carry an ETag and answer a matching
// If-None-Match with 304; with status 204 or 304 no body is sent.
func (r *Response) Send(v any) {
	if r.refuse("Send") {
		return
	}
	switch b := v.(type) {
	case nil:
		r.End()
	case string:
		r.finishString(b)
	case []byte:
		if !r.hasContentType() {
			r.Header()["Content-Type"] = r.headerValue(hvType, contentTypeBinary)
		}
		r.finishBytes(b, true)
	case io.Reader:
		r.stream(b)
	default:
		body, err := marshalJS(v)
		if err != nil {
			r.fail(fmt.Errorf("api: Send: %w", err))
			return
		}
		r.Header()["Content-Type"] = r.headerValue(hvType, contentTypeJSON)
		r.finishBytes(body, false)
	}
}

// Redirect redirects to url with 307 Temporary Redirect, as Next's
// res.redirect(url): Location is url verbatim (relative URLs stay
// relative) and the body is the URL text. See RedirectWithStatus.
func (r *Response) Redirect(url string) { r.RedirectWithStatus(http.StatusTemporaryRedirect, url) }

// RedirectWithStatus redirects to url with the given status, as Next's
// res.redirect(status, url); any status is accepted, as in Next.js. A url
// holding a control character (see navigation.CheckTarget) is refused, the
// response becomes a 500 and the attempt is logged, as Node's header check
// makes Next.js do.
func (r *Response) RedirectWithStatus(code int, url string) {
	if r.refuse("Redirect") {
		return
	}
	checkCode(code)
	if err := navigation.CheckTarget(url); err != nil {
		r.fail(fmt.Errorf("api: redirect target %q refused: %w", url, err))
		return
	}
	if r.state&headerSent != 0 {
		r.fail(fmt.Errorf("api: cannot redirect to %q: the headers were already sent", url))
		return
	}
	h := r.Header()
	h["Location"] = []string{url}
	if !r.hasContentType() {
		h["Content-Type"] = nil
	}
	r.status = code
	if bodyless(code) {
		r.endHeader()
		return
	}
	h["Content-Length"] = []string{strconv.Itoa(len(url))}
	r.endHeader()
	r.writeString(url)
}

// End finishes the response without a body, with the status set by Status.
func (r *Response) End() {
	if r.state&ended != 0 {
		return
	}
	r.endHeader()
}

// Revalidate purges the cached responses of path so that the next GET
// regenerates them, as Next's res.revalidate(urlPath). path must start
// with "/". It fails, wrapping ErrNoCache, when the route has no cache.
func (r *Response) Revalidate(path string) error {
	if !strings.HasPrefix(path, "/") {
		return fmt.Errorf("Invalid urlPath provided to revalidate(), must be a path e.g. /blog/post-1, received %s", path)
	}
	c := r.route.cache
	if c == nil {
		return fmt.Errorf("Failed to revalidate %s: %w", path, ErrNoCache)
	}
	if err := c.Revalidate(r.req.Context(), path); err != nil {
		return fmt.Errorf("Failed to revalidate %s: %w", path, err)
	}
	return nil
}

// checkCode panics on a status code net/http cannot send.
func checkCode(code int) {
	if code < 100 || code > 999 {
		panic(fmt.Sprintf("api: invalid status code %d", code))
	}
}

// bodyless reports whether a response with this status carries no body.
func bodyless(code int) bool {
	return code == http.StatusNoContent || code == http.StatusNotModified
}

// refuse reports whether the response is already finished, logging the
// ignored call.
func (r *Response) refuse(helper string) bool {
	if r.state&ended == 0 {
		return false
	}
	r.route.logger().Warn("api: "+helper+" called after the response was sent; ignored",
		"file", r.route.file, "url", requestURL(r.req))
	return true
}

// hasContentType reports whether a non-empty Content-Type is set, as
// res.getHeader('Content-Type') being truthy.
func (r *Response) hasContentType() bool {
	v := r.Header()["Content-Type"]
	return len(v) > 0 && v[0] != ""
}

// headerValue returns a one-element header value backed by r.hv, so that
// setting a header does not allocate; the capacity of one makes an append
// by the handler copy it.
func (r *Response) headerValue(slot int, v string) []string {
	r.hv[slot] = v
	return r.hv[slot : slot+1 : slot+1]
}

// sendHeader sends the pending status if the headers were not sent yet.
func (r *Response) sendHeader() {
	if r.state&headerSent == 0 {
		r.state |= headerSent
		r.w.WriteHeader(r.StatusCode())
	}
}

// endHeader sends the headers, if not sent yet, and marks r finished.
func (r *Response) endHeader() {
	r.sendHeader()
	r.state |= ended
}

// write writes a finished response's body.
func (r *Response) write(b []byte) {
	n, _ := r.w.Write(b)
	r.written += int64(n)
}

// writeString writes a finished response's body.
func (r *Response) writeString(s string) {
	n, _ := io.WriteString(r.w, s)
	r.written += int64(n)
}

// finishString sends a string body (see begin).
func (r *Response) finishString(body string) {
	e := newETagHash()
	hashText(&e, body)
	if r.begin(len(body), &e) {
		r.writeString(body)
	}
}

// finishBytes sends a byte body (see begin): JSON text, or with buffer set
// a Buffer, whose ETag Next.js computes over its JSON form.
func (r *Response) finishBytes(body []byte, buffer bool) {
	var e etagHash
	if buffer {
		e = bufferETag(body)
	} else {
		e = newETagHash()
		hashText(&e, body)
	}
	if r.begin(len(body), &e) {
		r.write(body)
	}
}

// begin finishes a response of size body bytes whose ETag is e, as Next's
// sendData sends a string or a Buffer, and reports whether the body must
// then be written. With status 204 or 304 only the headers go, entity
// headers dropped; otherwise the ETag is set, the request's validators
// matching it make the response a bodiless 304, and else Content-Length is
// set. When the handler sent the headers itself, only the body is left to
// write.
func (r *Response) begin(size int, e *etagHash) bool {
	h := r.Header()
	if r.state&headerSent != 0 {
		r.state |= ended
		return true
	}
	if bodyless(r.StatusCode()) {
		delete(h, "Content-Type")
		delete(h, "Content-Length")
		delete(h, "Transfer-Encoding")
		r.endHeader()
		return false
	}
	var buf [48]byte
	b := e.appendETag(buf[:0])
	tagLen := len(b)
	b = strconv.AppendInt(b, int64(size), 10)
	s := string(b) // the ETag and the Content-Length in one allocation
	etag := s[:tagLen]
	h["Etag"] = r.headerValue(hvETag, etag)
	if fresh(r.req.Header, etag) {
		r.status = http.StatusNotModified
		r.endHeader()
		return false
	}
	if !r.hasContentType() {
		// A string body gets no Content-Type, as in Next.js; the nil
		// value stops net/http from sniffing one.
		h["Content-Type"] = nil
	}
	h["Content-Length"] = r.headerValue(hvLength, s[tagLen:])
	r.endHeader()
	return true
}

// stream sends the body read from src, as Next's res.send(stream).
func (r *Response) stream(src io.Reader) {
	h := r.Header()
	if r.state&headerSent == 0 {
		if bodyless(r.StatusCode()) {
			delete(h, "Content-Type")
			delete(h, "Content-Length")
			delete(h, "Transfer-Encoding")
			r.endHeader()
			return
		}
		if !r.hasContentType() {
			h["Content-Type"] = r.headerValue(hvType, contentTypeBinary)
		}
	}
	r.sendHeader()
	n, err := io.Copy(r.w, src)
	r.written += n
	r.state |= ended
	if err != nil {
		r.route.logger().Error("api: streaming the response body failed", "file", r.route.file,
			"url", requestURL(r.req), "err", err)
		r.state |= broken
	}
}

// fail answers 500 Internal Server Error after a helper failed, or marks
// the response broken when the headers are already on their way.
func (r *Response) fail(err error) {
	r.route.logger().Error(err.Error(), "file", r.route.file, "url", requestURL(r.req))
	if r.state&headerSent != 0 {
		r.state |= ended | broken
		return
	}
	r.sendError(http.StatusInternalServerError, "Internal Server Error")
}

// sendError answers status with the plain message, as Next's sendError:
// no Content-Type, and none of the headers that described another body.
// Other headers already set are kept.
func (r *Response) sendError(status int, msg string) {
	pipeline.BareHeader(r.Header(), len(msg))
	r.status = status
	r.endHeader()
	n, _ := io.WriteString(r.w, msg)
	r.written += int64(n)
}
