//go:build linux && !386

package quietio

import (
	"io"
	"net"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
	"unsafe"
)

// Conn is a socket's reads and writes as raw system calls.
type Conn struct {
	raw  syscall.RawConn
	loud *atomic.Bool

	// The read under way, for readOnce, and the write, for writeOnce
	// (method values made once, so that a call allocates nothing), each
	// under its lock: reads (and writes) may be called at once.
	rmu      sync.Mutex
	wmu      sync.Mutex
	p        []byte
	n        int
	err      error
	readFn   func(uintptr) bool
	wn       int
	werr     error
	stamped  bool
	arrival  atomic.Int64 // Unix nanoseconds: when the newest data read arrived
	control  [64]byte
	hdr      syscall.Msghdr
	iov      syscall.Iovec
	writeBuf []byte
	writeFn  func(uintptr) bool
}

// New returns conn's reads and writes as raw system calls, or nil when
// conn has no socket. A read made while loud is set clears it and is made
// the usual way.
func New(conn net.Conn, loud *atomic.Bool) *Conn {
	sc, ok := conn.(syscall.Conn)
	if !ok {
		return nil
	}
	raw, err := sc.SyscallConn()
	if err != nil {
		return nil
	}
	c := &Conn{raw: raw, loud: loud}
	c.readFn = c.readOnce
	c.writeFn = c.writeOnce
	return c
}

// Stamp asks the kernel to date the data the socket receives
// (SO_TIMESTAMPNS: a read's control message carries the time its data
// arrived, as a timespec): each read
// then records when the newest data it returns arrived (Arrival).
func (c *Conn) Stamp() error {
	var serr error
	if err := c.raw.Control(func(fd uintptr) {
		serr = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_TIMESTAMPNS, 1)
	}); err != nil {
		return err
	}
	if serr != nil {
		return serr
	}
	c.stamped = true
	return nil
}

// Arrival returns when the newest data read so far arrived, by the
// system's wall clock, or the zero time when the kernel did not say.
func (c *Conn) Arrival() time.Time {
	a := c.arrival.Load()
	if a == 0 {
		return time.Time{}
	}
	return time.Unix(0, a)
}

// Read reads into p.
func (c *Conn) Read(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	c.rmu.Lock()
	defer c.rmu.Unlock()
	c.p, c.n, c.err = p, 0, nil
	werr := c.raw.Read(c.readFn)
	n, err := c.n, c.err
	c.p = nil
	if err == nil && werr != nil {
		err = &net.OpError{Op: "read", Net: "tcp", Err: werr}
	}
	return n, err
}

func (c *Conn) readOnce(fd uintptr) bool {
	for {
		call := syscall.RawSyscall
		if c.loud != nil && c.loud.Swap(false) {
			call = syscall.Syscall
		}
		var m uintptr
		var errno syscall.Errno
		if c.stamped {
			c.iov.Base = &c.p[0]
			c.iov.SetLen(len(c.p))
			c.hdr = syscall.Msghdr{Iov: &c.iov, Control: &c.control[0]}
			c.hdr.Iovlen = 1
			c.hdr.SetControllen(len(c.control))
			m, _, errno = call(syscall.SYS_RECVMSG, fd, uintptr(unsafe.Pointer(&c.hdr)), 0)
		} else {
			m, _, errno = call(syscall.SYS_READ, fd, uintptr(unsafe.Pointer(&c.p[0])), uintptr(len(c.p)))
		}
		switch errno {
		case 0:
			if c.n = int(m); c.n == 0 {
				c.err = io.EOF
			} else if c.stamped {
				c.noteArrival()
			}
			return true
		case syscall.EINTR:
		case syscall.EAGAIN:
			return false // wait in the poller, then again
		default:
			c.err = &net.OpError{Op: "read", Net: "tcp", Err: errno}
			return true
		}
	}
}

// noteArrival reads the arrival time from the control message of the last
// read; without one (the kernel dates packets only once the system has
// turned dating on, a moment after the first socket asks), the arrival is
// unknown again: never the date of earlier data.
func (c *Conn) noteArrival() {
	c.arrival.Store(0)
	b := c.control[:c.hdr.Controllen]
	for len(b) >= syscall.SizeofCmsghdr {
		h := (*syscall.Cmsghdr)(unsafe.Pointer(&b[0]))
		if h.Len < syscall.SizeofCmsghdr || int(h.Len) > len(b) {
			return
		}
		if h.Level == syscall.SOL_SOCKET && h.Type == syscall.SCM_TIMESTAMPNS && int(h.Len) >= syscall.CmsgLen(int(unsafe.Sizeof(syscall.Timespec{}))) {
			ts := (*syscall.Timespec)(unsafe.Pointer(&b[syscall.CmsgLen(0)]))
			c.arrival.Store(ts.Nano())
			return
		}
		b = b[min(syscall.CmsgSpace(int(h.Len)-syscall.CmsgLen(0)), len(b)):]
	}
}

// Write writes p.
func (c *Conn) Write(p []byte) (int, error) {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	c.writeBuf, c.wn, c.werr = p, 0, nil
	werr := c.raw.Write(c.writeFn)
	n, err := c.wn, c.werr
	c.writeBuf = nil
	if err == nil && werr != nil {
		err = &net.OpError{Op: "write", Net: "tcp", Err: werr}
	}
	return n, err
}

func (c *Conn) writeOnce(fd uintptr) bool {
	p := c.writeBuf
	for c.wn < len(p) {
		m, _, errno := syscall.RawSyscall(syscall.SYS_WRITE, fd, uintptr(unsafe.Pointer(&p[c.wn])), uintptr(len(p)-c.wn))
		switch errno {
		case 0:
			c.wn += int(m)
		case syscall.EINTR:
		case syscall.EAGAIN:
			return false // wait in the poller, then again
		default:
			c.werr = &net.OpError{Op: "write", Net: "tcp", Err: errno}
			return true
		}
	}
	return true
}
