package devserver

import (
	"github.com/nextgo-dev/nextgo/runtime/mux"
	"slices"
	"sync"
	"testing"
	"time"
)

// writes records each Write as one string.
type writes struct {
	mu sync.Mutex
	w  []string
}

func (w *writes) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.w = append(w.w, string(p))
	return len(p), nil
}

func (w *writes) get() []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]string(nil), w.w...)
}

// entry is a request to path, answered 200 by nobody in no time.
func entry(path string) mux.Entry { return mux.Entry{Method: "GET", Path: path, Status: 200} }

// TestOutput: a request's line after a quiet moment is written at once;
// lines that follow it closely are written together, within linebatch.RequestLogDelay;
// other output is written at once, after the lines waiting.
func TestOutput(t *testing.T) {
	var w writes
	o := newOutput(&w)
	if newOutput(o) != o {
		t.Fatal("newOutput wrapped an output")
	}
	o.entry(entry("/a"), false)
	if got, want := w.get(), []string{" GET /a 200 in 0.00ms (-)\n"}; !slices.Equal(got, want) {
		t.Fatalf("after a quiet moment: writes %q, want %q", got, want)
	}
	o.entry(entry("/b"), false)
	o.entry(entry("/c"), false)
	if got, want := w.get(), []string{" GET /a 200 in 0.00ms (-)\n"}; !slices.Equal(got, want) {
		t.Fatalf("lines that follow closely were written at once: %q", got)
	}
	o.Write([]byte(" ⨯ panic in x.go: boom\n"))
	if got, want := w.get(), []string{" GET /a 200 in 0.00ms (-)\n", " GET /b 200 in 0.00ms (-)\n GET /c 200 in 0.00ms (-)\n ⨯ panic in x.go: boom\n"}; !slices.Equal(got, want) {
		t.Fatalf("a report after waiting lines: writes %q, want %q", got, want)
	}
	o.entry(entry("/d"), false)
	o.entry(entry("/e"), false)
	deadline := time.Now().Add(10 * time.Second)
	for len(w.get()) < 3 && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	if got, want := w.get()[2:], []string{" GET /d 200 in 0.00ms (-)\n GET /e 200 in 0.00ms (-)\n"}; !slices.Equal(got, want) {
		t.Fatalf("waiting lines: writes %q, want %q", got, want)
	}
	// What comes after a quiet moment, and Flush, are linebatch's: see its
	// tests.
}
