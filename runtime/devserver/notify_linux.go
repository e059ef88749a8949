package devserver

import (
	"io/fs"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
	"unsafe"
)

// fionread is Linux's FIONREAD ioctl: the bytes ready to be read.
const fionread = 0x541B

// Notifier tells, with one system call, whether a build input of the app
// (a Go file, go.mod, go.sum, nextgo.json, a .env file) changed since it
// last looked: the kernel queues an inotify event at the moment of a write,
// so a request sent after a save always sees it. Both the CLI and the dev
// server use one, so that no request is answered by stale code.
type Notifier struct {
	fd   int
	dir  string
	mu   sync.Mutex
	dirs map[int]string // watch descriptor → folder

	changed atomic.Bool               // Changed found a build input changed; set under mu
	clean   atomic.Pointer[cleanLook] // Changed's latest look that found nothing
}

// cleanLook is when a look at the queue that found it empty began.
type cleanLook struct {
	start time.Time // with its monotonic reading
	wall  int64     // start's wall clock, Unix nanoseconds
}

const watchMask = syscall.IN_CREATE | syscall.IN_DELETE | syscall.IN_MODIFY | syscall.IN_MOVED_FROM |
	syscall.IN_MOVED_TO | syscall.IN_CLOSE_WRITE | syscall.IN_DELETE_SELF | syscall.IN_ATTRIB

// NewNotifier watches every folder of the app in dir that may hold build
// inputs. It returns nil when inotify is unavailable.
func NewNotifier(dir string) *Notifier {
	fd, err := syscall.InotifyInit1(syscall.IN_CLOEXEC | syscall.IN_NONBLOCK)
	if err != nil {
		return nil
	}
	n := &Notifier{fd: fd, dir: dir, dirs: map[int]string{}}
	n.addTree(dir)
	return n
}

// addTree watches folder and the folders under it, and reports whether it
// holds build inputs (a folder written before its watch was added).
func (n *Notifier) addTree(folder string) bool {
	inputs := false
	_ = filepath.WalkDir(folder, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil
		}
		if !d.IsDir() {
			inputs = inputs || buildInput(d.Name())
			return nil
		}
		rel, _ := filepath.Rel(n.dir, p)
		if rel != "." && (rel == stageDir || strings.HasPrefix(d.Name(), ".") || d.Name() == "node_modules" || d.Name() == "testdata") {
			return filepath.SkipDir
		}
		wd, err := syscall.InotifyAddWatch(n.fd, p, watchMask)
		if err == nil {
			n.dirs[wd] = p
		}
		return nil
	})
	return inputs
}

// Pending reports whether events wait to be read: one ioctl.
func (n *Notifier) Pending() bool {
	var ready int32
	// FIONREAD on an inotify descriptor never blocks: a raw system call
	// spares the scheduler's bookkeeping around it (a third of its cost,
	// once per request in the dev server).
	_, _, e := syscall.RawSyscall(syscall.SYS_IOCTL, uintptr(n.fd), fionread, uintptr(unsafe.Pointer(&ready)))
	return e == 0 && ready > 0
}

// Changed reports whether a build input changed before a request whose
// bytes arrived at arrival (by the wall clock, as the kernel dated them;
// the zero time when unknown) was sent. Once true, it stays true. It costs
// one system call, or none when a look at the queue that found it empty
// began after arrival: a save made before the request was sent queued its
// event before the request's bytes arrived, so that look would have seen
// it. Under load, one look thus serves every request that arrived while
// others were served. A look is trusted for 100 ms, and only while the
// wall clock kept pace with the monotonic one since (a clock set back
// could date a later arrival before it).
func (n *Notifier) Changed(arrival time.Time) bool {
	if n.changed.Load() {
		return true
	}
	if !arrival.IsZero() && n.seenEmptyAfter(arrival) {
		return false
	}
	start := time.Now()
	if n.Pending() && n.Drain() {
		return true
	}
	// A Drain under way (that read the event this look missed) ends first.
	n.mu.Lock()
	changed := n.changed.Load()
	n.mu.Unlock()
	if changed {
		return true
	}
	look := &cleanLook{start: start, wall: start.UnixNano()}
	for {
		old := n.clean.Load()
		if old != nil && old.wall >= look.wall || n.clean.CompareAndSwap(old, look) {
			return false
		}
	}
}

// Trust bounds of a look that found the queue empty (see Changed).
const (
	lookTrusted = 100 * time.Millisecond
	clockSlack  = 50 * time.Microsecond
)

// seenEmptyAfter reports whether a look that found the queue empty began
// after arrival, and may still be trusted.
func (n *Notifier) seenEmptyAfter(arrival time.Time) bool {
	look := n.clean.Load()
	if look == nil || arrival.UnixNano() >= look.wall {
		return false
	}
	now := time.Now()
	mono := now.Sub(look.start) // monotonic
	if mono < 0 || mono > lookTrusted {
		return false
	}
	drift := time.Duration(now.UnixNano()-look.wall) - mono
	return drift > -clockSlack && drift < clockSlack
}

// Drain reads the waiting events and reports whether any concerns a build
// input; Changed reports true from then on.
func (n *Notifier) Drain() bool {
	n.mu.Lock()
	defer n.mu.Unlock()
	any := false
	var buf [64 << 10]byte
	for {
		k, err := syscall.Read(n.fd, buf[:])
		if err != nil || k <= 0 {
			if any {
				n.changed.Store(true)
			}
			return any
		}
		for off := 0; off+syscall.SizeofInotifyEvent <= k; {
			ev := (*syscall.InotifyEvent)(unsafe.Pointer(&buf[off]))
			name := ""
			if ev.Len > 0 {
				raw := buf[off+syscall.SizeofInotifyEvent : off+syscall.SizeofInotifyEvent+int(ev.Len)]
				name = strings.TrimRight(string(raw), "\x00")
			}
			off += syscall.SizeofInotifyEvent + int(ev.Len)
			folder := n.dirs[int(ev.Wd)]
			switch {
			case ev.Mask&syscall.IN_Q_OVERFLOW != 0:
				any = true
			case ev.Mask&syscall.IN_ISDIR != 0 && ev.Mask&(syscall.IN_CREATE|syscall.IN_MOVED_TO) != 0 && folder != "":
				if n.addTree(filepath.Join(folder, name)) {
					any = true
				}
			case ev.Mask&syscall.IN_IGNORED != 0:
				delete(n.dirs, int(ev.Wd))
			case name != "" && !buildInput(name):
			default:
				any = true
			}
		}
	}
}

// Close stops watching.
func (n *Notifier) Close() { _ = syscall.Close(n.fd) }

// stageDir is the folder where nextgo stages the app (bundler/stage.Dir).
const stageDir = "_nextgo"

// buildInput reports whether a file name is a build input, as the CLI's
// watcher counts them.
func buildInput(name string) bool {
	return strings.HasSuffix(name, ".go") || name == "go.mod" || name == "go.sum" ||
		name == "nextgo.json" || name == ".env" || strings.HasPrefix(name, ".env.")
}
