package app

import (
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/nextgo-dev/nextgo/runtime/server"
)

func TestMiddleware(t *testing.T) {
	mw := server.NewMiddleware(server.MiddlewareRoute{File: "middleware.go", Func: Middleware, Config: MiddlewareConfig})
	route := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "route sees X-User="+r.Header.Get("X-User"))
	})
	h := mw.Wrap(route)
	tests := []struct {
		name, path, auth string
		status           int
		body             string
	}{
		{"no token", "/api/private/profile", "", 401, `{"error":"unauthorized"}`},
		{"wrong token", "/api/private/profile", "Bearer nope", 401, `{"error":"unauthorized"}`},
		{"good token", "/api/private/profile", "Bearer dev-token", 200, "route sees X-User=gopher"},
		{"outside the matcher", "/api/public", "", 200, "route sees X-User="},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest("GET", tt.path, nil)
			if tt.auth != "" {
				r.Header.Set("Authorization", tt.auth)
			}
			w := httptest.NewRecorder()
			h.ServeHTTP(w, r)
			if w.Code != tt.status || w.Body.String() != tt.body {
				t.Fatalf("got %d %s, want %d %s", w.Code, w.Body.String(), tt.status, tt.body)
			}
		})
	}
}

func TestToken(t *testing.T) {
	t.Setenv("API_TOKEN", "from-env")
	if apiToken() != "from-env" {
		t.Fatal("API_TOKEN not used")
	}
}
