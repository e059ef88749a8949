package bundler

import (
	"strings"
	"testing"
)

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
