package devserver

import (
	"io"
	"time"

	"github.com/nextgo-dev/nextgo/internal/linebatch"
	"github.com/nextgo-dev/nextgo/runtime/mux"
)

// output is the dev server's terminal output: a request's log line is
// batched (lineDelay, see linebatch); everything else (error reports, the
// routes' log records) is written at once, after the lines waiting, so the
// order of the output stays the order of events.
type output struct{ *linebatch.Batch }

// lineDelay bounds how long a request's log line waits to be written with
// others.
const lineDelay = 10 * time.Millisecond

// newOutput returns the output writing to w; an output is returned as it
// is.
func newOutput(w io.Writer) output {
	if o, ok := w.(output); ok {
		return o
	}
	return output{linebatch.New(w, lineDelay)}
}

// entry writes the request log line of e (FormatEntry, or
// FormatEntryColor when color is set).
func (o output) entry(e mux.Entry, color bool) {
	var a [256]byte
	o.Line(append(appendEntry(a[:0], e, color), '\n'))
}
