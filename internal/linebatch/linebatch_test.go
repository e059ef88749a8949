package linebatch

import (
	"bytes"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"
)

// writeLog records each Write as one string.
type writeLog struct{ writes []string }

func (w *writeLog) Write(p []byte) (int, error) {
	w.writes = append(w.writes, string(p))
	return len(p), nil
}

// manualTimer is a timer the test fires itself.
type manualTimer struct{ armed bool }

func (m *manualTimer) Reset(time.Duration) bool {
	was := m.armed
	m.armed = true
	return was
}

// TestBatch: lines after a quiet moment go out at once, lines that follow
// closely wait for the tick and go out together in order, and anything
// else written goes out at once after the lines waiting.
func TestBatch(t *testing.T) {
	big := strings.Repeat("x", MaxWaiting-2) + "\n"
	tests := []struct {
		name  string
		steps []string // "line:TEXT", "write:TEXT", "tick", "flush"
		want  []string // the writes, in order
	}{
		{"a line alone", []string{"line:a\n"}, []string{"a\n"}},
		{"lines in a burst", []string{"line:a\n", "line:b\n", "line:c\n", "tick"}, []string{"a\n", "b\nc\n"}},
		{"a quiet tick disarms", []string{"line:a\n", "tick", "line:b\n", "tick", "tick", "line:c\n"}, []string{"a\n", "b\n", "c\n"}},
		{"burst over two ticks", []string{"line:a\n", "line:b\n", "tick", "line:c\n", "line:d\n", "tick"}, []string{"a\n", "b\n", "c\nd\n"}},
		{"a write after waiting lines", []string{"line:a\n", "line:b\n", "write:error\n", "tick"}, []string{"a\n", "b\nerror\n"}},
		{"a write with none waiting", []string{"write:error\n", "line:a\n"}, []string{"error\n", "a\n"}},
		{"flush", []string{"line:a\n", "line:b\n", "flush", "tick"}, []string{"a\n", "b\n"}},
		{"a full batch goes out", []string{"line:a\n", "line:" + big, "line:c\n", "tick"}, []string{"a\n", big + "c\n"}},
		{"a tick with nothing waiting", []string{"tick", "line:a\n"}, []string{"a\n"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := &writeLog{}
			timer := &manualTimer{}
			b := &Batch{w: out, delay: time.Millisecond, max: MaxWaiting, tick: timer}
			for _, step := range tt.steps {
				kind, text, _ := strings.Cut(step, ":")
				switch kind {
				case "line":
					b.Line([]byte(text))
				case "write":
					if n, err := b.Write([]byte(text)); n != len(text) || err != nil {
						t.Fatalf("Write = %d, %v", n, err)
					}
				case "tick":
					if timer.armed {
						timer.armed = false
						b.onTick()
					}
				case "flush":
					if err := b.Flush(); err != nil {
						t.Fatal(err)
					}
				}
			}
			if got, want := shorten(out.writes), shorten(tt.want); got != want {
				t.Errorf("writes = %s, want %s", got, want)
			}
		})
	}
}

// shorten describes writes, long ones by their length and ends.
func shorten(writes []string) string {
	var b strings.Builder
	for _, w := range writes {
		if len(w) > 40 {
			w = fmt.Sprintf("%s…(%d bytes)…%s", w[:8], len(w), w[len(w)-8:])
		}
		fmt.Fprintf(&b, "%q ", w)
	}
	return b.String()
}

// lockedBuffer is an io.Writer safe for concurrent use.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// TestBatchTimer: with its real timer, lines that wait are written
// without another line to push them.
func TestBatchTimer(t *testing.T) {
	var out lockedBuffer
	b := New(&out, time.Millisecond)
	b.Line([]byte("a\n"))
	b.Line([]byte("b\n"))
	deadline := time.Now().Add(30 * time.Second)
	for out.String() != "a\nb\n" {
		if time.Now().After(deadline) {
			t.Fatalf("output = %q, want %q", out.String(), "a\nb\n")
		}
		time.Sleep(time.Millisecond)
	}
}

// TestNewSize: lines wait until the batch's own size, not MaxWaiting.
func TestNewSize(t *testing.T) {
	out := &writeLog{}
	b := NewSize(out, time.Hour, 8)
	defer b.tick.(*time.Timer).Stop()
	for _, l := range []string{"a\n", "bbbb\n", "cccc\n", "d\n"} {
		b.Line([]byte(l))
	}
	want := []string{"a\n", "bbbb\ncccc\n"}
	if fmt.Sprintf("%q", out.writes) != fmt.Sprintf("%q", want) {
		t.Errorf("writes = %q, want %q", out.writes, want)
	}
}
