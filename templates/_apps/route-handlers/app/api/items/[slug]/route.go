package items

import "github.com/nextgo-dev/nextgo/runtime/server"

// GET /api/items/:slug?query=…
func GET(req *server.Request) (*server.Response, error) {
	return server.JSON(map[string]string{
		"slug":  req.Param("slug"),
		"query": req.NextURL().Query().Get("query"),
	}), nil
}
