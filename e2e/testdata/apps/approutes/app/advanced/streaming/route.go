package streaming

import (
	"io"
	"os"
	"time"

	"github.com/nextgo-dev/nextgo/runtime/server"
)

// GET writes a first chunk, then waits (at most ten seconds) for the file
// named by ?release= to exist before writing the second: a client that
// reads the first chunk proves it was streamed.
func GET(req *server.Request) (*server.Response, error) {
	release := req.URL.Query().Get("release")
	return server.Stream(func(w io.Writer) error {
		if _, err := io.WriteString(w, "chunk 1\n"); err != nil {
			return err
		}
		for i := 0; i < 1000; i++ {
			if _, err := os.Stat(release); err == nil {
				break
			}
			select {
			case <-req.Context().Done():
				return req.Context().Err()
			case <-time.After(10 * time.Millisecond):
			}
		}
		_, err := io.WriteString(w, "chunk 2\n")
		return err
	}), nil
}
