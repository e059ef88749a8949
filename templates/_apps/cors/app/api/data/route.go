package data

import (
	"net/http"

	"github.com/nextgo-dev/nextgo/runtime/server"
)

// cors allows one origin to read and write /api/data.
var cors = server.CORS(server.CORSOptions{
	AllowedOrigins: []string{"https://example.com"},
	AllowedMethods: []string{"GET", "POST", "OPTIONS"},
	AllowedHeaders: []string{"Content-Type", "Authorization"},
	MaxAge:         86400,
})

// GET /api/data
func GET(req *server.Request) (*server.Response, error) {
	return cors.Apply(req, server.JSON(map[string]string{"data": "hello, cross-origin reader"})), nil
}

// POST /api/data echoes a JSON body.
func POST(req *server.Request) (*server.Response, error) {
	var in map[string]any
	if err := req.JSON(&in); err != nil {
		return cors.Apply(req, server.JSON(map[string]string{"error": "send a JSON object"}, server.Init{Status: http.StatusBadRequest})), nil
	}
	return cors.Apply(req, server.JSON(map[string]any{"received": in})), nil
}

// OPTIONS answers the browser's preflight request.
func OPTIONS(req *server.Request) (*server.Response, error) {
	return cors.Preflight(req), nil
}
