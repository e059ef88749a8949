package runtimeapi

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

func TestLineWriter(t *testing.T) {
	long := strings.Repeat("x", maxLine)
	tests := []struct {
		name   string
		writes []string
		want   string
	}{
		{"whole lines", []string{"a\nb\n"}, "[fn] a\n[fn] b\n"},
		{"lines split across writes", []string{"a", "b\nc", "\n"}, "[fn] ab\n[fn] c\n"},
		{"unterminated last line", []string{"a\nb"}, "[fn] a\n[fn] b\n"},
		{"empty lines", []string{"\n\n"}, "[fn] \n[fn] \n"},
		{"over-long partial line", []string{long, "y\n"}, "[fn] " + long + "\n[fn] y\n"},
		{"long line in one write", []string{long + "y\n"}, "[fn] " + long + "y\n"},
		{"nothing", nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out lockedBuffer
			w := &lineWriter{dst: &syncWriter{w: &out}, prefix: []byte("[fn] ")}
			for _, s := range tt.writes {
				if n, err := w.Write([]byte(s)); n != len(s) || err != nil {
					t.Fatalf("Write = %d, %v", n, err)
				}
			}
			w.Close()
			if got := out.String(); got != tt.want {
				t.Errorf("got %d bytes %.60q, want %d bytes %.60q", len(got), got, len(tt.want), tt.want)
			}
		})
	}
}

func TestIsText(t *testing.T) {
	tests := map[string]bool{
		"":                                  false,
		"text/plain":                        true,
		"text/html; charset=utf-8":          true,
		"application/json":                  true,
		"application/ld+json":               true,
		"application/vnd.api+json":          true,
		"application/xml":                   true,
		"application/atom+xml":              true,
		"application/x-www-form-urlencoded": true,
		"application/javascript":            true,
		"application/octet-stream":          false,
		"multipart/form-data; boundary=x":   false,
		"image/png":                         false,
		"not a media type;;":                false,
	}
	for ct, want := range tests {
		if got := isText(ct); got != want {
			t.Errorf("isText(%q) = %v, want %v", ct, got, want)
		}
	}
}

// writeLog records each write it gets.
type writeLog struct{ writes []string }

func (w *writeLog) Write(p []byte) (int, error) {
	w.writes = append(w.writes, string(p))
	return len(p), nil
}

// manualTimer is a batchTimer the test fires itself.
type manualTimer struct{ armed bool }

func (m *manualTimer) Reset(time.Duration) bool {
	was := m.armed
	m.armed = true
	return was
}

// TestLineBatch: lines after a quiet moment go out at once, lines that
// follow closely wait for the tick and go out together in order, and
// anything else written goes out at once after the lines waiting.
func TestLineBatch(t *testing.T) {
	big := strings.Repeat("x", MaxBatch-2) + "\n"
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
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := &writeLog{}
			timer := &manualTimer{}
			b := &LineBatch{w: out, delay: time.Millisecond, tick: timer}
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

// TestLineBatchTimer: with its real timer, lines that wait are written
// without another line to push them.
func TestLineBatchTimer(t *testing.T) {
	var out lockedBuffer
	b := NewLineBatch(&out, time.Millisecond)
	b.Line([]byte("a\n"))
	b.Line([]byte("b\n"))
	ctx := testContext(t)
	for out.String() != "a\nb\n" {
		select {
		case <-ctx.Done():
			t.Fatalf("output = %q, want %q", out.String(), "a\nb\n")
		case <-time.After(time.Millisecond):
		}
	}
}
