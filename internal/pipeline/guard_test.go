package pipeline

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"
)

// reports collects what a Guard reported.
type reports struct {
	mu    sync.Mutex
	kinds []FailureKind
}

func (rs *reports) add(_ *http.Request, f Failure) {
	rs.mu.Lock()
	rs.kinds = append(rs.kinds, f.Kind)
	rs.mu.Unlock()
}

func (rs *reports) get() []FailureKind {
	rs.mu.Lock()
	defer rs.mu.Unlock()
	return append([]FailureKind(nil), rs.kinds...)
}

// Over a real server, so that a Goexit ends a real connection goroutine.
func TestGuardOverHTTP(t *testing.T) {
	handlers := map[string]http.HandlerFunc{
		"/ok":     func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "ok") },
		"/panic":  func(w http.ResponseWriter, r *http.Request) { panic("kaboom") },
		"/goexit": func(w http.ResponseWriter, r *http.Request) { w.Header().Set("X-Partial", "1"); runtime.Goexit() },
		"/slow":   func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done(); time.Sleep(10 * time.Millisecond) },
		"/polite": func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done(); io.WriteString(w, "late") },
		"/empty":  func(w http.ResponseWriter, r *http.Request) {},
	}
	tests := []struct {
		path    string
		maxDur  time.Duration
		status  int
		body    string
		reports []FailureKind
	}{
		{"/ok", 0, 200, "ok", nil},
		{"/ok", time.Minute, 200, "ok", nil},
		{"/empty", time.Minute, 200, "", nil},
		{"/panic", 0, 500, "Internal Server Error", []FailureKind{KindPanic}},
		{"/panic", time.Minute, 500, "Internal Server Error", []FailureKind{KindPanic}},
		{"/goexit", 0, 500, "Internal Server Error", []FailureKind{KindGoexit}},
		{"/goexit", time.Minute, 500, "Internal Server Error", []FailureKind{KindGoexit}},
		{"/slow", 20 * time.Millisecond, 504, "Gateway Timeout", []FailureKind{KindTimeout}},
		{"/polite", 20 * time.Millisecond, 504, "Gateway Timeout", []FailureKind{KindTimeout}},
	}
	for _, tt := range tests {
		t.Run(tt.path+"/"+tt.maxDur.String(), func(t *testing.T) {
			var rs reports
			g := &Guard{MaxDuration: tt.maxDur, Report: rs.add}
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				g.Serve(w, r, handlers[r.URL.Path])
			}))
			defer srv.Close()
			resp, err := http.Get(srv.URL + tt.path)
			if err != nil {
				t.Fatal(err)
			}
			body, err := io.ReadAll(resp.Body)
			resp.Body.Close()
			if err != nil {
				t.Fatal(err)
			}
			if resp.StatusCode != tt.status || string(body) != tt.body {
				t.Fatalf("%d %q, want %d %q", resp.StatusCode, body, tt.status, tt.body)
			}
			if tt.status >= 500 && (resp.Header.Get("Content-Type") != "text/plain; charset=utf-8" || resp.Header.Get("X-Partial") != "") {
				t.Errorf("headers %v", resp.Header)
			}
			if got := rs.get(); !equalKinds(got, tt.reports) {
				t.Errorf("reports %v, want %v", got, tt.reports)
			}
		})
	}
}

func equalKinds(a, b []FailureKind) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// A Guard below another adds neither a deadline nor a recover: the outer
// one answers and reports.
func TestNestedGuardPassesThrough(t *testing.T) {
	var outer, inner reports
	og := &Guard{MaxDuration: time.Minute, Report: outer.add}
	ig := &Guard{MaxDuration: time.Minute, Report: inner.add}
	var sawDeadline time.Time
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sawDeadline, _ = r.Context().Deadline()
		panic("kaboom")
	})
	w := httptest.NewRecorder()
	start := time.Now()
	og.Serve(w, httptest.NewRequest("GET", "/", nil), http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ig.Serve(w, r, h)
	}))
	if w.Code != 500 || w.Body.String() != "Internal Server Error" {
		t.Errorf("%d %q", w.Code, w.Body)
	}
	if got := outer.get(); !equalKinds(got, []FailureKind{KindPanic}) || len(inner.get()) != 0 {
		t.Errorf("outer %v, inner %v", got, inner.get())
	}
	if d := sawDeadline.Sub(start); d < 59*time.Second || d > time.Minute+time.Second {
		t.Errorf("deadline in %v, want the outer minute", d)
	}

	// A shorter inner MaxDuration still applies.
	ig.MaxDuration = 10 * time.Millisecond
	w = httptest.NewRecorder()
	og.Serve(w, httptest.NewRequest("GET", "/", nil), http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ig.Serve(w, r, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() }))
	}))
	if w.Code != 504 || !equalKinds(inner.get(), []FailureKind{KindTimeout}) {
		t.Errorf("%d, inner %v", w.Code, inner.get())
	}
}

// sealer is a Sealer that buffers, as the Lambda adapter's writer does.
type sealer struct {
	*httptest.ResponseRecorder
	mu     sync.Mutex
	sealed bool
	answer *httptest.ResponseRecorder
}

func (s *sealer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.sealed {
		return 0, http.ErrHandlerTimeout
	}
	return s.ResponseRecorder.Write(p)
}

func (s *sealer) Seal() http.ResponseWriter {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sealed = true
	s.answer = httptest.NewRecorder()
	return s.answer
}

// Contained, as in the Lambda adapter: a buffered response is replaced by
// the answer, http.ErrAbortHandler is answered rather than passed up, and
// a Goexit does not end the caller's goroutine.
func TestContainedGuard(t *testing.T) {
	tests := []struct {
		name   string
		h      http.HandlerFunc
		status int
		body   string
		kind   FailureKind
		left   bool // checked where it is certain: not when the handler ends as the deadline passes
	}{
		{"ok", func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "ok") }, 200, "ok", 0, false},
		{"partial then panic", func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "partial"); panic("x") }, 500, "Internal Server Error", KindPanic, false},
		{"abort", func(w http.ResponseWriter, r *http.Request) { panic(http.ErrAbortHandler) }, 500, "Internal Server Error", KindPanic, false},
		{"goexit", func(w http.ResponseWriter, r *http.Request) { runtime.Goexit() }, 500, "Internal Server Error", KindGoexit, false},
		{"late answer", func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done(); io.WriteString(w, "late") }, 504, "Gateway Timeout", KindTimeout, false},
		{"ignores its context", func(w http.ResponseWriter, r *http.Request) { time.Sleep(200 * time.Millisecond) }, 504, "Gateway Timeout", KindTimeout, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var rs reports
			g := &Guard{Contained: true, Report: rs.add}
			ctx, cancel := context.WithTimeout(Guarded(context.Background()), 30*time.Millisecond)
			defer cancel()
			w := &sealer{ResponseRecorder: httptest.NewRecorder()}
			var a Aside
			left := g.ServeContext(w, httptest.NewRequest("GET", "/", nil).WithContext(ctx), tt.h, &a)
			out := w.ResponseRecorder
			if w.answer != nil && w.answer.Code != 200 || tt.kind != 0 {
				out = w.answer
			}
			if tt.name == "late answer" {
				left = tt.left
			}
			if out.Code != tt.status || out.Body.String() != tt.body || left != tt.left {
				t.Errorf("%d %q left %v, want %d %q %v", out.Code, out.Body, left, tt.status, tt.body, tt.left)
			}
			if got := rs.get(); (tt.kind == 0 && len(got) != 0) || (tt.kind != 0 && !equalKinds(got, []FailureKind{tt.kind})) {
				t.Errorf("reports %v, want %v", got, tt.kind)
			}
		})
	}
}

// An Aside whose run has ended serves the next request, failed or not,
// without allocating its channel and its goroutine's function again, and
// keeps nothing of the last run. A copy starts afresh.
func TestAsideReused(t *testing.T) {
	g := &Guard{Contained: true}
	var a Aside
	serve := func(a *Aside, h http.HandlerFunc) (*sealer, bool) {
		w := &sealer{ResponseRecorder: httptest.NewRecorder()}
		left := g.ServeContext(w, httptest.NewRequest("GET", "/", nil).WithContext(Guarded(context.Background())), h, a)
		return w, left
	}
	for i, tt := range []struct {
		h      http.HandlerFunc
		status int
		body   string
	}{
		{func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "one") }, 200, "one"},
		{func(w http.ResponseWriter, r *http.Request) { panic("x") }, 500, "Internal Server Error"},
		{func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "three") }, 200, "three"},
	} {
		w, left := serve(&a, tt.h)
		out := w.ResponseRecorder
		if w.answer != nil {
			out = w.answer
		}
		if left || out.Code != tt.status || out.Body.String() != tt.body {
			t.Errorf("run %d: %d %q left %v, want %d %q", i, out.Code, out.Body, left, tt.status, tt.body)
		}
		if a.w != nil || a.r != nil || a.h != nil {
			t.Errorf("run %d: the Aside keeps the finished run's writer, request or handler", i)
		}
	}
	ok := func(w http.ResponseWriter, r *http.Request) {}
	fresh := testing.AllocsPerRun(100, func() { a = Aside{}; serve(&a, ok) })
	reused := testing.AllocsPerRun(100, func() { serve(&a, ok) })
	if reused > fresh-2 {
		t.Errorf("a reused Aside costs %.0f allocations, a fresh one %.0f: want two fewer", reused, fresh)
	}

	b := a // a copy has its own channel: a run of a cannot end one of b
	if w, left := serve(&b, ok); left || w.Code != 200 || b.done == a.done || b.self != &b {
		t.Errorf("copied Aside: %d left %v, shares its channel %v", w.Code, left, b.done == a.done)
	}
}

func TestAnswers(t *testing.T) {
	w := httptest.NewRecorder()
	Text(w, 404, "Not Found")
	if w.Code != 404 || w.Body.String() != "Not Found" || w.Header().Get("Content-Type") != "text/plain; charset=utf-8" || w.Header().Get("X-Content-Type-Options") != "nosniff" {
		t.Errorf("Text: %d %q %v", w.Code, w.Body, w.Header())
	}
	w = httptest.NewRecorder()
	w.Header().Set("Etag", `"x"`)
	w.Header().Set("Content-Encoding", "gzip")
	TooLarge(w, "1kb")
	if ct, ok := w.Header()["Content-Type"]; w.Code != 413 || w.Body.String() != "Body exceeded 1kb limit" || !ok || ct != nil ||
		w.Header().Get("Content-Length") != "23" || w.Header().Get("Etag") != "" || w.Header().Get("Content-Encoding") != "" {
		t.Errorf("TooLarge: %d %q %v", w.Code, w.Body, w.Header())
	}
	for status, want := range map[int]bool{100: false, 101: false, 199: false, 200: true, 204: false, 304: false, 404: true, 500: true} {
		if BodyAllowed(status) != want {
			t.Errorf("BodyAllowed(%d) = %v", status, !want)
		}
	}
}

func TestLimitBody(t *testing.T) {
	tests := []struct {
		name     string
		body     string
		declared int64 // -1: unknown
		limit    int64
		ok       bool
		readErr  bool
	}{
		{"under", "abc", 3, 10, true, false},
		{"exactly", strings.Repeat("a", 10), 10, 10, true, false},
		{"declared over", strings.Repeat("a", 11), 11, 10, false, false},
		{"undeclared over", strings.Repeat("a", 11), -1, 10, true, true},
		{"no limit", strings.Repeat("a", 11), 11, -1, true, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest("POST", "/", strings.NewReader(tt.body))
			r.ContentLength = tt.declared
			w := httptest.NewRecorder()
			ok := LimitBody(w, r, tt.limit, "10b")
			if ok != tt.ok {
				t.Fatalf("ok = %v", ok)
			}
			if !ok {
				if w.Code != 413 || w.Body.String() != "Body exceeded 10b limit" || w.Header().Get("Connection") != "close" {
					t.Errorf("%d %q %v", w.Code, w.Body, w.Header())
				}
				return
			}
			_, err := io.ReadAll(r.Body)
			var mbe *http.MaxBytesError
			if errors.As(err, &mbe) != tt.readErr {
				t.Errorf("read error %v", err)
			}
		})
	}
}
