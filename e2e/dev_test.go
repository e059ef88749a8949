package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestDev runs `nextgo dev` on the basic app, offline, from outside the
// repository, and checks Next's behaviour over real HTTP.
func TestDev(t *testing.T) {
	dir := copyApp(t, "basic")
	s := startNextgo(t, "dev", dir, "/api/user")
	runCases(t, s.URL, basicCases(), false)
	// One log line per request: method, path, status, route file, duration.
	waitFor(t, 5*time.Second, "request log", func() bool {
		return strings.Contains(s.Out.String(), " GET /api/post/post-1?val=1 200 in ") &&
			strings.Contains(s.Out.String(), "(pages/api/post/[pid].go)")
	})
}

// TestDevWatch edits a route while nextgo dev runs, then breaks it.
func TestDevWatch(t *testing.T) {
	dir := copyApp(t, "basic")
	s := startNextgo(t, "dev", dir, "/api/user")
	file := filepath.Join(dir, "pages", "api", "index.go")
	src, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	edited := strings.Replace(string(src), "Index should work", "Index was edited", 1)
	if err := os.WriteFile(file, []byte(edited), 0o644); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 60*time.Second, "the edited answer", func() bool {
		_, body := do(t, "GET", s.URL+"/api", nil, nil)
		return body == "Index was edited"
	})
	// A compile error: the output names the user's file and line, and the
	// last good server keeps answering.
	broken := strings.Replace(edited, `res.Send("Index was edited")`, `res.Send(undefinedThing)`, 1)
	if err := os.WriteFile(file, []byte(broken), 0o644); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 60*time.Second, "the compile error", func() bool {
		return strings.Contains(s.Out.String(), "pages/api/index.go:6:")
	})
	if !strings.Contains(s.Out.String(), "undefined: undefinedThing") {
		t.Errorf("output lacks the compiler's message:\n%s", s.Out.String())
	}
	resp, body := do(t, "GET", s.URL+"/api", nil, nil)
	if resp.StatusCode != 200 || body != "Index was edited" {
		t.Fatalf("after a failed build: %d %q", resp.StatusCode, body)
	}
}
