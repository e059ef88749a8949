// Package e2e drives the real nextgo CLI on real apps over real HTTP on
// loopback.
package e2e

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// nextgoBin is the CLI built once for the whole package.
var nextgoBin string

// cacheDir is the nextgo cache (materialised source) shared by every test.
var cacheDir string

func TestMain(m *testing.M) {
	tmp, err := os.MkdirTemp("", "nextgo-e2e-")
	if err != nil {
		panic(err)
	}
	nextgoBin = filepath.Join(tmp, "nextgo")
	cacheDir = filepath.Join(tmp, "cache")
	build := exec.Command("go", "build", "-o", nextgoBin, "github.com/nextgo-dev/nextgo/cmd/nextgo")
	build.Stdout, build.Stderr = os.Stdout, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "build nextgo:", err)
		os.Exit(1)
	}
	code := m.Run()
	stopBrowser()
	os.RemoveAll(tmp)
	os.Exit(code)
}

// copyApp copies testdata/apps/name into a fresh directory outside the
// repository and returns it.
func copyApp(t *testing.T, name string) string {
	t.Helper()
	src := filepath.Join("testdata", "apps", name)
	dst := filepath.Join(t.TempDir(), name)
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		target := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(target, b, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	// As after a nextgo upgrade: the app's go.mod and go.sum follow the
	// runtime of the nextgo under test.
	if out, err := runNextgo(t, "sync", dst); err != nil {
		t.Fatalf("nextgo sync %s: %v\n%s", name, err, out)
	}
	return dst
}

// writeAppFile writes content to name (slash-separated) inside the app in
// dir, creating its folders.
func writeAppFile(t *testing.T, dir, name, content string) {
	t.Helper()
	p := filepath.Join(dir, filepath.FromSlash(name))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// newModule starts an app in dir as a user would without a template:
// `go mod init module`, then `nextgo sync`.
func newModule(t *testing.T, dir, module string) {
	t.Helper()
	writeAppFile(t, dir, "go.mod", "module "+module+"\n")
	if out, err := runNextgo(t, "sync", dir); err != nil {
		t.Fatalf("nextgo sync: %v\n%s", err, out)
	}
}

// offlineEnv is the environment of every nextgo run: no module proxy, so
// the app must build from the module cache and nextgo's own source.
func offlineEnv() []string {
	return append(os.Environ(), "GOPROXY=off", "GOFLAGS=-mod=mod", "GOTOOLCHAIN=local", "NEXTGO_CACHE="+cacheDir)
}

// freePort returns a loopback port nobody listens on.
func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// syncBuffer collects a process's output safely across goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// server is a running nextgo process serving an app.
type server struct {
	URL string
	Out *syncBuffer
	cmd *exec.Cmd
}

// startNextgo runs `nextgo <verb> dir --port P` and waits until the app
// answers readyPath.
func startNextgo(t *testing.T, verb, dir, readyPath string, extra ...string) *server {
	t.Helper()
	port := freePort(t)
	args := append([]string{verb, dir, "--port", strconv.Itoa(port)}, extra...)
	cmd := exec.Command(nextgoBin, args...)
	cmd.Env = offlineEnv()
	out := &syncBuffer{}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	s := &server{URL: fmt.Sprintf("http://127.0.0.1:%d", port), Out: out, cmd: cmd}
	t.Cleanup(func() {
		_ = cmd.Process.Signal(os.Interrupt)
		done := make(chan struct{})
		go func() { _ = cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			_ = cmd.Process.Kill()
			<-done
		}
		if t.Failed() {
			t.Logf("nextgo %s output:\n%s", verb, out.String())
		}
	})
	deadline := time.Now().Add(3 * time.Minute)
	for time.Now().Before(deadline) {
		resp, err := http.Get(s.URL + readyPath)
		if err == nil {
			resp.Body.Close()
			return s
		}
		if cmd.ProcessState != nil {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("nextgo %s did not answer %s in time; output:\n%s", verb, readyPath, out.String())
	return nil
}

// noRedirect is a client that returns redirects instead of following them.
var noRedirect = &http.Client{
	Timeout:       30 * time.Second,
	CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
}

// runNextgo runs the CLI to completion and returns its combined output.
func runNextgo(t *testing.T, args ...string) (string, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, nextgoBin, args...)
	cmd.Env = offlineEnv()
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// get fetches url and returns status, headers and body.
func do(t *testing.T, method, url string, header http.Header, body io.Reader) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest(method, url, body)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header[k] = v
	}
	resp, err := noRedirect.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s: read body: %v", method, url, err)
	}
	return resp, string(b)
}

// waitFor polls until cond holds, at most limit.
func waitFor(t *testing.T, limit time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for time.Now().Before(deadline) {
		if cond() {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("timed out waiting for %s", what)
}

var _ = strings.Contains
