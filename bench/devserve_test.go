package bench

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/nextgo-dev/nextgo/runtime/api"
	"github.com/nextgo-dev/nextgo/runtime/devserver"
	"github.com/nextgo-dev/nextgo/runtime/mux"
)

// BenchmarkDevServe measures what a load generator sees of `nextgo dev`:
// the real CLI, built from this module, serving a copy of examples/hello
// (its connections handed to the dev server process, the request log on
// the CLI's output, the dashboard's reports, the shared-memory slot and the
// save check of every request), answering GET /api/user. It is paired in
// the same run with a bare net/http server process answering the same
// JSON with the same headers. The load is wrk's: 32 keep-alive HTTP/1.1
// connections over loopback, each sending its next request as soon as the
// previous answer has arrived, every answer checked.
//
// Each iteration sends b.N requests to each server in four phases, bare,
// dev, dev, bare (half of b.N each), so that a change in the machine's load
// weighs on both alike. Reported: each server's requests per second and
// dev/bare, the dev server's share of bare throughput; ns/op is the dev
// server's time per request. On Linux, the CPU time each server's
// processes spent per request (nextgo dev: the CLI and its dev server
// process) is reported too: it does not depend on what else the machine
// runs as throughput does. The servers are started once per test binary
// run (the first build of the app takes a while):
//
//	go test ./bench -run '^$' -bench 'DevServe$' -benchtime 20000x -count 5
func BenchmarkDevServe(b *testing.B) {
	srv := startDevServe(b)
	bare, err := dialLoad(srv.bare, devServeConns)
	if err != nil {
		b.Fatal(err)
	}
	defer bare.close()
	dev, err := dialLoad(srv.dev, devServeConns)
	if err != nil {
		b.Fatal(err)
	}
	defer dev.close()
	for _, l := range []*load{bare, dev} { // warm: every connection answered once
		if err := l.run(devServeConns * 4); err != nil {
			b.Fatal(err)
		}
	}
	half := b.N / 2
	var took, cpu [2]time.Duration // bare, dev
	pids := [2]int{srv.procs[0].Process.Pid, srv.procs[1].Process.Pid}
	b.ResetTimer()
	for _, p := range []struct {
		server, n int
	}{{0, half}, {1, half}, {1, b.N - half}, {0, b.N - half}} {
		l := bare
		if p.server == 1 {
			l = dev
		}
		cpu0 := treeCPU(pids[p.server])
		start := time.Now()
		if err := l.run(p.n); err != nil {
			b.Fatal(err)
		}
		took[p.server] += time.Since(start)
		cpu[p.server] += treeCPU(pids[p.server]) - cpu0
	}
	b.StopTimer()
	bareRPS := float64(b.N) / took[0].Seconds()
	devRPS := float64(b.N) / took[1].Seconds()
	b.ReportMetric(bareRPS, "bare-req/s")
	b.ReportMetric(devRPS, "dev-req/s")
	b.ReportMetric(devRPS/bareRPS, "dev/bare")
	if cpu[0] > 0 && cpu[1] > 0 {
		b.ReportMetric(float64(cpu[0].Microseconds())/float64(b.N), "bare-cpu-µs/req")
		b.ReportMetric(float64(cpu[1].Microseconds())/float64(b.N), "dev-cpu-µs/req")
	}
	b.ReportMetric(float64(took[1].Nanoseconds())/float64(b.N), "ns/op")
}

// devServeConns is the number of connections of BenchmarkDevServe, as
// `wrk -c 32`.
const devServeConns = 32

// devServeBare is the bare server: net/http answering GET /api/user as the
// hello example does (bareUser).
const devServeBare = `package main

import (
	"encoding/json"
	"net"
	"net/http"
	"os"
	"strconv"
)

func main() {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	os.Stdout.WriteString(l.Addr().String() + "\n")
	panic(http.Serve(l, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := json.Marshal(struct {
			Name string ` + "`json:\"name\"`" + `
		}{"John Doe"})
		h := w.Header()
		h.Set("Content-Type", "application/json; charset=utf-8")
		h.Set("Etag", ` + "`\"wjzyexk8pqj\"`" + `)
		h.Set("Content-Length", strconv.Itoa(len(b)))
		w.WriteHeader(http.StatusOK)
		w.Write(b)
	})))
}
`

// devServeServers are the two servers of BenchmarkDevServe.
type devServeServers struct {
	bare, dev string // host:port
	procs     []*exec.Cmd
	dir       string
}

var devServe struct {
	once sync.Once
	srv  *devServeServers
	err  error
}

// startDevServe starts, once per test binary run, the bare server and
// `nextgo dev` on a copy of examples/hello; TestMain stops them.
func startDevServe(b *testing.B) *devServeServers {
	devServe.once.Do(func() { devServe.srv, devServe.err = newDevServe() })
	if devServe.err != nil {
		b.Fatal(devServe.err)
	}
	return devServe.srv
}

func newDevServe() (s *devServeServers, err error) {
	dir, err := os.MkdirTemp("", "nextgo-devserve-")
	if err != nil {
		return nil, err
	}
	s = &devServeServers{dir: dir}
	defer func() {
		if err != nil {
			s.stop()
		}
	}()
	goCmd := filepath.Join(runtime.GOROOT(), "bin", "go")
	bareDir := filepath.Join(dir, "bare")
	if err := os.MkdirAll(bareDir, 0o755); err != nil {
		return s, err
	}
	if err := os.WriteFile(filepath.Join(bareDir, "main.go"), []byte(devServeBare), 0o644); err != nil {
		return s, err
	}
	if err := os.WriteFile(filepath.Join(bareDir, "go.mod"), []byte("module bare\n"), 0o644); err != nil {
		return s, err
	}
	for _, c := range []*exec.Cmd{
		exec.Command(goCmd, "build", "-o", filepath.Join(dir, "bare-server"), "."),
		exec.Command(goCmd, "build", "-o", filepath.Join(dir, "nextgo"), "github.com/nextgo-dev/nextgo/cmd/nextgo"),
	} {
		if c.Args[len(c.Args)-1] == "." {
			c.Dir = bareDir
		}
		if out, err := c.CombinedOutput(); err != nil {
			return s, fmt.Errorf("%v: %v\n%s", c.Args, err, out)
		}
	}
	app := filepath.Join(dir, "app")
	if out, err := exec.Command("cp", "-r", filepath.Join("..", "examples", "hello"), app).CombinedOutput(); err != nil {
		return s, fmt.Errorf("copy examples/hello: %v\n%s", err, out)
	}

	bare := exec.Command(filepath.Join(dir, "bare-server"))
	stdout, err := bare.StdoutPipe()
	if err != nil {
		return s, err
	}
	if err := bare.Start(); err != nil {
		return s, err
	}
	s.procs = append(s.procs, bare)
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		return s, fmt.Errorf("bare server: %w", err)
	}
	s.bare = line[:len(line)-1]

	l, err := net.Listen("tcp", "127.0.0.1:0") // a free port for nextgo dev
	if err != nil {
		return s, err
	}
	s.dev = l.Addr().String()
	l.Close()
	_, port, _ := net.SplitHostPort(s.dev)
	logFile, err := os.Create(filepath.Join(dir, "dev.log"))
	if err != nil {
		return s, err
	}
	defer logFile.Close()
	dev := exec.Command(filepath.Join(dir, "nextgo"), "dev", app, "--port", port)
	dev.Stdout, dev.Stderr = logFile, logFile // the request log goes to a file, as to a terminal
	if err := dev.Start(); err != nil {
		return s, err
	}
	s.procs = append(s.procs, dev)
	deadline := time.Now().Add(5 * time.Minute) // the app's first build
	for {
		resp, err := http.Get("http://" + s.dev + "/api/user")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return s, nil
			}
		}
		if time.Now().After(deadline) {
			log, _ := os.ReadFile(logFile.Name())
			return s, fmt.Errorf("nextgo dev did not answer GET /api/user 200 within 5 minutes: %v\n%s", err, log)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// stop ends the servers (nextgo dev gracefully, as Ctrl-C does) and
// removes their folder.
func (s *devServeServers) stop() {
	for _, c := range s.procs {
		_ = c.Process.Signal(syscall.SIGINT)
		done := make(chan struct{})
		go func() { _ = c.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			_ = c.Process.Kill()
			<-done
		}
	}
	os.RemoveAll(s.dir)
}

// treeCPU returns the CPU time (user and system) that process pid and its
// descendants have used so far, from /proc; 0 where there is no /proc.
func treeCPU(pid int) time.Duration {
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return 0
	}
	type stat struct {
		ppid int
		cpu  time.Duration
	}
	procs := map[int]stat{}
	for _, e := range entries {
		p, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		b, err := os.ReadFile("/proc/" + e.Name() + "/stat")
		if err != nil {
			continue
		}
		// pid (comm) state ppid ... utime stime: fields 4, 14 and 15; comm
		// may hold spaces, so count from its closing parenthesis.
		i := bytes.LastIndexByte(b, ')')
		if i < 0 {
			continue
		}
		f := strings.Fields(string(b[i+1:]))
		if len(f) < 13 {
			continue
		}
		ppid, _ := strconv.Atoi(f[1])
		utime, _ := strconv.ParseInt(f[11], 10, 64)
		stime, _ := strconv.ParseInt(f[12], 10, 64)
		procs[p] = stat{ppid, time.Duration(utime+stime) * time.Second / clockTicks}
	}
	var sum time.Duration
	var add func(int)
	add = func(p int) {
		sum += procs[p].cpu
		for q, s := range procs {
			if s.ppid == p {
				add(q)
			}
		}
	}
	add(pid)
	return sum
}

// clockTicks is Linux's USER_HZ, the unit of /proc's CPU times.
const clockTicks = 100

// TestMain stops the servers of BenchmarkDevServe after the run.
func TestMain(m *testing.M) {
	code := m.Run()
	if devServe.srv != nil {
		devServe.srv.stop()
	}
	os.Exit(code)
}

// load is a wrk-like load generator: keep-alive connections to one
// server, each sending GET /api/user and reading the whole answer before
// the next.
type load struct {
	conns []*loadConn
}

type loadConn struct {
	c  net.Conn
	br *bufio.Reader
}

// loadRequest is the request every connection sends.
var loadRequest = []byte("GET /api/user HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: bench\r\n\r\n")

// loadAnswer is the body every answer must carry.
var loadAnswer = []byte(`{"name":"John Doe"}`)

func dialLoad(addr string, n int) (*load, error) {
	l := &load{}
	for range n {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			l.close()
			return nil, err
		}
		l.conns = append(l.conns, &loadConn{c: c, br: bufio.NewReaderSize(c, 4096)})
	}
	return l, nil
}

func (l *load) close() {
	for _, c := range l.conns {
		c.c.Close()
	}
}

// run sends n requests over the connections, each connection taking the
// next request as soon as it is free, and fails on the first wrong answer.
func (l *load) run(n int) error {
	var left atomic.Int64
	left.Store(int64(n))
	errc := make(chan error, len(l.conns))
	for _, c := range l.conns {
		go func() {
			for left.Add(-1) >= 0 {
				if err := c.roundTrip(); err != nil {
					left.Store(0)
					errc <- err
					return
				}
			}
			errc <- nil
		}()
	}
	var err error
	for range l.conns {
		err = errors.Join(err, <-errc)
	}
	return err
}

// roundTrip sends one request and reads and checks its answer: status 200
// and the expected body, framed by Content-Length.
func (c *loadConn) roundTrip() error {
	_ = c.c.SetDeadline(time.Now().Add(30 * time.Second))
	if _, err := c.c.Write(loadRequest); err != nil {
		return err
	}
	status, err := c.br.ReadSlice('\n')
	if err != nil {
		return err
	}
	if !bytes.HasPrefix(status, []byte("HTTP/1.1 200 ")) {
		return fmt.Errorf("status line %q", status)
	}
	length := -1
	for {
		line, err := c.br.ReadSlice('\n')
		if err != nil {
			return err
		}
		if len(line) <= 2 {
			break
		}
		if name, value, ok := bytes.Cut(line, []byte(":")); ok && bytes.EqualFold(name, []byte("Content-Length")) {
			length, err = strconv.Atoi(string(bytes.TrimSpace(value)))
			if err != nil {
				return fmt.Errorf("Content-Length %q", value)
			}
		}
	}
	if length != len(loadAnswer) {
		return fmt.Errorf("Content-Length %d, want %d", length, len(loadAnswer))
	}
	var body [64]byte
	if _, err := io.ReadFull(c.br, body[:length]); err != nil {
		return err
	}
	if !bytes.Equal(body[:length], loadAnswer) {
		return fmt.Errorf("body %q", body[:length])
	}
	return nil
}

// BenchmarkDevServeInProcess is the dev server process's handler chain
// without the sockets (request log, request ids, body guard, dispatcher,
// API route) against the bare handler on the same request, each writing
// to a discarding ResponseWriter: the dev server's own cost and
// allocations per request.
func BenchmarkDevServeInProcess(b *testing.B) {
	dev := helloDevServer(b)
	for _, bc := range []struct {
		name string
		h    http.Handler
	}{{"bare", http.HandlerFunc(bareUser)}, {"dev", dev.Handler}} {
		b.Run(bc.name, func(b *testing.B) {
			req := httptest.NewRequest("GET", "/api/user", nil)
			req.RequestURI = "/api/user"
			w := &discardWriter{h: make(http.Header, 4)}
			b.ReportAllocs()
			for b.Loop() {
				clear(w.h)
				bc.h.ServeHTTP(w, req)
			}
		})
	}
}

// helloDevServer is the dev server of the hello example's two API routes,
// its request log discarded.
func helloDevServer(b *testing.B) *http.Server {
	user := api.NewHandler(api.Route{File: "pages/api/user.go", Handler: func(req *api.Request, res *api.Response) {
		res.Status(http.StatusOK).JSON(johnDoe)
	}})
	dev, err := devserver.NewServer([]mux.Route{
		{Pattern: "/api/hello", File: "pages/api/hello.go", Handler: user},
		{Pattern: "/api/user", File: "pages/api/user.go", Handler: user},
	}, devserver.Options{Out: io.Discard})
	if err != nil {
		b.Fatal(err)
	}
	return dev
}
