package profile

import "github.com/nextgo-dev/nextgo/runtime/server"

// GET /api/private/profile: the middleware has checked the token and named
// the user.
func GET(req *server.Request) (*server.Response, error) {
	return server.JSON(map[string]string{"user": req.Header.Get("X-User")}), nil
}
