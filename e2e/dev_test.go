package e2e

import (
	"net/http"
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

// TestDevRestartsAfterExit: a route that ends the process takes the server
// down; nextgo dev starts it again and the app answers.
func TestDevRestartsAfterExit(t *testing.T) {
	dir := copyApp(t, "basic")
	exit := "package api\n\nimport (\n\t\"os\"\n\n\t\"github.com/nextgo-dev/nextgo/runtime/api\"\n)\n\nfunc Handler(req *api.Request, res *api.Response) { os.Exit(3) }\n"
	if err := os.WriteFile(filepath.Join(dir, "pages", "api", "exit.go"), []byte(exit), 0o644); err != nil {
		t.Fatal(err)
	}
	s := startNextgo(t, "dev", dir, "/api/user")
	req, _ := http.NewRequest("GET", s.URL+"/api/exit", nil)
	if resp, err := http.DefaultClient.Do(req); err == nil {
		resp.Body.Close()
	}
	waitFor(t, 30*time.Second, "the restarted server", func() bool {
		resp, err := http.Get(s.URL + "/api/user")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == 200 && strings.Contains(s.Out.String(), "the server exited; restarting it")
	})
}

// TestDevBrokenAtStart: an app that does not compile answers 500 with the
// compiler's error (naming the file and line) instead of hanging, and
// serves as soon as the error is fixed.
func TestDevBrokenAtStart(t *testing.T) {
	dir := copyApp(t, "basic")
	file := filepath.Join(dir, "pages", "api", "index.go")
	good, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	bad := strings.Replace(string(good), `res.Send("Index should work")`, `res.Send(missingName)`, 1)
	if err := os.WriteFile(file, []byte(bad), 0o644); err != nil {
		t.Fatal(err)
	}
	s := startNextgo(t, "dev", dir, "/api/user")
	resp, body := do(t, "GET", s.URL+"/api/user", nil, nil)
	if resp.StatusCode != 500 || !strings.Contains(body, "Failed to compile") || !strings.Contains(body, "pages/api/index.go:6:") {
		t.Fatalf("broken app answered %d %q", resp.StatusCode, body)
	}
	if err := os.WriteFile(file, good, 0o644); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 60*time.Second, "the fixed app", func() bool {
		resp, body := do(t, "GET", s.URL+"/api", nil, nil)
		return resp.StatusCode == 200 && body == "Index should work"
	})
}
