package main

import (
	"net"
	"strconv"
	"strings"
	"testing"
)

// TestListenMovesOffABusyPort: a port in use moves to the next free one,
// with next dev's warning; a free port is taken silently.
func TestListenMovesOffABusyPort(t *testing.T) {
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	port := busy.Addr().(*net.TCPAddr).Port
	var warn strings.Builder
	l, err := listen("127.0.0.1", port, &warn, false)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	got := l.Addr().(*net.TCPAddr).Port
	if got <= port || got > port+portTries {
		t.Fatalf("listening on %d, busy %d", got, port)
	}
	want := " ⚠ Port " + strconv.Itoa(port) + " is in use, using " + strconv.Itoa(got) + " instead.\n"
	if warn.String() != want {
		t.Errorf("warning %q, want %q", warn.String(), want)
	}

	warn.Reset()
	free, err := listen("127.0.0.1", 0, &warn, false)
	if err != nil {
		t.Fatal(err)
	}
	free.Close()
	if warn.Len() != 0 {
		t.Errorf("a free port warned %q", warn.String())
	}
	if _, err := listen("256.0.0.1", 3000, &warn, false); err == nil || !strings.Contains(err.Error(), "listen on 256.0.0.1:3000") {
		t.Errorf("a bad host: %v", err)
	}
}

func TestUseColor(t *testing.T) {
	var b strings.Builder
	if useColor(&b) {
		t.Error("colour for a buffer")
	}
}
