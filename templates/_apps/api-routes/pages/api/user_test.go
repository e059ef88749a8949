package user

import (
	"testing"

	"github.com/nextgo-dev/nextgo/runtime/api"
	"github.com/nextgo-dev/nextgo/runtime/routetest"
)

func TestUser(t *testing.T) {
	rt := routetest.API(t, "/api/user", Handler, api.Config{})
	res := rt.Get("/api/user")
	if res.Status != 200 || res.Text() != `{"name":"John Doe"}` {
		t.Fatalf("GET /api/user = %d %s", res.Status, res.Text())
	}
	if ct := res.Header.Get("Content-Type"); ct != "application/json; charset=utf-8" {
		t.Errorf("Content-Type = %q", ct)
	}
}
