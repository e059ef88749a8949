package server

import (
	"context"
	"io"
	"net/http"
	"strconv"
)

// appended are the headers that Next appends to, rather than leaves alone,
// when the outgoing response already has them (send-response.ts).
var appended = map[string]bool{
	"Set-Cookie":         true,
	"Www-Authenticate":   true,
	"Proxy-Authenticate": true,
	"Vary":               true,
}

// mergeHeader copies src into dst as Next sends a route handler's response:
// a header already present in dst (set before the route ran) is kept,
// except the appended ones, whose values are added.
func mergeHeader(dst, src http.Header) {
	for k, vs := range src {
		ck := http.CanonicalHeaderKey(k)
		if appended[ck] {
			dst[ck] = append(dst[ck], vs...)
			continue
		}
		if _, ok := dst[ck]; ok {
			continue
		}
		if vs == nil {
			dst[ck] = nil // a deliberate "send no such header"
			continue
		}
		dst[ck] = append([]string(nil), vs...)
	}
}

// sendOptions is what a response gets on its way out besides its own
// contents.
type sendOptions struct {
	head         bool     // a HEAD request: headers only
	cookies      []string // Set-Cookie values from the request's CookieStore
	cacheControl string   // set when no Cache-Control is present
}

// prepare puts the headers of res and o on w.
func prepare(w http.ResponseWriter, res *Response, o sendOptions) http.Header {
	h := w.Header()
	mergeHeader(h, res.Header)
	if len(o.cookies) > 0 {
		h["Set-Cookie"] = append(h["Set-Cookie"], o.cookies...)
	}
	if o.cacheControl != "" && h.Get("Cache-Control") == "" {
		h.Set("Cache-Control", o.cacheControl)
	}
	return h
}

// noSniff stops net/http from guessing a Content-Type the response did not
// set (Next sends none).
func noSniff(h http.Header) {
	if _, ok := h["Content-Type"]; !ok {
		h["Content-Type"] = nil
	}
}

// send writes res to w. It returns an error only for failures after the
// headers went out (a body that could not be read or written in full); the
// caller logs it and cuts the connection.
func send(ctx context.Context, w http.ResponseWriter, res *Response, o sendOptions) error {
	h := prepare(w, res, o)
	status := res.Status
	switch b := res.body.(type) {
	case nil:
		w.WriteHeader(status)
		return nil
	case []byte:
		return sendBytes(w, h, status, b, o.head)
	case string:
		return sendBytes(w, h, status, []byte(b), o.head)
	case io.Reader:
		if c, ok := b.(io.Closer); ok {
			defer c.Close()
			stop := context.AfterFunc(ctx, func() { _ = c.Close() })
			defer stop()
		}
		noSniff(h)
		w.WriteHeader(status)
		if o.head {
			return nil
		}
		flush(w)
		return copyFlushing(ctx, w, b)
	case streamFunc:
		noSniff(h)
		w.WriteHeader(status)
		if o.head {
			return nil
		}
		flush(w)
		return b(&flushWriter{ctx: ctx, w: w})
	}
	panic("server: unreachable body type") // NewResponse only stores the types above
}

func sendBytes(w http.ResponseWriter, h http.Header, status int, b []byte, head bool) error {
	if len(b) > 0 {
		noSniff(h)
	}
	if h.Get("Content-Length") == "" {
		h.Set("Content-Length", strconv.Itoa(len(b)))
	}
	w.WriteHeader(status)
	if head || len(b) == 0 {
		return nil
	}
	_, err := w.Write(b)
	return err
}

// copyFlushing copies r to w, flushing after each chunk read so the client
// gets data as it arrives.
func copyFlushing(ctx context.Context, w http.ResponseWriter, r io.Reader) error {
	buf := make([]byte, 32<<10)
	for {
		n, err := r.Read(buf)
		if cerr := ctx.Err(); cerr != nil {
			return cerr
		}
		if n > 0 {
			if _, werr := w.Write(buf[:n]); werr != nil {
				return werr
			}
			flush(w)
		}
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
	}
}

// flushWriter is the writer of a Stream body: each Write is flushed.
type flushWriter struct {
	ctx context.Context
	w   http.ResponseWriter
}

func (f *flushWriter) Write(p []byte) (int, error) {
	if err := f.ctx.Err(); err != nil {
		return 0, err
	}
	n, err := f.w.Write(p)
	if err == nil {
		flush(f.w)
	}
	return n, err
}

// flush sends what w has buffered, where the writer supports it.
func flush(w http.ResponseWriter) {
	_ = http.NewResponseController(w).Flush()
}
