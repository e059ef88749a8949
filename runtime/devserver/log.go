package devserver

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
)

// devLogHandler prints the runtime's log records for a person at a
// terminal: one line per record, with a stack trace (attribute "stack")
// printed as is, below it, rather than escaped onto the line.
type devLogHandler struct {
	mu    *sync.Mutex
	w     io.Writer
	attrs []slog.Attr
}

func newDevLogHandler(w io.Writer) *devLogHandler { return &devLogHandler{mu: &sync.Mutex{}, w: w} }

func (h *devLogHandler) Enabled(_ context.Context, l slog.Level) bool { return l >= slog.LevelInfo }

func (h *devLogHandler) Handle(_ context.Context, r slog.Record) error {
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
	b.WriteByte('\n')
	if stack != "" {
		b.WriteString(strings.TrimRight(stack, "\n"))
		b.WriteByte('\n')
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	_, err := io.WriteString(h.w, b.String())
	return err
}

func (h *devLogHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	return &devLogHandler{mu: h.mu, w: h.w, attrs: append(append([]slog.Attr(nil), h.attrs...), attrs...)}
}

func (h *devLogHandler) WithGroup(string) slog.Handler { return h }
