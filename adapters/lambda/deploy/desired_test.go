package deploy

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/nextgo-dev/nextgo/bundler/manifest"
	"github.com/nextgo-dev/nextgo/bundler/routes"
)

func desiredBuild(fns ...manifest.Function) *Build {
	for i := range fns {
		f := &fns[i]
		f.SHA256 = strings.Repeat("ab", 32)
		if f.Arch == "" {
			f.Arch = "arm64"
		}
		if f.Kind == "" {
			f.Kind = "api"
		}
		f.MaxDuration, f.Memory = 10, 256
	}
	return &Build{Manifest: manifest.Manifest{App: "shop", Functions: fns}, Env: map[string]string{"TOKEN": "t0k3n"}}
}

func TestDesire(t *testing.T) {
	withEnv := manifest.Function{Pattern: "/api/items/[id]", Zip: "functions/items.zip", SharedCache: true, Cache: "revalidate=5"}
	withEnv.SetEnv(map[string]string{"TOKEN": "t0k3n", "NEXTGO_RESPONSE_CACHE": "memory"})
	d, err := Desire(desiredBuild(withEnv, manifest.Function{Pattern: "/api/docs/[[...slug]]"}, manifest.Function{Kind: string(routes.KindFallback)}), "prod")
	if err != nil {
		t.Fatal(err)
	}
	items := d.Function(FunctionName("shop", "prod", "/api/items/[id]"))
	if items == nil || items.Role != "nextgo-shop-prod-cache" || strings.Join(items.Env, ",") != "TOKEN" || items.Arch != "arm64" ||
		items.CodeSHA256 != "q6urq6urq6urq6urq6urq6urq6urq6urq6urq6urq6s=" || items.Tags[TagRoute] != RouteID("/api/items/[id]") ||
		strings.Join(items.RouteKeys, ",") != "ANY /api/items/{id}" || items.Permission.StatementID != permissionSid {
		t.Errorf("items %+v", items)
	}
	if d.Front != FrontHTTP || d.HTTP == nil || d.REST != nil || len(d.HTTP.Routes) != 4 || d.HTTP.Routes[3] != (DesiredRoute{Key: "$default", Function: "shop-prod-_fallback"}) {
		t.Errorf("front %s, HTTP %+v", d.Front, d.HTTP)
	}
	if d.Cache == nil || strings.Join(d.Cache.Regenerate, ",") != items.Name || d.Cache.Prefix != "cache/" || d.Role.Name != "nextgo-shop-prod-exec" {
		t.Errorf("cache %+v, role %+v", d.Cache, d.Role)
	}
	// The JSON of the plan holds names, never an environment value.
	if b, _ := json.Marshal(d); strings.Contains(string(b), "t0k3n") || !strings.Contains(string(b), `"env":["TOKEN"]`) {
		t.Errorf("desired state as JSON: %s", b)
	}

	d, err = Desire(desiredBuild(manifest.Function{Pattern: "/api/stream", Streaming: true}, manifest.Function{Pattern: "/api/x"}), "prod")
	if err != nil {
		t.Fatal(err)
	}
	if d.Front != FrontREST || d.HTTP != nil || d.REST.Stage != "prod" || len(d.REST.Resources) != 4 {
		t.Errorf("streaming app: front %s, REST %+v", d.Front, d.REST)
	}
	if f := d.Function(FunctionName("shop", "prod", "/api/stream")); !f.Streaming || strings.Join(f.RouteKeys, ",") != "ANY /api/stream" {
		t.Errorf("stream %+v", f)
	}

	for _, tt := range []struct {
		b     *Build
		stage string
		want  string
	}{
		{desiredBuild(manifest.Function{Pattern: "/a"}), "a b", `stage name "a b": only letters, digits, '-' and '_' are allowed`},
		{desiredBuild(manifest.Function{Pattern: "/a", Arch: "386"}), "prod", `function : architecture "386": want arm64 or amd64`},
		{desiredBuild(manifest.Function{Pattern: "/[a]", Streaming: true}, manifest.Function{Kind: string(routes.KindFallback)}), "prod", "routes /[a] and $default need two path variables under /"},
	} {
		if _, err := Desire(tt.b, tt.stage); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("Desire: %v, want %q", err, tt.want)
		}
	}
}
