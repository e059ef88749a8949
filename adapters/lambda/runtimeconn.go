package lambda

import (
	"net"
	"sync/atomic"
	"time"

	"github.com/nextgo-dev/nextgo/internal/quietio"
)

// watchGap bounds how long the Go runtime's monitor thread (sysmon) may
// sleep through an invocation that the runtime loop's connection did not
// wake it for; see runtimeConn.
const watchGap = 10 * time.Millisecond

// runtimeConn is the runtime loop's connection to the Runtime API, read and
// written without waking the Go runtime's monitor thread when it can be.
//
// A Go process whose processors are all idle puts its monitor thread
// (sysmon: it preempts goroutines that run too long, retakes processors
// stuck in system calls) into a deep sleep, and the next system call the
// process makes wakes it. A function process is idle between invocations,
// so each invocation's first read woke that thread: a futex wake, its
// naps while the invocation runs, its futex wait once idle again, two
// context switches on another thread for every invocation; on a busy
// machine that was half of a function process's CPU time.
//
// Where the platform allows (internal/quietio), the connection is read and
// written with raw system calls, which do not wake the monitor, on a non-blocking
// socket (a call that would block waits in the network poller as usual).
// The monitor must still watch an invocation that runs long (a handler
// spinning on the CPU is preempted by it, so that its other goroutines and
// its deadline's timer run): while the loop waits for the next invocation
// a timer is armed, watchGap ahead, so that a monitor falling asleep
// meanwhile sleeps at most until then and checks on whatever runs by then;
// if the wait outlasts the timer, the monitor may be asleep for long, and
// the read that ends the wait is made the usual way, which wakes it at
// once, as before. An invocation is thus watched from at most watchGap
// after it starts: a goroutine it keeps from running waits at most about
// watchGap plus the runtime's own 10 ms slice (measured with GOMAXPROCS=1:
// 40 ms at most, against 30 ms before).
type runtimeConn struct {
	net.Conn
	quiet *quietio.Conn // raw reads and writes; nil where unavailable
	loud  *atomic.Bool  // the next read system call wakes the monitor
	watch *time.Timer   // sets loud after watchGap of waiting
}

func newRuntimeConn(conn net.Conn) *runtimeConn {
	loud := new(atomic.Bool)
	loud.Store(true) // nothing is known of the monitor yet
	c := &runtimeConn{Conn: conn, quiet: quietio.New(conn, loud), loud: loud}
	c.watch = time.AfterFunc(time.Hour, func() { loud.Store(true) })
	c.watch.Stop()
	return c
}

// waiting is called when the loop has asked for its next invocation and
// waits for it.
func (c *runtimeConn) waiting() {
	if c.quiet == nil {
		return
	}
	c.watch.Stop()
	c.loud.Store(false)
	c.watch.Reset(watchGap)
}

// Read reads quietly where it can; the read system call that ends a wait
// longer than watchGap is made the usual way (see runtimeConn).
func (c *runtimeConn) Read(p []byte) (int, error) {
	if c.quiet == nil {
		return c.Conn.Read(p)
	}
	return c.quiet.Read(p)
}

// Write writes quietly where it can.
func (c *runtimeConn) Write(p []byte) (int, error) {
	if c.quiet == nil {
		return c.Conn.Write(p)
	}
	return c.quiet.Write(p)
}

// Close closes the connection and stops its timer.
func (c *runtimeConn) Close() error {
	c.watch.Stop()
	return c.Conn.Close()
}
