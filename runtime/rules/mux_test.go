package rules

import (
	"fmt"
	"go/parser"
	"net/http"
	"testing"

	"github.com/nextgo-dev/nextgo/runtime/mux"
	"github.com/nextgo-dev/nextgo/runtime/router"
)

// The rules in front of the real dispatcher, as the generated mains put
// them: mux.Options.Middleware = rs.Middleware(appMiddleware).
func TestWithMux(t *testing.T) {
	route := func(name string) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			fmt.Fprintf(w, "%s %s %v", name, r.URL.RequestURI(), router.ParamsFrom(r.Context()))
		})
	}
	routes := []mux.Route{
		{Pattern: "/api/user", File: "pages/api/user.go", Handler: route("user")},
		{Pattern: "/api/post/[pid]", File: "pages/api/post/[pid].go", Handler: route("post")},
	}
	cfg := Config{
		BasePath:  "/docs",
		Headers:   []Header{{Source: "/:path*", Headers: []KeyValue{{Key: "X-Powered-By", Value: "nextgo"}}}},
		Redirects: []Redirect{{Source: "/old/:pid", Destination: "/api/post/:pid", Permanent: true}},
		Rewrites:  Rewrites{AfterFiles: []Rewrite{{Source: "/p/:pid", Destination: "/api/post/:pid"}}},
	}
	for _, r := range routes {
		cfg.Routes = append(cfg.Routes, r.Pattern)
	}
	rs, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	var mwSaw string
	appMiddleware := func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			mwSaw = r.URL.Path
			next.ServeHTTP(w, r)
		})
	}
	mx, err := mux.New(routes, mux.Options{Middleware: rs.Middleware(appMiddleware)})
	if err != nil {
		t.Fatal(err)
	}
	h := http.Handler(mx)
	tests := []reqCase{
		{name: "route under the base path", target: "/docs/api/user?x=1", want: result{status: 200, body: "user /api/user?x=1 []", headers: map[string]string{"X-Powered-By": "nextgo"}}},
		{name: "params set by the dispatcher", target: "/docs/api/post/7", want: result{status: 200, body: "post /api/post/7 [{pid [7] false}]"}},
		{name: "rewrite", target: "/docs/p/8", want: result{status: 200, body: "post /api/post/8 [{pid [8] false}]"}},
		{name: "redirect", target: "/docs/old/9", want: result{status: 308, body: "/docs/api/post/9", headers: map[string]string{"Location": "/docs/api/post/9", "X-Powered-By": "nextgo"}}},
		{name: "outside the base path", target: "/api/user", want: result{status: 404, body: "Not Found"}},
		{name: "unknown under the base path", target: "/docs/nope", want: result{status: 404, body: "Not Found"}},
		{name: "the dispatcher's own 308 first", target: "/docs/api/user/", want: result{status: 308, body: "/docs/api/user"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { serve(t, h, tc) })
	}
	serve(t, h, reqCase{target: "/docs/api/user", want: result{status: 200, body: "user /api/user []"}})
	if mwSaw != "/api/user" {
		t.Errorf("the app's middleware saw %q, want the path without the base path", mwSaw)
	}
}

// A Config printed with %#v is Go syntax: the bundler can emit it as a
// composite literal in generated mains.
func TestConfigGoSyntax(t *testing.T) {
	cfg := Config{
		BasePath:  "/docs",
		Headers:   []Header{{Source: "/a", Headers: []KeyValue{{Key: "X", Value: "\"q\"\n"}}, Has: []Condition{{Type: "query", Key: "k"}}}},
		Redirects: []Redirect{{Source: "/b", Destination: "/c", Permanent: true, NoBasePath: true}},
		Rewrites:  Rewrites{Fallback: []Rewrite{{Source: "/d", Destination: "https://example.com/:path*"}}},
		Routes:    []string{"/api/[x]"},
	}
	src := fmt.Sprintf("%#v", cfg)
	if _, err := parser.ParseExpr(src); err != nil {
		t.Fatalf("%%#v is not an expression: %v\n%s", err, src)
	}
}
