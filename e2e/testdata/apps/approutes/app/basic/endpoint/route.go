package endpoint

import "github.com/nextgo-dev/nextgo/runtime/server"

func hello(req *server.Request) (*server.Response, error) {
	return server.Text("hello, world", server.Init{Headers: map[string][]string{"X-Method": {req.Method}}}), nil
}

func GET(req *server.Request) (*server.Response, error)     { return hello(req) }
func HEAD(req *server.Request) (*server.Response, error)    { return hello(req) }
func OPTIONS(req *server.Request) (*server.Response, error) { return hello(req) }
func POST(req *server.Request) (*server.Response, error)    { return hello(req) }
func PUT(req *server.Request) (*server.Response, error)     { return hello(req) }
func DELETE(req *server.Request) (*server.Response, error)  { return hello(req) }
func PATCH(req *server.Request) (*server.Response, error)   { return hello(req) }
