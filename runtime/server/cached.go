package server

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/nextgo-dev/nextgo/internal/pipeline"
	"github.com/nextgo-dev/nextgo/runtime/cache"
)

// errGenerationFailed marks a generation that ended in a (logged) 500.
var errGenerationFailed = errors.New("server: the route handler failed")

// serveCached serves a GET (or a HEAD answered by GET) of a cached route.
//
// A cached response is a static one: as in Next, where it is generated at
// build time or by a revalidation, the handler sees a GET for the path alone,
// without query, headers, cookies or body, whatever the mode; the cache key
// is the path. Streamed bodies are buffered into the entry.
func (h *handler) serveCached(w http.ResponseWriter, r *http.Request, info requestInfo, m Method) {
	head := r.Method == http.MethodHead
	info.action = false
	if h.store == nil {
		h.invoke(w, strip(r, false), info, m, sendOptions{head: head, cacheControl: h.config.CacheControl()})
		return
	}
	gen := func(ctx context.Context) (cache.Entry, error) {
		if d := h.maxDuration(); d > 0 {
			var cancel context.CancelFunc
			ctx, cancel = context.WithTimeout(ctx, d)
			defer cancel()
		}
		gr := strip(r.WithContext(ctx), false)
		gr.Method = http.MethodGet
		rec := &recorder{header: http.Header{}}
		if !h.invoke(rec, gr, info, m, sendOptions{}) {
			return cache.Entry{}, errGenerationFailed
		}
		return rec.entry(), nil
	}
	revalidate := time.Duration(h.config.Revalidate) * time.Second
	ctx := r.Context()
	if v := r.Header.Get(cache.RegenerateHeader); v != "" {
		ctx = cache.Regenerating(ctx, v)
	}
	e, state, err := h.store.Get(ctx, r.URL.EscapedPath(), revalidate, gen)
	if err != nil {
		if !errors.Is(err, errGenerationFailed) && r.Context().Err() == nil {
			h.log.ErrorContext(r.Context(), "error in "+h.file, "route", h.file, "method", r.Method, "path", r.URL.Path, "err", err.Error())
		}
		w.WriteHeader(http.StatusInternalServerError)
		return
	}
	hd := w.Header()
	mergeHeader(hd, e.Header)
	hd.Set("X-Nextjs-Cache", string(state))
	if hd.Get("Cache-Control") == "" {
		hd.Set("Cache-Control", h.config.CacheControl())
	}
	send := pipeline.BodyAllowed(e.Status) && len(e.Body) > 0
	if send && hd.Get("Content-Length") == "" {
		hd.Set("Content-Length", strconv.Itoa(len(e.Body)))
	}
	w.WriteHeader(e.Status)
	if send && !head {
		_, _ = w.Write(e.Body)
	}
}

// recorder is the ResponseWriter of a generation: it keeps the response
// for the cache.
type recorder struct {
	header http.Header
	sent   http.Header // the headers as they were when the response started
	status int
	body   bytes.Buffer
}

func (r *recorder) Header() http.Header { return r.header }

func (r *recorder) WriteHeader(code int) {
	if r.status != 0 || code < 200 {
		return
	}
	r.status = code
	r.sent = r.header.Clone()
}

func (r *recorder) Write(p []byte) (int, error) {
	if r.status == 0 {
		r.WriteHeader(http.StatusOK)
	}
	return r.body.Write(p)
}

// Flush does nothing: the whole body is kept.
func (r *recorder) Flush() {}

// entry returns the recorded response.
func (r *recorder) entry() cache.Entry {
	if r.status == 0 {
		r.WriteHeader(http.StatusOK)
	}
	return cache.Entry{Status: r.status, Header: r.sent, Body: r.body.Bytes()}
}
