package todos

import (
	"net/http"
	"strconv"

	"github.com/nextgo-dev/nextgo/runtime/api"

	"example.com/nextgo-template/lib/todo"
)

// Handler serves one todo: GET, PATCH (or PUT) and DELETE.
func Handler(req *api.Request, res *api.Response) {
	id, err := strconv.Atoi(req.Query.Get("id"))
	if err != nil || id < 1 {
		res.Status(http.StatusBadRequest).JSON(map[string]string{"error": "id must be a positive integer"})
		return
	}
	switch req.Method {
	case http.MethodGet:
		t, ok := todo.Default.Get(id)
		if !ok {
			notFound(res)
			return
		}
		res.Status(http.StatusOK).JSON(t)
	case http.MethodPatch, http.MethodPut:
		var in todo.Input
		if err := req.Decode(&in); err != nil {
			res.Status(http.StatusBadRequest).JSON(map[string]string{"error": "send a JSON object like {\"title\": \"…\", \"done\": true}"})
			return
		}
		if err := in.Validate(false); err != nil {
			res.Status(http.StatusBadRequest).JSON(map[string]string{"error": err.Error()})
			return
		}
		t, ok := todo.Default.Update(id, in)
		if !ok {
			notFound(res)
			return
		}
		res.Status(http.StatusOK).JSON(t)
	case http.MethodDelete:
		if !todo.Default.Delete(id) {
			notFound(res)
			return
		}
		res.Status(http.StatusNoContent).End()
	default:
		res.Header().Set("Allow", "DELETE, GET, PATCH, PUT")
		res.Status(http.StatusMethodNotAllowed).JSON(map[string]string{"error": "method not allowed"})
	}
}

func notFound(res *api.Response) {
	res.Status(http.StatusNotFound).JSON(map[string]string{"error": "not found"})
}
