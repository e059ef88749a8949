package streaming

import (
	"io"
	"os"
	"time"

	"github.com/nextgo-dev/nextgo/runtime/server"
)

// GET writes a first chunk, then waits (at most ten seconds) for the file
// named by ?release= to exist before writing the second: a client that
// reads the first chunk and creates the file proves it was streamed. Were
// the response buffered, the client would read the first chunk only after
// the wait, and the second would say so.
func GET(req *server.Request) (*server.Response, error) {
	release := req.URL.Query().Get("release")
	return server.Stream(func(w io.Writer) error {
		if _, err := io.WriteString(w, "chunk 1\n"); err != nil {
			return err
		}
		second := "chunk 2 (never released)\n"
		for i := 0; i < 1000; i++ {
			if _, err := os.Stat(release); err == nil {
				second = "chunk 2\n"
				break
			}
			select {
			case <-req.Context().Done():
				return req.Context().Err()
			case <-time.After(10 * time.Millisecond):
			}
		}
		_, err := io.WriteString(w, second)
		return err
	}), nil
}
