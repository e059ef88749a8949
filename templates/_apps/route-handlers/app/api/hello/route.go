package hello

import (
	"net/http"

	"github.com/nextgo-dev/nextgo/runtime/server"
)

// GET /api/hello
func GET(req *server.Request) (*server.Response, error) {
	return server.JSON(map[string]string{"message": "Hello from a route handler"}), nil
}

// POST /api/hello with {"name": "…"}.
func POST(req *server.Request) (*server.Response, error) {
	var in struct {
		Name string `json:"name"`
	}
	if err := req.JSON(&in); err != nil || in.Name == "" {
		return server.JSON(map[string]string{"error": `send a JSON body like {"name": "gopher"}`}, server.Init{Status: http.StatusBadRequest}), nil
	}
	return server.JSON(map[string]string{"message": "Hello, " + in.Name}, server.Init{Status: http.StatusCreated}), nil
}
