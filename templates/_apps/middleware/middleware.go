// Package app is the root of the app: its middleware.
package app

import (
	"crypto/subtle"
	"net/http"
	"os"
	"strings"

	"github.com/nextgo-dev/nextgo/runtime/server"
)

// MiddlewareConfig limits the middleware to the private API.
var MiddlewareConfig = server.MiddlewareConfig{Matcher: []string{"/api/private/:path*"}}

// Middleware lets a request with the right bearer token through, with the
// user's name in the X-User request header, and answers 401 otherwise.
func Middleware(req *server.Request) (*server.Response, error) {
	token, ok := strings.CutPrefix(req.Header.Get("Authorization"), "Bearer ")
	if !ok || subtle.ConstantTimeCompare([]byte(token), []byte(apiToken())) != 1 {
		return server.JSON(map[string]string{"error": "unauthorized"}, server.Init{
			Status:  http.StatusUnauthorized,
			Headers: http.Header{"Www-Authenticate": {`Bearer realm="api"`}},
		}), nil
	}
	return server.Next(server.WithRequestHeaders(http.Header{"X-User": {"gopher"}})), nil
}

func apiToken() string {
	if t := os.Getenv("API_TOKEN"); t != "" {
		return t
	}
	return "dev-token"
}
