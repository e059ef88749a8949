package public

import (
	"testing"

	"github.com/nextgo-dev/nextgo/runtime/routetest"
	"github.com/nextgo-dev/nextgo/runtime/server"
)

func TestPublic(t *testing.T) {
	res := routetest.Server(t, "/api/public", server.Route{GET: server.Func(GET)}).Get("/api/public")
	if res.Status != 200 || res.Text() != `{"message":"anyone can read this"}` {
		t.Fatalf("got %d %s", res.Status, res.Text())
	}
}
