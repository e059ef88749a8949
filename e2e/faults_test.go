package e2e

import (
	"bufio"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

// smallBody is a route whose body limit is 1kb.
const smallBody = `package api

import "github.com/nextgo-dev/nextgo/runtime/api"

var Config = api.Config{BodyParser: api.BodyParser{SizeLimit: "1kb"}}

func Handler(req *api.Request, res *api.Response) {
	res.JSON(map[string]int{"bytes": len(req.RawBody())})
}
`

// rawExchange sends a raw request on a new connection to addr and returns
// the response and whether the server then closed the connection (rather
// than the test's deadline passing).
func rawExchange(t *testing.T, url, request string) (*http.Response, string, bool) {
	t.Helper()
	c, err := net.Dial("tcp", strings.TrimPrefix(url, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(30 * time.Second))
	if _, err := io.WriteString(c, request); err != nil {
		t.Fatal(err)
	}
	br := bufio.NewReader(c)
	res, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	_, err = br.ReadByte()
	var ne net.Error
	closed := err != nil && !(errors.As(err, &ne) && ne.Timeout())
	return res, string(b), closed
}

// TestStartFaults: under nextgo start, a declared body over the route's
// limit is answered 413 without being sent and the connection closed; a
// request with both Content-Length and Transfer-Encoding closes its
// connection; a function process idle for --idle-timeout is retired and
// the next request starts cold.
func TestStartFaults(t *testing.T) {
	dir := copyApp(t, "basic")
	writeAppFile(t, dir, "pages/api/small.go", smallBody)
	s := startNextgo(t, "start", dir, "/api/user", "--idle-timeout", "1s")

	res, body, closed := rawExchange(t, s.URL, "POST /api/small HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\nContent-Length: 2000\r\n\r\n")
	if res.StatusCode != http.StatusRequestEntityTooLarge || body != "Body exceeded 1kb limit" || !closed {
		t.Errorf("declared body over the limit: %d %q, closed %v; want 413 %q and the connection closed", res.StatusCode, body, closed, "Body exceeded 1kb limit")
	}

	res, body, closed = rawExchange(t, s.URL, "POST /api/small HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n")
	if res.StatusCode != http.StatusOK || body != `{"bytes":3}` || !closed {
		t.Errorf("Content-Length with Transfer-Encoding: %d %q, closed %v; want 200 and the connection closed", res.StatusCode, body, closed)
	}

	// /api/user ran at start-up; its process is retired after a second
	// without requests, and the next request starts cold.
	waitFor(t, time.Minute, "an idle process retired", func() bool {
		return strings.Contains(s.Out.String(), "idle execution environment retired")
	})
	before := strings.Count(s.Out.String(), "cold start")
	if _, body := do(t, "GET", s.URL+"/api/user", nil, nil); body != `{"name":"John Doe"}` {
		t.Errorf("after retirement: %q", body)
	}
	waitFor(t, time.Minute, "a cold start logged", func() bool {
		return strings.Count(s.Out.String(), "cold start") > before
	})
}
