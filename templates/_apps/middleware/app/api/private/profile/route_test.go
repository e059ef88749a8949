package profile

import (
	"net/http"
	"testing"

	"github.com/nextgo-dev/nextgo/runtime/routetest"
	"github.com/nextgo-dev/nextgo/runtime/server"
)

// The route alone, as the middleware hands it the request.
func TestProfile(t *testing.T) {
	rt := routetest.Server(t, "/api/private/profile", server.Route{GET: server.Func(GET)})
	res := rt.Do(routetest.Request{Header: http.Header{"X-User": {"gopher"}}})
	if res.Status != 200 || res.Text() != `{"user":"gopher"}` {
		t.Fatalf("got %d %s", res.Status, res.Text())
	}
}
