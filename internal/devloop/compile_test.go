package devloop

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/nextgo-dev/nextgo/bundler/routes"
	"github.com/nextgo-dev/nextgo/internal/dashboard"
)

func TestBrokenRoutes(t *testing.T) {
	table := &routes.Table{Routes: []routes.Route{
		{Source: routes.Source{File: "pages/api/index.go", Files: []string{"pages/api/index.go"}, Pattern: "/api"}},
		{Source: routes.Source{File: "app/items/route.go", Files: []string{"app/items/helpers.go", "app/items/route.go"}, Pattern: "/items"}},
	}}
	tests := []struct {
		name   string
		output string
		want   map[string][]string
		ok     bool
	}{
		{"one route", "# example.com/a/_nextgo/routes/api\n./pages/api/index.go:6:11: undefined: x\n",
			map[string][]string{"pages/api/index.go": {"./pages/api/index.go:6:11: undefined: x"}}, true},
		{"a helper file of a route handler", "app/items/helpers.go:3:2: missing return\npages/api/index.go:1:1: expected 'package'\n",
			map[string][]string{"app/items/route.go": {"app/items/helpers.go:3:2: missing return"}, "pages/api/index.go": {"pages/api/index.go:1:1: expected 'package'"}}, true},
		{"a shared package", "internal/db/db.go:3:9: undefined: y\npages/api/index.go:6:11: undefined: x\n", nil, false},
		{"no position", "go: updates to go.mod needed\n", nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := brokenRoutes(table, tt.output)
			if ok != tt.ok || (ok && !reflect.DeepEqual(got, tt.want)) {
				t.Errorf("brokenRoutes = %v, %v; want %v, %v", got, ok, tt.want, tt.ok)
			}
		})
	}
}

func TestNewFailureFrames(t *testing.T) {
	dir := t.TempDir()
	src := "package api\n\nfunc Handler() {\n\tx := 1\n\treturn y\n}\n"
	if err := os.MkdirAll(filepath.Join(dir, "pages", "api"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "pages", "api", "a.go"), []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	f := newFailure(dir, "# example.com/x\n./pages/api/a.go:5:9: undefined: y\n")
	want := []dashboard.Frame{{File: "pages/api/a.go", Line: 5, Col: 9, Message: "undefined: y", Source: []dashboard.SourceLine{
		{N: 2, Text: ""}, {N: 3, Text: "func Handler() {"}, {N: 4, Text: "    x := 1"}, {N: 5, Text: "    return y", Mark: true}, {N: 6, Text: "}"}, {N: 7, Text: ""},
	}}}
	if !reflect.DeepEqual(f.Frames, want) {
		t.Errorf("frames = %+v\nwant %+v", f.Frames, want)
	}
	if f.Output != "# example.com/x\n./pages/api/a.go:5:9: undefined: y" {
		t.Errorf("output = %q", f.Output)
	}
}
