package data

import (
	"net/http"
	"testing"

	"github.com/nextgo-dev/nextgo/runtime/routetest"
	"github.com/nextgo-dev/nextgo/runtime/server"
)

func TestCORS(t *testing.T) {
	rt := routetest.Server(t, "/api/data", server.Route{GET: server.Func(GET), POST: server.Func(POST), OPTIONS: server.Func(OPTIONS)})
	allowed := http.Header{"Origin": {"https://example.com"}}
	tests := []struct {
		name    string
		req     routetest.Request
		status  int
		body    string
		headers map[string]string
	}{
		{"preflight", routetest.Request{Method: "OPTIONS", Header: http.Header{"Origin": {"https://example.com"}, "Access-Control-Request-Method": {"POST"}}}, 204, "",
			map[string]string{"Access-Control-Allow-Origin": "https://example.com", "Access-Control-Allow-Methods": "GET, POST, OPTIONS",
				"Access-Control-Allow-Headers": "Content-Type, Authorization", "Access-Control-Max-Age": "86400", "Vary": "Origin"}},
		{"GET from the allowed origin", routetest.Request{Header: allowed}, 200, `{"data":"hello, cross-origin reader"}`,
			map[string]string{"Access-Control-Allow-Origin": "https://example.com", "Access-Control-Max-Age": ""}},
		{"POST", routetest.Request{Method: "POST", Header: allowed, JSON: map[string]int{"n": 1}}, 200, `{"received":{"n":1}}`,
			map[string]string{"Access-Control-Allow-Origin": "https://example.com"}},
		{"another origin", routetest.Request{Header: http.Header{"Origin": {"https://evil.example"}}}, 200, `{"data":"hello, cross-origin reader"}`,
			map[string]string{"Access-Control-Allow-Origin": "", "Vary": "Origin"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := rt.Do(tt.req)
			if res.Status != tt.status || res.Text() != tt.body {
				t.Fatalf("got %d %s, want %d %s", res.Status, res.Text(), tt.status, tt.body)
			}
			for k, v := range tt.headers {
				if got := res.Header.Get(k); got != v {
					t.Errorf("%s = %q, want %q", k, got, v)
				}
			}
		})
	}
}
