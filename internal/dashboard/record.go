package dashboard

import (
	"bytes"
	"io"
	"net/http"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/nextgo-dev/nextgo/runtime/requestid"
)

// MaxBody is how much of a request or response body an entry keeps.
const MaxBody = 64 << 10

// replayKey marks a request the dashboard replays.
type replayKey struct{}

// Record returns next wrapped so that every request it serves is logged:
// it gets an id (runtime/requestid, in its context), and its headers,
// bodies (up to MaxBody), status and timing are kept.
func (d *Dashboard) Record(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := requestid.New()
		e := &Entry{ID: id, Time: time.Now(), Method: r.Method, Path: r.URL.RequestURI(), RequestHeader: r.Header.Clone()}
		if ri, ok := r.Context().Value(replayKey{}).(replayInfo); ok {
			e.ReplayOf = ri.of
			*ri.id = id
		}
		d.begin(e)
		// The body is replaced in the copy WithContext makes: net/http looks
		// at its own request's body once the handler returns (see
		// httpguard.RestoreBody).
		r = r.WithContext(requestid.With(r.Context(), id))
		reqBody := &capture{}
		if r.Body != nil && r.Body != http.NoBody {
			r.Body = &teeBody{ReadCloser: r.Body, c: reqBody}
		}
		cw := &captureWriter{ResponseWriter: w}
		next.ServeHTTP(cw, r)
		elapsed := time.Since(e.Time)
		done := d.finish(e, func(e *Entry) {
			e.Status = cw.status
			if e.Status == 0 {
				e.Status = http.StatusOK
			}
			e.DurationMs = float64(elapsed.Microseconds()) / 1000
			e.ResponseHeader = cw.Header().Clone()
			if e.Cache == "" {
				e.Cache = e.ResponseHeader.Get("X-Nextjs-Cache")
			}
			e.RequestBody = reqBody.body()
			e.ResponseBody = cw.body.body()
		})
		if d.opts.Log != nil {
			d.opts.Log(done)
		}
	})
}

// capture keeps the first MaxBody bytes of a body and counts the rest.
type capture struct {
	mu   sync.Mutex
	buf  bytes.Buffer
	size int64
}

func (c *capture) write(p []byte) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.size += int64(len(p))
	if room := MaxBody - c.buf.Len(); room > 0 {
		if len(p) > room {
			p = p[:room]
		}
		c.buf.Write(p)
	}
}

// body describes what was captured: text when it is UTF-8 without NULs,
// else only its size.
func (c *capture) body() Body {
	c.mu.Lock()
	defer c.mu.Unlock()
	b := Body{Size: c.size, Truncated: c.size > int64(c.buf.Len())}
	data := c.buf.Bytes()
	if b.Truncated {
		// A cut may fall inside a rune.
		for i := 0; i < utf8.UTFMax && len(data) > 0 && !utf8.Valid(data); i++ {
			data = data[:len(data)-1]
		}
	}
	if utf8.Valid(data) && bytes.IndexByte(data, 0) < 0 {
		b.Text = string(data)
	} else {
		b.Binary = true
	}
	return b
}

// teeBody captures a request body as the handler reads it.
type teeBody struct {
	io.ReadCloser
	c *capture
}

func (t *teeBody) Read(p []byte) (int, error) {
	n, err := t.ReadCloser.Read(p)
	if n > 0 {
		t.c.write(p[:n])
	}
	return n, err
}

// captureWriter notes the status and captures the body, keeping Flush
// (through Unwrap) for streamed answers.
type captureWriter struct {
	http.ResponseWriter
	status int
	body   capture
}

func (c *captureWriter) WriteHeader(code int) {
	if c.status == 0 && code >= 200 {
		c.status = code
	}
	c.ResponseWriter.WriteHeader(code)
}

func (c *captureWriter) Write(p []byte) (int, error) {
	if c.status == 0 {
		c.status = http.StatusOK
	}
	c.body.write(p)
	return c.ResponseWriter.Write(p)
}

// Flush sends buffered data to the client.
func (c *captureWriter) Flush() {
	if c.status == 0 {
		c.status = http.StatusOK
	}
	_ = http.NewResponseController(c.ResponseWriter).Flush()
}

// Unwrap returns the underlying ResponseWriter.
func (c *captureWriter) Unwrap() http.ResponseWriter { return c.ResponseWriter }
