package dashboard

import (
	"bytes"
	"io"
	"sync"
	"time"
)

// maxPending bounds the invocations whose log lines wait for their request.
const maxPending = 256

// functionLogs ties the function processes' output (nextgo start) to the
// requests: a line that carries a Lambda request id ("request_id":"…", as
// the Lambda adapter's slog records do) belongs to that invocation.
type functionLogs struct {
	mu      sync.Mutex
	entry   map[string]string    // Lambda request id → entry id
	pending map[string][]LogLine // lines of invocations not yet tied
	order   []string             // Lambda request ids, oldest first
}

// FunctionOutput returns a writer for the function processes' output: it
// passes everything to w and keeps each line that carries a Lambda request
// id for the request that invocation served (see Invoked).
func (d *Dashboard) FunctionOutput(w io.Writer) io.Writer {
	return writerFunc(func(p []byte) (int, error) {
		n, err := w.Write(p)
		for _, line := range bytes.Split(bytes.TrimRight(p, "\n"), []byte("\n")) {
			if id := lambdaRequestID(line); id != "" {
				d.functionLine(id, LogLine{Time: time.Now(), Level: level(line), Message: string(line)})
			}
		}
		return n, err
	})
}

type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }

var requestIDKey = []byte(`"request_id":"`)

// lambdaRequestID returns the request id a JSON log line carries.
func lambdaRequestID(line []byte) string {
	i := bytes.Index(line, requestIDKey)
	if i < 0 {
		return ""
	}
	rest := line[i+len(requestIDKey):]
	j := bytes.IndexByte(rest, '"')
	if j <= 0 || j > 64 {
		return ""
	}
	return string(rest[:j])
}

// level returns the "level" of a JSON log line, or "".
func level(line []byte) string {
	i := bytes.Index(line, []byte(`"level":"`))
	if i < 0 {
		return ""
	}
	rest := line[i+9:]
	if j := bytes.IndexByte(rest, '"'); j > 0 && j < 16 {
		return string(rest[:j])
	}
	return ""
}

func (d *Dashboard) functionLine(lambdaID string, l LogLine) {
	fl := &d.flogs
	fl.mu.Lock()
	id, ok := fl.entry[lambdaID]
	if !ok {
		fl.remember(lambdaID)
		fl.pending[lambdaID] = append(fl.pending[lambdaID], l)
	}
	fl.mu.Unlock()
	if ok {
		d.AddLog(id, l)
	}
}

// Invoked ties the invocation lambdaID to the request entryID: the lines
// the invocation logged go to the request's entry.
func (d *Dashboard) Invoked(entryID, lambdaID string) {
	fl := &d.flogs
	fl.mu.Lock()
	fl.remember(lambdaID)
	fl.entry[lambdaID] = entryID
	lines := fl.pending[lambdaID]
	delete(fl.pending, lambdaID)
	fl.mu.Unlock()
	if len(lines) > 0 {
		d.Annotate(entryID, func(e *Entry) { e.Logs = append(e.Logs, lines...) })
	}
}

// remember records lambdaID, forgetting the oldest beyond maxPending.
// fl.mu is held.
func (fl *functionLogs) remember(lambdaID string) {
	if fl.entry == nil {
		fl.entry, fl.pending = map[string]string{}, map[string][]LogLine{}
	}
	if _, ok := fl.entry[lambdaID]; ok {
		return
	}
	if _, ok := fl.pending[lambdaID]; ok {
		return
	}
	fl.order = append(fl.order, lambdaID)
	if len(fl.order) > maxPending {
		old := fl.order[0]
		fl.order = fl.order[1:]
		delete(fl.entry, old)
		delete(fl.pending, old)
	}
}
