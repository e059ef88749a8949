package packagesdriver

import (
	"path/filepath"
	"strings"
	"testing"
)

func TestMatch(t *testing.T) {
	root := filepath.FromSlash("/src/app")
	const mod = "example.com/app"
	routes := []*routePackage{
		{id: mod + "/pages/api/post/[pid]", files: []string{filepath.FromSlash("/src/app/pages/api/post/[pid].go")}, tests: []string{filepath.FromSlash("/src/app/pages/api/post/[pid]_test.go")}},
		{id: mod + "/pages/api/post/[...slug]", files: []string{filepath.FromSlash("/src/app/pages/api/post/[...slug].go")}},
		{id: mod + "/app/api/items/[slug]", files: []string{filepath.FromSlash("/src/app/app/api/items/[slug]/route.go"), filepath.FromSlash("/src/app/app/api/items/[slug]/util.go")}},
	}
	for _, tt := range []struct {
		pattern, dir string
		ids          string
		passOn       bool
	}{
		{"./...", root, "pages/api/post/[pid] pages/api/post/[...slug] app/api/items/[slug]", true},
		{"./pages/...", root, "pages/api/post/[pid] pages/api/post/[...slug]", true},
		{"./...", filepath.Join(root, "app"), "app/api/items/[slug]", true},
		{"example.com/app/...", root, "pages/api/post/[pid] pages/api/post/[...slug] app/api/items/[slug]", true},
		{"example.com/app/app/...", root, "app/api/items/[slug]", true},
		{"example.com/app/lib/...", root, "", true},
		{"all", root, "pages/api/post/[pid] pages/api/post/[...slug] app/api/items/[slug]", true},
		{"file=" + filepath.FromSlash("/src/app/pages/api/post/[pid]_test.go"), root, "pages/api/post/[pid]", false},
		{"file=" + filepath.FromSlash("app/api/items/[slug]/util.go"), root, "app/api/items/[slug]", false},
		{"file=" + filepath.FromSlash("/src/app/lib/x.go"), root, "", true},
		{"example.com/app/pages/api/post/[...slug]", root, "pages/api/post/[...slug]", false},
		{"example.com/app/lib/todo", root, "", true},
		{"net/http", root, "", true},
		{"builtin", root, "", true},
	} {
		ids, passOn := match(tt.pattern, tt.dir, root, mod, routes)
		var got []string
		for _, id := range ids {
			got = append(got, strings.TrimPrefix(id, mod+"/"))
		}
		if strings.Join(got, " ") != tt.ids || passOn != tt.passOn {
			t.Errorf("match(%q from %s) = %q, %v; want %q, %v", tt.pattern, tt.dir, got, passOn, tt.ids, tt.passOn)
		}
	}
}

func TestInvoked(t *testing.T) {
	for argv0, want := range map[string]bool{
		"/x/.nextgo/bin/nextgo-packages-driver": true,
		`C:\x\nextgo-packages-driver.exe`:       filepath.Separator == '\\',
		"nextgo-packages-driver":                true,
		"/usr/local/bin/nextgo":                 false,
		"gopackagesdriver":                      false,
	} {
		if got := Invoked(argv0); got != want {
			t.Errorf("Invoked(%q) = %v", argv0, got)
		}
	}
}
