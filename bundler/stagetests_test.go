package bundler

import (
	"reflect"
	"strings"
	"testing"
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
	tb, err := BuildTable(fsys)
	if err != nil {
		t.Fatal(err)
	}
	app := App{Module: "example.com/app", Dir: "/src/app"}
	files, pkgs, err := StageTests(fsys, app, tb)
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
	tb, err := BuildTable(fsys)
	if err != nil {
		t.Fatal(err)
	}
	_, _, err = StageTests(fsys, App{Module: "m", Dir: "/a"}, tb)
	want := "app/api/x/helper_test.go: no route.go in app/api/x for this test file; " +
		"pages/api/users_test.go: no route pages/api/users.go for this test file (a test next to API routes is named after its route: user.go, user_test.go)"
	if err == nil || err.Error() != want {
		t.Errorf("error:\n%v\nwant:\n%s", err, want)
	}
}

func TestAppPackages(t *testing.T) {
	fsys := mapFS(map[string]string{
		"go.mod":                       "module m\n",
		"middleware.go":                "package m\n",
		"middleware_test.go":           "package m\n",
		"internal/store/store.go":      "package store\n",
		"internal/store/store_test.go": "package store\n",
		"lib/a/a_test.go":              "package a\n",
		"lib/README.md":                "",
		"pages/api/user.go":            apiUser,
		"app/api/x/route.go":           getRoute,
		"_nextgo/routes/x/route.go":    "",
		".hidden/h.go":                 "",
		"_private/p.go":                "",
		"internal/testdata/t.go":       "",
		"vendor/v/v.go":                "",
		"tools/go.mod":                 "module tools\n",
		"tools/t.go":                   "package tools\n",
	})
	got, err := AppPackages(fsys)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{".", "./internal/store", "./lib/a"}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("got %v, want %v", got, want)
	}
}
