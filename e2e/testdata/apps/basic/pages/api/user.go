package api

import (
	"net/http"

	"github.com/nextgo-dev/nextgo/runtime/api"
)

type user struct {
	Name string `json:"name"`
}

// Handler is Next's documentation example: GET /api/user.
func Handler(req *api.Request, res *api.Response) {
	res.Status(http.StatusOK).JSON(user{Name: "John Doe"})
}
