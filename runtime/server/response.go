package server

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/nextgo-dev/nextgo/runtime/navigation"
)

// Content types of the response helpers, as Next's Response.json() and a
// string body of new Response() get them.
const (
	contentTypeJSON = "application/json"
	contentTypeText = "text/plain;charset=UTF-8"
)

// Init is the status and headers of a new Response, as the init argument of
// Next's `new Response(body, init)`.
type Init struct {
	// Status is the HTTP status, 200 when 0. It must be within 200–599.
	Status int
	// Headers are the response headers; they are copied.
	Headers http.Header
}

// Response is what a route handler or middleware returns. Build one with
// JSON, Text, NewResponse, Stream or Redirect (middleware also with Next and
// Rewrite); Status and Header may be changed before it is returned.
//
// A Response that cannot be sent as built (a value JSON cannot encode, an
// invalid status, a body on a 204) makes the request fail with a 500 whose
// log line gives the reason, as a throwing Response constructor would in
// Next.
type Response struct {
	// Status is the HTTP status code.
	Status int
	// Header holds the response headers. Set-Cookie lines added here are
	// sent as they are.
	Header http.Header

	body any   // nil, []byte, string, io.Reader or streamFunc
	err  error // why the response cannot be sent

	next *nextAction // middleware: continue (and maybe rewrite)
}

// streamFunc is the body of a Stream response.
type streamFunc func(w io.Writer) error

// nextAction is what Next and Rewrite ask of the middleware runtime.
type nextAction struct {
	rewrite       string      // "" to continue with the same URL
	requestHeader http.Header // headers set on the forwarded request
}

// NewResponse returns a response with body and init (at most one). body
// may be nil, a []byte, a string (which, without a Content-Type in init,
// gets `text/plain;charset=UTF-8` as in the Fetch API) or an io.Reader,
// which is streamed: each chunk read is sent and flushed to the client at
// once, and the reader is closed afterwards (or when the client goes away)
// if it is an io.Closer. Any other body type fails the request.
func NewResponse(body any, init ...Init) *Response {
	r := newResponse(init)
	switch b := body.(type) {
	case nil:
	case []byte:
		r.body = b
	case string:
		r.body = b
		if r.Header.Get("Content-Type") == "" {
			r.Header.Set("Content-Type", contentTypeText)
		}
	case io.Reader:
		r.body = b
	default:
		r.fail(fmt.Errorf("server: NewResponse: unsupported body type %T: use []byte, string or io.Reader", body))
	}
	r.checkNullBody()
	return r
}

// JSON returns a response whose body is v encoded as JSON, with
// `Content-Type: application/json` unless init sets another, as Next's
// Response.json().
func JSON(v any, init ...Init) *Response {
	r := newResponse(init)
	b, err := json.Marshal(v)
	if err != nil {
		r.fail(fmt.Errorf("server: JSON: %w", err))
	}
	r.body = b
	if r.Header.Get("Content-Type") == "" {
		r.Header.Set("Content-Type", contentTypeJSON)
	}
	r.checkNullBody()
	return r
}

// Text returns a response with the body s and `Content-Type:
// text/plain;charset=UTF-8` unless init sets another.
func Text(s string, init ...Init) *Response {
	return NewResponse(s, init...)
}

// Stream returns a response whose body write produces: every Write to w is
// sent and flushed to the client at once (wrap w in a bufio.Writer to
// batch). Headers go out before write runs. write should stop when a Write
// fails or the request's context is done (the client went away); an error it
// returns after the headers went out cuts the response short.
func Stream(write func(w io.Writer) error, init ...Init) *Response {
	r := newResponse(init)
	if write == nil {
		r.fail(fmt.Errorf("server: Stream: nil function"))
	} else {
		r.body = streamFunc(write)
	}
	r.checkNullBody()
	return r
}

// Redirect returns a redirect to url, sent verbatim as the Location header,
// with an empty body: 307 by default, or status, which must be 301, 302, 303,
// 307 or 308 (as NextResponse.redirect). A url containing CR or LF fails the
// request.
func Redirect(url string, status ...int) *Response {
	r := newResponse(nil)
	r.Status = http.StatusTemporaryRedirect
	if len(status) > 0 {
		r.Status = status[0]
	}
	switch {
	case len(status) > 1:
		r.fail(fmt.Errorf("server: Redirect: more than one status"))
	case !isRedirectStatus(r.Status):
		r.fail(fmt.Errorf("server: Redirect: invalid status code %d: want 301, 302, 303, 307 or 308", r.Status))
	}
	if err := navigation.CheckURL(url); err != nil {
		r.fail(fmt.Errorf("server: Redirect: %w", err))
	}
	r.Header.Set("Location", url)
	return r
}

func isRedirectStatus(code int) bool {
	switch code {
	case 301, 302, 303, 307, 308:
		return true
	}
	return false
}

// SetCookie adds a Set-Cookie header for c, serialised as CookieStore's
// SetCookie does (Path "/" by default), and returns r. It panics if the
// cookie's name, path or domain is invalid.
func (r *Response) SetCookie(c *http.Cookie) *Response {
	if err := checkCookie(c); err != nil {
		panic(err)
	}
	r.Header.Add("Set-Cookie", formatSetCookie(c, time.Now()))
	return r
}

// DeleteCookie adds a Set-Cookie header that expires the cookie name, and
// returns r.
func (r *Response) DeleteCookie(name string) *Response {
	return r.SetCookie(deletion(name))
}

// NextOption configures Next and Rewrite.
type NextOption func(*nextAction)

// WithRequestHeaders sets h on the request that the route receives after the
// middleware: each header in h replaces the request's values of that name.
func WithRequestHeaders(h http.Header) NextOption {
	return func(a *nextAction) {
		if a.requestHeader == nil {
			a.requestHeader = http.Header{}
		}
		for k, vs := range h {
			a.requestHeader[http.CanonicalHeaderKey(k)] = append([]string(nil), vs...)
		}
	}
}

// Next is what a middleware returns to let the request go on to its route,
// Next's NextResponse.next(). Headers and cookies set on the returned
// Response are added to the route's response (a header the middleware sets
// wins over the route's, Set-Cookie, Vary, WWW-Authenticate and
// Proxy-Authenticate are appended), and the cookies are also visible to the
// route as request cookies. A route handler that returns Next fails with a
// 500.
func Next(opts ...NextOption) *Response {
	r := newResponse(nil)
	r.next = &nextAction{}
	for _, o := range opts {
		o(r.next)
	}
	return r
}

// Rewrite is what a middleware returns to serve the request with another
// route, keeping the URL the client sees: Next's NextResponse.rewrite(). url
// is a path with an optional query ("/api/v2/items?x=1"), or an absolute URL
// of the same host; its query replaces the request's. The options and the
// Response's headers and cookies work as for Next. A route handler that
// returns Rewrite fails with a 500.
func Rewrite(url string, opts ...NextOption) *Response {
	r := Next(opts...)
	r.next.rewrite = url
	if url == "" {
		r.fail(fmt.Errorf("server: Rewrite: empty URL"))
	}
	return r
}

// newResponse returns a response with init applied.
func newResponse(init []Init) *Response {
	r := &Response{Status: http.StatusOK, Header: http.Header{}}
	if len(init) > 1 {
		r.fail(fmt.Errorf("server: more than one Init"))
	}
	if len(init) > 0 {
		if init[0].Status != 0 {
			r.Status = init[0].Status
		}
		for k, vs := range init[0].Headers {
			r.Header[http.CanonicalHeaderKey(k)] = append([]string(nil), vs...)
		}
	}
	if r.Status < 200 || r.Status > 599 {
		r.fail(fmt.Errorf("server: invalid status %d: want 200–599", r.Status))
	}
	return r
}

// checkNullBody refuses a body with a status that cannot have one, as the
// Fetch Response constructor does.
func (r *Response) checkNullBody() {
	if r.body != nil && nullBodyStatus(r.Status) {
		r.fail(fmt.Errorf("server: a response with status %d cannot have a body", r.Status))
	}
}

// fail records the first reason r cannot be sent.
func (r *Response) fail(err error) {
	if r.err == nil {
		r.err = err
	}
}

// nullBodyStatus reports whether status is one the Fetch standard's
// Response refuses a body for (as Next's `new Response(body, {status})`
// throws): 204, 205 and 304 (101 and 103 are not valid Response statuses
// here). What net/http sends is pipeline.BodyAllowed's business.
func nullBodyStatus(status int) bool {
	return status == http.StatusNoContent || status == http.StatusResetContent || status == http.StatusNotModified
}
