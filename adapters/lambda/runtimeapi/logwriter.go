package runtimeapi

import (
	"bytes"
	"io"
	"sync"
)

// syncWriter serialises writes to one destination shared by every process
// of every pool writing to it.
type syncWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (s *syncWriter) write(p []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.w.Write(p)
}

// lineWriter writes what one process prints to dst a whole line at a time,
// each line starting with prefix.
type lineWriter struct {
	dst    *syncWriter
	prefix []byte
	mu     sync.Mutex
	buf    []byte
}

// maxLine bounds a line held back while waiting for its newline.
const maxLine = 64 << 10

func (l *lineWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := len(p)
	for len(p) > 0 {
		i := bytes.IndexByte(p, '\n')
		if i < 0 {
			l.buf = append(l.buf, p...)
			if len(l.buf) >= maxLine {
				l.emit(append(l.buf, '\n'))
				l.buf = l.buf[:0]
			}
			break
		}
		l.buf = append(l.buf, p[:i+1]...)
		l.emit(l.buf)
		l.buf = l.buf[:0]
		p = p[i+1:]
	}
	return n, nil
}

// Close writes out an unterminated last line.
func (l *lineWriter) Close() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.buf) > 0 {
		l.emit(append(l.buf, '\n'))
		l.buf = l.buf[:0]
	}
	return nil
}

func (l *lineWriter) emit(line []byte) {
	out := make([]byte, 0, len(l.prefix)+len(line))
	out = append(out, l.prefix...)
	out = append(out, line...)
	l.dst.write(out)
}
