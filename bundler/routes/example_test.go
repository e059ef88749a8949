package routes_test

import (
	"fmt"
	"testing/fstest"

	"github.com/nextgo-dev/nextgo/bundler/routes"
)

// BuildTable reads an app tree: routes in Next.js's precedence order, each
// with its handler form and statically read Config.
func ExampleBuildTable() {
	route := func(body string) *fstest.MapFile {
		return &fstest.MapFile{Data: []byte("package p\n\nimport \"github.com/nextgo-dev/nextgo/runtime/api\"\n\n" + body +
			"\nfunc Handler(req *api.Request, res *api.Response) {}\n")}
	}
	app := fstest.MapFS{
		"pages/api/user.go":           route(""),
		"pages/api/post/[pid].go":     route("var Config = api.Config{MaxDuration: 5}\n"),
		"pages/api/post/[...slug].go": route(""),
		"pages/api/post/create.go":    route(""),
	}
	t, err := routes.BuildTable(app)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, r := range t.Routes {
		fmt.Println(r.Pattern, r.File, r.Name, r.Config.MaxDuration)
	}
	// Output:
	// /api/post/create pages/api/post/create.go api-post-create 0
	// /api/post/[pid] pages/api/post/[pid].go api-post-_pid 5
	// /api/post/[...slug] pages/api/post/[...slug].go api-post-__slug 0
	// /api/user pages/api/user.go api-user 0
}
