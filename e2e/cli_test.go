package e2e

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestRoutes prints the basic app's table in Next's precedence order.
func TestRoutes(t *testing.T) {
	dir := copyApp(t, "basic")
	out, err := runNextgo(t, "routes", dir, "--json")
	if err != nil {
		t.Fatalf("nextgo routes: %v\n%s", err, out)
	}
	var rows []struct {
		Pattern string
		File    string
		Kind    string
		Config  map[string]any
	}
	if err := json.Unmarshal([]byte(out), &rows); err != nil {
		t.Fatalf("decode %q: %v", out, err)
	}
	var got []string
	for _, r := range rows {
		got = append(got, r.Pattern)
	}
	want := "/api /api/cookies /api/greet /api/optional/[[...slug]] /api/panic /api/parse /api/parse-500kb /api/plain " +
		"/api/post/create /api/post/[pid] /api/post/[...slug] /api/raw /api/redirect /api/slow /api/status204 /api/user " +
		"/api/[post]/comments /api/[post]/[comment]"
	if strings.Join(got, " ") != want {
		t.Fatalf("order\n got %s\nwant %s", strings.Join(got, " "), want)
	}
	for _, r := range rows {
		if r.Pattern == "/api/slow" && r.Config["maxDuration"] != float64(1) {
			t.Errorf("/api/slow config = %v", r.Config)
		}
		if r.Kind != "api" {
			t.Errorf("%s kind %q", r.Pattern, r.Kind)
		}
	}
	text, err := runNextgo(t, "routes", dir)
	if err != nil || !strings.Contains(text, "/api/parse-500kb") || !strings.Contains(text, "sizeLimit=500kb") {
		t.Fatalf("nextgo routes: %v\n%s", err, text)
	}
}

// TestCheck type-checks the app, then a broken route: exit 1 with the
// user's file and line.
func TestCheck(t *testing.T) {
	dir := copyApp(t, "basic")
	if out, err := runNextgo(t, "check", dir); err != nil || !strings.Contains(out, "✓ 18 routes and ") {
		t.Fatalf("nextgo check on a good app: %v\n%s", err, out)
	}
	file := filepath.Join(dir, "pages", "api", "post", "[pid].go")
	broken := "package post\n\nimport \"github.com/nextgo-dev/nextgo/runtime/api\"\n\nfunc Handler(req *api.Request, res *api.Response) {\n\tres.Status(\"200\")\n}\n"
	if err := os.WriteFile(file, []byte(broken), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := runNextgo(t, "check", dir)
	if err == nil {
		t.Fatalf("nextgo check succeeded on a broken route:\n%s", out)
	}
	if !strings.Contains(out, "pages/api/post/[pid].go:6:13") || !strings.Contains(out, "check failed") {
		t.Fatalf("output does not name the file and line:\n%s", out)
	}
}

// TestBuildErrorsNameFiles: a route table error stops routes and check with
// Next's message and the files involved.
func TestBuildErrorsNameFiles(t *testing.T) {
	dir := copyApp(t, "basic")
	src, err := os.ReadFile(filepath.Join(dir, "pages", "api", "user.go"))
	if err != nil {
		t.Fatal(err)
	}
	writeAppFile(t, dir, "pages/api/user/index.go", string(src))
	for _, verb := range []string{"routes", "check"} {
		out, err := runNextgo(t, verb, dir)
		if err == nil {
			t.Fatalf("nextgo %s succeeded", verb)
		}
		want := "Duplicate page detected. pages/api/user.go and pages/api/user/index.go both resolve to /api/user."
		if !strings.Contains(out, want) {
			t.Errorf("nextgo %s output:\n%s\nwant %s", verb, out, want)
		}
	}
}

// TestExampleApp checks the README's example app.
func TestExampleApp(t *testing.T) {
	out, err := runNextgo(t, "check", filepath.Join("..", "examples", "hello"))
	if err != nil {
		t.Fatalf("nextgo check examples/hello: %v\n%s", err, out)
	}
	os.RemoveAll(filepath.Join("..", "examples", "hello", "_nextgo"))
}
