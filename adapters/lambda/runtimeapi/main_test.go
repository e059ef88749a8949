package runtimeapi

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sync"
	"testing"
	"time"
)

// fixtureBootstrap is the test function (testdata/fixture), built once by
// TestMain with the flags nextgo builds functions with.
var fixtureBootstrap string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "runtimeapi-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	code := func() int {
		defer os.RemoveAll(dir)
		fixtureBootstrap = filepath.Join(dir, "fixture", "bootstrap")
		gobin := filepath.Join(runtime.GOROOT(), "bin", "go")
		cmd := exec.Command(gobin, "build", "-tags", "lambda.norpc", "-trimpath", "-o", fixtureBootstrap, "./testdata/fixture")
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
		if out, err := cmd.CombinedOutput(); err != nil {
			fmt.Fprintf(os.Stderr, "building the test function: %v\n%s", err, out)
			return 1
		}
		return m.Run()
	}()
	os.Exit(code)
}

// testContext bounds a test's waits, so that a broken emulator fails the
// test instead of hanging it.
func testContext(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 45*time.Second)
	t.Cleanup(cancel)
	return ctx
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

// gate is an HTTP endpoint a fixture function blocks on until the test
// opens it: a handshake between the test and a process, with no sleeps.
type gate struct {
	URL     string
	arrived chan struct{} // receives once per request that reached the gate
	opened  chan struct{}
	once    sync.Once
}

func newGate(t *testing.T) *gate {
	t.Helper()
	g := &gate{arrived: make(chan struct{}, 16), opened: make(chan struct{})}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		g.arrived <- struct{}{}
		select {
		case <-g.opened:
		case <-r.Context().Done():
		}
	}))
	g.URL = srv.URL
	t.Cleanup(func() {
		g.open()
		srv.Close()
	})
	return g
}

func (g *gate) open() { g.once.Do(func() { close(g.opened) }) }

// wait returns when a request reached the gate, failing the test when ctx
// ends first.
func (g *gate) wait(t *testing.T, ctx context.Context) {
	t.Helper()
	select {
	case <-g.arrived:
	case <-ctx.Done():
		t.Fatal("the function never reached the gate")
	}
}

// newTestPool returns a pool of the fixture function, closed with the test.
func newTestPool(t *testing.T, fn Function, out *lockedBuffer) *Pool {
	t.Helper()
	if fn.Bootstrap == "" {
		fn.Bootstrap = fixtureBootstrap
	}
	if fn.Name == "" {
		fn.Name = "fixture"
	}
	if out == nil {
		out = &lockedBuffer{}
	}
	p := NewPool(fn, Options{Output: out, Region: "eu-west-3", AccountID: "123456789012"})
	t.Cleanup(func() { p.Close() })
	return p
}
