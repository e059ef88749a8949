package resource

import "github.com/nextgo-dev/nextgo/runtime/server"

func GET(req *server.Request) (*server.Response, error) {
	p, _ := req.Params().Lookup("resource")
	return server.JSON(map[string]any{"tenantID": req.Param("tenantID"), "resource": p.Values}), nil
}
