package devloop

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"testing"
	"time"

	"github.com/nextgo-dev/nextgo/runtime/devserver"
)

// TestHandoff hands a client connection to a dev server: the server
// answers on it directly; when a request ends the process, the CLI still
// holds the connection and the shared slot names the request in flight.
func TestHandoff(t *testing.T) {
	t.Setenv(helperEnv, "1")
	pub, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer pub.Close()
	p, err := startProcess(os.Args[0], t.TempDir(), nil, io.Discard, nil, fmt.Sprintf("@nextgo-test-front-%d", os.Getpid()))
	if err != nil {
		t.Fatal(err)
	}
	if p.hand == nil {
		t.Fatal("no handoff")
	}
	closed := make(chan struct{}, 1)
	go p.hand.receive(func(c net.Conn) { c.Close(); closed <- struct{}{} })
	client, err := net.Dial("tcp", pub.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	client.SetDeadline(time.Now().Add(20 * time.Second))
	server, err := pub.Accept()
	if err != nil {
		t.Fatal(err)
	}
	if err := p.hand.pass(server); err != nil {
		t.Fatal(err)
	}
	br := bufio.NewReader(client)
	fmt.Fprint(client, "GET /api/user HTTP/1.1\r\nHost: x\r\n\r\n")
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 || string(body) != "user" {
		t.Fatalf("on the handed connection: %d %q", resp.StatusCode, body)
	}
	fmt.Fprint(client, "GET /api/exit?x=1 HTTP/1.1\r\nHost: x\r\n\r\n")
	select {
	case <-p.exited:
	case <-time.After(20 * time.Second):
		t.Fatal("the process did not exit")
	}
	held := p.hand.held()
	if len(held) != 1 || held[0].state != devserver.SlotRequest || held[0].line != "GET /api/exit?x=1" {
		t.Fatalf("held = %+v", held)
	}
	// The client's connection is still open: the CLI can answer on it.
	fmt.Fprintf(held[0].f, "HTTP/1.1 500 Internal Server Error\r\nContent-Length: 7\r\nConnection: close\r\n\r\ncrashed")
	held[0].f.Close()
	resp, err = http.ReadResponse(br, nil)
	if err != nil {
		t.Fatal(err)
	}
	body, _ = io.ReadAll(resp.Body)
	if resp.StatusCode != 500 || string(body) != "crashed" {
		t.Fatalf("after the crash: %d %q", resp.StatusCode, body)
	}
	p.hand.close()
}
