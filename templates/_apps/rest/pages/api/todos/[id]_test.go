package todos

import (
	"testing"

	"github.com/nextgo-dev/nextgo/runtime/api"
	"github.com/nextgo-dev/nextgo/runtime/routetest"

	"example.com/nextgo-template/lib/todo"
)

func TestTodo(t *testing.T) {
	title := "buy milk"
	todo.Default.Create(todo.Input{Title: &title})
	rt := routetest.API(t, "/api/todos/[id]", Handler, api.Config{})
	steps := []struct {
		name   string
		req    routetest.Request
		status int
		body   string
	}{
		{"get", routetest.Request{Path: "/api/todos/1"}, 200, `{"id":1,"title":"buy milk","done":false}`},
		{"missing", routetest.Request{Path: "/api/todos/2"}, 404, `{"error":"not found"}`},
		{"bad id", routetest.Request{Path: "/api/todos/abc"}, 400, `{"error":"id must be a positive integer"}`},
		{"patch", routetest.Request{Method: "PATCH", Path: "/api/todos/1", JSON: map[string]any{"done": true}}, 200, `{"id":1,"title":"buy milk","done":true}`},
		{"empty patch", routetest.Request{Method: "PATCH", Path: "/api/todos/1", JSON: map[string]any{}}, 400, `{"error":"nothing to update: send title or done"}`},
		{"delete", routetest.Request{Method: "DELETE", Path: "/api/todos/1"}, 204, ""},
		{"deleted", routetest.Request{Path: "/api/todos/1"}, 404, `{"error":"not found"}`},
		{"method", routetest.Request{Method: "POST", Path: "/api/todos/1"}, 405, `{"error":"method not allowed"}`},
	}
	for _, s := range steps {
		res := rt.Do(s.req)
		if res.Status != s.status || res.Text() != s.body {
			t.Fatalf("%s: got %d %s, want %d %s", s.name, res.Status, res.Text(), s.status, s.body)
		}
	}
}
