package e2e

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
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

// TestDevWatch edits a route while nextgo dev runs: a request sent right
// after each save answers with the new code.
func TestDevWatch(t *testing.T) {
	dir := copyApp(t, "basic")
	s := startNextgo(t, "dev", dir, "/api/user")
	for i := 1; i <= 3; i++ {
		want := fmt.Sprintf("Index edit %d", i)
		writeAppFile(t, dir, "pages/api/index.go", indexRoute(strconv.Quote(want)))
		resp, body := do(t, "GET", s.URL+"/api", nil, nil)
		if resp.StatusCode != 200 || body != want {
			t.Fatalf("right after save %d: %d %q, want 200 %q", i, resp.StatusCode, body, want)
		}
	}
}

// TestDevWatchUnderLoad saves a route while eight keep-alive clients send
// requests back to back: every request sent after the save returned is
// answered by the new code, though under load one look at the dev
// server's inotify queue serves many requests.
func TestDevWatchUnderLoad(t *testing.T) {
	dir := copyApp(t, "basic")
	s := startNextgo(t, "dev", dir, "/api/user")
	writeAppFile(t, dir, "pages/api/index.go", indexRoute(`"before"`))
	waitFor(t, time.Minute, "the route's first edit", func() bool {
		resp, err := http.Get(s.URL + "/api")
		if err != nil {
			return false
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		return string(body) == "before"
	})

	var saved atomic.Bool
	stop := make(chan struct{})
	errs := make(chan error, 8)
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 1}, Timeout: time.Minute}
			defer client.CloseIdleConnections()
			for n := 0; n < 100000; n++ { // bounded; stop ends it first
				select {
				case <-stop:
					return
				default:
				}
				after := saved.Load() // the request is sent after this
				resp, err := client.Get(s.URL + "/api")
				if err != nil {
					errs <- err
					return
				}
				body, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				if after && string(body) != "after" {
					errs <- fmt.Errorf("request %d, sent after the save: %d %q", n, resp.StatusCode, body)
					return
				}
			}
		}()
	}
	time.Sleep(300 * time.Millisecond) // the clients at full pace
	writeAppFile(t, dir, "pages/api/index.go", indexRoute(`"after"`))
	saved.Store(true)
	time.Sleep(2 * time.Second) // through the rebuild
	close(stop)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

// indexRoute is pages/api/index.go answering with the Go expression expr.
func indexRoute(expr string) string {
	return "package api\n\nimport \"github.com/nextgo-dev/nextgo/runtime/api\"\n\nfunc Handler(req *api.Request, res *api.Response) {\n\tres.Send(" + expr + ")\n}\n"
}

// TestDevBrokenRoute: after an edit that breaks one route and changes
// another, the broken route answers 500 naming its file and line (a page
// with a code frame for a browser, text otherwise) and the other route
// answers its new code. Fixing the route brings it back.
func TestDevBrokenRoute(t *testing.T) {
	dir := copyApp(t, "basic")
	s := startNextgo(t, "dev", dir, "/api/user")
	writeAppFile(t, dir, "pages/api/index.go", indexRoute("undefinedThing"))
	writeAppFile(t, dir, "pages/api/plain.go", "package api\n\nimport \"github.com/nextgo-dev/nextgo/runtime/api\"\n\nfunc Handler(req *api.Request, res *api.Response) {\n\tres.Send(\"plain, edited\")\n}\n")
	resp, body := do(t, "GET", s.URL+"/api", nil, nil)
	if resp.StatusCode != 500 || !strings.Contains(body, "pages/api/index.go:6:") || !strings.Contains(body, "undefined: undefinedThing") {
		t.Fatalf("broken route: %d %q", resp.StatusCode, body)
	}
	if ct := resp.Header.Get("Content-Type"); ct != "text/plain; charset=utf-8" {
		t.Errorf("broken route for curl: Content-Type %q", ct)
	}
	resp, body = do(t, "GET", s.URL+"/api", http.Header{"Accept": {"text/html,application/xhtml+xml"}}, nil)
	if resp.StatusCode != 500 || resp.Header.Get("Content-Type") != "text/html; charset=utf-8" ||
		!strings.Contains(body, "pages/api/index.go:6:") || !strings.Contains(body, `<span class="mark">   6 |     res.Send(undefinedThing)`) {
		t.Fatalf("broken route for a browser: %d %q", resp.StatusCode, body)
	}
	if resp, body := do(t, "GET", s.URL+"/api/plain", nil, nil); resp.StatusCode != 200 || body != "plain, edited" {
		t.Fatalf("other route after a broken edit: %d %q", resp.StatusCode, body)
	}
	if !strings.Contains(s.Out.String(), "pages/api/index.go:6:") {
		t.Errorf("output lacks the compiler's error:\n%s", s.Out.String())
	}
	writeAppFile(t, dir, "pages/api/index.go", indexRoute(`"fixed"`))
	if resp, body := do(t, "GET", s.URL+"/api", nil, nil); resp.StatusCode != 200 || body != "fixed" {
		t.Fatalf("after the fix: %d %q", resp.StatusCode, body)
	}
}

// TestDevCrashes: a route that ends the process takes the server down;
// each crash answers 500 saying so and naming the route, nextgo dev
// restarts the server every time, and the app keeps answering.
func TestDevCrashes(t *testing.T) {
	dir := copyApp(t, "basic")
	writeAppFile(t, dir, "pages/api/exit.go", "package api\n\nimport (\n\t\"os\"\n\n\t\"github.com/nextgo-dev/nextgo/runtime/api\"\n)\n\nfunc Handler(req *api.Request, res *api.Response) { os.Exit(3) }\n")
	s := startNextgo(t, "dev", dir, "/api/user")
	for i := 0; i < 4; i++ {
		resp, body := do(t, "GET", s.URL+"/api/exit", nil, nil)
		if resp.StatusCode != 500 || !strings.Contains(body, "the server crashed (exit status 3)") || !strings.Contains(body, "/api/exit (pages/api/exit.go)") {
			t.Fatalf("crash %d: %d %q", i+1, resp.StatusCode, body)
		}
	}
	if resp, body := do(t, "GET", s.URL+"/api/user", nil, nil); resp.StatusCode != 200 || body != `{"name":"John Doe"}` {
		t.Fatalf("after four crashes: %d %q", resp.StatusCode, body)
	}
}

// TestDevBrokenAtStart: an app whose shared package does not compile
// answers every route 500 with the compiler's error (naming the file and
// line) instead of hanging, and serves as soon as the error is fixed.
func TestDevBrokenAtStart(t *testing.T) {
	dir := copyApp(t, "basic")
	writeAppFile(t, dir, "internal/broken/broken.go", "package broken\n\nvar X = missingName\n")
	writeAppFile(t, dir, "pages/api/usesbroken.go", "package api\n\nimport (\n\t\"example.com/basic/internal/broken\"\n\t\"github.com/nextgo-dev/nextgo/runtime/api\"\n)\n\nfunc Handler(req *api.Request, res *api.Response) { res.Send(broken.X) }\n")
	s := startNextgo(t, "dev", dir, "/api/user")
	resp, body := do(t, "GET", s.URL+"/api/user", nil, nil)
	if resp.StatusCode != 500 || !strings.Contains(body, "Failed to compile") || !strings.Contains(body, "internal/broken/broken.go:3:") {
		t.Fatalf("broken app answered %d %q", resp.StatusCode, body)
	}
	writeAppFile(t, dir, "internal/broken/broken.go", "package broken\n\nvar X = \"fixed\"\n")
	if resp, body := do(t, "GET", s.URL+"/api/usesbroken", nil, nil); resp.StatusCode != 200 || body != "fixed" {
		t.Fatalf("the fixed app: %d %q", resp.StatusCode, body)
	}
}

// TestDevEmptyApp: an app without routes runs: 404s and the dashboard.
// nextgo build says there is nothing to build.
func TestDevEmptyApp(t *testing.T) {
	dir := t.TempDir()
	newModule(t, dir, "example.com/empty")
	s := startNextgo(t, "dev", dir, "/")
	if resp, body := do(t, "GET", s.URL+"/api/nothing", nil, nil); resp.StatusCode != 404 || body != "Not Found" {
		t.Fatalf("empty app: %d %q", resp.StatusCode, body)
	}
	if resp, body := do(t, "GET", s.URL+"/_nextgo/", nil, nil); resp.StatusCode != 200 || !strings.Contains(body, "nextgo") {
		t.Fatalf("dashboard of an empty app: %d %q", resp.StatusCode, body)
	}
	out, err := runNextgo(t, "build", dir)
	if err == nil || !strings.Contains(out, "the app has no routes yet") {
		t.Fatalf("nextgo build of an empty app: %v\n%s", err, out)
	}
}

// TestBusyPort: a port in use moves to the next free one, with a warning,
// under dev and under start.
func TestBusyPort(t *testing.T) {
	dir := copyApp(t, "single")
	for _, verb := range []string{"dev"} {
		t.Run(verb, func(t *testing.T) {
			busy, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			defer busy.Close()
			port := busy.Addr().(*net.TCPAddr).Port
			cmd := exec.Command(nextgoBin, verb, dir, "--port", strconv.Itoa(port))
			cmd.Env = offlineEnv()
			out := &syncBuffer{}
			cmd.Stdout, cmd.Stderr = out, out
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			defer func() { _ = cmd.Process.Signal(os.Interrupt); _ = cmd.Wait() }()
			want := fmt.Sprintf("Port %d is in use, using ", port)
			waitFor(t, 30*time.Second, "the warning", func() bool { return strings.Contains(out.String(), want) })
			m := regexp.MustCompile(`using (\d+) instead`).FindStringSubmatch(out.String())
			if m == nil || m[1] == strconv.Itoa(port) {
				t.Fatalf("output:\n%s", out.String())
			}
			waitFor(t, 3*time.Minute, "the app on the next port", func() bool {
				resp, err := http.Get("http://127.0.0.1:" + m[1] + "/_nextgo/")
				if err != nil {
					return false
				}
				resp.Body.Close()
				return resp.StatusCode == 200
			})
		})
	}
}
