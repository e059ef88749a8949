package todos

import (
	"net/http"
	"strconv"

	"github.com/nextgo-dev/nextgo/runtime/api"

	"example.com/nextgo-template/lib/todo"
)

// Handler serves the collection: GET lists, POST creates.
func Handler(req *api.Request, res *api.Response) {
	switch req.Method {
	case http.MethodGet:
		res.Status(http.StatusOK).JSON(todo.Default.List())
	case http.MethodPost:
		var in todo.Input
		if err := req.Decode(&in); err != nil {
			res.Status(http.StatusBadRequest).JSON(map[string]string{"error": "send a JSON object like {\"title\": \"…\"}"})
			return
		}
		if err := in.Validate(true); err != nil {
			res.Status(http.StatusBadRequest).JSON(map[string]string{"error": err.Error()})
			return
		}
		t := todo.Default.Create(in)
		res.Header().Set("Location", "/api/todos/"+strconv.Itoa(t.ID))
		res.Status(http.StatusCreated).JSON(t)
	default:
		res.Header().Set("Allow", "GET, POST")
		res.Status(http.StatusMethodNotAllowed).JSON(map[string]string{"error": "method not allowed"})
	}
}
