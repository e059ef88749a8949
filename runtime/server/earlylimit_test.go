package server

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
)

// A declared body over the limit is answered 413 without reading it, and
// the connection is closed rather than drained: the client declares 2,000
// bytes against a 1kb limit, sends none, and still gets its answer.
func TestDeclaredBodyOverLimitAnsweredAtOnce(t *testing.T) {
	h := NewHandler(Route{File: "app/up/route.go", Config: Config{BodySizeLimit: "1kb"}, POST: Func(func(*Request) (*Response, error) {
		return Text("ran"), nil
	})})
	srv := serve(t, h)
	conn, err := net.Dial("tcp", strings.TrimPrefix(srv.URL, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	io.WriteString(conn, "POST /up HTTP/1.1\r\nHost: x\r\nContent-Length: 2000\r\n\r\n")
	br := bufio.NewReader(conn)
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 413 || string(body) != "Body exceeded 1kb limit" || !resp.Close {
		t.Fatalf("%d %q %v", resp.StatusCode, body, resp.Header)
	}
	if _, err := br.ReadByte(); err != io.EOF {
		t.Errorf("connection still open after the 413: %v", err)
	}
}
