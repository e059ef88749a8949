package cloudformation

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"maps"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/nextgo-dev/nextgo/adapters/lambda/deploy"
	"github.com/nextgo-dev/nextgo/bundler/manifest"
	"github.com/nextgo-dev/nextgo/bundler/routes"
	"github.com/nextgo-dev/nextgo/internal/cfnspec"
	"go.yaml.in/yaml/v3"
)

// secret is an .env value that must never reach a template.
const secret = "s3cr3t-value-never-written"

// fn is a function of a test build.
func fn(pattern string, mod func(*manifest.Function)) manifest.Function {
	f := manifest.Function{Pattern: pattern, Kind: "api", Methods: []string{"*"}, MaxDuration: 10, Memory: 512, Arch: "arm64", Cache: "none"}
	if pattern == "" {
		f.Kind = string(routes.KindFallback)
	}
	f.Name = strings.Trim(deploy.RouteID(pattern), "-")
	f.Zip = "functions/" + f.Name + ".zip"
	sum := sha256.Sum256([]byte(pattern))
	f.SHA256 = hex.EncodeToString(sum[:])
	f.SetEnv(map[string]string{"API_KEY": secret})
	if pattern != "" {
		f.File = "pages" + pattern + ".go"
	}
	if mod != nil {
		mod(&f)
	}
	return f
}

// desired is the desired state of stage "prod" of app shop made of fns.
func desired(t *testing.T, fns ...manifest.Function) *deploy.Desired {
	t.Helper()
	b := &deploy.Build{Dir: t.TempDir(), Manifest: manifest.Manifest{Version: manifest.Version, App: "shop", Functions: fns}, Env: map[string]string{"API_KEY": secret}}
	d, err := deploy.Desire(b, "prod")
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func render(t *testing.T, d *deploy.Desired) (*Template, []byte) {
	t.Helper()
	tpl, err := New(d, Options{})
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := tpl.Write(&buf, JSON); err != nil {
		t.Fatal(err)
	}
	return tpl, buf.Bytes()
}

var (
	specOnce sync.Once
	spec     *cfnspec.DB
	specErr  error
)

// validate checks a template against the CloudFormation resource database.
func validate(t *testing.T, template []byte) {
	t.Helper()
	specOnce.Do(func() {
		var path string
		if path, specErr = cfnspec.Find(); specErr == nil {
			spec, specErr = cfnspec.Load(path)
		}
	})
	if specErr != nil {
		t.Fatal(specErr)
	}
	for _, err := range spec.Validate(template) {
		t.Error(err)
	}
}

func TestTemplateHTTPAPI(t *testing.T) {
	d := desired(t,
		fn("/api/post/[pid]", func(f *manifest.Function) { f.MaxDuration, f.Memory = 5, 256 }),
		fn("/api/docs/[[...slug]]", func(f *manifest.Function) { f.Arch = "amd64" }),
		fn("", nil),
	)
	tpl, data := render(t, d)
	validate(t, data)
	post, docs := FunctionID(deploy.RouteID("/api/post/[pid]")), FunctionID(deploy.RouteID("/api/docs/[[...slug]]"))
	if post != "RouteApiPostPid24a2ea83" {
		t.Errorf("FunctionID = %s", post)
	}
	var ids []string
	for _, id := range []string{post, docs, "Fallback"} {
		for _, s := range []string{SuffixFunction, SuffixVersion, SuffixAlias, SuffixPermission, SuffixIntegration} {
			ids = append(ids, id+s)
		}
	}
	ids = append(ids, post+SuffixRoute+shortHash("ANY /api/post/{pid}"), docs+SuffixRoute+shortHash("ANY /api/docs"),
		docs+SuffixRoute+shortHash("ANY /api/docs/{slug+}"), "Fallback"+SuffixRoute+shortHash("$default"),
		IDExecutionRole, IDHTTPAPI, IDHTTPStage)
	if got := slices.Sorted(maps.Keys(tpl.Resources)); !slices.Equal(got, slices.Sorted(slices.Values(ids))) {
		t.Errorf("resources\n%v\nwant\n%v", got, slices.Sorted(slices.Values(ids)))
	}
	param := ParameterID("API_KEY")
	want := map[string]any{
		"FunctionName":  "shop-prod-api-post-_pid-24a2ea83",
		"Description":   "nextgo /api/post/[pid] (pages/api/post/[pid].go)",
		"Runtime":       "provided.al2023",
		"Handler":       "bootstrap",
		"Architectures": []any{"arm64"},
		"Timeout":       5,
		"MemorySize":    256,
		"Role":          getAtt(IDExecutionRole, "Arn"),
		"PackageType":   "Zip",
		"Code":          "functions/api-post-_pid-24a2ea83.zip",
		"Environment":   map[string]any{"Variables": map[string]any{"API_KEY": ref(param)}},
		"Tags": []any{
			map[string]any{"Key": "nextgo:app", "Value": "shop"},
			map[string]any{"Key": "nextgo:route", "Value": "api-post-_pid-24a2ea83"},
			map[string]any{"Key": "nextgo:stage", "Value": "prod"},
		},
	}
	if got := tpl.Resources[post+SuffixFunction].Properties; !reflect.DeepEqual(got, want) {
		t.Errorf("function\n%#v\nwant\n%#v", got, want)
	}
	if got := tpl.Resources[docs+SuffixFunction].Properties["Architectures"]; !reflect.DeepEqual(got, []any{"x86_64"}) {
		t.Errorf("amd64 function: architectures %v", got)
	}
	if p := tpl.Parameters[param]; p != (Parameter{Type: "String", NoEcho: true, Description: "The value of API_KEY (the app's production .env set)"}) || len(tpl.Parameters) != 1 {
		t.Errorf("parameters %+v", tpl.Parameters)
	}
	perm := tpl.Resources[post+SuffixPermission].Properties
	if !reflect.DeepEqual(perm, map[string]any{
		"FunctionName": ref(post + SuffixAlias), "Action": "lambda:InvokeFunction", "Principal": "apigateway.amazonaws.com",
		"SourceArn": sub("arn:${AWS::Partition}:execute-api:${AWS::Region}:${AWS::AccountId}:${HttpApi}/*"),
	}) {
		t.Errorf("permission %v", perm)
	}
	route := tpl.Resources["Fallback"+SuffixRoute+shortHash("$default")].Properties
	if !reflect.DeepEqual(route, map[string]any{"ApiId": ref(IDHTTPAPI), "RouteKey": "$default", "Target": sub("integrations/${FallbackIntegration}")}) {
		t.Errorf("fallback route %v", route)
	}
	if a := tpl.Resources[post+SuffixAlias].Properties; a["Name"] != "live" || !reflect.DeepEqual(a["FunctionVersion"], getAtt(post+SuffixVersion, "Version")) {
		t.Errorf("alias %v", a)
	}
	if v := tpl.Resources[post+SuffixVersion].Properties; v["CodeSha256"] != d.Function("shop-prod-api-post-_pid-24a2ea83").CodeSHA256 {
		t.Errorf("version %v", v)
	}
	if got := slices.Sorted(maps.Keys(tpl.Outputs)); !slices.Equal(got, []string{IDURL, "FallbackName", docs + SuffixName, post + SuffixName}) {
		t.Errorf("outputs %v", got)
	}
	if bytes.Contains(data, []byte(secret)) {
		t.Error("the template holds an .env value")
	}
}

func TestTemplateRESTAPI(t *testing.T) {
	d := desired(t,
		fn("/api/stream", func(f *manifest.Function) { f.Streaming, f.MaxDuration = true, 60 }),
		fn("/api/post/[pid]", nil),
		fn("", nil),
	)
	if d.Front != deploy.FrontREST {
		t.Fatalf("front %s", d.Front)
	}
	tpl, data := render(t, d)
	validate(t, data)
	stream := FunctionID(deploy.RouteID("/api/stream"))
	m := tpl.Resources[ResourceID("/api/stream")+"Method"]
	wantIntegration := map[string]any{
		"Type": "AWS_PROXY", "IntegrationHttpMethod": "POST", "TimeoutInMillis": int32(61_000), "ResponseTransferMode": "STREAM",
		"Uri": sub("arn:${AWS::Partition}:apigateway:${AWS::Region}:lambda:path/2021-11-15/functions/${" + stream + "Alias}/response-streaming-invocations"),
	}
	if m.Type != "AWS::ApiGateway::Method" || !reflect.DeepEqual(m.Properties["Integration"], wantIntegration) {
		t.Errorf("streaming method %+v", m)
	}
	buffered := tpl.Resources[ResourceID("/api/post/{pid}")+"Method"].Properties["Integration"].(map[string]any)
	if buffered["ResponseTransferMode"] != "BUFFERED" || buffered["TimeoutInMillis"] != int32(29_000) ||
		!strings.HasSuffix(buffered["Uri"].(map[string]any)["Fn::Sub"].(string), "/invocations") {
		t.Errorf("buffered integration %v", buffered)
	}
	for _, p := range []string{"/api", "/api/post", "/{proxy+}"} {
		if r := tpl.Resources[ResourceID(p)+"Method"].Properties["Integration"].(map[string]any); !strings.Contains(r["Uri"].(map[string]any)["Fn::Sub"].(string), "${FallbackAlias}") {
			t.Errorf("%s is not served by the fallback: %v", p, r)
		}
	}
	if r := tpl.Resources[ResourceID("/api/post/{pid}")].Properties; !reflect.DeepEqual(r["ParentId"], ref(ResourceID("/api/post"))) || r["PathPart"] != "{pid}" {
		t.Errorf("resource %v", r)
	}
	if r := tpl.Resources[ResourceID("/api")].Properties; !reflect.DeepEqual(r["ParentId"], getAtt(IDRESTAPI, "RootResourceId")) {
		t.Errorf("resource /api %v", r)
	}
	var deployment string
	for id, r := range tpl.Resources {
		if r.Type == "AWS::ApiGateway::Deployment" {
			deployment = id
			if len(r.DependsOn) != 6 { // /, /api, /api/post, /api/post/{pid}, /api/stream, /{proxy+}
				t.Errorf("deployment depends on %v", r.DependsOn)
			}
		}
	}
	if s := tpl.Resources[IDRESTStage].Properties; !reflect.DeepEqual(s["DeploymentId"], ref(deployment)) || s["StageName"] != "prod" {
		t.Errorf("stage %v", s)
	}
	if p := tpl.Resources[stream+SuffixPermission].Properties["SourceArn"]; !reflect.DeepEqual(p, sub("arn:${AWS::Partition}:execute-api:${AWS::Region}:${AWS::AccountId}:${RestApi}/*")) {
		t.Errorf("permission source %v", p)
	}
	for id, r := range tpl.Resources {
		if strings.HasPrefix(r.Type, "AWS::ApiGatewayV2::") {
			t.Errorf("an app that streams has %s %s", r.Type, id)
		}
	}
}

func TestTemplateSharedCache(t *testing.T) {
	d := desired(t,
		fn("/items", func(f *manifest.Function) { f.SharedCache, f.Cache = true, "revalidate=60" }),
		fn("/api/purge", func(f *manifest.Function) { f.SharedCache = true }),
		fn("/api/plain", nil),
	)
	tpl, data := render(t, d)
	validate(t, data)
	items := FunctionID(deploy.RouteID("/items"))
	props := tpl.Resources[items+SuffixFunction].Properties
	if !reflect.DeepEqual(props["Role"], getAtt(IDCacheRole, "Arn")) {
		t.Errorf("a cached route runs under %v", props["Role"])
	}
	if env := props["Environment"].(map[string]any)["Variables"]; !reflect.DeepEqual(env, map[string]any{
		"API_KEY": ref(ParameterID("API_KEY")), "NEXTGO_RESPONSE_CACHE": "s3", "NEXTGO_RESPONSE_CACHE_BUCKET": ref(IDCacheBucket),
	}) {
		t.Errorf("environment %v", env)
	}
	if r := tpl.Resources[FunctionID(deploy.RouteID("/api/plain"))+SuffixFunction].Properties["Role"]; !reflect.DeepEqual(r, getAtt(IDExecutionRole, "Arn")) {
		t.Errorf("a route without the cache runs under %v", r)
	}
	policies := tpl.Resources[IDCacheRole].Properties["Policies"].([]any)
	doc, _ := json.Marshal(policies)
	fnARN := "arn:${AWS::Partition}:lambda:${AWS::Region}:${AWS::AccountId}:function:" + deploy.FunctionName("shop", "prod", "/items")
	want := `[{"PolicyDocument":{"Statement":[` +
		`{"Action":["s3:GetObject","s3:PutObject"],"Effect":"Allow","Resource":[{"Fn::Sub":"${CacheBucket.Arn}/cache/*"}],"Sid":"CacheEntries"},` +
		`{"Action":["s3:ListBucket"],"Effect":"Allow","Resource":[{"Fn::Sub":"${CacheBucket.Arn}"}],"Sid":"CacheMisses"},` +
		`{"Action":["lambda:InvokeFunction"],"Effect":"Allow","Resource":[{"Fn::Sub":"` + fnARN + `"},{"Fn::Sub":"` + fnARN + `:*"}],"Sid":"RegenerateStaleEntries"}],` +
		`"Version":"2012-10-17"},"PolicyName":"nextgo-response-cache"}]`
	if string(doc) != want {
		t.Errorf("cache policy\n%s\nwant\n%s", doc, want)
	}
	if tpl.Resources[IDCacheBucket].Type != "AWS::S3::Bucket" || tpl.Resources[IDCacheRole].Properties["RoleName"] != "nextgo-shop-prod-cache" {
		t.Errorf("cache bucket or role: %+v %+v", tpl.Resources[IDCacheBucket], tpl.Resources[IDCacheRole])
	}
	// Without a cached route, neither.
	tpl, _ = render(t, desired(t, fn("/api/plain", nil)))
	if _, ok := tpl.Resources[IDCacheBucket]; ok {
		t.Error("a cache bucket for an app without a cached route")
	}
	if _, ok := tpl.Resources[IDCacheRole]; ok {
		t.Error("a cache role for an app without a cached route")
	}
}

// TestLogicalIDsStable adds a route: the other routes' resources stay
// as they were, and only the new route's are added (behind a REST API a
// new deployment too, as the API changed, and the stage points at it).
func TestLogicalIDsStable(t *testing.T) {
	for _, streaming := range []bool{false, true} {
		base := []manifest.Function{
			fn("/api/a", func(f *manifest.Function) { f.Streaming = streaming }),
			fn("/api/b/[id]", nil),
			fn("", nil),
		}
		before, _ := render(t, desired(t, base...))
		after, _ := render(t, desired(t, append(base, fn("/api/c", nil))...))
		added := FunctionID(deploy.RouteID("/api/c"))
		for id, r := range before.Resources {
			if r.Type == "AWS::ApiGateway::Deployment" {
				if _, ok := after.Resources[id]; ok {
					t.Errorf("streaming %v: the REST API changed but deployment %s stays", streaming, id)
				}
				continue
			}
			if id == IDRESTStage {
				r.Properties = maps.Clone(r.Properties)
				r.Properties["DeploymentId"] = after.Resources[id].Properties["DeploymentId"]
			}
			if !reflect.DeepEqual(after.Resources[id], r) {
				t.Errorf("streaming %v: %s changed:\n%+v\n%+v", streaming, id, r, after.Resources[id])
			}
		}
		for id, r := range after.Resources {
			if _, ok := before.Resources[id]; ok || r.Type == "AWS::ApiGateway::Deployment" {
				continue
			}
			if !strings.HasPrefix(id, added) && id != ResourceID("/api/c") && id != ResourceID("/api/c")+"Method" {
				t.Errorf("streaming %v: adding /api/c added %s", streaming, id)
			}
		}
		if len(after.Resources) <= len(before.Resources) {
			t.Errorf("streaming %v: %d resources after adding a route, %d before", streaming, len(after.Resources), len(before.Resources))
		}
	}
}

func TestYAMLIsTheJSON(t *testing.T) {
	tpl, data := render(t, desired(t, fn("/api/x", nil), fn("/on", nil), fn("", nil)))
	var y bytes.Buffer
	if err := tpl.Write(&y, YAML); err != nil {
		t.Fatal(err)
	}
	var fromJSON, fromYAML any
	if err := json.Unmarshal(data, &fromJSON); err != nil {
		t.Fatal(err)
	}
	if err := yaml.Unmarshal(y.Bytes(), &fromYAML); err != nil {
		t.Fatal(err)
	}
	// Through JSON, so that both have the same Go types.
	b, err := json.Marshal(fromYAML)
	if err != nil {
		t.Fatal(err)
	}
	var roundTrip any
	json.Unmarshal(b, &roundTrip)
	if !reflect.DeepEqual(fromJSON, roundTrip) {
		t.Errorf("the YAML template differs from the JSON one:\n%s", y.String())
	}
	if !strings.Contains(y.String(), "Fn::GetAtt:") || !strings.HasPrefix(y.String(), "AWSTemplateFormatVersion: \"2010-09-09\"\n") {
		t.Errorf("YAML:\n%s", y.String())
	}
	if err := tpl.Write(&y, "toml"); err == nil || err.Error() != `format "toml": want yaml or json` {
		t.Errorf("Write toml: %v", err)
	}
}

func TestWriteFile(t *testing.T) {
	d := desired(t, fn("/api/x", nil))
	dir := t.TempDir()
	build := filepath.Join(dir, "app", ".nextgo", "build")
	tests := []struct {
		file, code string
	}{
		{filepath.Join(build, "template.yaml"), "functions/" + deploy.RouteID("/api/x") + ".zip"},
		{filepath.Join(dir, "infra", "nextgo.json"), "../app/.nextgo/build/functions/" + deploy.RouteID("/api/x") + ".zip"},
	}
	for _, tt := range tests {
		f := YAML
		if strings.HasSuffix(tt.file, ".json") {
			f = JSON
		}
		tpl, err := WriteFile(tt.file, build, d, f)
		if err != nil {
			t.Fatal(err)
		}
		got := tpl.Resources[FunctionID(deploy.RouteID("/api/x"))+SuffixFunction].Properties["Code"]
		if got != tt.code {
			t.Errorf("%s: Code %v, want %s", tt.file, got, tt.code)
		}
		data, err := os.ReadFile(tt.file)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Contains(data, []byte(tt.code)) || bytes.Contains(data, []byte(secret)) {
			t.Errorf("%s:\n%s", tt.file, data)
		}
	}
}

func TestIDs(t *testing.T) {
	tests := []struct{ got, want string }{
		{FunctionID(deploy.RouteID("")), "Fallback"},
		{FunctionID(deploy.RouteID("/")), "RouteIndex" + deploy.RouteID("/")[len("index-"):]},
		{FunctionID("api-post-_pid-24a2ea83"), "RouteApiPostPid24a2ea83"},
		{FunctionID("api-docs-___slug-0a1b2c3d"), "RouteApiDocsSlug0a1b2c3d"},
		{ParameterID("API_KEY"), "EnvAPIKEY" + shortHash("API_KEY")},
		{ResourceID("/api/post/{pid}"), "PathApiPostPid" + shortHash("/api/post/{pid}")},
		{ResourceID("/{proxy+}"), "PathProxy" + shortHash("/{proxy+}")},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("got %s, want %s", tt.got, tt.want)
		}
	}
	if ParameterID("API_KEY") == ParameterID("APIKEY") {
		t.Error("API_KEY and APIKEY share a parameter")
	}
	long := FunctionID(deploy.RouteID("/" + strings.Repeat("segment/", 40) + "[id]"))
	if len(long) > len("Route")+maxReadable+8 {
		t.Errorf("a long route's id has %d characters", len(long))
	}
}

func TestTemplateLimits(t *testing.T) {
	var fns []manifest.Function
	for i := range 90 { // 6 resources each
		fns = append(fns, fn("/api/r"+strings.Repeat("x", i), nil))
	}
	_, err := New(desired(t, fns...), Options{})
	if want := "the template of shop has 543 resources, over CloudFormation's 500 per stack (90 routes)"; err == nil || err.Error() != want {
		t.Errorf("90 routes: %v, want %s", err, want)
	}
	if _, err := New(desired(t, fns[:82]...), Options{}); err != nil {
		t.Errorf("82 routes (495 resources): %v", err)
	}
	if _, err := ParseFormat("xml"); err == nil || err.Error() != `format "xml": want yaml or json` {
		t.Errorf("ParseFormat: %v", err)
	}
}
