package devserver

import (
	"io"
	"sync"
	"time"

	"github.com/nextgo-dev/nextgo/runtime/mux"
)

// Report is one line of the report pipe: what the CLI's dashboard learns
// from the dev server about a request, beyond what it sees on the wire.
type Report struct {
	// Type is "request" (once per request, after its response) or "log" (a
	// log record made with the request's context).
	Type string `json:"type"`
	// RequestID ties the report to its request (runtime/requestid).
	RequestID string `json:"id"`
	// File is who answered a request: the route file, a nextgo.json rule,
	// the middleware; "" for nobody (404).
	File   string `json:"file,omitempty"`
	Cache  string `json:"cache,omitempty"`
	Status int    `json:"status,omitempty"`
	// Method, Path (the request URI) and DurationMs describe a request.
	Method     string  `json:"method,omitempty"`
	Path       string  `json:"path,omitempty"`
	DurationMs float64 `json:"durationMs,omitempty"`
	// Level and Message describe a log record; Message is the line as the
	// terminal shows it.
	Level   string    `json:"level,omitempty"`
	Message string    `json:"msg,omitempty"`
	Time    time.Time `json:"time"`
}

// Reporter writes Reports, one JSON object per line (AppendJSON), in
// batches: a report reaches w within reportDelay. A nil *Reporter discards them. It is safe
// for concurrent use.
type Reporter struct {
	mu      sync.Mutex
	w       io.Writer
	buf     []byte
	pending bool // a flush is scheduled
}

// reportDelay bounds how long a report waits to be written with others.
const reportDelay = 10 * time.Millisecond

// NewReporter returns a Reporter writing to w.
func NewReporter(w io.Writer) *Reporter { return &Reporter{w: w} }

// Flush writes the reports waiting.
func (r *Reporter) Flush() {
	if r == nil {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.pending = false
	if len(r.buf) > 0 {
		_, _ = r.w.Write(r.buf) // a lost report only leaves the dashboard short of a detail
		r.buf = r.buf[:0]
	}
}

// Request reports a served request.
func (r *Reporter) Request(e mux.Entry) {
	if r == nil || e.RequestID == "" {
		return
	}
	r.write(&Report{Type: "request", RequestID: e.RequestID, File: e.File, Cache: e.Cache, Status: e.Status,
		Method: e.Method, Path: e.Path, DurationMs: float64(e.Duration.Microseconds()) / 1000, Time: time.Now()})
}

// Log reports a log record of the request id.
func (r *Reporter) Log(id, level, message string, t time.Time) {
	if r == nil || id == "" {
		return
	}
	r.write(&Report{Type: "log", RequestID: id, Level: level, Message: message, Time: t})
}

func (r *Reporter) write(rep *Report) {
	r.mu.Lock()
	r.buf = append(rep.AppendJSON(r.buf), '\n')
	schedule := !r.pending
	r.pending = true
	r.mu.Unlock()
	if schedule {
		time.AfterFunc(reportDelay, r.Flush)
	}
}
