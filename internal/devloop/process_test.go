package devloop

import (
	"context"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nextgo-dev/nextgo/runtime/devserver"
	"github.com/nextgo-dev/nextgo/runtime/mux"
)

// The test binary doubles as a dev server when helperEnv is set.
const helperEnv = "DEVLOOP_TEST_SERVER"

func TestMain(m *testing.M) {
	if os.Getenv(helperEnv) == "1" {
		routes := []mux.Route{
			{Pattern: "/api/user", File: "pages/api/user.go", Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				io.WriteString(w, "user")
			})},
			{Pattern: "/api/exit", File: "pages/api/exit.go", Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				os.Exit(3)
			})},
		}
		devserver.Main(routes, devserver.Options{})
		return
	}
	os.Exit(m.Run())
}

func helperClient(p *process) *http.Client {
	return &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
		var d net.Dialer
		return d.DialContext(ctx, "unix", p.addr)
	}}}
}

// TestProcess runs a dev server on its private socket: it answers, reports
// the request, tells a crash from a stop, and names the exit status.
func TestProcess(t *testing.T) {
	t.Setenv(helperEnv, "1")
	var mu sync.Mutex
	var reports []devserver.Report
	held := newReportLog(func(r devserver.Report) {
		mu.Lock()
		reports = append(reports, r)
		mu.Unlock()
	})
	p, err := startProcess(os.Args[0], t.TempDir(), nil, io.Discard, held, "")
	if err != nil {
		t.Fatal(err)
	}
	c := helperClient(p)
	req, _ := http.NewRequest("GET", "http://p/api/user", nil)
	req.Header.Set("X-Nextgo-Request-Id", "r1")
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || string(body) != "user" {
		t.Fatalf("GET /api/user: %d %q", resp.StatusCode, body)
	}
	if _, err := c.Get("http://p/api/exit"); err == nil {
		t.Fatal("GET /api/exit answered")
	}
	select {
	case <-p.exited:
	case <-time.After(10 * time.Second):
		t.Fatal("the process did not exit")
	}
	if !p.crashed() || p.exitReason() != "exit status 3" {
		t.Errorf("crashed %v, reason %q", p.crashed(), p.exitReason())
	}
	// The report was held unread, and outlived the process.
	mu.Lock()
	if len(reports) != 0 {
		t.Errorf("reports delivered before they were asked for: %+v", reports)
	}
	mu.Unlock()
	held.deliverAll()
	mu.Lock()
	defer mu.Unlock()
	if len(reports) != 1 || reports[0].Type != "request" || reports[0].RequestID != "r1" || reports[0].File != "pages/api/user.go" || reports[0].Status != 200 {
		t.Errorf("reports = %+v", reports)
	}
}

// TestProcessStop: a stopped server is no crash.
func TestProcessStop(t *testing.T) {
	t.Setenv(helperEnv, "1")
	var out strings.Builder
	p, err := startProcess(os.Args[0], t.TempDir(), nil, &syncWriter{w: &out}, nil, "")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := helperClient(p).Get("http://p/api/user"); err != nil {
		t.Fatal(err)
	}
	p.stop(5 * time.Second)
	if p.crashed() {
		t.Errorf("a stopped server counts as crashed (%s)", p.exitReason())
	}
}

type syncWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (s *syncWriter) Write(b []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.Write(b)
}
