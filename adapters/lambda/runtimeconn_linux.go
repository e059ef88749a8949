package lambda

import (
	"io"
	"net"
	"sync/atomic"
	"syscall"
	"unsafe"
)

// quietIO returns conn's reads and writes as raw system calls on its
// non-blocking socket (see runtimeConn), or nil when conn has no socket.
// A call that would block waits in the network poller; deadlines apply as
// to conn's own Read and Write. A read system call made while loud is set
// clears it and is made the usual way (syscall.Syscall), which wakes the
// Go runtime's monitor thread.
func quietIO(conn net.Conn, loud *atomic.Bool) io.ReadWriter {
	sc, ok := conn.(syscall.Conn)
	if !ok {
		return nil
	}
	raw, err := sc.SyscallConn()
	if err != nil {
		return nil
	}
	return rawIO{raw: raw, loud: loud}
}

// rawIO reads and writes a socket with syscall.RawSyscall.
type rawIO struct {
	raw  syscall.RawConn
	loud *atomic.Bool
}

func (r rawIO) Read(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	var n int
	var err error
	werr := r.raw.Read(func(fd uintptr) bool {
		for {
			read := syscall.RawSyscall
			if r.loud.Swap(false) {
				read = syscall.Syscall
			}
			m, _, errno := read(syscall.SYS_READ, fd, uintptr(unsafe.Pointer(&p[0])), uintptr(len(p)))
			switch errno {
			case 0:
				if n = int(m); n == 0 {
					err = io.EOF
				}
				return true
			case syscall.EINTR:
			case syscall.EAGAIN:
				return false // wait in the poller, then again
			default:
				err = &net.OpError{Op: "read", Net: "tcp", Err: errno}
				return true
			}
		}
	})
	if err == nil && werr != nil {
		err = &net.OpError{Op: "read", Net: "tcp", Err: werr}
	}
	return n, err
}

func (r rawIO) Write(p []byte) (int, error) {
	var n int
	var err error
	werr := r.raw.Write(func(fd uintptr) bool {
		for n < len(p) {
			m, _, errno := syscall.RawSyscall(syscall.SYS_WRITE, fd, uintptr(unsafe.Pointer(&p[n])), uintptr(len(p)-n))
			switch errno {
			case 0:
				n += int(m)
			case syscall.EINTR:
			case syscall.EAGAIN:
				return false // wait in the poller, then again
			default:
				err = &net.OpError{Op: "write", Net: "tcp", Err: errno}
				return true
			}
		}
		return true
	})
	if err == nil && werr != nil {
		err = &net.OpError{Op: "write", Net: "tcp", Err: werr}
	}
	return n, err
}
