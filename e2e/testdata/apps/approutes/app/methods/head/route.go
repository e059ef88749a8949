package head

import "github.com/nextgo-dev/nextgo/runtime/server"

func GET(req *server.Request) (*server.Response, error) {
	return server.Text("body", server.Init{Headers: map[string][]string{"X-Method": {req.Method}}}), nil
}
