package devloop

import (
	"bytes"
	"io"
	"sync"
	"sync/atomic"

	"github.com/nextgo-dev/nextgo/runtime/devserver"
)

// reportLog holds what the dev server processes report (one JSON
// devserver.Report per line) as they wrote it, until it is needed. Reading
// a report and adding it to the dashboard costs the CLI more than serving
// the request cost the dev server, so while no dashboard page is open the
// lines wait unread, bounded, and are read when the dashboard is asked for
// what it holds (deliver); while a page is open (live) they are read as
// they arrive. The order of the lines is kept. It is safe for concurrent
// use.
type reportLog struct {
	mu      sync.Mutex
	held    []byte // whole lines, oldest first
	max     int    // bytes held at most: past it the oldest lines go
	handle  func(devserver.Report)
	live    atomic.Bool
	deliver sync.Mutex // one delivery at a time, in order
}

// maxHeldReports bounds the reports held unread: about 5,000 requests'
// worth, far more than the dashboard keeps (dashboard.DefaultKeep).
const maxHeldReports = 1 << 20

// newReportLog returns a log that hands each report to handle when it is
// delivered.
func newReportLog(handle func(devserver.Report)) *reportLog {
	return &reportLog{max: maxHeldReports, handle: handle}
}

// setLive makes reports delivered as they arrive (on) or held until asked
// (off); turning it on delivers what waits.
func (l *reportLog) setLive(on bool) {
	l.live.Store(on)
	if on {
		l.deliverAll()
	}
}

// readFrom reads rd, one process's report pipe, to its end.
func (l *reportLog) readFrom(rd io.Reader) {
	buf := make([]byte, 64<<10)
	var tail []byte // a line not yet ended
	for {
		n, err := rd.Read(buf)
		if n > 0 {
			chunk := buf[:n]
			if i := bytes.LastIndexByte(chunk, '\n'); i < 0 {
				tail = append(tail, chunk...)
			} else {
				l.add(tail, chunk[:i+1])
				tail = append(tail[:0], chunk[i+1:]...)
			}
			if len(tail) > l.max {
				tail = tail[:0] // a line no report is this long: drop it
			}
		}
		if err != nil {
			return
		}
	}
}

// add appends whole lines (head, then lines) and, when live, delivers.
func (l *reportLog) add(head, lines []byte) {
	l.mu.Lock()
	l.held = append(append(l.held, head...), lines...)
	if len(l.held) > l.max {
		// Keep the newest half, from the first line's start at or after
		// the cut (cut > 0: the byte before it tells).
		cut := len(l.held) - l.max/2
		if i := bytes.IndexByte(l.held[cut-1:], '\n'); i >= 0 {
			l.held = append(l.held[:0], l.held[cut+i:]...)
		} else {
			l.held = l.held[:0]
		}
	}
	l.mu.Unlock()
	if l.live.Load() {
		l.deliverAll()
	}
}

// deliverAll reads every line held and hands its report on, oldest first.
func (l *reportLog) deliverAll() {
	l.deliver.Lock()
	defer l.deliver.Unlock()
	l.mu.Lock()
	lines := l.held
	l.held = nil
	l.mu.Unlock()
	for len(lines) > 0 {
		line := lines
		if i := bytes.IndexByte(lines, '\n'); i >= 0 {
			line, lines = lines[:i], lines[i+1:]
		} else {
			lines = nil
		}
		if rep, err := devserver.ParseReport(line); err == nil && l.handle != nil {
			l.handle(rep)
		}
	}
}
