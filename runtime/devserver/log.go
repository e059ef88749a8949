package devserver

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"

	"github.com/nextgo-dev/nextgo/runtime/requestid"
)

// devLogHandler prints the runtime's log records for a person at a
// terminal: one line per record, with a stack trace (attribute "stack")
// printed as is, below it, rather than escaped onto the line.
//
// A record made with a request's context (slog.InfoContext(req.Context(),
// ...)) carries the request id (id=...) and is also reported to rep.
type devLogHandler struct {
	mu    *sync.Mutex
	w     io.Writer
	rep   *Reporter
	attrs []slog.Attr
}

func newDevLogHandler(w io.Writer, rep *Reporter) *devLogHandler {
	return &devLogHandler{mu: &sync.Mutex{}, w: w, rep: rep}
}

func (h *devLogHandler) Enabled(_ context.Context, l slog.Level) bool { return l >= slog.LevelInfo }

func (h *devLogHandler) Handle(ctx context.Context, r slog.Record) error {
	var b strings.Builder
	mark := " ○ "
	switch {
	case r.Level >= slog.LevelError:
		mark = " ⨯ "
	case r.Level >= slog.LevelWarn:
		mark = " ⚠ "
	}
	b.WriteString(mark)
	b.WriteString(r.Message)
	var stack string
	add := func(a slog.Attr) bool {
		if a.Key == "stack" {
			stack = a.Value.String()
			return true
		}
		fmt.Fprintf(&b, " %s=%s", a.Key, a.Value)
		return true
	}
	for _, a := range h.attrs {
		add(a)
	}
	r.Attrs(add)
	id := requestid.From(ctx)
	if id != "" {
		b.WriteString(" id=" + id)
	}
	b.WriteByte('\n')
	if stack != "" {
		b.WriteString(strings.TrimRight(stack, "\n"))
		b.WriteByte('\n')
	}
	line := b.String()
	h.rep.Log(id, r.Level.String(), strings.TrimRight(line, "\n"), r.Time)
	h.mu.Lock()
	defer h.mu.Unlock()
	_, err := io.WriteString(h.w, line)
	return err
}

func (h *devLogHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	return &devLogHandler{mu: h.mu, w: h.w, rep: h.rep, attrs: append(append([]slog.Attr(nil), h.attrs...), attrs...)}
}

func (h *devLogHandler) WithGroup(string) slog.Handler { return h }
