package e2e

import (
	"net/http"
	"slices"
	"strings"
	"testing"
)

// rulesCases exercise nextgo.json: headers, redirects, rewrites and the
// project body limit, with a .env value reaching the route.
func rulesCases() []httpCase {
	served := map[string]string{"X-Served-By": "nextgo"}
	return []httpCase{
		{name: "header rule", path: "/api/items/abc", status: 200, want: `{"secret":true,"slug":"abc"}`, headers: served},
		{name: "redirect rule", path: "/api/legacy", status: 307, want: "/api/items/legacy",
			headers: map[string]string{"Location": "/api/items/legacy", "X-Served-By": "nextgo"}},
		{name: "permanent redirect rule", path: "/old/zz", status: 308, want: "/api/items/zz",
			headers: map[string]string{"Location": "/api/items/zz", "Refresh": "0;url=/api/items/zz"}},
		{name: "rewrite rule", path: "/api/alias/q", status: 200, want: `{"secret":true,"slug":"q"}`, headers: served, devOnly: true},
		{name: "project body limit", method: "POST", path: "/api/items/abc", header: http.Header{"Content-Type": {"text/plain"}},
			body: "12345678901", status: 413, want: "Body exceeded 10b limit"},
		{name: "within the project body limit", method: "POST", path: "/api/items/abc", header: http.Header{"Content-Type": {"text/plain"}},
			body: "1234567890", status: 200, want: `{"secret":true,"slug":"abc"}`},
	}
}

// TestRules runs the nextgo.json app under nextgo dev and nextgo start.
func TestRules(t *testing.T) {
	for _, verb := range []string{"dev", "start"} {
		t.Run(verb, func(t *testing.T) {
			dir := copyApp(t, "rules")
			s := startNextgo(t, verb, dir, "/api/items/ready")
			runCases(t, s.URL, rulesCases(), verb == "start")
			if strings.Contains(s.Out.String(), "s3cr3t-value") {
				t.Errorf("nextgo %s printed a .env value", verb)
			}
		})
	}
	dir := copyApp(t, "rules")
	out, err := runNextgo(t, "build", dir, "--json")
	if err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	if strings.Contains(out, "s3cr3t-value") {
		t.Errorf("nextgo build --json printed a .env value")
	}
	m := readManifest(t, dir+"/.nextgo/build")
	if m.App != "rulesapp" {
		t.Errorf("app name %q, want nextgo.json's rulesapp", m.App)
	}
	if n := len(m.Functions); n != 3 || m.Functions[2].Kind != "fallback" {
		t.Fatalf("functions = %+v; want the two routes and the fallback that runs the rules for other paths", m.Functions)
	}
	for _, f := range m.Functions {
		if f.Kind == "fallback" {
			f.BodyLimit = 10 // the fallback reads no body
		}
		if f.MaxDuration != 10 || f.Memory != 256 || f.BodyLimit != 10 || !slices.Contains(f.Env, "SECRET_TOKEN") {
			t.Errorf("%s: maxDuration %d memory %d bodyLimit %d env %v; want nextgo.json's defaults and the .env variable",
				f.Pattern, f.MaxDuration, f.Memory, f.BodyLimit, f.Env)
		}
	}
}
