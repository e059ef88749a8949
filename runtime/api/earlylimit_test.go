package api

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// A declared body over the limit is answered 413 without reading it, and
// the connection is closed rather than drained: the client declares 2,000
// bytes against a 1kb limit, sends none, and still gets its answer.
func TestDeclaredBodyOverLimitAnsweredAtOnce(t *testing.T) {
	cfg := Config{BodyParser: BodyParser{SizeLimit: "1kb"}}
	for name, rt := range map[string]Route{
		"Handler": {File: "pages/api/up.go", Config: cfg, Handler: func(_ *Request, res *Response) { res.Send("ran") }},
		"HTTP": {File: "pages/api/up.go", Config: cfg, HTTP: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			io.WriteString(w, "ran")
		})},
	} {
		t.Run(name, func(t *testing.T) {
			srv := httptest.NewServer(NewHandler(rt))
			defer srv.Close()
			conn, err := net.Dial("tcp", strings.TrimPrefix(srv.URL, "http://"))
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			io.WriteString(conn, "POST /api/up HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\nContent-Length: 2000\r\n\r\n")
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
		})
	}
}
