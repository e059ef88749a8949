package devloop

import (
	"fmt"
	"time"
)

// ANSI colours of the terminal output.
const (
	red    = "\x1b[31m"
	green  = "\x1b[32m"
	yellow = "\x1b[33m"
	cyan   = "\x1b[36m"
	reset  = "\x1b[0m"
)

// mark renders a status mark, coloured when the output is a terminal.
func (l *Loop) mark(m, color string) string {
	if !l.opts.Color {
		return m
	}
	return color + m + reset
}

// progressEvery is how often a live progress line is redrawn, and
// quietFor how long a plain log waits before it says a compile goes on.
const (
	progressEvery = 100 * time.Millisecond
	quietFor      = 5 * time.Second
)

// progress shows that a compile started at start is running, with its
// elapsed time: redrawn in place on a terminal, a line every few seconds
// otherwise. The returned function ends it.
func (l *Loop) progress(start time.Time) func() {
	done, stopped := make(chan struct{}), make(chan struct{})
	fmt.Fprintf(l.opts.Out, " %s Compiling...\n", l.mark("○", cyan))
	go func() {
		defer close(stopped)
		every := quietFor
		if l.opts.Live {
			every = progressEvery
		}
		t := time.NewTicker(every)
		defer t.Stop()
		drawn := false
		for {
			select {
			case <-done:
				if drawn {
					fmt.Fprint(l.opts.Out, "\r\x1b[K")
				}
				return
			case now := <-t.C:
				elapsed := now.Sub(start).Truncate(100 * time.Millisecond)
				if l.opts.Live {
					if elapsed >= time.Second {
						fmt.Fprintf(l.opts.Out, "\r\x1b[K %s Compiling... %s", l.mark("○", cyan), elapsed)
						drawn = true
					}
					continue
				}
				fmt.Fprintf(l.opts.Out, " %s Still compiling (%s)\n", l.mark("○", cyan), elapsed.Truncate(time.Second))
			}
		}
	}()
	return func() { close(done); <-stopped }
}
