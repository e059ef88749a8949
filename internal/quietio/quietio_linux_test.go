//go:build linux && !386

package quietio

import (
	"bytes"
	"errors"
	"io"
	"net"
	"os"
	"strconv"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// loopbackPair returns the two ends of a loopback TCP connection, closed
// with the test.
func loopbackPair(t *testing.T) (client, server net.Conn) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	accepted := make(chan net.Conn, 1)
	go func() {
		c, _ := ln.Accept()
		accepted <- c
	}()
	client, err = net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	server = <-accepted
	if server == nil {
		t.Fatal("accept failed")
	}
	t.Cleanup(func() { client.Close(); server.Close() })
	deadline := time.Now().Add(30 * time.Second)
	client.SetDeadline(deadline)
	server.SetDeadline(deadline)
	return client, server
}

// TestRawIO: the raw reads and writes move every byte, both ways, in
// amounts that fit the socket's buffers and amounts that must wait for the
// peer to read (a function's 6 MB answer), and see the peer's close as EOF.
func TestRawIO(t *testing.T) {
	for _, size := range []int{1, 4 << 10, 1 << 20, 7 << 20} {
		for _, stamped := range []bool{false, true} {
			t.Run(strconv.Itoa(size)+"/stamped="+strconv.FormatBool(stamped), func(t *testing.T) {
				client, server := loopbackPair(t)
				quiet := New(client, new(atomic.Bool))
				if quiet == nil {
					t.Fatal("no raw I/O on a TCP connection")
				}
				if stamped {
					if err := quiet.Stamp(); err != nil {
						t.Fatal(err)
					}
				}
				want := bytes.Repeat([]byte("0123456789abcdef"), size/16+1)[:size]

				got := make(chan []byte, 1)
				go func() {
					b, _ := io.ReadAll(io.LimitReader(server, int64(size)))
					got <- b
				}()
				if n, err := quiet.Write(want); n != size || err != nil {
					t.Fatalf("Write = %d, %v", n, err)
				}
				if b := <-got; !bytes.Equal(b, want) {
					t.Fatalf("the peer read %d bytes, not the %d written", len(b), size)
				}

				go func() {
					server.Write(want)
					server.Close()
				}()
				b, err := io.ReadAll(quiet)
				if err != nil || !bytes.Equal(b, want) {
					t.Fatalf("ReadAll = %d bytes, %v; want %d bytes", len(b), err, size)
				}
				if n, err := quiet.Read(make([]byte, 8)); n != 0 || err != io.EOF {
					t.Errorf("Read after the close = %d, %v; want EOF", n, err)
				}
			})
		}
	}
}

// TestRawIODeadline: a raw read waits in the poller under the connection's
// deadline, as its own Read does.
func TestRawIODeadline(t *testing.T) {
	client, _ := loopbackPair(t)
	quiet := New(client, new(atomic.Bool))
	client.SetReadDeadline(time.Now().Add(-time.Second))
	n, err := quiet.Read(make([]byte, 8))
	var ne net.Error
	if n != 0 || !errors.Is(err, os.ErrDeadlineExceeded) || !errors.As(err, &ne) || !ne.Timeout() {
		t.Errorf("Read past the deadline = %d, %v; want a timeout", n, err)
	}
}

// TestStamp: a stamped read records when its data arrived, between the
// peer's write and the read; a read the kernel did not date (dating off)
// leaves the arrival unknown, not that of earlier data.
func TestStamp(t *testing.T) {
	client, server := loopbackPair(t)
	quiet := New(client, new(atomic.Bool))
	if a := quiet.Arrival(); !a.IsZero() {
		t.Fatalf("Arrival before any read = %v", a)
	}
	if err := quiet.Stamp(); err != nil {
		t.Fatal(err)
	}
	exchange := func() (before, after time.Time) {
		t.Helper()
		before = time.Now()
		if _, err := server.Write([]byte("ping")); err != nil {
			t.Fatal(err)
		}
		time.Sleep(time.Millisecond)
		if _, err := io.ReadFull(quiet, make([]byte, 4)); err != nil {
			t.Fatal(err)
		}
		return before, time.Now()
	}
	// The kernel turns dating on for the system a moment after the first
	// socket asks: until then reads are not dated.
	for i := 0; quiet.Arrival().IsZero(); i++ {
		if i == 100 {
			t.Fatal("no read dated")
		}
		exchange()
		time.Sleep(5 * time.Millisecond)
	}
	for i := range 3 {
		before, after := exchange()
		a := quiet.Arrival()
		if a.Before(before.Add(-time.Millisecond)) || a.After(after) {
			t.Errorf("read %d: arrival %v, not between the write at %v and the read at %v", i, a, before, after)
		}
	}
	if err := quiet.raw.Control(func(fd uintptr) {
		if err := syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_TIMESTAMPNS, 0); err != nil {
			t.Fatal(err)
		}
	}); err != nil {
		t.Fatal(err)
	}
	exchange()
	if a := quiet.Arrival(); !a.IsZero() {
		t.Errorf("after a read not dated, Arrival = %v, want unknown", a)
	}
}

// TestConcurrent: reads may be called from two goroutines at once, and so
// may writes; every byte is read or written once.
func TestConcurrent(t *testing.T) {
	client, server := loopbackPair(t)
	quiet := New(client, new(atomic.Bool))
	if err := quiet.Stamp(); err != nil {
		t.Fatal(err)
	}
	const size = 1 << 20
	go func() {
		server.Write(bytes.Repeat([]byte("r"), size))
		server.(*net.TCPConn).CloseWrite()
	}()
	written := make(chan int64, 1)
	go func() {
		n, _ := io.Copy(io.Discard, server)
		written <- n
	}()
	var read, wrote atomic.Int64
	done := make(chan struct{}, 4)
	for range 2 {
		go func() {
			defer func() { done <- struct{}{} }()
			buf := make([]byte, 1000)
			for {
				n, err := quiet.Read(buf)
				read.Add(int64(n))
				if bytes.ContainsFunc(buf[:n], func(r rune) bool { return r != 'r' }) {
					t.Error("read bytes that were not sent")
				}
				if err != nil {
					return
				}
			}
		}()
		go func() {
			defer func() { done <- struct{}{} }()
			for range 256 {
				n, err := quiet.Write(make([]byte, 2048))
				wrote.Add(int64(n))
				if err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	for range 4 {
		<-done
	}
	client.(*net.TCPConn).CloseWrite()
	if n := read.Load(); n != size {
		t.Errorf("read %d bytes, want %d", n, size)
	}
	if n, want := <-written, wrote.Load(); n != want || want != 2*256*2048 {
		t.Errorf("the peer read %d bytes of %d written, want %d", n, want, 2*256*2048)
	}
}
