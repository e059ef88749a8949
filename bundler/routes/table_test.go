package routes

import (
	"strings"
	"testing"

	"github.com/nextgo-dev/nextgo/bundler/internal/bundlertest"
)

const (
	apiUser  = bundlertest.APIUser
	getRoute = bundlertest.GetRoute
)

var mapFS = bundlertest.MapFS

const httpRoute = `package x

import "net/http"

func Handler(w http.ResponseWriter, r *http.Request) {}
`

func TestDiscover(t *testing.T) {
	fsys := mapFS(map[string]string{
		"pages/api/user.go":                   apiUser,
		"pages/api/index.go":                  apiUser,
		"pages/api/post/[pid].go":             apiUser,
		"pages/api/post/[pid]_test.go":        "package x",
		"pages/api/readme.md":                 "",
		"app/items/[slug]/route.go":           getRoute,
		"app/items/[slug]/helper.go":          "package items",
		"app/items/[slug]/route_test.go":      "package items",
		"app/(shop)/cart/route.go":            getRoute,
		"app/_lib/route.go":                   getRoute,
		"app/%5Fsettings/route.go":            getRoute,
		"app/robots.txt/route.go":             getRoute,
		"app/items/[slug]/nested/notroute.go": "package x",
	})
	got, err := Discover(fsys)
	if err != nil {
		t.Fatal(err)
	}
	want := []struct {
		file, pattern string
		kind          Kind
		files         int
	}{
		{"app/%5Fsettings/route.go", "/_settings", KindRoute, 1},
		{"app/(shop)/cart/route.go", "/cart", KindRoute, 1},
		{"app/items/[slug]/route.go", "/items/[slug]", KindRoute, 2},
		{"app/robots.txt/route.go", "/robots.txt", KindRoute, 1},
		{"pages/api/index.go", "/api", KindAPI, 1},
		{"pages/api/post/[pid].go", "/api/post/[pid]", KindAPI, 1},
		{"pages/api/user.go", "/api/user", KindAPI, 1},
	}
	if len(got) != len(want) {
		t.Fatalf("got %d sources: %+v", len(got), got)
	}
	for i, w := range want {
		g := got[i]
		if g.File != w.file || g.Pattern != w.pattern || g.Kind != w.kind || len(g.Files) != w.files {
			t.Errorf("source %d = %+v, want %+v", i, g, w)
		}
	}
}

func TestBuildTableOrder(t *testing.T) {
	fsys := mapFS(map[string]string{
		"pages/api/user.go":                  apiUser,
		"pages/api/index.go":                 apiUser,
		"pages/api/post/create.go":           apiUser,
		"pages/api/post/[pid].go":            apiUser,
		"pages/api/post/[...slug].go":        apiUser,
		"pages/api/opt/[[...slug]].go":       apiUser,
		"pages/api/[post]/comments.go":       apiUser,
		"pages/api/[post]/[comment].go":      httpRoute,
		"app/items/[slug]/route.go":          getRoute,
		"app/(group)/items/special/route.go": getRoute,
	})
	tb, err := BuildTable(fsys)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"/api", "/api/opt/[[...slug]]", "/api/post/create", "/api/post/[pid]", "/api/post/[...slug]",
		"/api/user", "/api/[post]/comments", "/api/[post]/[comment]", "/items/special", "/items/[slug]"}
	if got := tb.Patterns(); strings.Join(got, " ") != strings.Join(want, " ") {
		t.Fatalf("order\n got %v\nwant %v", got, want)
	}
	byPattern := map[string]Route{}
	for _, r := range tb.Routes {
		byPattern[r.Pattern] = r
	}
	for pattern, want := range map[string]struct {
		name string
		form Form
	}{
		"/api":                  {"api", FormAPI},
		"/api/post/[pid]":       {"api-post-_pid", FormAPI},
		"/api/post/[...slug]":   {"api-post-__slug", FormAPI},
		"/api/opt/[[...slug]]":  {"api-opt-___slug", FormAPI},
		"/api/[post]/[comment]": {"api-_post-_comment", FormHTTPFunc},
		"/items/[slug]":         {"items-_slug", ""},
	} {
		r := byPattern[pattern]
		if r.Name != want.name || r.Form != want.form {
			t.Errorf("%s: name %q form %q, want %q %q", pattern, r.Name, r.Form, want.name, want.form)
		}
	}
	if m := byPattern["/items/[slug]"].Methods; len(m) != 1 || m[0] != (Method{"GET", FormServer}) {
		t.Errorf("methods = %+v", m)
	}
}

func TestBuildTableErrors(t *testing.T) {
	tests := []struct {
		name  string
		files map[string]string
		want  string
	}{
		{"index and file", map[string]string{"pages/api/posts.go": apiUser, "pages/api/posts/index.go": apiUser},
			"Duplicate page detected. pages/api/posts.go and pages/api/posts/index.go both resolve to /api/posts."},
		{"app and pages", map[string]string{"pages/api/health.go": apiUser, "app/api/health/route.go": getRoute, "app/api/ok/route.go": getRoute},
			"Conflicting app and page files were found, please remove the conflicting files to continue:\n  \"pages/api/health.go\" - \"app/api/health/route.go\""},
		{"two groups", map[string]string{"app/(a)/x/route.go": getRoute, "app/(b)/x/route.go": getRoute},
			"You cannot have two parallel pages that resolve to the same path. Please check app/(a)/x/route.go and app/(b)/x/route.go."},
		{"slug names", map[string]string{"pages/api/blog/[id].go": apiUser, "pages/api/blog/[cid]/x.go": apiUser},
			"pages/api/blog/[cid]/x.go, pages/api/blog/[id].go: You cannot use different slug names for the same dynamic path ('cid' !== 'id')."},
		{"slug across trees", map[string]string{"pages/api/blog/[id].go": apiUser, "app/api/blog/[cid]/x/route.go": getRoute},
			"You cannot use different slug names for the same dynamic path"},
		{"repeated slug", map[string]string{"pages/api/[id]/[id].go": apiUser},
			`pages/api/[id]/[id].go: You cannot have the same slug name "id" repeat within a single dynamic path`},
		{"catch-all not last", map[string]string{"app/[...a]/b/route.go": getRoute},
			"app/[...a]/b/route.go: Catch-all must be the last part of the URL."},
		{"required and optional", map[string]string{"pages/api/x/[...a].go": apiUser, "pages/api/x/[[...a]].go": apiUser},
			"pages/api/x/[...a].go, pages/api/x/[[...a]].go: You cannot use both an required and optional catch-all route at the same level"},
		{"index beside optional", map[string]string{"pages/api/sub.go": apiUser, "pages/api/sub/[[...all]].go": apiUser},
			`pages/api/sub.go, pages/api/sub/[[...all]].go: You cannot define a route with the same specificity as an optional catch-all route ("/api/sub" and "/api/sub/[[...all]]").`},
		{"malformed brackets", map[string]string{"pages/api/[[...id].go": apiUser},
			"pages/api/[[...id].go: Segment names may not start or end with extra brackets ('[...id')."},
		{"optional param", map[string]string{"pages/api/[[id]].go": apiUser},
			`pages/api/[[id]].go: Optional route parameters are not yet supported ("[[id]]").`},
		{"no handler", map[string]string{"pages/api/x.go": "package x\n\nfunc Other() {}\n"},
			"pages/api/x.go:1:9: API route pages/api/x.go does not declare a Handler"},
		{"bad handler", map[string]string{"pages/api/x.go": "package x\n\nimport \"net/http\"\n\nfunc Handler(r *http.Request) {}\n"},
			"pages/api/x.go:5:6: Handler must be func(*api.Request, *api.Response) or func(http.ResponseWriter, *http.Request), found func(*http.Request)"},
		{"package main", map[string]string{"pages/api/x.go": "package main\n\nfunc main() {}\n"},
			"pages/api/x.go:1:9: a route cannot be package main"},
		{"syntax error", map[string]string{"pages/api/x.go": "package x\n\nfunc Handler( {\n"},
			"pages/api/x.go:3:"},
		{"no methods", map[string]string{"app/x/route.go": "package x\n"},
			"app/x/route.go: No HTTP methods exported in 'app/x/route.go'. Export a named export for each HTTP method."},
		{"lowercase method", map[string]string{"app/x/route.go": "package x\n\nimport \"net/http\"\n\nfunc get(w http.ResponseWriter, r *http.Request) {}\n"},
			"app/x/route.go:5:6: Detected lowercase method 'get' in 'app/x/route.go'. Export the uppercase 'GET' method name to fix this error."},
		{"bad method", map[string]string{"app/x/route.go": "package x\n\nfunc GET() string { return \"\" }\n"},
			"app/x/route.go:3:6: GET must be func(*server.Request) (*server.Response, error) or func(http.ResponseWriter, *http.Request), found func() (string)"},
		{"config not literal", map[string]string{"pages/api/x.go": strings.Replace(apiUser, "func Handler", "var Config = makeConfig()\n\nfunc Handler", 1)},
			"pages/api/x.go:5:14: Config must be a composite literal of constants"},
		{"config non-constant field", map[string]string{"pages/api/x.go": strings.Replace(apiUser, "func Handler", "var Config = api.Config{MaxDuration: seconds()}\n\nfunc Handler", 1)},
			"pages/api/x.go:5:38: Config values must be constants (literals): a function call is not"},
		{"config unknown field", map[string]string{"pages/api/x.go": strings.Replace(apiUser, "func Handler", "var Config = api.Config{Timeout: 5}\n\nfunc Handler", 1)},
			"pages/api/x.go:5:25: unknown field Timeout in Config"},
		{"config wrong type", map[string]string{"pages/api/x.go": strings.Replace(apiUser, "func Handler", "var Config = api.Config{MaxDuration: \"5\"}\n\nfunc Handler", 1)},
			"pages/api/x.go:5:38: Config.MaxDuration must be a integer constant"},
		{"config bad size", map[string]string{"pages/api/x.go": strings.Replace(apiUser, "func Handler", "var Config = api.Config{BodyParser: api.BodyParser{SizeLimit: \"lots\"}}\n\nfunc Handler", 1)},
			`pages/api/x.go:5:1: BodyParser.SizeLimit "lots" is not a size`},
		{"config too long", map[string]string{"pages/api/x.go": strings.Replace(apiUser, "func Handler", "var Config = api.Config{MaxDuration: 901}\n\nfunc Handler", 1)},
			"pages/api/x.go:5:1: MaxDuration 901 is out of range: a Lambda function runs for 1 to 900 seconds"},
		{"config positional", map[string]string{"pages/api/x.go": strings.Replace(apiUser, "func Handler", "var Config = api.Config{api.BodyParser{}}\n\nfunc Handler", 1)},
			"pages/api/x.go:5:25: Config fields must be named"},
		{"route bad revalidate", map[string]string{"app/x/route.go": strings.Replace(getRoute, "func GET", "var Config = server.Config{Revalidate: -1}\n\nfunc GET", 1)},
			`app/x/route.go:5:1: Invalid segment configuration options detected for "/x".`},
		{"route bad dynamic", map[string]string{"app/x/route.go": strings.Replace(getRoute, "func GET", "var Config = server.Config{Dynamic: \"force-static\"}\n\nfunc GET", 1)},
			"app/x/route.go:5:37: Config.Dynamic must be one of server.Auto, server.ForceDynamic, server.ForceStatic, server.Error"},
		{"middleware without func", map[string]string{"middleware.go": "package root\n", "pages/api/x.go": apiUser},
			"middleware.go:1:9: middleware.go must declare func Middleware"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := BuildTable(mapFS(tt.files))
			if err == nil {
				t.Fatal("BuildTable succeeded")
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error\n got %s\nwant it to contain %s", err, tt.want)
			}
		})
	}
}

func TestReadConfig(t *testing.T) {
	src := `package x

import (
	"net/http"

	nx "github.com/nextgo-dev/nextgo/runtime/api"
)

var Config = nx.Config{
	BodyParser:       nx.BodyParser{SizeLimit: "500kb", Disabled: false},
	ResponseLimit:    nx.NoResponseLimit,
	ExternalResolver: true,
	MaxDuration:      5,
	Memory:           512,
}

var Handler http.Handler = http.NotFoundHandler()
`
	tb, err := BuildTable(mapFS(map[string]string{"pages/api/x.go": src, "app/y/route.go": strings.Replace(getRoute, "func GET",
		"var Config = server.Config{Dynamic: server.ForceStatic, Revalidate: 60, MaxDuration: 10, BodySizeLimit: \"1mb\", Memory: 256}\n\nfunc GET", 1)}))
	if err != nil {
		t.Fatal(err)
	}
	api, route := tb.Routes[0], tb.Routes[1]
	want := RouteConfig{Set: true, Line: 9, MaxDuration: 5, Memory: 512, SizeLimit: "500kb", NoResponseLimit: true, ExternalResolver: true}
	if api.Config != want || api.Form != FormHTTPHandler {
		t.Errorf("api config = %+v form %s", api.Config, api.Form)
	}
	wantRoute := RouteConfig{Set: true, Line: 5, MaxDuration: 10, Memory: 256, Dynamic: "ForceStatic", Revalidate: 60, BodySizeLimit: "1mb"}
	if route.Config != wantRoute {
		t.Errorf("route config = %+v", route.Config)
	}
}

func TestStreams(t *testing.T) {
	stream := strings.Replace(getRoute, "return server.Text(\"hi\"), nil", "return server.Stream(func(w io.Writer) error { return nil }), nil", 1)
	stream = strings.Replace(stream, "import \"github.com", "import (\n\t\"io\"\n\t\"github.com", 1)
	stream = strings.Replace(stream, "runtime/server\"\n", "runtime/server\"\n)\n", 1)
	pipe := strings.Replace(stream, "server.Stream(func(w io.Writer) error { return nil })", "server.NewResponse(pr)", 1)
	pipe = strings.Replace(pipe, "return server.NewResponse", "pr, _ := io.Pipe()\n\treturn server.NewResponse", 1)
	flush := strings.Replace(apiUser, "res.Status(200)", "res.Flush(); res.Status(200)", 1)
	tb, err := BuildTable(mapFS(map[string]string{"app/s/route.go": stream, "app/p/route.go": pipe, "app/t/route.go": getRoute, "pages/api/f.go": flush, "pages/api/u.go": apiUser}))
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range tb.Routes {
		want := r.Pattern == "/s" || r.Pattern == "/p" || r.Pattern == "/api/f"
		if r.Streams != want {
			t.Errorf("%s: Streams = %v, want %v", r.Pattern, r.Streams, want)
		}
	}
}
