package post

import (
	"net/http"

	"github.com/nextgo-dev/nextgo/runtime/api"
)

func Handler(req *api.Request, res *api.Response) {
	if req.Method != http.MethodPost {
		res.Status(http.StatusMethodNotAllowed).JSON(map[string]string{"error": "use POST"})
		return
	}
	var in struct {
		Title string `json:"title"`
	}
	if err := req.Decode(&in); err != nil {
		res.Status(http.StatusBadRequest).JSON(map[string]string{"error": err.Error()})
		return
	}
	res.Status(http.StatusCreated).JSON(map[string]string{"created": in.Title})
}
