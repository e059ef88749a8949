package pipe

import (
	"io"
	"net/http"
	"os"
	"time"

	"github.com/nextgo-dev/nextgo/runtime/server"
)

// GET returns the read end of a pipe as the body: "first\n", then, once
// the file named by ?release= exists (at most ten seconds), "second\n".
func GET(req *server.Request) (*server.Response, error) {
	release := req.URL.Query().Get("release")
	pr, pw := io.Pipe()
	go func() {
		io.WriteString(pw, "first\n")
		second := "second (never released)\n"
		for i := 0; i < 1000; i++ {
			if _, err := os.Stat(release); err == nil {
				second = "second\n"
				break
			}
			time.Sleep(10 * time.Millisecond)
		}
		io.WriteString(pw, second)
		pw.Close()
	}()
	return server.NewResponse(pr, server.Init{Headers: http.Header{"Content-Type": {"text/plain; charset=utf-8"}, "X-Stream": {"pipe"}}}), nil
}
