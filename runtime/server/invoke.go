package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"

	"github.com/nextgo-dev/nextgo/internal/pipeline"
	"github.com/nextgo-dev/nextgo/runtime/navigation"
)

// panicError is a recovered panic, carried as an error.
type panicError struct {
	value any
	stack []byte
	late  bool // the response had started: the connection is cut
}

func (p *panicError) Error() string { return fmt.Sprintf("panic: %v", p.value) }

// Unwrap returns the panic value when it is an error, so that a navigation
// sentinel passed to panic is recognised.
func (p *panicError) Unwrap() error {
	err, _ := p.value.(error)
	return err
}

// call runs fn, turning a panic into a *panicError. http.ErrAbortHandler is
// re-panicked: it asks net/http to drop the connection.
func call(fn HandlerFunc, req *Request) (res *Response, err error) {
	defer func() {
		if v := recover(); v != nil {
			if v == http.ErrAbortHandler {
				panic(v)
			}
			res, err = nil, &panicError{value: v, stack: debug.Stack()}
		}
	}()
	return fn(req)
}

// reporter logs the failures of one route or middleware file.
type reporter struct {
	file  string
	log   *slog.Logger
	limit string // the route's BodySizeLimit, for the 413 message
}

// failure logs err, a handler's error or panic.
func (rp reporter) failure(ctx context.Context, r *http.Request, err error) {
	attrs := []any{"route", rp.file, "method", r.Method, "path", r.URL.Path}
	var pe *panicError
	if errors.As(err, &pe) {
		msg := "panic in " + rp.file
		if pe.late {
			msg += " after the response started"
		}
		rp.log.ErrorContext(ctx, msg, append(attrs, "panic", fmt.Sprint(pe.value), "stack", string(pe.stack))...)
		return
	}
	rp.log.ErrorContext(ctx, "error in "+rp.file, append(attrs, "err", err.Error())...)
}

// outcome is what a handler's result becomes.
type outcome struct {
	res *Response // to send; nil: answer status with an empty body
	// status of an internal answer (500, or 413 for a body over the limit)
	// when res is nil.
	status int
}

// resolve turns what a route handler (or, with middleware set, a
// middleware) produced into the response to send, logging the failures:
// navigation sentinels become their redirect or 404, a body over the limit
// a 413, any other error or panic a 500, and so does a response that cannot
// be sent. A nil response is a 500 for a handler and means "continue" for a
// middleware (returned as Next()).
func (rp reporter) resolve(r *http.Request, info requestInfo, res *Response, err error, middleware bool) outcome {
	ctx := r.Context()
	if err != nil {
		if re, ok := navigation.IsRedirect(err); ok {
			status := re.Status
			if info.action {
				status = http.StatusSeeOther
			}
			return outcome{res: &Response{Status: status, Header: http.Header{"Location": {re.URL}}}}
		}
		if status, ok := navigation.AccessStatus(err); ok {
			return outcome{res: &Response{Status: status, Header: http.Header{}}}
		}
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			return outcome{status: http.StatusRequestEntityTooLarge}
		}
		rp.failure(ctx, r, err)
		return outcome{status: http.StatusInternalServerError}
	}
	switch {
	case res == nil && middleware:
		return outcome{res: Next()}
	case res == nil:
		rp.log.ErrorContext(ctx, fmt.Sprintf("No response is returned from route handler '%s'. Ensure you return a *server.Response in all branches of your handler.", rp.file), "route", rp.file, "method", r.Method, "path", r.URL.Path)
		return outcome{status: http.StatusInternalServerError}
	case res.err != nil:
		rp.failure(ctx, r, res.err)
		return outcome{status: http.StatusInternalServerError}
	case res.next != nil && !middleware && res.next.rewrite != "":
		rp.log.ErrorContext(ctx, fmt.Sprintf("server.Rewrite() was used in a route handler ('%s'), this is not currently supported: rewrites belong in middleware. Please remove the invocation to continue.", rp.file), "route", rp.file)
		return outcome{status: http.StatusInternalServerError}
	case res.next != nil && !middleware:
		rp.log.ErrorContext(ctx, fmt.Sprintf("server.Next() was used in a route handler ('%s'), this is not supported: it is for middleware. See here for more info: https://nextjs.org/docs/messages/next-response-next-in-app-route-handler", rp.file), "route", rp.file)
		return outcome{status: http.StatusInternalServerError}
	}
	return outcome{res: res}
}

// invoke runs the method m of a route for r (ForceStatic already applied)
// and writes the response to w. It reports whether the handler produced a
// response, rather than failing with a 500 or 413.
func (h *handler) invoke(w http.ResponseWriter, r *http.Request, info requestInfo, m Method, o sendOptions) bool {
	jar := newCookieStore(r.Header)
	r = r.WithContext(withScope(r.Context(), &scope{file: h.file, header: r.Header, cookies: jar, cache: h.store}))
	rp := reporter{file: h.file, log: h.log, limit: h.limitText}
	if m.h != nil {
		return invokeHTTP(w, r, info, m.h, jar, o, rp)
	}
	req := newRequest(r, info.orig)
	defer req.cleanup()
	res, err := call(m.fn, req)
	return finish(w, r, rp.resolve(r, info, res, err, false), jar, o, rp)
}

// finish sends an outcome: the response with the request's cookies, or an
// empty internal answer. It reports whether a response was sent.
func finish(w http.ResponseWriter, r *http.Request, out outcome, jar *CookieStore, o sendOptions, rp reporter) bool {
	if out.res == nil {
		if out.status == http.StatusRequestEntityTooLarge {
			pipeline.TooLarge(w, rp.limit)
		} else {
			w.WriteHeader(out.status)
		}
		return false
	}
	o.cookies = jar.setCookieHeaders()
	if err := send(r.Context(), w, out.res, o); err != nil {
		if r.Context().Err() == nil {
			rp.failure(r.Context(), r, fmt.Errorf("sending the response body: %w", err))
		}
		panic(http.ErrAbortHandler) // the headers went out: cut the response short
	}
	return true
}

// invokeHTTP runs a net/http handler function for r. The request's cookies
// go out with its headers; a navigation sentinel it panics with is answered
// if it had not started its response; any other panic is a logged 500, or a
// cut connection when the response had started.
func invokeHTTP(w http.ResponseWriter, r *http.Request, info requestInfo, fn http.HandlerFunc, jar *CookieStore, o sendOptions, rp reporter) (ok bool) {
	hw := &httpWriter{ResponseWriter: w, jar: jar, o: o}
	defer func() {
		v := recover()
		if v == nil {
			if !hw.wrote {
				hw.WriteHeader(http.StatusOK)
			}
			ok = true
			return
		}
		if v == http.ErrAbortHandler {
			panic(v)
		}
		err := &panicError{value: v, stack: debug.Stack(), late: hw.wrote}
		if err.late {
			rp.failure(r.Context(), r, err)
			panic(http.ErrAbortHandler)
		}
		ok = finish(w, r, rp.resolve(r, info, nil, err, false), jar, o, rp)
	}()
	fn(hw, r)
	return true
}

// httpWriter is the ResponseWriter of a net/http handler function: it adds
// the request's cookies and the route's Cache-Control when the headers go
// out, and drops the body of a HEAD response.
type httpWriter struct {
	http.ResponseWriter
	jar   *CookieStore
	o     sendOptions
	wrote bool
}

func (w *httpWriter) WriteHeader(code int) {
	if !w.wrote && code >= 200 {
		w.wrote = true
		h := w.Header()
		if c := w.jar.setCookieHeaders(); len(c) > 0 {
			h["Set-Cookie"] = append(h["Set-Cookie"], c...)
		}
		if w.o.cacheControl != "" && h.Get("Cache-Control") == "" {
			h.Set("Cache-Control", w.o.cacheControl)
		}
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *httpWriter) Write(p []byte) (int, error) {
	if !w.wrote {
		w.WriteHeader(http.StatusOK)
	}
	if w.o.head {
		return len(p), nil
	}
	return w.ResponseWriter.Write(p)
}

// Flush sends the buffered response to the client.
func (w *httpWriter) Flush() {
	if !w.wrote {
		w.WriteHeader(http.StatusOK)
	}
	flush(w.ResponseWriter)
}

// Unwrap returns the underlying ResponseWriter, for http.ResponseController.
func (w *httpWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
