package api

import (
	"io"
	"net/http"
	"os"
	"time"

	"github.com/nextgo-dev/nextgo/runtime/api"
)

// Handler writes "first\n", flushes, and writes "second\n" once the file
// named by ?release= exists (at most ten seconds).
func Handler(req *api.Request, res *api.Response) {
	release := req.Query.Get("release")
	res.Header().Set("Content-Type", "text/plain; charset=utf-8")
	res.Header().Set("X-Stream", "flush")
	io.WriteString(res, "first\n")
	http.NewResponseController(res).Flush()
	second := "second (never released)\n"
	for i := 0; i < 1000; i++ {
		if _, err := os.Stat(release); err == nil {
			second = "second\n"
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	io.WriteString(res, second)
}
