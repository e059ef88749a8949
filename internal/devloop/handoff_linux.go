package devloop

import (
	"errors"
	"fmt"
	"net"
	"os"
	"strconv"
	"sync"
	"syscall"

	"github.com/nextgo-dev/nextgo/runtime/devserver"
)

// maxConns is how many handed connections a dev server holds at once;
// past it, connections are served through the front.
const maxConns = 4096

// handoff is the CLI's side of the connection handoff to one dev server
// process (see runtime/devserver): it passes connections, keeps a
// duplicate of each, and learns over the same socket when the server
// closed one or gave it back.
type handoff struct {
	sock  *net.UnixConn
	slots []byte

	mu sync.Mutex
	// conns maps an id to the CLI's duplicate of its connection, a bare
	// descriptor: kept out of the CLI's network poller, so that the traffic
	// of a connection the dev server serves never wakes the CLI.
	conns map[int]int
	free  []int
	next  int
}

// newHandoffPair returns the CLI's side and the file of the server's side
// of a new handoff, with the file of its shared slots.
func newHandoffPair() (*handoff, *os.File, *os.File, error) {
	fds, err := syscall.Socketpair(syscall.AF_UNIX, syscall.SOCK_SEQPACKET|syscall.SOCK_CLOEXEC, 0)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("handoff socket: %w", err)
	}
	mine, theirs := os.NewFile(uintptr(fds[0]), "handoff"), os.NewFile(uintptr(fds[1]), "handoff")
	c, err := net.FileConn(mine)
	mine.Close()
	if err != nil {
		theirs.Close()
		return nil, nil, nil, err
	}
	slotsFile, err := os.CreateTemp("", "nextgo-dev-slots-")
	if err == nil {
		os.Remove(slotsFile.Name()) // the descriptors keep it
		err = slotsFile.Truncate(maxConns * devserver.SlotSize)
	}
	var slots []byte
	if err == nil {
		slots, err = syscall.Mmap(int(slotsFile.Fd()), 0, maxConns*devserver.SlotSize, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_SHARED)
	}
	if err != nil {
		c.Close()
		theirs.Close()
		if slotsFile != nil {
			slotsFile.Close()
		}
		return nil, nil, nil, fmt.Errorf("handoff slots: %w", err)
	}
	return &handoff{sock: c.(*net.UnixConn), slots: slots, conns: map[int]int{}}, theirs, slotsFile, nil
}

var errHandoffFull = errors.New("the dev server holds as many connections as it may")

var errNoHandoff = errors.New("connection handoff unavailable")

// pass hands c to the server. On success c is closed and the CLI keeps a
// duplicate; on failure c is left to the caller.
func (h *handoff) pass(c net.Conn) error {
	tc, ok := c.(*net.TCPConn)
	if !ok {
		return errors.New("not a TCP connection")
	}
	fd, err := dupConn(tc)
	if err != nil {
		return err
	}
	h.mu.Lock()
	id := -1
	switch {
	case len(h.free) > 0:
		id = h.free[len(h.free)-1]
		h.free = h.free[:len(h.free)-1]
	case h.next < maxConns:
		id = h.next
		h.next++
	}
	if id < 0 {
		h.mu.Unlock()
		syscall.Close(fd)
		return errHandoffFull
	}
	h.conns[id] = fd
	h.mu.Unlock()
	if _, _, err := h.sock.WriteMsgUnix([]byte("P"+strconv.Itoa(id)), syscall.UnixRights(fd), nil); err != nil {
		h.release(id)
		syscall.Close(fd)
		return err
	}
	c.Close() // the duplicates carry the connection
	return nil
}

// dupConn returns a close-on-exec duplicate of c's descriptor, leaving c
// as it is (tc.File would also switch the shared socket to blocking mode,
// and os.NewFile would register the duplicate with the network poller).
func dupConn(c *net.TCPConn) (int, error) {
	rc, err := c.SyscallConn()
	if err != nil {
		return -1, err
	}
	fd := -1
	var dupErr error
	err = rc.Control(func(s uintptr) {
		r, _, e := syscall.Syscall(syscall.SYS_FCNTL, s, syscall.F_DUPFD_CLOEXEC, 0)
		if e != 0 {
			dupErr = fmt.Errorf("duplicate the connection: %w", e)
			return
		}
		fd = int(r)
	})
	return fd, errors.Join(err, dupErr)
}

// release forgets id and returns its duplicate, or -1.
func (h *handoff) release(id int) int {
	h.mu.Lock()
	defer h.mu.Unlock()
	fd, ok := h.conns[id]
	if !ok {
		return -1
	}
	delete(h.conns, id)
	h.free = append(h.free, id)
	return fd
}

// send writes a control message ("D", "F1", "F0").
func (h *handoff) send(msg string) error {
	_, err := h.sock.Write([]byte(msg))
	return err
}

// receive reads the server's messages until its side closes: closed
// connections are closed, given-back ones go to back.
func (h *handoff) receive(back func(net.Conn)) {
	buf := make([]byte, 64)
	for {
		n, err := h.sock.Read(buf)
		if err != nil || n == 0 {
			return
		}
		msg := string(buf[:n])
		id, err := strconv.Atoi(msg[1:])
		if err != nil {
			continue
		}
		fd := h.release(id)
		if fd < 0 {
			continue
		}
		switch msg[0] {
		case 'H':
			f := os.NewFile(uintptr(fd), "conn")
			c, err := net.FileConn(f)
			f.Close()
			if err == nil {
				back(c)
			}
		default:
			syscall.Close(fd)
		}
	}
}

// heldConn is a connection the server held when it ended.
type heldConn struct {
	f     *os.File
	state uint32 // devserver.SlotIdle, SlotRequest or SlotAnswered
	line  string // the request in flight: "GET /api/x"
}

// held returns, once the server is gone, the connections it still held.
func (h *handoff) held() []heldConn {
	h.mu.Lock()
	defer h.mu.Unlock()
	var out []heldConn
	for id, fd := range h.conns {
		slot := h.slots[id*devserver.SlotSize : (id+1)*devserver.SlotSize]
		out = append(out, heldConn{f: os.NewFile(uintptr(fd), "conn"), state: devserver.SlotState(slot), line: devserver.SlotRequestLine(slot)})
		delete(h.conns, id)
	}
	return out
}

// close ends the handoff.
func (h *handoff) close() {
	h.sock.Close()
	_ = syscall.Munmap(h.slots)
}

// fSetPipeSize is Linux's F_SETPIPE_SZ.
const fSetPipeSize = 1031

// growPipe gives the pipe of f room for size bytes, where the system
// allows (up to /proc/sys/fs/pipe-max-size, 1 MB by default); a pipe left
// at its 64 KB wakes its reader for every 64 KB written.
func growPipe(f *os.File, size int) {
	if sc, err := f.SyscallConn(); err == nil {
		_ = sc.Control(func(fd uintptr) {
			_, _, _ = syscall.Syscall(syscall.SYS_FCNTL, fd, fSetPipeSize, uintptr(size))
		})
	}
}
