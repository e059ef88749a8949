package post

import (
	"testing"

	"github.com/nextgo-dev/nextgo/runtime/api"
	"github.com/nextgo-dev/nextgo/runtime/routetest"
)

func TestPost(t *testing.T) {
	rt := routetest.API(t, "/api/post/[pid]", Handler, api.Config{})
	tests := []struct{ path, want string }{
		{"/api/post/abc", "Post: abc"},
		{"/api/post/abc?pid=ignored", "Post: abc"}, // the path parameter wins
		{"/api/post/hello%20world", "Post: hello world"},
	}
	for _, tt := range tests {
		res := rt.Get(tt.path)
		if res.Status != 200 || res.Text() != tt.want {
			t.Errorf("GET %s = %d %q, want 200 %q", tt.path, res.Status, res.Text(), tt.want)
		}
	}
}
