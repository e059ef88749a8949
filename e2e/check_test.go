package e2e

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nextgo-dev/nextgo/bundler"
)

// checkReport runs nextgo check --json and returns its diagnostics, one
// line each.
func checkReport(t *testing.T, dir string) (lines []string, out string) {
	t.Helper()
	out, err := runNextgo(t, "check", dir, "--json")
	if err == nil {
		t.Fatalf("nextgo check passed:\n%s", out)
	}
	var got bundler.CheckResult
	if err := json.Unmarshal([]byte(out[:strings.LastIndex(out, "}")+1]), &got); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	for _, d := range got.Diagnostics {
		lines = append(lines, d.String())
	}
	return lines, out
}

// TestCheckEverything: nextgo check reports every problem of the whole app
// at once, each at the user's file, line and column: a syntax error in one
// route hides neither a type error in another nor a broken package that no
// route imports, nor go vet's findings in the app's packages; once every
// route loads, go vet's findings in routes and route tests too.
func TestCheckEverything(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "app")
	if out, err := runNextgo(t, "init", dir, "--template", "rest"); err != nil {
		t.Fatalf("nextgo init: %v\n%s", err, out)
	}
	out, err := runNextgo(t, "check", dir)
	if err != nil || out != "✓ 2 routes and 1 package check\n" {
		t.Fatalf("nextgo check on a new app: %v\n%q", err, out)
	}
	writeAppFile(t, dir, "pages/api/syntax.go", "package syntax\n\nimport \"net/http\"\n\nfunc Handler(w http.ResponseWriter, r *http.Request) {\n\tif {\n}\n")
	writeAppFile(t, dir, "pages/api/typed.go", "package typed\n\nimport \"github.com/nextgo-dev/nextgo/runtime/api\"\n\nfunc Handler(req *api.Request, res *api.Response) {\n\tres.Status(\"200\")\n\tvar n int = \"x\"\n}\n")
	writeAppFile(t, dir, "app/api/[slug]/route.go", "package slug\n\nimport (\n\t\"fmt\"\n\n\t\"github.com/nextgo-dev/nextgo/runtime/server\"\n)\n\nfunc GET(req *server.Request) (*server.Response, error) {\n\treturn server.Text(fmt.Sprintf(\"%d\", req.Param(\"slug\"))), nil\n}\n")
	writeAppFile(t, dir, "app/api/[slug]/route_test.go", "package slug\n\nimport \"testing\"\n\nfunc TestX(t *testing.T) { t.Errorf(\"%s\") }\n")
	writeAppFile(t, dir, "lib/unused/unused.go", "package unused\n\nfunc F() int { return \"nope\" }\n")
	writeAppFile(t, dir, "lib/todo/vet.go", "package todo\n\nimport \"fmt\"\n\nfunc Show() string { return fmt.Sprintf(\"%s %s\", 1) }\n")

	typed := []string{
		`pages/api/typed.go:6:13: cannot use "200" (untyped string constant) as int value in argument to res.Status`,
		`pages/api/typed.go:7:6: declared and not used: n`,
		`pages/api/typed.go:7:14: cannot use "x" (untyped string constant) as int value in variable declaration`,
	}
	lines, out := checkReport(t, dir)
	want := append([]string{
		`lib/todo/vet.go:5:42: fmt.Sprintf format %s has arg 1 of wrong type int (printf)`,
		`lib/unused/unused.go:3:23: cannot use "nope" (untyped string constant) as int value in return statement`,
		`pages/api/syntax.go:6:5: missing condition in if statement`,
		`pages/api/syntax.go:7:3: expected ';', found 'EOF'`,
		`pages/api/syntax.go:7:3: expected '}', found 'EOF'`,
	}, typed...)
	if strings.Join(lines, "\n") != strings.Join(want, "\n") {
		t.Errorf("with a syntax error:\n%s\nwant\n%s", strings.Join(lines, "\n"), strings.Join(want, "\n"))
	}
	if !strings.HasSuffix(out, "nextgo: check failed: 8 problems\n") {
		t.Errorf("output does not end with the count:\n%s", out)
	}

	if err := os.Remove(filepath.Join(dir, "pages", "api", "syntax.go")); err != nil {
		t.Fatal(err)
	}
	lines, _ = checkReport(t, dir)
	want = append([]string{
		`app/api/[slug]/route.go:10:34: fmt.Sprintf format %d has arg req.Param("slug") of wrong type string (printf)`,
		`app/api/[slug]/route_test.go:5:38: (*testing.common).Errorf format %s reads arg #1, but call has 0 args (printf)`,
		`lib/todo/vet.go:5:42: fmt.Sprintf format %s has arg 1 of wrong type int (printf)`,
		`lib/unused/unused.go:3:23: cannot use "nope" (untyped string constant) as int value in return statement`,
	}, typed...)
	if strings.Join(lines, "\n") != strings.Join(want, "\n") {
		t.Errorf("every route loading:\n%s\nwant\n%s", strings.Join(lines, "\n"), strings.Join(want, "\n"))
	}
}
