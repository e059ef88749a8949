package public

import (
	"net/http"
	"testing"

	"github.com/nextgo-dev/nextgo/runtime/api"
	"github.com/nextgo-dev/nextgo/runtime/routetest"
)

func TestPublic(t *testing.T) {
	rt := routetest.APIHandler(t, "/api/public", Handler, api.Config{})
	res := rt.Do(routetest.Request{Header: http.Header{"Origin": {"https://anyone.example"}}})
	if res.Status != 200 || res.Text() != `{"public":true}` || res.Header.Get("Access-Control-Allow-Origin") != "*" {
		t.Fatalf("got %d %s, Access-Control-Allow-Origin %q", res.Status, res.Text(), res.Header.Get("Access-Control-Allow-Origin"))
	}
	pre := rt.Do(routetest.Request{Method: "OPTIONS", Header: http.Header{"Origin": {"https://anyone.example"}, "Access-Control-Request-Method": {"GET"}}})
	if pre.Status != 204 || pre.Header.Get("Access-Control-Allow-Methods") != "GET" {
		t.Fatalf("preflight: %d %v", pre.Status, pre.Header)
	}
}
