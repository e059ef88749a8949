package big

import (
	"bytes"
	"io"
	"net/http"
	"strconv"

	"github.com/nextgo-dev/nextgo/runtime/server"
)

// GET streams ?mb= megabytes (default 7, past Lambda's 6 MB buffered
// limit) of the line "0123456789abcdef…\n" repeated.
func GET(req *server.Request) (*server.Response, error) {
	mb, err := strconv.Atoi(req.URL.Query().Get("mb"))
	if err != nil || mb <= 0 || mb > 32 {
		mb = 7
	}
	line := bytes.Repeat([]byte("0123456789abcdef"), 4)
	line[len(line)-1] = '\n'
	return server.Stream(func(w io.Writer) error {
		for n := 0; n < mb<<20; n += len(line) {
			if _, err := w.Write(line); err != nil {
				return err
			}
		}
		return nil
	}, server.Init{Headers: http.Header{"Content-Type": {"application/octet-stream"}}}), nil
}
