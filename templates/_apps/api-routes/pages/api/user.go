package user

import (
	"net/http"

	"github.com/nextgo-dev/nextgo/runtime/api"
)

// User is what GET /api/user answers.
type User struct {
	Name string `json:"name"`
}

// Handler is the first example of Next's API routes docs.
func Handler(req *api.Request, res *api.Response) {
	res.Status(http.StatusOK).JSON(User{Name: "John Doe"})
}
