package post

import (
	"testing"

	"github.com/nextgo-dev/nextgo/runtime/api"
	"github.com/nextgo-dev/nextgo/runtime/routetest"
)

func TestCatchAll(t *testing.T) {
	rt := routetest.API(t, "/api/post/[...slug]", Handler, api.Config{})
	res := rt.Get("/api/post/a/b/c")
	if res.Status != 200 || res.Text() != "Post: a, b, c" {
		t.Fatalf("GET /api/post/a/b/c = %d %q", res.Status, res.Text())
	}
	// A catch-all needs at least one segment.
	if res := rt.Get("/api/post"); res.Status != 404 {
		t.Errorf("GET /api/post = %d, want 404", res.Status)
	}
}
