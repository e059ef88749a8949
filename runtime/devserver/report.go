package devserver

import (
	"encoding/json"
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
	// Level and Message describe a log record; Message is the line as the
	// terminal shows it.
	Level   string    `json:"level,omitempty"`
	Message string    `json:"msg,omitempty"`
	Time    time.Time `json:"time"`
}

// Reporter writes Reports, one JSON object per line. A nil *Reporter
// discards them. It is safe for concurrent use.
type Reporter struct {
	mu sync.Mutex
	w  io.Writer
}

// NewReporter returns a Reporter writing to w.
func NewReporter(w io.Writer) *Reporter { return &Reporter{w: w} }

// Request reports a served request.
func (r *Reporter) Request(e mux.Entry) {
	if r == nil || e.RequestID == "" {
		return
	}
	r.write(Report{Type: "request", RequestID: e.RequestID, File: e.File, Cache: e.Cache, Status: e.Status, Time: time.Now()})
}

// Log reports a log record of the request id.
func (r *Reporter) Log(id, level, message string, t time.Time) {
	if r == nil || id == "" {
		return
	}
	r.write(Report{Type: "log", RequestID: id, Level: level, Message: message, Time: t})
}

func (r *Reporter) write(rep Report) {
	b, err := json.Marshal(rep)
	if err != nil {
		return
	}
	b = append(b, '\n')
	r.mu.Lock()
	defer r.mu.Unlock()
	_, _ = r.w.Write(b) // a lost report only leaves the dashboard short of a detail
}
