package server

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"

	"github.com/nextgo-dev/nextgo/runtime/router"
)

// maxFormMemory is how much of a multipart body FormData keeps in memory;
// the rest of its files goes to temporary files, removed after the request.
const maxFormMemory = 32 << 20

// Request is the request a route handler or middleware receives. It embeds
// the *http.Request (so Context, Header, URL, Body and PathValue work as
// usual) and adds Next's NextRequest conveniences.
//
// The body readers (Bytes, Text, JSON, FormData) read the body once and
// remember it, so they may be combined; afterwards Body reads the same bytes
// again.
type Request struct {
	*http.Request

	params router.Params
	orig   *http.Request // the request as it arrived, for NextURL

	body    []byte
	bodyErr error
	read    bool
	form    *FormData
	formErr error
	parsed  bool
	buffer  bool // FormData reads a multipart body through Bytes, keeping it
}

// newRequest wraps r, whose context carries the route's params. orig is the
// request as it arrived (before ForceStatic stripped it), whose scheme and
// host NextURL reports.
func newRequest(r, orig *http.Request) *Request {
	return &Request{Request: r, params: router.ParamsFrom(r.Context()), orig: orig}
}

// Param returns the dynamic parameter name of the matched route: the segment
// for [name], the segments joined with "/" for [...name] or [[...name]], ""
// when absent.
func (r *Request) Param(name string) string { return r.params.Get(name) }

// Params returns every dynamic parameter, in path order. A catch-all is a
// list (Values, CatchAll true), even of one segment; an optional catch-all
// that matched no segment is absent, as in Next. Routes without dynamic
// segments have none.
func (r *Request) Params() router.Params { return r.params }

// NextURL returns the absolute URL of the request, built from the scheme
// (TLS, or X-Forwarded-Proto) and Host it was sent to, with the path and
// query; Query() reads the search parameters. Under ForceStatic the query is
// gone. Each call returns a new *url.URL the caller may modify.
func (r *Request) NextURL() *url.URL {
	orig := r.orig
	if orig == nil { // a Request built by hand, e.g. in a test
		orig = r.Request
	}
	s := origin(orig) + r.URL.EscapedPath()
	if r.URL.RawQuery != "" {
		s += "?" + r.URL.RawQuery
	}
	u, err := url.Parse(s)
	if err != nil {
		// Only a malformed Host can get here; keep path and query.
		c := *r.URL
		return &c
	}
	return u
}

// Cookies returns the request's cookies, name to value, parsed as Next's
// route handlers do: the last of duplicate names wins, values are
// percent-decoded and a pair whose value does not decode is dropped. It is
// never nil. (The embedded Request.Cookies of net/http is still reachable as
// req.Request.Cookies().)
func (r *Request) Cookies() map[string]string {
	return parseCookieHeader(r.Header)
}

// Bytes returns the request body.
func (r *Request) Bytes() ([]byte, error) {
	if !r.read {
		r.read = true
		if r.Body != nil && r.Body != http.NoBody {
			r.body, r.bodyErr = io.ReadAll(r.Body)
			_ = r.Body.Close()
			if r.bodyErr != nil {
				r.bodyErr = fmt.Errorf("server: reading request body: %w", r.bodyErr)
			}
		}
		r.Body = io.NopCloser(bytes.NewReader(r.body))
	}
	return r.body, r.bodyErr
}

// Text returns the request body as a string.
func (r *Request) Text() (string, error) {
	b, err := r.Bytes()
	return string(b), err
}

// JSON decodes the JSON request body into v. An empty or malformed body, or
// data after the JSON value, is an error (which, returned by the handler,
// answers 500 as Next's request.json() throwing would).
func (r *Request) JSON(v any) error {
	b, err := r.Bytes()
	if err != nil {
		return err
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("server: decoding JSON body: %w", err)
	}
	return nil
}

// FormData is a parsed form body: its fields, and for a multipart body its
// files.
type FormData struct {
	url.Values
	// Files holds the file parts of a multipart body, by field name.
	Files map[string][]*multipart.FileHeader
}

// FormData parses an application/x-www-form-urlencoded or
// multipart/form-data body. Any other content type is an error, as in Next.
// Files beyond 32 MB go to temporary files, removed when the request ends.
func (r *Request) FormData() (*FormData, error) {
	if r.parsed {
		return r.form, r.formErr
	}
	r.parsed = true
	r.form, r.formErr = r.parseForm()
	return r.form, r.formErr
}

func (r *Request) parseForm() (*FormData, error) {
	ct := r.Header.Get("Content-Type")
	mt, params, err := mime.ParseMediaType(ct)
	if err != nil && ct != "" {
		return nil, fmt.Errorf("server: FormData: invalid Content-Type %q: %w", ct, err)
	}
	switch mt {
	case "application/x-www-form-urlencoded":
		b, err := r.Bytes()
		if err != nil {
			return nil, err
		}
		v, err := url.ParseQuery(string(b))
		if err != nil {
			return nil, fmt.Errorf("server: FormData: %w", err)
		}
		return &FormData{Values: v, Files: map[string][]*multipart.FileHeader{}}, nil
	case "multipart/form-data":
		boundary := params["boundary"]
		if boundary == "" {
			return nil, errors.New("server: FormData: multipart body without boundary")
		}
		var body io.Reader = r.Body
		if r.read || r.buffer {
			b, err := r.Bytes()
			if err != nil {
				return nil, err
			}
			body = bytes.NewReader(b)
		}
		f, err := multipart.NewReader(body, boundary).ReadForm(maxFormMemory)
		if err != nil {
			return nil, fmt.Errorf("server: FormData: %w", err)
		}
		r.MultipartForm = f // net/http's own cleanup convention; removed by cleanup
		return &FormData{Values: url.Values(f.Value), Files: f.File}, nil
	}
	return nil, fmt.Errorf(`server: FormData: Content-Type was not one of "multipart/form-data" or "application/x-www-form-urlencoded", got %q`, ct)
}

// cleanup removes the temporary files of a multipart form.
func (r *Request) cleanup() {
	if r.parsed && r.MultipartForm != nil {
		_ = r.MultipartForm.RemoveAll()
	}
}

// origin returns "scheme://host" for r: https when it came over TLS or a
// proxy says so in X-Forwarded-Proto, http otherwise; the Host it was sent
// to ("localhost" if none).
func origin(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	} else if p := strings.ToLower(strings.TrimSpace(strings.Split(r.Header.Get("X-Forwarded-Proto"), ",")[0])); p == "https" || p == "http" {
		scheme = p
	}
	host := r.Host
	if host == "" {
		host = r.URL.Host
	}
	if host == "" {
		host = "localhost"
	}
	return scheme + "://" + host
}
