package lambda

import (
	"net"
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

// TestRuntimeConnLoud: the connection's first read, and the first read
// after a wait longer than watchGap, are made the usual way (loud); a read
// after a shorter wait is quiet.
func TestRuntimeConnLoud(t *testing.T) {
	client, server := loopbackPair(t)
	c := newRuntimeConn(client)
	defer c.Close()
	if c.quiet == nil {
		t.Fatal("no raw I/O on a TCP connection")
	}
	read := func() {
		t.Helper()
		server.Write([]byte("x"))
		if n, err := c.Read(make([]byte, 1)); n != 1 || err != nil {
			t.Fatalf("Read = %d, %v", n, err)
		}
	}
	if !c.loud.Load() {
		t.Error("a new connection's first read is not loud")
	}
	read()
	if c.loud.Load() {
		t.Error("loud after a read")
	}
	c.waiting()
	if c.loud.Load() {
		t.Error("loud at once after waiting() began")
	}
	read() // within watchGap, most likely; either way the flag is spent
	c.waiting()
	ctx := time.After(10 * time.Second)
	for !c.loud.Load() {
		select {
		case <-ctx:
			t.Fatal("still quiet long after watchGap")
		case <-time.After(time.Millisecond):
		}
	}
	read()
	if c.loud.Load() {
		t.Error("loud after the loud read")
	}
}
