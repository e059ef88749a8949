package headers

import "github.com/nextgo-dev/nextgo/runtime/server"

func GET(req *server.Request) (*server.Response, error) {
	return server.Text(server.Headers(req.Context()).Get("X-Request-Meta")), nil
}
