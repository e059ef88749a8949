package stage_test

import (
	"fmt"
	"strings"
	"testing/fstest"

	"github.com/nextgo-dev/nextgo/bundler/routes"
	"github.com/nextgo-dev/nextgo/bundler/stage"
)

// Routes stages each route as a package of its own, behind a //line
// directive that names the user's file, so that compiler errors and panics
// point at it.
func ExampleRoutes() {
	app := fstest.MapFS{
		"pages/api/post/[pid].go": {Data: []byte("package post\n\nimport \"github.com/nextgo-dev/nextgo/runtime/api\"\n\nfunc Handler(req *api.Request, res *api.Response) {}\n")},
		"app/items/route.go":      {Data: []byte("package items\n\nimport \"net/http\"\n\nfunc GET(w http.ResponseWriter, r *http.Request) {}\n")},
	}
	t, err := routes.BuildTable(app)
	if err != nil {
		fmt.Println(err)
		return
	}
	a := stage.App{Module: "example.com/shop", Dir: "/src/shop", Stage: stage.Build}
	files, err := stage.Routes(app, a, t)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, p := range files.Paths() {
		first, _, _ := strings.Cut(string(files[p]), "\n")
		fmt.Println(p, first)
	}
	fmt.Println(a.RoutePackage(t.Routes[0]))
	// Output:
	// routes/api-post-_pid/route.go //line /src/shop/pages/api/post/[pid].go:1:1
	// routes/items/route.go //line /src/shop/app/items/route.go:1:1
	// example.com/shop/_nextgo/build/routes/api-post-_pid
}
