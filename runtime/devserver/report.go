package devserver

import (
	"io"
	"time"

	"github.com/nextgo-dev/nextgo/internal/linebatch"
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

// Reporter writes Reports, one JSON object per line (AppendJSON): a
// report after a quiet moment at once, one that follows others closely
// with them, within reportDelay (see linebatch). A nil *Reporter discards
// them. It is safe for concurrent use.
type Reporter struct {
	b *linebatch.Batch
}

// reportDelay bounds how long a report waits to be written with others.
const reportDelay = 50 * time.Millisecond

// NewReporter returns a Reporter writing to w.
func NewReporter(w io.Writer) *Reporter {
	return &Reporter{b: linebatch.NewSize(w, reportDelay, ReportBatch)}
}

// ReportBatch is how many bytes of reports may wait to be written together
// (about 1,500 requests'): the CLI, which gives the report pipe room for
// more (see internal/devloop), then wakes a few times a second under load
// rather than hundreds.
const ReportBatch = 256 << 10

// Flush writes the reports waiting.
func (r *Reporter) Flush() {
	if r != nil {
		_ = r.b.Flush() // a lost report only leaves the dashboard short of a detail
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
	var a [512]byte
	r.b.Line(append(rep.AppendJSON(a[:0]), '\n'))
}
