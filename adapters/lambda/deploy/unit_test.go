package deploy

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/nextgo-dev/nextgo/bundler/manifest"
	"github.com/nextgo-dev/nextgo/e2e/awsfake"
	"github.com/nextgo-dev/nextgo/e2e/awsfake/testbuild"
)

func TestNames(t *testing.T) {
	h := func(pattern string) string {
		sum := sha256.Sum256([]byte(pattern))
		return hex.EncodeToString(sum[:4])
	}
	long := "/api/" + strings.Repeat("x", 60)
	tests := []struct {
		got, want string
	}{
		{FunctionName("shop", "dev", "/api/post/[pid]"), "shop-dev-api-post-_pid-" + h("/api/post/[pid]")},
		{FunctionName("shop", "dev", "/api/docs/[[...slug]]"), "shop-dev-api-docs-___slug-" + h("/api/docs/[[...slug]]")},
		{FunctionName("shop", "dev", "/api/[...all]"), "shop-dev-api-__all-" + h("/api/[...all]")},
		{FunctionName("shop", "dev", "/"), "shop-dev-index-" + h("/")},
		{FunctionName("shop", "dev", ""), "shop-dev-_fallback"},
		{FunctionName("my.app", "dev", "/api/a.b"), "my-app-dev-api-a_b-" + h("/api/a.b")},
		{FunctionName("shop", "dev", long), "shop-dev-api-" + strings.Repeat("x", 42) + "-" + h(long)},
		{RouteID("/api/post/[pid]"), "api-post-_pid-" + h("/api/post/[pid]")},
		{RoleName("shop", "prod"), "nextgo-shop-prod-exec"},
		{APIName("shop", "prod"), "shop-prod"},
		{functionPrefix("shop", "dev"), "shop-dev-"},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("got %q, want %q", tt.got, tt.want)
		}
	}
}

// TestFunctionNameStable checks that a route's function name depends on
// that route alone: the same for any set of neighbours, distinct from every
// other route's, within Lambda's 64 characters of [a-zA-Z0-9-_], and
// prefixed by functionPrefix, which ownedFunctions lists by.
func TestFunctionNameStable(t *testing.T) {
	nameRE := regexp.MustCompile(`^[a-zA-Z0-9_-]{1,64}$`)
	long := strings.Repeat("members", 10)
	patterns := []string{
		"/api/orgs/[org]/" + long + "/members", "/api/orgs/[org]/" + long + "/billing",
		"/api/orgs/[org]/" + long + "/members/[id]", "/api/a.b", "/api/a_b", "/api/a-b", "/api/a b",
		"/api/é", "/api/ü", "/", "/[[...all]]", "/api/post/[pid]", "/api/post/[id]", "/api/post/[...slug]", "",
	}
	for _, app := range []string{"shop", "a-very-long-application-name-that-fills-the-name", strings.Repeat("n", 64)} {
		for _, stage := range []string{"dev", strings.Repeat("s", 32)} {
			seen := map[string]string{}
			prefix := functionPrefix(app, stage)
			for _, p := range patterns {
				name := FunctionName(app, stage, p)
				if !nameRE.MatchString(name) {
					t.Errorf("FunctionName(%q, %q, %q) = %q: not a Lambda function name", app, stage, p, name)
				}
				if !strings.HasPrefix(name, prefix) {
					t.Errorf("FunctionName(%q, %q, %q) = %q lacks the prefix %q", app, stage, p, name, prefix)
				}
				if other, dup := seen[name]; dup {
					t.Errorf("%q and %q are both named %q", other, p, name)
				}
				seen[name] = p
			}
		}
	}

	// The name a build gives a route does not change when routes are added
	// or removed around it, in any order.
	fns := func(patterns ...string) []manifest.Function {
		var out []manifest.Function
		for _, p := range patterns {
			out = append(out, manifest.Function{Name: "n" + strconv.Itoa(len(out)), Pattern: p, Kind: "api"})
		}
		return out
	}
	names := func(list []manifest.Function) map[string]string {
		m := map[string]string{}
		for i := range list {
			m[list[i].Pattern] = FunctionName("shop", "dev", routePattern(&list[i]))
		}
		return m
	}
	base := names(fns(patterns[:3]...))
	for _, variant := range [][]string{
		{patterns[1], patterns[0], patterns[2]},
		{patterns[0], patterns[1], patterns[2], "/api/orgs/[org]/" + long + "/billingx"},
		{patterns[2], patterns[0], patterns[1], "/api/orgs/[org]/" + long + "/members2"},
	} {
		got := names(fns(variant...))
		for p, want := range base {
			if got[p] != want {
				t.Errorf("with routes %v, %s is named %q, alone %q", variant, p, got[p], want)
			}
		}
	}
	removed := names(fns(patterns[0]))
	if removed[patterns[0]] != base[patterns[0]] {
		t.Errorf("without its neighbours %s is named %q, with them %q", patterns[0], removed[patterns[0]], base[patterns[0]])
	}
}

func TestValidateStage(t *testing.T) {
	for _, ok := range []string{"dev", "prod-2", "a_b", strings.Repeat("s", 32)} {
		if err := ValidateStage(ok); err != nil {
			t.Errorf("ValidateStage(%q) = %v", ok, err)
		}
	}
	for stage, want := range map[string]string{
		"":                      "stage name is empty",
		"a b":                   `stage name "a b": only letters, digits, '-' and '_' are allowed`,
		"dév":                   `stage name "dév": only letters, digits, '-' and '_' are allowed`,
		strings.Repeat("s", 33): `stage name "` + strings.Repeat("s", 33) + `" is longer than 32 characters`,
	} {
		if err := ValidateStage(stage); err == nil || err.Error() != want {
			t.Errorf("ValidateStage(%q) = %v, want %q", stage, err, want)
		}
	}
}

func TestRouteKeys(t *testing.T) {
	tests := []struct {
		fn   manifest.Function
		want []string
		err  string
	}{
		{manifest.Function{Pattern: "/api/hello", Kind: "api", Methods: []string{"*"}}, []string{"ANY /api/hello"}, ""},
		{manifest.Function{Pattern: "/api/post/[pid]", Kind: "api"}, []string{"ANY /api/post/{pid}"}, ""},
		{manifest.Function{Pattern: "/api/post/[...slug]", Kind: "api"}, []string{"ANY /api/post/{slug+}"}, ""},
		{manifest.Function{Pattern: "/api/post/[[...slug]]", Kind: "api"}, []string{"ANY /api/post", "ANY /api/post/{slug+}"}, ""},
		{manifest.Function{Pattern: "/[[...all]]", Kind: "api"}, []string{"ANY /", "ANY /{all+}"}, ""},
		{manifest.Function{Pattern: "/", Kind: "api"}, []string{"ANY /"}, ""},
		{manifest.Function{Pattern: "/api/[a-b]/x", Kind: "api"}, []string{"ANY /api/{a_b}/x"}, ""},
		{manifest.Function{Pattern: "/api/items/[slug]", Kind: "route", Methods: []string{"GET", "POST"}},
			[]string{"ANY /api/items/{slug}"}, ""},
		{manifest.Function{Pattern: "/api/x", Kind: "route", Methods: []string{"delete"}}, []string{"ANY /api/x"}, ""},
		{manifest.Function{Pattern: "/api/x", Kind: "route", Methods: []string{"GET", "HEAD", "OPTIONS"}}, []string{"ANY /api/x"}, ""},
		{manifest.Function{Pattern: "/api/x", Kind: "route", Methods: []string{"*"}}, []string{"ANY /api/x"}, ""},
		{manifest.Function{Pattern: "/api/x", Kind: "route", Methods: []string{"FETCH"}}, nil, `route /api/x: unsupported method "FETCH"`},
		{manifest.Function{Pattern: "/api/[...a]/b", Kind: "api"}, nil, "route /api/[...a]/b: Catch-all must be the last part of the URL."},
		{manifest.Function{Pattern: "api/x", Kind: "api"}, nil, `route api/x: route "api/x" must start with "/"`},
		{manifest.Function{Pattern: "/api/{x}", Kind: "api"}, nil, `route /api/{x}: segment "{x}" cannot be expressed as an API Gateway route path`},
		{manifest.Function{Name: "_fallback", Kind: "fallback", Methods: []string{"*"}}, []string{"$default"}, ""},
		{manifest.Function{Name: "_fallback", Kind: "fallback"}, []string{"$default"}, ""},
		{manifest.Function{Pattern: "/", Kind: "fallback", Methods: []string{"*"}}, nil, `fallback function has the pattern "/": it serves the paths no route serves and has none`},
		{manifest.Function{Kind: "fallback", Methods: []string{"GET"}}, nil, `fallback function has the methods [GET]: it serves every method, ["*"]`},
		{manifest.Function{Pattern: "", Kind: "api", Methods: []string{"*"}}, nil, `route : route "" must start with "/"`},
	}
	for _, tt := range tests {
		got, err := RouteKeys(tt.fn)
		if tt.err != "" {
			if err == nil || err.Error() != tt.err {
				t.Errorf("RouteKeys(%s) error = %v, want %q", tt.fn.Pattern, err, tt.err)
			}
			continue
		}
		if err != nil || !slices.Equal(got, tt.want) {
			t.Errorf("RouteKeys(%s %v) = %v, %v; want %v", tt.fn.Pattern, tt.fn.Methods, got, err, tt.want)
		}
	}
}

func TestReleaseInfo(t *testing.T) {
	for _, r := range []releaseInfo{{1, "abc", ""}, {12, "rollback", "7"}} {
		got, ok := parseReleaseInfo(r.String())
		if !ok || got != r {
			t.Errorf("round trip of %+v = %+v, %v", r, got, ok)
		}
	}
	for _, bad := range []string{"", "release=1", "nextgo", "nextgo release=x", "nextgo release=0 build=a", "nextgo release=1 previous=x", "nextgo release=1 junk"} {
		if r, ok := parseReleaseInfo(bad); ok {
			t.Errorf("parseReleaseInfo(%q) = %+v, want not ok", bad, r)
		}
	}
	alias := func(desc string) *lambda.GetAliasOutput { return &lambda.GetAliasOutput{Description: aws.String(desc)} }
	tests := []struct {
		aliases []*lambda.GetAliasOutput
		build   string
		want    int
	}{
		{nil, "b", 1},
		{[]*lambda.GetAliasOutput{nil, alias("hand-made")}, "b", 1},
		{[]*lambda.GetAliasOutput{alias("nextgo release=3 build=a"), alias("nextgo release=1 build=b")}, "b", 4},
		{[]*lambda.GetAliasOutput{alias("nextgo release=3 build=a"), alias("nextgo release=3 build=b")}, "b", 3},
		{[]*lambda.GetAliasOutput{alias("nextgo release=2 build=b"), alias("nextgo release=3 build=a")}, "b", 4},
	}
	for i, tt := range tests {
		if got := nextRelease(tt.aliases, tt.build); got != tt.want {
			t.Errorf("%d: nextRelease = %d, want %d", i, got, tt.want)
		}
	}
}

func TestEnvDiff(t *testing.T) {
	tests := []struct {
		cur, want map[string]string
		diff      string
	}{
		{nil, nil, ""},
		{nil, map[string]string{}, ""},
		{map[string]string{"A": "1"}, map[string]string{"A": "1"}, ""},
		{map[string]string{"A": "1", "C": "3"}, map[string]string{"A": "2", "B": "x"}, "A changed, B added, C removed"},
	}
	for _, tt := range tests {
		if got := envDiff(tt.cur, tt.want); got != tt.diff {
			t.Errorf("envDiff(%v, %v) = %q, want %q", tt.cur, tt.want, got, tt.diff)
		}
	}
}

func TestTrustsLambda(t *testing.T) {
	tests := []struct {
		doc  string
		want bool
	}{
		{trustPolicy, true},
		{"%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%5B%7B%22Effect%22%3A%22Allow%22%2C%22Principal%22%3A%7B%22Service%22%3A%22lambda.amazonaws.com%22%7D%2C%22Action%22%3A%22sts%3AAssumeRole%22%7D%5D%7D", true},
		{`{"Statement":[{"Effect":"Allow","Principal":{"Service":["ec2.amazonaws.com","lambda.amazonaws.com"]},"Action":["sts:AssumeRole"]}]}`, true},
		{`{"Statement":[{"Effect":"Deny","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}`, false},
		{`{"Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}`, false},
		{`not json`, false},
	}
	for _, tt := range tests {
		if got := trustsLambda(tt.doc); got != tt.want {
			t.Errorf("trustsLambda(%s) = %v, want %v", tt.doc, got, tt.want)
		}
	}
}

func TestLoadBuildRejectsBadManifests(t *testing.T) {
	e := &testEnv{t: t}
	good := e.build("shop", testbuild.Route{Name: "api-x", Pattern: "/api/x", Reply: "v1"})
	tests := []struct {
		name   string
		change func(m *manifest.Manifest, dir string)
		err    string
	}{
		{"version", func(m *manifest.Manifest, _ string) { m.Version = 1 }, "manifest version 1, this nextgo reads version 2: rebuild"},
		{"no app", func(m *manifest.Manifest, _ string) { m.App = "" }, "app name is empty"},
		{"no routes", func(m *manifest.Manifest, _ string) { m.Functions = nil }, "the build has no routes"},
		{"duplicate", func(m *manifest.Manifest, _ string) { m.Functions = append(m.Functions, m.Functions[0]) }, `functions "api-x" and "api-x" both serve route ANY /api/x`},
		{"arch", func(m *manifest.Manifest, _ string) { m.Functions[0].Arch = "386" }, `function api-x: architecture "386": want arm64 or amd64`},
		{"timeout", func(m *manifest.Manifest, _ string) { m.Functions[0].MaxDuration = 901 }, "function api-x: maxDuration 901 s is outside Lambda's 1..900 s"},
		{"memory", func(m *manifest.Manifest, _ string) { m.Functions[0].Memory = 64 }, "function api-x: memory 64 MB is outside Lambda's 128..10240 MB"},
		{"pattern", func(m *manifest.Manifest, _ string) { m.Functions[0].Pattern = "/api/[...a]/b" }, "function api-x: route /api/[...a]/b: Catch-all must be the last part of the URL."},
		{"zip outside", func(m *manifest.Manifest, _ string) { m.Functions[0].Zip = "../x.zip" }, `function api-x: zip path "../x.zip" must be relative to the build directory`},
		{"stale zip", func(m *manifest.Manifest, _ string) { m.Functions[0].SHA256 = strings.Repeat("0", 64) }, "function api-x: functions/api-x.zip has SHA-256 "},
		{"missing zip", func(_ *manifest.Manifest, dir string) { os.Remove(filepath.Join(dir, "functions", "api-x.zip")) }, "function api-x: open "},
		{"fallback with a pattern", func(m *manifest.Manifest, _ string) { m.Functions[0].Kind = "fallback" }, `function api-x: fallback function has the pattern "/api/x": it serves the paths no route serves and has none`},
		{"two fallbacks", func(m *manifest.Manifest, _ string) {
			fb := m.Functions[0]
			fb.Kind, fb.Pattern = "fallback", ""
			fb2 := fb
			fb.Name, fb2.Name = "_fallback", "_fallback2"
			m.Functions = append(m.Functions, fb, fb2)
		}, `functions "_fallback" and "_fallback2" both serve route $default`},
		{"route key served twice", func(m *manifest.Manifest, _ string) {
			opt := m.Functions[0]
			opt.Name, opt.Pattern = "api-x-rest", "/api/x/[[...rest]]"
			m.Functions = append(m.Functions, opt)
		}, `functions "api-x" and "api-x-rest" both serve route ANY /api/x`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			data, _ := os.ReadFile(filepath.Join(good.Dir, "functions", "api-x.zip"))
			os.MkdirAll(filepath.Join(dir, "functions"), 0o755)
			os.WriteFile(filepath.Join(dir, "functions", "api-x.zip"), data, 0o644)
			m := good.Manifest
			m.Functions = slices.Clone(m.Functions)
			tt.change(&m, dir)
			out, _ := json.Marshal(m)
			os.WriteFile(filepath.Join(dir, ManifestFile), out, 0o644)
			_, err := LoadBuild(dir, good.Env)
			prefix := "read build: " + filepath.Join(dir, ManifestFile) + ": "
			if err == nil || !strings.HasPrefix(err.Error(), prefix+tt.err) {
				t.Errorf("LoadBuild: %v\nwant prefix %q", err, prefix+tt.err)
			}
		})
	}
	if _, err := LoadBuild(t.TempDir(), nil); err == nil || !strings.HasPrefix(err.Error(), "read build: open ") {
		t.Errorf("LoadBuild of an empty directory: %v", err)
	}
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, ManifestFile), []byte("{"), 0o644)
	if _, err := LoadBuild(dir, nil); err == nil || !strings.Contains(err.Error(), "unexpected end of JSON input") {
		t.Errorf("LoadBuild of bad JSON: %v", err)
	}
}

func TestCheckManifest(t *testing.T) {
	byDigest := map[string]map[string]string{} // each function's values, as read from .env
	fn := func(pattern string, env map[string]string) manifest.Function {
		f := manifest.Function{Name: "x", Pattern: pattern, Kind: "api", Methods: []string{"*"}}
		f.SetEnv(env)
		byDigest[f.EnvSHA256] = env
		return f
	}
	big := strings.Repeat("x", 4096-len(`{"A_KEY":""}`))
	many := func(n int) []manifest.Function {
		var out []manifest.Function
		for i := range n {
			out = append(out, fn("/r"+strconv.Itoa(i), nil))
		}
		return out
	}
	tests := []struct {
		name string
		fns  []manifest.Function
		err  string
	}{
		{"good", []manifest.Function{fn("/api/x", map[string]string{"GREETING": "hi", "A1": "", "a_b": "x"})}, ""},
		{"one-letter name", []manifest.Function{fn("/api/x", map[string]string{"N": "1"})},
			`route /api/x: environment variable "N": Lambda takes names of a letter then letters, digits and '_' ([a-zA-Z][a-zA-Z0-9_]+)`},
		{"name with a hyphen", []manifest.Function{fn("/api/x", map[string]string{"MY-VAR": "1"})},
			`route /api/x: environment variable "MY-VAR": Lambda takes names of a letter then letters, digits and '_' ([a-zA-Z][a-zA-Z0-9_]+)`},
		{"name with a digit first", []manifest.Function{fn("/api/x", map[string]string{"1AB": "1"})},
			`route /api/x: environment variable "1AB": Lambda takes names of a letter then letters, digits and '_' ([a-zA-Z][a-zA-Z0-9_]+)`},
		{"reserved", []manifest.Function{fn("/api/x", map[string]string{"AWS_REGION": "eu-west-1", "GREETING": "hi"})},
			"route /api/x: environment variable AWS_REGION is reserved by Lambda, which sets it itself: remove it from the production .env files"},
		{"exactly 4 KB as JSON", []manifest.Function{fn("/api/x", map[string]string{"A_KEY": big})}, ""},
		{"over 4 KB as JSON", []manifest.Function{fn("/api/x", map[string]string{"A_KEY": big + "x"})},
			"route /api/x: its environment is 4097 bytes as Lambda measures it (the JSON of the variables), over Lambda's 4 KB; the largest is A_KEY (4090 bytes)"},
		// Quotes count twice in JSON: the sum of keys and values is under
		// 4 KB, the JSON over.
		{"escapes count", []manifest.Function{fn("/api/x", map[string]string{"QUOTES": strings.Repeat(`"`, 2100)})},
			"route /api/x: its environment is 4213 bytes as Lambda measures it (the JSON of the variables), over Lambda's 4 KB; the largest is QUOTES (2106 bytes)"},
		{"300 routes", many(300), ""},
		{"301 routes", many(301), "the app needs 301 API Gateway routes, over the HTTP API quota of 300"},
		{"optional catch-alls take two routes each", append(many(299), fn("/opt/[[...a]]", nil)), "the app needs 301 API Gateway routes, over the HTTP API quota of 300"},
		{"code over 250 MB unzipped", []manifest.Function{{Name: "x", Pattern: "/big", Kind: "api", Methods: []string{"*"}, BinarySize: 251 << 20}},
			"route /big: its code is 251 MB unzipped, over Lambda's 250 MB"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := map[string]string{}
			for _, f := range tt.fns {
				maps.Copy(env, byDigest[f.EnvSHA256])
			}
			err := CheckManifest(&manifest.Manifest{App: "shop", Functions: tt.fns}, env)
			if tt.err == "" && err != nil || tt.err != "" && (err == nil || err.Error() != tt.err) {
				t.Errorf("CheckManifest = %v, want %q", err, tt.err)
			}
		})
	}
}

func TestDescriptionIsCutByCharacters(t *testing.T) {
	fn := &manifest.Function{Pattern: "/api/" + strings.Repeat("é", 300), File: "pages/api/x.go", Kind: "api"}
	d := description(fn)
	if n := len([]rune(d)); n != 256 || !utf8.ValidString(d) || !strings.HasPrefix(d, "nextgo /api/éé") {
		t.Errorf("description: %d characters, valid %v", n, utf8.ValidString(d))
	}
	if d != description(fn) {
		t.Error("description is not stable")
	}
}

func TestOptionsAreChecked(t *testing.T) {
	e := newTestEnv(t, awsfake.Options{})
	b := e.build("shop", testbuild.Route{Name: "api-x", Pattern: "/api/x", Reply: "v1"})
	for _, tt := range []struct {
		mod func(*Options)
		err string
	}{
		{func(o *Options) { o.Stage = "" }, "stage name is empty"},
		{func(o *Options) { o.AWS.Region = "" }, "no AWS region: pass --region, set AWS_REGION or set a region in the profile"},
	} {
		if _, err := Deploy(t.Context(), b, e.opts(tt.mod)); err == nil || err.Error() != tt.err {
			t.Errorf("Deploy: %v, want %q", err, tt.err)
		}
	}
	if m := e.fake.Mutations(); len(m) != 0 {
		t.Errorf("mutating calls: %v", ops(m))
	}
}

func TestSourceARNUnderEitherOperator(t *testing.T) {
	const arn = "arn:aws:execute-api:us-east-1:123456789012:abc/*"
	for _, cond := range []map[string]map[string]string{
		{"ArnLike": {"AWS:SourceArn": arn}},
		{"StringLike": {"AWS:SourceArn": arn}},
		{"ArnLike": {"aws:sourcearn": arn}},
		{"StringEquals": {"AWS:SourceAccount": "123456789012"}, "ArnEquals": {"AWS:SourceArn": arn}},
	} {
		if got := sourceARN(cond); got != arn {
			t.Errorf("sourceARN(%v) = %q", cond, got)
		}
	}
	if got := sourceARN(map[string]map[string]string{"StringEquals": {"AWS:SourceAccount": "1"}}); got != "" {
		t.Errorf("sourceARN without one = %q", got)
	}
}
