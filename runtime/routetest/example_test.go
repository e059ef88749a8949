package routetest_test

import (
	"fmt"
	"testing"

	"github.com/nextgo-dev/nextgo/runtime/api"
	"github.com/nextgo-dev/nextgo/runtime/routetest"
	"github.com/nextgo-dev/nextgo/runtime/server"
)

// Handler is the route under test, as pages/api/post/[pid].go declares it.
func Handler(req *api.Request, res *api.Response) {
	res.Status(200).JSON(map[string]string{"post": req.Query.Get("pid")})
}

// GET is a route handler, as app/api/items/[slug]/route.go declares it.
func GET(req *server.Request) (*server.Response, error) {
	return server.JSON(map[string]string{"slug": req.Param("slug")}), nil
}

func Example() {
	t := &testing.T{} // in a test file next to the route: the test's *testing.T

	post := routetest.API(t, "/api/post/[pid]", Handler, api.Config{})
	res := post.Get("/api/post/42")
	fmt.Println(res.Status, res.Text())

	res = post.Do(routetest.Request{Method: "POST", Path: "/api/post/7", JSON: map[string]string{"title": "hi"}})
	fmt.Println(res.Status, res.Header.Get("Content-Type"))

	items := routetest.Server(t, "/api/items/[slug]", server.Route{GET: server.Func(GET)})
	res = items.Get("/api/items/shoe")
	fmt.Println(res.Status, res.Text())
	res = items.Do(routetest.Request{Method: "DELETE", Path: "/api/items/shoe"})
	fmt.Println(res.Status, res.Header.Get("Allow"))
	// Output:
	// 200 {"post":"42"}
	// 200 application/json; charset=utf-8
	// 200 {"slug":"shoe"}
	// 405 GET, HEAD, OPTIONS
}
