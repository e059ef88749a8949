package nested

import "github.com/nextgo-dev/nextgo/runtime/server"

func GET(req *server.Request) (*server.Response, error) {
	return server.JSON(map[string]string{"pathname": req.NextURL().Path}), nil
}
