package devloop

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/nextgo-dev/nextgo/runtime/devserver"
)

// process is one run of the dev server binary, serving on a private unix
// socket that the front proxies to.
type process struct {
	cmd    *exec.Cmd
	addr   string        // the socket's address (Linux abstract namespace)
	exited chan struct{} // closed once the process has exited and its output is drained
	err    error         // the exit status, once exited is closed
	// stopping is set when the loop ends the process itself: its exit is
	// then no crash.
	stopping atomic.Bool
}

var socketSeq atomic.Int64

// startProcess runs bin in dir with env added to the environment. Its
// output goes to out; its reports (devserver.Report) to report.
func startProcess(bin, dir string, env []string, out io.Writer, report func(devserver.Report)) (*process, error) {
	addr := fmt.Sprintf("@nextgo-dev-%d-%d", os.Getpid(), socketSeq.Add(1))
	l, err := net.ListenUnix("unix", &net.UnixAddr{Name: addr, Net: "unix"})
	if err != nil {
		return nil, fmt.Errorf("listen on a private socket: %w", err)
	}
	lf, err := l.File()
	l.Close() // lf holds a duplicate: the socket stays open for the child
	if err != nil {
		return nil, err
	}
	defer lf.Close()
	rr, rw, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	defer rw.Close()
	cmd := exec.Command(bin)
	cmd.Dir = dir
	cmd.Stdout, cmd.Stderr = out, out
	cmd.ExtraFiles = []*os.File{lf, rw} // fds 3 and 4
	cmd.Env = append(os.Environ(), devserver.ListenFDEnv+"=3", devserver.ReportFDEnv+"=4")
	cmd.Env = append(cmd.Env, env...)
	if err := cmd.Start(); err != nil {
		rr.Close()
		return nil, fmt.Errorf("start the dev server: %w", err)
	}
	p := &process{cmd: cmd, addr: addr, exited: make(chan struct{})}
	reports := make(chan struct{})
	go func() {
		defer close(reports)
		defer rr.Close()
		sc := bufio.NewScanner(rr)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		for sc.Scan() {
			var rep devserver.Report
			if json.Unmarshal(sc.Bytes(), &rep) == nil && report != nil {
				report(rep)
			}
		}
	}()
	go func() {
		p.err = cmd.Wait()
		<-reports
		close(p.exited)
	}()
	return p, nil
}

// stop ends the process gracefully: it stops accepting at once and
// finishes its in-flight requests; after grace it is killed.
func (p *process) stop(grace time.Duration) {
	p.stopping.Store(true)
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.exited:
	case <-time.After(grace):
		_ = p.cmd.Process.Kill()
		<-p.exited
	}
}

// crashed reports whether the process exited without being asked to.
func (p *process) crashed() bool {
	select {
	case <-p.exited:
		return !p.stopping.Load()
	default:
		return false
	}
}

// exitReason describes how the process ended.
func (p *process) exitReason() string {
	if p.err == nil {
		return "exit status 0"
	}
	return p.err.Error()
}
