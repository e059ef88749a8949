package main

import (
	"io"
	"os"
)

// isTerminal reports whether w is a character device: progress is then
// shown live, else as plain lines.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	info, err := f.Stat()
	return err == nil && info.Mode()&os.ModeCharDevice != 0
}

// useColor reports whether output to w is coloured: on a terminal, unless
// NO_COLOR is set (https://no-color.org).
func useColor(w io.Writer) bool {
	return isTerminal(w) && os.Getenv("NO_COLOR") == ""
}
