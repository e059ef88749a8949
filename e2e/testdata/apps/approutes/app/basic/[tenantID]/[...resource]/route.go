package resource

import "github.com/nextgo-dev/nextgo/runtime/server"

func GET(req *server.Request) (*server.Response, error) {
	return server.JSON(req.Params()), nil
}
