package e2e

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// templateCase is one template of `nextgo init`: the requests its README
// promises, and the packages `nextgo test` must report.
type templateCase struct {
	template string
	ready    string // a path to poll until the server answers
	cases    func() []httpCase
	tests    []string // "ok  \t<package>" lines of nextgo test
}

func githubSignature(secret, body string) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(body))
	return "sha256=" + hex.EncodeToString(mac.Sum(nil))
}

func templateCases() []templateCase {
	const jsonUTF8 = "application/json; charset=utf-8"
	return []templateCase{
		{template: "api-routes", ready: "/api/user", tests: []string{"pages/api/user.go", "pages/api/post/[pid].go", "pages/api/post/[...slug].go"},
			cases: func() []httpCase {
				return []httpCase{
					{name: "user", path: "/api/user", status: 200, want: `{"name":"John Doe"}`, headers: map[string]string{"Content-Type": jsonUTF8}},
					{name: "dynamic", path: "/api/post/abc", status: 200, want: "Post: abc", headers: map[string]string{"Content-Type": ""}},
					{name: "path param wins", path: "/api/post/abc?pid=x", status: 200, want: "Post: abc"},
					{name: "catch-all", path: "/api/post/a/b/c", status: 200, want: "Post: a, b, c"},
					{name: "catch-all needs a segment", path: "/api/post", status: 404, want: "Not Found"},
				}
			}},
		{template: "route-handlers", ready: "/api/hello", tests: []string{"app/api/hello/route.go", "app/api/items/[slug]/route.go", "app/api/old/route.go", "app/api/stream/route.go", "app/api/theme/route.go"},
			cases: func() []httpCase {
				return []httpCase{
					{name: "GET", path: "/api/hello", status: 200, want: `{"message":"Hello from a route handler"}`, headers: map[string]string{"Content-Type": "application/json"}},
					{name: "POST", method: "POST", path: "/api/hello", header: jsonHeader(), body: `{"name":"gopher"}`, status: 201, want: `{"message":"Hello, gopher"}`},
					{name: "POST without a name", method: "POST", path: "/api/hello", header: jsonHeader(), body: `{}`, status: 400, want: `{"error":"send a JSON body like {\"name\": \"gopher\"}"}`},
					{name: "method not exported", method: "DELETE", path: "/api/hello", status: 405, want: "", headers: map[string]string{"Allow": "GET, HEAD, OPTIONS, POST"}},
					{name: "OPTIONS", method: "OPTIONS", path: "/api/hello", status: 204, want: "", headers: map[string]string{"Allow": "GET, HEAD, OPTIONS, POST"}},
					{name: "params and query", path: "/api/items/shoe?query=red", status: 200, want: `{"query":"red","slug":"shoe"}`},
					{name: "cookie absent", path: "/api/theme", status: 200, want: `{"theme":"light"}`},
					{name: "cookie set", method: "POST", path: "/api/theme?theme=dark", status: 200, want: `{"theme":"dark"}`, headers: map[string]string{"Set-Cookie": "theme=dark; Path=/"}},
					{name: "cookie read", path: "/api/theme", header: http.Header{"Cookie": {"theme=dark"}}, status: 200, want: `{"theme":"dark"}`},
					{name: "bad theme", method: "POST", path: "/api/theme?theme=pink", status: 400, want: `{"error":"theme must be light or dark"}`},
					{name: "redirect", path: "/api/old", status: 307, want: "", headers: map[string]string{"Location": "/api/hello"}},
					{name: "stream", path: "/api/stream", status: 200, want: "chunk 1\nchunk 2\nchunk 3\n", headers: map[string]string{"Content-Type": "text/plain; charset=utf-8"}},
				}
			}},
		{template: "rest", ready: "/api/todos", tests: []string{"pages/api/todos/index.go", "pages/api/todos/[id].go", "example.com/app/lib/todo"},
			cases: func() []httpCase {
				return []httpCase{
					{name: "empty", path: "/api/todos", status: 200, want: `[]`},
					{name: "create", method: "POST", path: "/api/todos", header: jsonHeader(), body: `{"title":"write tests"}`, status: 201,
						want: `{"id":1,"title":"write tests","done":false}`, headers: map[string]string{"Location": "/api/todos/1", "Content-Type": jsonUTF8}},
					{name: "invalid", method: "POST", path: "/api/todos", header: jsonHeader(), body: `{"title":"  "}`, status: 400, want: `{"error":"title must not be empty"}`},
					{name: "invalid JSON", method: "POST", path: "/api/todos", header: jsonHeader(), body: `{"title":`, status: 400, want: "Invalid JSON"},
					{name: "list", path: "/api/todos", status: 200, want: `[{"id":1,"title":"write tests","done":false}]`},
					{name: "get", path: "/api/todos/1", status: 200, want: `{"id":1,"title":"write tests","done":false}`},
					{name: "patch", method: "PATCH", path: "/api/todos/1", header: jsonHeader(), body: `{"done":true}`, status: 200, want: `{"id":1,"title":"write tests","done":true}`},
					{name: "bad id", path: "/api/todos/x", status: 400, want: `{"error":"id must be a positive integer"}`},
					{name: "method", method: "POST", path: "/api/todos/1", status: 405, want: `{"error":"method not allowed"}`, headers: map[string]string{"Allow": "DELETE, GET, PATCH, PUT"}},
					{name: "delete", method: "DELETE", path: "/api/todos/1", status: 204, want: ""},
					{name: "gone", path: "/api/todos/1", status: 404, want: `{"error":"not found"}`},
				}
			}},
		{template: "cors", ready: "/api/public", tests: []string{"app/api/data/route.go", "pages/api/public.go"},
			cases: func() []httpCase {
				origin := http.Header{"Origin": {"https://example.com"}}
				return []httpCase{
					{name: "preflight", method: "OPTIONS", path: "/api/data", header: http.Header{"Origin": {"https://example.com"}, "Access-Control-Request-Method": {"POST"}},
						status: 204, want: "", headers: map[string]string{"Access-Control-Allow-Origin": "https://example.com", "Access-Control-Allow-Methods": "GET, POST, OPTIONS",
							"Access-Control-Allow-Headers": "Content-Type, Authorization", "Access-Control-Max-Age": "86400", "Vary": "Origin"}},
					{name: "GET allowed origin", path: "/api/data", header: origin, status: 200, want: `{"data":"hello, cross-origin reader"}`,
						headers: map[string]string{"Access-Control-Allow-Origin": "https://example.com"}},
					{name: "POST allowed origin", method: "POST", path: "/api/data", header: http.Header{"Origin": {"https://example.com"}, "Content-Type": {"application/json"}}, body: `{"n":1}`,
						status: 200, want: `{"received":{"n":1}}`, headers: map[string]string{"Access-Control-Allow-Origin": "https://example.com"}},
					{name: "other origin", path: "/api/data", header: http.Header{"Origin": {"https://evil.example"}}, status: 200, want: `{"data":"hello, cross-origin reader"}`,
						headers: map[string]string{"Access-Control-Allow-Origin": ""}},
					{name: "public", path: "/api/public", header: http.Header{"Origin": {"https://anyone.example"}}, status: 200, want: `{"public":true}`,
						headers: map[string]string{"Access-Control-Allow-Origin": "*"}},
					{name: "public preflight", method: "OPTIONS", path: "/api/public", header: http.Header{"Origin": {"https://anyone.example"}, "Access-Control-Request-Method": {"GET"}},
						status: 204, want: "", headers: map[string]string{"Access-Control-Allow-Methods": "GET"}},
				}
			}},
		{template: "middleware", ready: "/api/public", tests: []string{"app/api/private/profile/route.go", "app/api/public/route.go", "example.com/app"},
			cases: func() []httpCase {
				return []httpCase{
					{name: "no token", path: "/api/private/profile", status: 401, want: `{"error":"unauthorized"}`, headers: map[string]string{"Www-Authenticate": `Bearer realm="api"`}},
					{name: "wrong token", path: "/api/private/profile", header: http.Header{"Authorization": {"Bearer nope"}}, status: 401, want: `{"error":"unauthorized"}`},
					{name: "token", path: "/api/private/profile", header: http.Header{"Authorization": {"Bearer dev-token"}}, status: 200, want: `{"user":"gopher"}`},
					{name: "outside the matcher", path: "/api/public", status: 200, want: `{"message":"anyone can read this"}`},
				}
			}},
		{template: "webhook", ready: "/api/webhooks/github", tests: []string{"pages/api/webhooks/github.go", "example.com/app/lib/signature"},
			cases: func() []httpCase {
				payload := `{"action":"opened","repository":{"full_name":"acme/app"}}`
				signed := func(secret string) http.Header {
					return http.Header{"Content-Type": {"application/json"}, "X-Github-Event": {"issues"}, "X-Hub-Signature-256": {githubSignature(secret, payload)}}
				}
				return []httpCase{
					{name: "signed", method: "POST", path: "/api/webhooks/github", header: signed("dev-webhook-secret"), body: payload, status: 200,
						want: `{"action":"opened","event":"issues","repository":"acme/app"}`},
					{name: "wrong secret", method: "POST", path: "/api/webhooks/github", header: signed("other"), body: payload, status: 401, want: `{"error":"invalid signature"}`},
					{name: "raw bytes count", method: "POST", path: "/api/webhooks/github", header: signed("dev-webhook-secret"), body: payload + " ", status: 401, want: `{"error":"invalid signature"}`},
					{name: "GET", path: "/api/webhooks/github", status: 405, want: `{"error":"method not allowed"}`, headers: map[string]string{"Allow": "POST"}},
				}
			}},
	}
}

// TestInitTemplates creates an app from each template with `nextgo init`,
// serves it with `nextgo dev` and checks its endpoints over HTTP, then runs
// its tests with `nextgo test`.
func TestInitTemplates(t *testing.T) {
	for _, tc := range templateCases() {
		t.Run(tc.template, func(t *testing.T) {
			if tc.template == "webhook" {
				// The value of the template's .env.development, also set in the
				// environment, so that this test does not depend on .env
				// loading (TestEnv covers it).
				t.Setenv("GITHUB_WEBHOOK_SECRET", "dev-webhook-secret")
			}
			dir := filepath.Join(t.TempDir(), "app")
			out, err := runNextgo(t, "init", dir, "--template", tc.template)
			if err != nil {
				t.Fatalf("nextgo init: %v\n%s", err, out)
			}
			if !strings.Contains(out, "✓ Created "+dir+" from the "+tc.template+" template (module example.com/app,") {
				t.Errorf("nextgo init output:\n%s", out)
			}
			s := startNextgo(t, "dev", dir, tc.ready)
			runCases(t, s.URL, tc.cases(), false)

			out, err = runNextgo(t, "test", dir)
			if err != nil {
				t.Fatalf("nextgo test: %v\n%s", err, out)
			}
			for _, pkg := range tc.tests {
				if !strings.Contains(out, "ok  \t"+pkg+"\t") {
					t.Errorf("nextgo test output lacks %q:\n%s", "ok  \t"+pkg, out)
				}
			}
			if strings.Contains(out, "_nextgo") {
				t.Errorf("nextgo test output names staged packages:\n%s", out)
			}
		})
	}
}

// TestInitFlags covers the default template, --module, and the refusals.
func TestInitFlags(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "My App")
	out, err := runNextgo(t, "init", dir)
	if err != nil {
		t.Fatalf("nextgo init: %v\n%s", err, out)
	}
	gomod, err := os.ReadFile(filepath.Join(dir, "go.mod"))
	if err != nil || !strings.HasPrefix(string(gomod), "module example.com/my-app\n") || !strings.Contains(string(gomod), "require github.com/nextgo-dev/nextgo v0.1.0\n") {
		t.Errorf("go.mod: %v\n%s", err, gomod)
	}
	if _, err := os.Stat(filepath.Join(dir, "pages", "api", "user.go")); err != nil {
		t.Errorf("the default template is not api-routes: %v", err)
	}

	out, err = runNextgo(t, "init", dir, "--template", "rest")
	if err == nil || !strings.Contains(out, "nextgo: "+dir+" is not empty: choose a new directory, or pass --force to write the template's files into it\n") {
		t.Errorf("non-empty directory: %v\n%s", err, out)
	}
	if _, err := os.Stat(filepath.Join(dir, "lib")); err == nil {
		t.Error("a refused init wrote files")
	}
	out, err = runNextgo(t, "init", dir, "--template", "rest", "--force", "--module", "github.com/acme/shop")
	if err != nil {
		t.Fatalf("--force: %v\n%s", err, out)
	}
	src, err := os.ReadFile(filepath.Join(dir, "pages", "api", "todos", "index.go"))
	if err != nil || !strings.Contains(string(src), `"github.com/acme/shop/lib/todo"`) {
		t.Errorf("module path not substituted: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "pages", "api", "user.go")); err != nil {
		t.Errorf("--force removed a file: %v", err)
	}

	for _, bad := range []struct {
		args []string
		want string
	}{
		{[]string{"--template", "vue"}, `nextgo: unknown template "vue" (templates: api-routes, route-handlers, rest, cors, middleware, webhook)`},
		{[]string{"--module", "bad path"}, `nextgo: --module "bad path": malformed import path "bad path": invalid char ' '`},
	} {
		out, err := runNextgo(t, append([]string{"init", filepath.Join(t.TempDir(), "x")}, bad.args...)...)
		if err == nil || strings.TrimSpace(out) != bad.want {
			t.Errorf("init %v: %v\n%s\nwant %s", bad.args, err, out, bad.want)
		}
	}
}

// TestTestFailure: a failing route test fails `nextgo test`, named by its
// route file and test file line; an orphan test file is refused.
func TestTestFailure(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "app")
	if out, err := runNextgo(t, "init", dir); err != nil {
		t.Fatalf("nextgo init: %v\n%s", err, out)
	}
	test := filepath.Join(dir, "pages", "api", "user_test.go")
	src, err := os.ReadFile(test)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(test, []byte(strings.Replace(string(src), `{"name":"John Doe"}`, `{"name":"Jane Doe"}`, 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := runNextgo(t, "test", dir, "--", "-run", "TestUser", "-count=1")
	if err == nil {
		t.Fatalf("nextgo test passed:\n%s", out)
	}
	for _, want := range []string{"user_test.go:14: GET /api/user = 200 {\"name\":\"John Doe\"}", "FAIL\tpages/api/user.go\t", "nextgo: tests failed"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if err := os.WriteFile(filepath.Join(dir, "pages", "api", "users_test.go"), []byte("package user\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err = runNextgo(t, "test", dir)
	if err == nil || !strings.Contains(out, "nextgo: pages/api/users_test.go: no route pages/api/users.go for this test file") {
		t.Errorf("orphan test file: %v\n%s", err, out)
	}
}

// TestCompletion: cobra's shell completion is there.
func TestCompletion(t *testing.T) {
	out, err := runNextgo(t, "completion", "bash")
	if err != nil || !strings.Contains(out, "__start_nextgo") {
		t.Errorf("nextgo completion bash: %v\n%.300s", err, out)
	}
	out, err = runNextgo(t, "__complete", "init", "--template", "")
	if err != nil || !strings.Contains(out, "route-handlers\t") || !strings.Contains(out, "webhook\t") {
		t.Errorf("template completion: %v\n%s", err, out)
	}
}
