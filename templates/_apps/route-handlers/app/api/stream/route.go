package stream

import (
	"fmt"
	"io"
	"net/http"

	"github.com/nextgo-dev/nextgo/runtime/server"
)

// GET /api/stream sends its body in chunks, each flushed to the client as
// it is written.
func GET(req *server.Request) (*server.Response, error) {
	return server.Stream(func(w io.Writer) error {
		for i := 1; i <= 3; i++ {
			if _, err := fmt.Fprintf(w, "chunk %d\n", i); err != nil {
				return err // the client went away
			}
		}
		return nil
	}, server.Init{Headers: http.Header{"Content-Type": {"text/plain; charset=utf-8"}}}), nil
}
