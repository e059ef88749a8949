package devloop

import (
	"errors"
	"fmt"
	"io"
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
	// hand passes client connections to the process (nil: every request
	// goes through the front).
	hand *handoff
}

var socketSeq atomic.Int64

// startProcess runs bin in dir with env added to the environment. Its
// output goes to out; its reports (devserver.Report) to reports (nil:
// dropped). With a
// front address, the process also receives client connections (handoff)
// and forwards to the front what it must not answer itself.
func startProcess(bin, dir string, env []string, out io.Writer, reports *reportLog, front string) (*process, error) {
	addr := privateSocket(fmt.Sprintf("nextgo-dev-%d-%d", os.Getpid(), socketSeq.Add(1)))
	l, err := listenPrivate(addr)
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
	growPipe(rr, 4*devserver.ReportBatch)
	cmd := exec.Command(bin)
	cmd.Dir = dir
	cmd.Stdout, cmd.Stderr = out, out
	cmd.ExtraFiles = []*os.File{lf, rw} // fds 3 and 4
	cmd.Env = append(os.Environ(), devserver.ListenFDEnv+"=3", devserver.ReportFDEnv+"=4")
	var hand *handoff
	if front != "" {
		h, sock, slots, err := newHandoffPair()
		switch {
		case errors.Is(err, errNoHandoff): // every request goes through the front
		case err != nil:
			rr.Close()
			return nil, err
		default:
			defer sock.Close()
			defer slots.Close()
			hand = h
			cmd.ExtraFiles = append(cmd.ExtraFiles, sock, slots) // fds 5 and 6
			cmd.Env = append(cmd.Env, devserver.ConnFDEnv+"=5", devserver.SlotsFDEnv+"=6", devserver.FrontEnv+"="+front)
		}
	}
	cmd.Env = append(cmd.Env, env...)
	if err := cmd.Start(); err != nil {
		rr.Close()
		if hand != nil {
			hand.close()
		}
		return nil, fmt.Errorf("start the dev server: %w", err)
	}
	p := &process{cmd: cmd, addr: addr, exited: make(chan struct{}), hand: hand}
	read := make(chan struct{})
	go func() {
		defer close(read)
		defer rr.Close()
		if reports == nil {
			_, _ = io.Copy(io.Discard, rr)
			return
		}
		reports.readFrom(rr)
	}()
	go func() {
		p.err = cmd.Wait()
		<-read
		close(p.exited)
	}()
	return p, nil
}

// stop ends the process gracefully: it stops accepting at once and
// finishes its in-flight requests; after grace it is killed.
func (p *process) stop(grace time.Duration) {
	p.stopping.Store(true)
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	p.wait(grace)
}

// drain asks the process to give every connection back between two
// requests and end; after grace it is killed.
func (p *process) drain(grace time.Duration) {
	p.stopping.Store(true)
	if p.hand == nil || p.hand.send("D") != nil {
		_ = p.cmd.Process.Signal(syscall.SIGTERM)
	}
	p.wait(grace)
}

func (p *process) wait(grace time.Duration) {
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
