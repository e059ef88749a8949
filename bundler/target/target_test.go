package target

import (
	"io/fs"
	"os"
	"strings"
	"testing"

	"github.com/nextgo-dev/nextgo/bundler/internal/bundlertest"

	"github.com/nextgo-dev/nextgo/bundler/routes"
	"github.com/nextgo-dev/nextgo/bundler/stage"
	"github.com/nextgo-dev/nextgo/runtime/rules"
)

const (
	apiUser  = bundlertest.APIUser
	getRoute = bundlertest.GetRoute
)

var mapFS = bundlertest.MapFS

func TestStage(t *testing.T) {
	fsys := mapFS(map[string]string{"pages/api/post/[pid].go": apiUser, "app/items/[slug]/route.go": getRoute, "app/items/[slug]/util.go": "package items\n"})
	tb, err := routes.BuildTable(fsys)
	if err != nil {
		t.Fatal(err)
	}
	app := stage.App{Module: "example.com/app", Dir: "/src/app"}
	files, err := stage.Routes(fsys, app, tb)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"routes/api-post-_pid/route.go": "//line /src/app/pages/api/post/[pid].go:1:1\n" + apiUser,
		"routes/items-_slug/route.go":   "//line /src/app/app/items/[slug]/route.go:1:1\n" + getRoute,
		"routes/items-_slug/util.go":    "//line /src/app/app/items/[slug]/util.go:1:1\npackage items\n",
	}
	if len(files) != len(want) {
		t.Fatalf("staged %v", files.Paths())
	}
	for p, w := range want {
		if string(files[p]) != w {
			t.Errorf("%s =\n%s\nwant\n%s", p, files[p], w)
		}
	}
	main, err := DevMain(app, tb)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{
		`r0 "example.com/app/_nextgo/routes/api-post-_pid"`,
		`{Pattern: "/api/post/[pid]", File: "pages/api/post/[pid].go", MaxDuration: 0 * time.Second, Handler: api.NewHandler(api.Route{File: "pages/api/post/[pid].go", Config: api.Config{}, Handler: r0.Handler, Cache: store})}`,
		`server.NewHandler(server.Route{File: "app/items/[slug]/route.go", Config: server.Config{}, GET: server.Func(r1.GET), Cache: store})`,
	} {
		if !strings.Contains(string(main), s) {
			t.Errorf("dev main lacks %s:\n%s", s, main)
		}
	}
}

func TestFallbackMain(t *testing.T) {
	mw := "package root\n\nimport \"github.com/nextgo-dev/nextgo/runtime/server\"\n\nvar MiddlewareConfig = server.MiddlewareConfig{Matcher: []string{\"/api/:path*\"}}\n\nfunc Middleware(req *server.Request) (*server.Response, error) { return server.Next(), nil }\n"
	tb, err := routes.BuildTable(mapFS(map[string]string{"middleware.go": mw, "pages/api/u.go": apiUser}))
	if err != nil {
		t.Fatal(err)
	}
	app := stage.App{Module: "example.com/app", Dir: "/src/app"}
	fb, ok := fallbackRoute(app, tb)
	if !ok || fb.Name != FallbackName || fb.Kind != routes.KindFallback || fb.File != "middleware.go" || fb.Pattern != "" {
		t.Fatalf("fallback = %+v, %v", fb, ok)
	}
	main, err := FallbackMain(app, tb, Effective{MaxDuration: 30})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{`mw "example.com/app/_nextgo/middleware"`, "opts.Middleware = m.Wrap", "mux.New(nil, opts)",
		`nglambda.Start(mx, nglambda.Options{MaxDuration: 30 * time.Second, Route: "$default", File: "middleware.go"})`} {
		if !strings.Contains(string(main), s) {
			t.Errorf("fallback main lacks %s:\n%s", s, main)
		}
	}
	plain, err := routes.BuildTable(mapFS(map[string]string{"pages/api/u.go": apiUser}))
	if err != nil {
		t.Fatal(err)
	}
	// Every app has one: Next's 404 and slash redirects for the paths no
	// route serves.
	if fb, ok := fallbackRoute(stage.App{}, plain); !ok || fb.Name != FallbackName || fb.File != "" {
		t.Errorf("an app without middleware or rules: fallback %+v, %v", fb, ok)
	}
}

// The generated mains spell nextgo.json's rules as a composite literal
// whose strings are quoted: a value cannot end the string and add code.
func TestGeneratedRulesQuoted(t *testing.T) {
	tb, err := routes.BuildTable(mapFS(map[string]string{"pages/api/u.go": apiUser}))
	if err != nil {
		t.Fatal(err)
	}
	rc := rules.Config{BasePath: "/x\"); panic(\"injected", Headers: []rules.Header{{Source: "/`a`", Headers: []rules.KeyValue{{Key: "K", Value: "v\n}"}}}}}
	app := stage.App{Module: "example.com/app", Dir: "/src/app", Rules: &rc}
	main, err := DevMain(app, tb)
	if err != nil {
		t.Fatal(err)
	}
	want := `rs, err := rules.New(rules.Config{BasePath: "/x\"); panic(\"injected", Headers: []rules.Header{{Source: "/` + "`a`" + `", Headers: []rules.KeyValue{{Key: "K", Value: "v\n}"}}}}})`
	if !strings.Contains(string(main), want) {
		t.Errorf("dev main lacks\n%s\n%s", want, main)
	}
}

// routesTable reads the route table of the app in dir.
func routesTable(dir string) (*routes.Table, error) { return routes.BuildTable(os.DirFS(dir)) }

// routesTableFS reads the route table of an app tree.
func routesTableFS(fsys fs.FS) (*routes.Table, error) { return routes.BuildTable(fsys) }

// appAt is an app of module example.com/app in dir, staged for builds.
func appAt(dir string) stage.App {
	return stage.App{Module: "example.com/app", Dir: dir, Stage: stage.Build}
}
