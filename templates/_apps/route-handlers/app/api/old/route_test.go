package old

import (
	"testing"

	"github.com/nextgo-dev/nextgo/runtime/routetest"
	"github.com/nextgo-dev/nextgo/runtime/server"
)

func TestOld(t *testing.T) {
	res := routetest.Server(t, "/api/old", server.Route{GET: server.Func(GET)}).Get("/api/old")
	if res.Status != 307 || res.Header.Get("Location") != "/api/hello" || res.Text() != "" {
		t.Fatalf("got %d, Location %q, body %q", res.Status, res.Header.Get("Location"), res.Text())
	}
}
