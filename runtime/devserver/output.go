package devserver

import (
	"io"

	"github.com/nextgo-dev/nextgo/internal/linebatch"
	"github.com/nextgo-dev/nextgo/runtime/mux"
)

// output is the dev server's terminal output: a request's log line is
// batched (linebatch.RequestLogDelay); everything else (error reports, the
// routes' log records) is written at once, after the lines waiting, so the
// order of the output stays the order of events.
type output struct{ *linebatch.Batch }

// newOutput returns the output writing to w; an output is returned as it
// is.
func newOutput(w io.Writer) output {
	if o, ok := w.(output); ok {
		return o
	}
	return output{linebatch.New(w, linebatch.RequestLogDelay)}
}

// entry writes the request log line of e (FormatEntry, or
// FormatEntryColor when color is set).
func (o output) entry(e mux.Entry, color bool) {
	var a [256]byte
	o.Line(append(appendEntry(a[:0], e, color), '\n'))
}
