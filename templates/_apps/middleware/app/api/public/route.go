package public

import "github.com/nextgo-dev/nextgo/runtime/server"

// GET /api/public needs no token.
func GET(req *server.Request) (*server.Response, error) {
	return server.JSON(map[string]string{"message": "anyone can read this"}), nil
}
