package stage

import (
	"reflect"
	"testing"

	"github.com/nextgo-dev/nextgo/bundler/routes"
)

func TestStageTests(t *testing.T) {
	fsys := mapFS(map[string]string{
		"pages/api/user.go":                  apiUser,
		"pages/api/user_test.go":             "package api\n",
		"pages/api/post/[pid].go":            apiUser,
		"pages/api/post/[pid]_test.go":       "package api\n// pid\n",
		"pages/api/post/index.go":            apiUser,
		"app/api/items/[slug]/route.go":      getRoute,
		"app/api/items/[slug]/helper.go":     "package items\n",
		"app/api/items/[slug]/route_test.go": "package items\n",
		"app/api/items/[slug]/more_test.go":  "package items\n",
		"app/_lib/x_test.go":                 "package lib\n", // private folder: not ours
	})
	tb, err := routes.BuildTable(fsys)
	if err != nil {
		t.Fatal(err)
	}
	app := App{Module: "example.com/app", Dir: "/src/app"}
	files, pkgs, err := Tests(fsys, app, tb)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"routes/api-user/route_test.go":        "//line /src/app/pages/api/user_test.go:1:1\npackage api\n",
		"routes/api-post-_pid/route_test.go":   "//line /src/app/pages/api/post/[pid]_test.go:1:1\npackage api\n// pid\n",
		"routes/api-items-_slug/route_test.go": "//line /src/app/app/api/items/[slug]/route_test.go:1:1\npackage items\n",
		"routes/api-items-_slug/more_test.go":  "//line /src/app/app/api/items/[slug]/more_test.go:1:1\npackage items\n",
	}
	got := map[string]string{}
	for k, v := range files {
		got[k] = string(v)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("files:\n got %q\nwant %q", got, want)
	}
	// Table order: /api/items/[slug], /api/post/[pid], /api/user (the
	// untested /api/post is left out).
	var names []string
	for _, r := range tb.Routes {
		names = append(names, r.Name)
	}
	wantPkgs := []string{"routes/api-items-_slug", "routes/api-post-_pid", "routes/api-user"}
	if !reflect.DeepEqual(pkgs, wantPkgs) {
		t.Errorf("packages %v, want %v (routes %v)", pkgs, wantPkgs, names)
	}
}

func TestStageTestsOrphans(t *testing.T) {
	fsys := mapFS(map[string]string{
		"pages/api/user.go":        apiUser,
		"pages/api/users_test.go":  "package api\n",
		"app/api/x/helper_test.go": "package x\n",
		"app/api/y/route.go":       getRoute,
		"app/api/y/route_test.go":  "package items\n",
	})
	tb, err := routes.BuildTable(fsys)
	if err != nil {
		t.Fatal(err)
	}
	_, _, err = Tests(fsys, App{Module: "m", Dir: "/a"}, tb)
	want := "app/api/x/helper_test.go: no route.go in app/api/x for this test file; " +
		"pages/api/users_test.go: no route pages/api/users.go for this test file (a test next to API routes is named after its route: user.go, user_test.go)"
	if err == nil || err.Error() != want {
		t.Errorf("error:\n%v\nwant:\n%s", err, want)
	}
}
