package theme

import (
	"net/http"

	"github.com/nextgo-dev/nextgo/runtime/server"
)

// GET /api/theme answers the theme cookie, "light" when there is none.
func GET(req *server.Request) (*server.Response, error) {
	theme, ok := server.Cookies(req.Context()).Get("theme")
	if !ok {
		theme = "light"
	}
	return server.JSON(map[string]string{"theme": theme}), nil
}

// POST /api/theme?theme=dark sets the cookie.
func POST(req *server.Request) (*server.Response, error) {
	theme := req.NextURL().Query().Get("theme")
	if theme != "light" && theme != "dark" {
		return server.JSON(map[string]string{"error": "theme must be light or dark"}, server.Init{Status: http.StatusBadRequest}), nil
	}
	server.Cookies(req.Context()).Set("theme", theme)
	return server.JSON(map[string]string{"theme": theme}), nil
}
