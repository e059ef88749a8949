package echo

import "github.com/nextgo-dev/nextgo/runtime/server"

func GET(req *server.Request) (*server.Response, error) {
	return server.Text("x-from-middleware=" + req.Header.Get("X-From-Middleware")), nil
}
