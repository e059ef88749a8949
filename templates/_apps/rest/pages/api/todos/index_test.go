package todos

import (
	"strings"
	"testing"

	"github.com/nextgo-dev/nextgo/runtime/api"
	"github.com/nextgo-dev/nextgo/runtime/routetest"
)

func TestTodos(t *testing.T) {
	rt := routetest.API(t, "/api/todos", Handler, api.Config{})
	steps := []struct {
		name     string
		req      routetest.Request
		status   int
		body     string
		location string
	}{
		{"empty list", routetest.Request{}, 200, `[]`, ""},
		{"create", routetest.Request{Method: "POST", JSON: map[string]any{"title": "write tests"}}, 201, `{"id":1,"title":"write tests","done":false}`, "/api/todos/1"},
		{"list", routetest.Request{}, 200, `[{"id":1,"title":"write tests","done":false}]`, ""},
		{"no title", routetest.Request{Method: "POST", JSON: map[string]any{"done": true}}, 400, `{"error":"title is required"}`, ""},
		{"not JSON", routetest.Request{Method: "POST", Body: strings.NewReader(`{"title":`), Header: map[string][]string{"Content-Type": {"application/json"}}}, 400, "Invalid JSON", ""},
		{"wrong type", routetest.Request{Method: "POST", JSON: map[string]any{"title": 7}}, 400, `{"error":"send a JSON object like {\"title\": \"…\"}"}`, ""},
		{"method", routetest.Request{Method: "PUT"}, 405, `{"error":"method not allowed"}`, ""},
	}
	for _, s := range steps {
		res := rt.Do(s.req)
		if res.Status != s.status || res.Text() != s.body || res.Header.Get("Location") != s.location {
			t.Fatalf("%s: got %d %s (Location %q), want %d %s", s.name, res.Status, res.Text(), res.Header.Get("Location"), s.status, s.body)
		}
	}
}
