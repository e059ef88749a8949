package hello

import (
	"strings"
	"testing"

	"github.com/nextgo-dev/nextgo/runtime/routetest"
	"github.com/nextgo-dev/nextgo/runtime/server"
)

func TestHello(t *testing.T) {
	rt := routetest.Server(t, "/api/hello", server.Route{GET: server.Func(GET), POST: server.Func(POST)})
	tests := []struct {
		name   string
		req    routetest.Request
		status int
		body   string
	}{
		{"GET", routetest.Request{}, 200, `{"message":"Hello from a route handler"}`},
		{"POST", routetest.Request{Method: "POST", JSON: map[string]string{"name": "gopher"}}, 201, `{"message":"Hello, gopher"}`},
		{"POST without a name", routetest.Request{Method: "POST", JSON: map[string]string{}}, 400, `{"error":"send a JSON body like {\"name\": \"gopher\"}"}`},
		{"POST bad JSON", routetest.Request{Method: "POST", Body: strings.NewReader("{")}, 400, `{"error":"send a JSON body like {\"name\": \"gopher\"}"}`},
		{"DELETE is not exported", routetest.Request{Method: "DELETE"}, 405, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := rt.Do(tt.req)
			if res.Status != tt.status || res.Text() != tt.body {
				t.Fatalf("got %d %s, want %d %s", res.Status, res.Text(), tt.status, tt.body)
			}
		})
	}
}
