package mux

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"
)

// A handler that ends its goroutine with runtime.Goexit, neither returning
// nor panicking, is a 500 with a log line naming the route, with or
// without a maxDuration; the server serves on.
func TestGoexitIs500(t *testing.T) {
	var mu sync.Mutex
	var logs []string
	goexit := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Partial", "1")
		runtime.Goexit()
	})
	mx, err := New([]Route{
		{Pattern: "/api/exit", File: "pages/api/exit.go", Handler: goexit},
		{Pattern: "/api/exit-timed", File: "pages/api/exit-timed.go", MaxDuration: time.Minute, Handler: goexit},
		{Pattern: "/api/user", File: "pages/api/user.go", Handler: http.HandlerFunc(echoParams)},
	}, Options{Errorf: func(format string, args ...any) {
		mu.Lock()
		logs = append(logs, fmt.Sprintf(format, args...))
		mu.Unlock()
	}})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(mx)
	defer srv.Close()
	for _, tt := range []struct{ path, file string }{{"/api/exit", "pages/api/exit.go"}, {"/api/exit-timed", "pages/api/exit-timed.go"}} {
		resp, err := http.Get(srv.URL + tt.path)
		if err != nil {
			t.Fatal(err)
		}
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil || resp.StatusCode != 500 || string(body) != "Internal Server Error" || resp.Header.Get("X-Partial") != "" {
			t.Errorf("%s: %d %q %v (%v)", tt.path, resp.StatusCode, body, resp.Header, err)
		}
		mu.Lock()
		last := logs[len(logs)-1]
		mu.Unlock()
		if want := tt.file + " stopped its goroutine (runtime.Goexit) without answering; answered 500"; last != want {
			t.Errorf("log %q, want %q", last, want)
		}
	}
	resp, err := http.Get(srv.URL + "/api/user")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.HasPrefix(string(body), "/api/user") {
		t.Errorf("after: %d %q", resp.StatusCode, body)
	}
}
