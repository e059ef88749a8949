package theme

import (
	"net/http"
	"testing"

	"github.com/nextgo-dev/nextgo/runtime/routetest"
	"github.com/nextgo-dev/nextgo/runtime/server"
)

func TestTheme(t *testing.T) {
	rt := routetest.Server(t, "/api/theme", server.Route{GET: server.Func(GET), POST: server.Func(POST)})
	if res := rt.Get("/api/theme"); res.Text() != `{"theme":"light"}` {
		t.Errorf("no cookie: %s", res.Text())
	}
	res := rt.Do(routetest.Request{Method: "POST", Path: "/api/theme?theme=dark"})
	if res.Status != 200 || res.Header.Get("Set-Cookie") != "theme=dark; Path=/" {
		t.Fatalf("POST: %d, Set-Cookie %q", res.Status, res.Header.Get("Set-Cookie"))
	}
	res = rt.Do(routetest.Request{Header: http.Header{"Cookie": {"theme=dark"}}})
	if res.Text() != `{"theme":"dark"}` {
		t.Errorf("with the cookie: %s", res.Text())
	}
	if res := rt.Do(routetest.Request{Method: "POST", Path: "/api/theme?theme=pink"}); res.Status != 400 {
		t.Errorf("bad theme: %d", res.Status)
	}
}
