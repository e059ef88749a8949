package posts

import (
	"net/http"

	"github.com/nextgo-dev/nextgo/runtime/api"
)

var Config = api.Config{
	BodyParser:  api.BodyParser{SizeLimit: "100kb"},
	MaxDuration: 5,
}

// Handler answers /api/posts/:pid: GET reads the post, PUT renames it.
func Handler(req *api.Request, res *api.Response) {
	switch req.Method {
	case http.MethodGet:
		res.JSON(map[string]string{"pid": req.Query.Get("pid")})
	case http.MethodPut:
		var in struct {
			Title string `json:"title"`
		}
		if err := req.Decode(&in); err != nil || in.Title == "" {
			res.Status(http.StatusBadRequest).JSON(map[string]string{"error": "a JSON body with a title is required"})
			return
		}
		res.JSON(map[string]string{"pid": req.Query.Get("pid"), "title": in.Title})
	default:
		res.Header().Set("Allow", "GET, PUT")
		res.Status(http.StatusMethodNotAllowed).End()
	}
}
