package approutes

import (
	"net/http"

	"github.com/nextgo-dev/nextgo/runtime/server"
)

var MiddlewareConfig = server.MiddlewareConfig{Matcher: []string{"/mw/:path*"}}

// Middleware rewrites, answers early, or adds a request header.
func Middleware(req *server.Request) (*server.Response, error) {
	if req.URL.Query().Get("deny") != "" {
		return server.JSON(map[string]string{"error": "denied"}, server.Init{Status: http.StatusForbidden}), nil
	}
	switch req.URL.Path {
	case "/mw/rewrite":
		return server.Rewrite("/basic/endpoint"), nil
	case "/mw/early":
		return server.JSON(map[string]string{"error": "unauthorized"}, server.Init{Status: http.StatusUnauthorized}), nil
	}
	return server.Next(server.WithRequestHeaders(http.Header{"X-From-Middleware": {"yes"}})), nil
}
