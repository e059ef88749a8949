package templates

import (
	"sort"
	"strings"
	"testing"

	"github.com/nextgo-dev/nextgo/bundler"
)

func TestRender(t *testing.T) {
	for _, tmpl := range List() {
		t.Run(tmpl.Name, func(t *testing.T) {
			files, err := Render(tmpl.Name, "github.com/acme/shop")
			if err != nil {
				t.Fatal(err)
			}
			byPath := map[string]string{}
			for _, f := range files {
				byPath[f.Path] = string(f.Data)
				if strings.Contains(string(f.Data), placeholder) {
					t.Errorf("%s still holds the placeholder module path", f.Path)
				}
			}
			goVersion, err := bundler.OwnGoVersion()
			if err != nil {
				t.Fatal(err)
			}
			for _, want := range []string{"module github.com/acme/shop\n\ngo " + goVersion + "\n\nrequire github.com/nextgo-dev/nextgo v0.1.0\n",
				"\nreplace github.com/nextgo-dev/nextgo => ./.nextgo/runtime\n", "\nignore (\n\t./app\n\t./pages/api\n)\n"} {
				if !strings.Contains(byPath["go.mod"], want) {
					t.Errorf("go.mod lacks %q:\n%s", want, byPath["go.mod"])
				}
			}
			if !strings.Contains(byPath["go.sum"], "github.com/aws/aws-lambda-go ") {
				t.Errorf("go.sum lacks nextgo's checksums:\n%s", byPath["go.sum"])
			}
			if !strings.Contains(byPath[".vscode/settings.json"], `"GOPACKAGESDRIVER": "${workspaceFolder}/.nextgo/bin/nextgo-packages-driver"`) {
				t.Errorf(".vscode/settings.json:\n%s", byPath[".vscode/settings.json"])
			}
			if !strings.Contains(byPath[".gitignore"], "_nextgo/\n") || !strings.Contains(byPath[".gitignore"], ".nextgo/\n") || !strings.Contains(byPath[".gitignore"], ".env*.local\n") {
				t.Errorf(".gitignore:\n%s", byPath[".gitignore"])
			}
			if !strings.HasPrefix(byPath["README.md"], "# ") {
				t.Error("no README.md with a title")
			}
			var routes, tests int
			for _, p := range paths(files) {
				switch {
				case strings.HasSuffix(p, "_test.go"):
					tests++
				case strings.HasPrefix(p, "pages/api/") && strings.HasSuffix(p, ".go"), strings.HasSuffix(p, "/route.go"):
					routes++
				}
			}
			if routes == 0 || tests == 0 {
				t.Errorf("%d routes, %d tests", routes, tests)
			}
		})
	}
}

func TestRenderErrors(t *testing.T) {
	if _, err := Render("vue", "example.com/x"); err == nil || err.Error() != `unknown template "vue" (templates: api-routes, route-handlers, rest, cors, middleware, webhook)` {
		t.Errorf("unknown template: %v", err)
	}
	if _, err := Render(Default, ""); err == nil {
		t.Error("no module path accepted")
	}
}

// Every folder under _apps is listed, and every listed template exists.
func TestListMatchesFiles(t *testing.T) {
	entries, err := apps.ReadDir("_apps")
	if err != nil {
		t.Fatal(err)
	}
	var dirs []string
	for _, e := range entries {
		dirs = append(dirs, e.Name())
	}
	listed := append([]string{}, Names()...)
	sort.Strings(dirs)
	sort.Strings(listed)
	if strings.Join(dirs, ",") != strings.Join(listed, ",") {
		t.Errorf("folders %v, listed %v", dirs, listed)
	}
	if Names()[0] != Default {
		t.Errorf("the default %s is not listed first", Default)
	}
}
