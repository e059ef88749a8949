package devserver

import (
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

// TestOutput: a request's line after a quiet moment is written at once;
// lines that follow it closely are written together, within lineDelay;
// other output is written at once, after the lines waiting.
func TestOutput(t *testing.T) {
	var w writes
	o := newOutput(&w)
	if newOutput(o) != o {
		t.Fatal("newOutput wrapped an output")
	}
	o.line(" GET /a 200")
	if got, want := w.get(), []string{" GET /a 200\n"}; !slices.Equal(got, want) {
		t.Fatalf("after a quiet moment: writes %q, want %q", got, want)
	}
	o.line(" GET /b 200")
	o.line(" GET /c 200")
	if got, want := w.get(), []string{" GET /a 200\n"}; !slices.Equal(got, want) {
		t.Fatalf("lines that follow closely were written at once: %q", got)
	}
	o.Write([]byte(" ⨯ panic in x.go: boom\n"))
	if got, want := w.get(), []string{" GET /a 200\n", " GET /b 200\n GET /c 200\n ⨯ panic in x.go: boom\n"}; !slices.Equal(got, want) {
		t.Fatalf("a report after waiting lines: writes %q, want %q", got, want)
	}
	o.line(" GET /d 200")
	o.line(" GET /e 200")
	deadline := time.Now().Add(10 * time.Second)
	for len(w.get()) < 3 && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	if got, want := w.get()[2:], []string{" GET /d 200\n GET /e 200\n"}; !slices.Equal(got, want) {
		t.Fatalf("waiting lines: writes %q, want %q", got, want)
	}
	// Quiet again: the next line is written at once.
	for {
		o.mu.Lock()
		armed := o.armed
		o.mu.Unlock()
		if !armed || time.Now().After(deadline) {
			break
		}
		time.Sleep(time.Millisecond)
	}
	o.line(" GET /f 200")
	if got, want := w.get()[3:], []string{" GET /f 200\n"}; !slices.Equal(got, want) {
		t.Fatalf("after quiet again: writes %q, want %q", got, want)
	}
	o.line(" GET /g 200")
	o.Flush()
	if got, want := w.get()[4:], []string{" GET /g 200\n"}; !slices.Equal(got, want) {
		t.Fatalf("Flush: writes %q, want %q", got, want)
	}
}
