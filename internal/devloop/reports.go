package devloop

import (
	"bytes"
	"io"
	"slices"
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
// they arrive. The order of the lines is kept, but for a request's log
// records, which the dev server writes while the request runs: they are
// handed on after the request's own report, so that the dashboard has the
// request to put them in. It is safe for concurrent use.
type reportLog struct {
	mu      sync.Mutex
	held    []byte // whole lines, oldest first
	max     int    // bytes held at most: past it the oldest lines go
	handle  func(devserver.Report)
	live    atomic.Bool
	deliver sync.Mutex // one delivery at a time, in order

	// Held under deliver: a request's log records, reported while it ran,
	// wait for its own report (written once it has answered) and follow it,
	// so that the dashboard knows the request they belong to.
	logs   map[string][]devserver.Report
	logIDs []string // the ids of logs, oldest first
	// The requests last reported (at most maxWaitingLogs): a log record of
	// one of them is handed on at once.
	seen    map[string]bool
	seenIDs []string
}

// maxWaitingLogs bounds the requests whose log records wait for their
// report; past it the oldest are handed on as they are.
const maxWaitingLogs = 256

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
	buf := make([]byte, devserver.ReportBatch)
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
			l.deliverOne(rep)
		}
	}
}

// deliverOne hands rep on: a log record after its request's report.
func (l *reportLog) deliverOne(rep devserver.Report) {
	switch rep.Type {
	case "log":
		if l.seen[rep.RequestID] {
			l.handle(rep)
			return
		}
		if l.logs == nil {
			l.logs = map[string][]devserver.Report{}
		}
		if _, ok := l.logs[rep.RequestID]; !ok {
			if len(l.logIDs) >= maxWaitingLogs {
				oldest := l.logIDs[0]
				l.logIDs = l.logIDs[1:]
				for _, r := range l.logs[oldest] {
					l.handle(r)
				}
				delete(l.logs, oldest)
			}
			l.logIDs = append(l.logIDs, rep.RequestID)
		}
		l.logs[rep.RequestID] = append(l.logs[rep.RequestID], rep)
	case "request":
		l.handle(rep)
		if l.seen == nil {
			l.seen = map[string]bool{}
		}
		if !l.seen[rep.RequestID] {
			if len(l.seenIDs) >= maxWaitingLogs {
				delete(l.seen, l.seenIDs[0])
				l.seenIDs = l.seenIDs[1:]
			}
			l.seen[rep.RequestID] = true
			l.seenIDs = append(l.seenIDs, rep.RequestID)
		}
		if logs, ok := l.logs[rep.RequestID]; ok {
			for _, r := range logs {
				l.handle(r)
			}
			delete(l.logs, rep.RequestID)
			l.logIDs = slices.DeleteFunc(l.logIDs, func(id string) bool { return id == rep.RequestID })
		}
	default:
		l.handle(rep)
	}
}
