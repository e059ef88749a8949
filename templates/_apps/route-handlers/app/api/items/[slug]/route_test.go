package items

import (
	"testing"

	"github.com/nextgo-dev/nextgo/runtime/routetest"
	"github.com/nextgo-dev/nextgo/runtime/server"
)

func TestItem(t *testing.T) {
	rt := routetest.Server(t, "/api/items/[slug]", server.Route{GET: server.Func(GET)})
	res := rt.Get("/api/items/shoe?query=red")
	if res.Status != 200 || res.Text() != `{"query":"red","slug":"shoe"}` {
		t.Fatalf("got %d %s", res.Status, res.Text())
	}
}
