package e2e

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/nextgo-dev/nextgo/adapters/lambda/cloudformation"
	"github.com/nextgo-dev/nextgo/adapters/lambda/deploy"
	"github.com/nextgo-dev/nextgo/e2e/awsfake"
	"github.com/nextgo-dev/nextgo/internal/cfnspec"
)

// exportSecrets are the .env values of every exported app: none may
// appear in a template.
var exportSecrets = map[string]string{
	".env":            "SHARED_TOKEN=shared-8d1f0c2a-never-in-a-template\n",
	".env.production": "PROD_SECRET=prod-5e77b9d3-never-in-a-template\n",
}

// readTemplate reads a JSON template, reports every error of it against
// the CloudFormation resource database, and decodes it.
func readTemplate(t *testing.T, db *cfnspec.DB, file string) ([]byte, cloudformation.Template) {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	for _, err := range db.Validate(data) {
		t.Error(err)
	}
	var tpl cloudformation.Template
	if err := json.Unmarshal(data, &tpl); err != nil {
		t.Fatal(err)
	}
	return data, tpl
}

// TestExportCloudFormation exports the e2e apps (each `nextgo init`
// template, the streaming app, the cached app) as CloudFormation templates
// and checks each against the CloudFormation resource database, against
// `nextgo deploy --dry-run --json` of the same build route by route, and
// for .env values; then that adding a route changes no other route's
// resources.
func TestExportCloudFormation(t *testing.T) {
	path, err := cfnspec.Find()
	if err != nil {
		t.Fatal(err)
	}
	db, err := cfnspec.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	s := newAWSStage(t, awsfake.Options{})
	if out, _, err := s.nextgo("export", "cloudformation", "--help"); err != nil || !strings.Contains(out, "nextgo export cloudformation [dir] [flags]") {
		t.Fatalf("nextgo export cloudformation --help: %v\n%s", err, out)
	}
	type app struct {
		name  string
		dir   func(t *testing.T) string
		front string
	}
	var apps []app
	for _, tc := range templateCases() {
		apps = append(apps, app{"init " + tc.template, func(t *testing.T) string {
			dir := filepath.Join(t.TempDir(), "app")
			if out, err := runNextgo(t, "init", dir, "--template", tc.template); err != nil {
				t.Fatalf("nextgo init: %v\n%s", err, out)
			}
			return dir
		}, ""})
	}
	apps = append(apps,
		app{"streaming", func(t *testing.T) string { return streamingApp(t) }, deploy.FrontREST},
		app{"cached", func(t *testing.T) string { return copyApp(t, "cached") }, ""},
	)
	for _, a := range apps {
		t.Run(a.name, func(t *testing.T) {
			dir := a.dir(t)
			for name, content := range exportSecrets {
				writeAppFile(t, dir, name, content)
			}
			stdout, stderr, err := s.nextgo("export", "cloudformation", dir, "--stage", "cfn", "--arch", runtime.GOARCH, "--format", "json")
			if err != nil {
				t.Fatalf("export: %v\n%s", err, stderr)
			}
			file := filepath.Join(dir, ".nextgo", "build", "template.json")
			if !strings.HasPrefix(stdout, "wrote "+file+": ") {
				t.Errorf("export printed %q", stdout)
			}
			data, tpl := readTemplate(t, db, file)
			// Code is each zip, relative to the template.
			for id, r := range tpl.Resources {
				if r.Type != "AWS::Lambda::Function" {
					continue
				}
				code, _ := r.Properties["Code"].(string)
				if _, err := os.Stat(filepath.Join(filepath.Dir(file), filepath.FromSlash(code))); err != nil {
					t.Errorf("%s: Code %q: %v", id, code, err)
				}
			}
			// YAML too, from the same build; neither holds an .env value.
			if _, stderr, err := s.nextgo("export", "cloudformation", dir, "--stage", "cfn", "--skip-build"); err != nil {
				t.Fatalf("export --format yaml: %v\n%s", err, stderr)
			}
			yml, err := os.ReadFile(filepath.Join(dir, ".nextgo", "build", "template.yaml"))
			if err != nil {
				t.Fatal(err)
			}
			for _, content := range exportSecrets {
				value := strings.TrimSpace(content[strings.IndexByte(content, '=')+1:])
				if strings.Contains(string(data), value) || strings.Contains(string(yml), value) {
					t.Errorf("a template holds the .env value %q", value)
				}
			}

			plan := s.deployJSON(dir, "--skip-build", "--stage", "cfn", "--dry-run")
			if plan.Desired == nil {
				t.Fatal("deploy --dry-run --json has no desired state")
			}
			if a.front != "" && plan.Desired.Front != a.front {
				t.Errorf("front %s, want %s", plan.Desired.Front, a.front)
			}
			compareWithPlan(t, &tpl, plan.Desired)
			if len(s.fake.Mutations()) != 0 {
				t.Fatalf("dry run changed something: %v", s.fake.Mutations())
			}
		})
	}

	t.Run("adding a route", func(t *testing.T) {
		dir := filepath.Join(t.TempDir(), "app")
		if out, err := runNextgo(t, "init", dir, "--template", "api-routes"); err != nil {
			t.Fatalf("nextgo init: %v\n%s", err, out)
		}
		export := func() cloudformation.Template {
			t.Helper()
			if _, stderr, err := s.nextgo("export", "cloudformation", dir, "--arch", runtime.GOARCH, "--format", "json", "--out", filepath.Join(dir, "infra", "stack.json")); err != nil {
				t.Fatalf("export: %v\n%s", err, stderr)
			}
			_, tpl := readTemplate(t, db, filepath.Join(dir, "infra", "stack.json"))
			return tpl
		}
		before := export()
		writeAppFile(t, dir, "pages/api/extra.go", "package extra\n\nimport \"github.com/nextgo-dev/nextgo/runtime/api\"\n\nfunc Handler(req *api.Request, res *api.Response) { res.JSON(\"extra\") }\n")
		after := export()
		for id, r := range before.Resources {
			if !reflect.DeepEqual(after.Resources[id], r) {
				t.Errorf("%s changed when a route was added:\n%+v\n%+v", id, r, after.Resources[id])
			}
		}
		prefix := cloudformation.FunctionID(deploy.RouteID("/api/extra"))
		var added []string
		for id := range after.Resources {
			if _, ok := before.Resources[id]; !ok {
				added = append(added, strings.TrimPrefix(id, prefix))
			}
		}
		slices.Sort(added)
		route := strings.TrimPrefix(cloudformation.HTTPRouteID(deploy.RouteID("/api/extra"), "ANY /api/extra"), prefix)
		want := []string{"Alias", "Function", "Integration", "Permission", route, "Version"}
		if !slices.Equal(added, want) {
			t.Errorf("adding /api/extra added %v, want %s + %v", added, prefix, want)
		}
		code := after.Resources[prefix+"Function"].Properties["Code"]
		if code != "../.nextgo/build/functions/api-extra.zip" {
			t.Errorf("Code of a template outside the build: %v", code)
		}
	})
}

// streamingApp is the app of TestDeployStreaming: streaming routes (a
// route handler returning an io.Pipe's reader, an API route that flushes,
// a server.Stream of 7 MB) and a buffered one.
func streamingApp(t *testing.T) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "streamshop")
	newModule(t, dir, "example.com/streamshop")
	for _, f := range []string{"app/advanced/streaming/route.go", "app/advanced/pipe/route.go", "app/advanced/big/route.go", "pages/api/flush.go"} {
		b, err := os.ReadFile(filepath.Join("testdata", "apps", "approutes", filepath.FromSlash(f)))
		if err != nil {
			t.Fatal(err)
		}
		writeAppFile(t, dir, f, string(b))
	}
	writeAppFile(t, dir, "pages/api/hello.go", `package hello

import "github.com/nextgo-dev/nextgo/runtime/api"

func Handler(req *api.Request, res *api.Response) {
	res.JSON(map[string]string{"message": "hi"})
}
`)
	return dir
}

// compareWithPlan checks that the template creates what the deploy plan
// d says, route by route: each function's configuration, its route keys
// and its invoke permission.
func compareWithPlan(t *testing.T, tpl *cloudformation.Template, d *deploy.Desired) {
	t.Helper()
	res := tpl.Resources
	roleOf := func(v any) string {
		att, _ := v.(map[string]any)["Fn::GetAtt"].([]any)
		if len(att) != 2 || att[1] != "Arn" {
			return fmt.Sprint(v)
		}
		return fmt.Sprint(res[att[0].(string)].Properties["RoleName"])
	}
	// The function each alias, integration or method reaches.
	fnOfAlias := map[string]string{}
	for id, r := range res {
		if r.Type == "AWS::Lambda::Alias" {
			fnID := r.Properties["FunctionName"].(map[string]any)["Ref"].(string)
			fnOfAlias[id] = fmt.Sprint(res[fnID].Properties["FunctionName"])
		}
	}
	keys := map[string][]string{} // function name → route keys
	apiID := cloudformation.IDHTTPAPI
	switch d.Front {
	case deploy.FrontHTTP:
		for _, r := range res {
			if r.Type != "AWS::ApiGatewayV2::Route" {
				continue
			}
			target := r.Properties["Target"].(map[string]any)["Fn::Sub"].(string)
			integ := strings.TrimSuffix(strings.TrimPrefix(target, "integrations/${"), "}")
			alias := res[integ].Properties["IntegrationUri"].(map[string]any)["Ref"].(string)
			name := fnOfAlias[alias]
			keys[name] = append(keys[name], r.Properties["RouteKey"].(string))
			if p := res[integ].Properties; p["IntegrationType"] != "AWS_PROXY" || p["PayloadFormatVersion"] != d.HTTP.PayloadFormat {
				t.Errorf("integration %s: %v", integ, p)
			}
		}
		if s := res[cloudformation.IDHTTPStage].Properties; s["StageName"] != d.HTTP.Stage || s["AutoDeploy"] != true || res[cloudformation.IDHTTPAPI].Properties["Name"] != d.HTTP.Name {
			t.Errorf("HTTP API %v, stage %v", res[cloudformation.IDHTTPAPI].Properties, s)
		}
	case deploy.FrontREST:
		apiID = cloudformation.IDRESTAPI
		var pathOf func(v any) string
		pathOf = func(v any) string {
			if att, ok := v.(map[string]any)["Fn::GetAtt"]; ok && att.([]any)[1] == "RootResourceId" {
				return ""
			}
			id := v.(map[string]any)["Ref"].(string)
			return pathOf(res[id].Properties["ParentId"]) + "/" + res[id].Properties["PathPart"].(string)
		}
		want := map[string]deploy.RecordResource{}
		for _, r := range d.REST.Resources {
			want[r.Path] = r
		}
		for id, r := range res {
			if r.Type != "AWS::ApiGateway::Method" {
				continue
			}
			p := pathOf(r.Properties["ResourceId"])
			if p == "" {
				p = "/"
			}
			in := r.Properties["Integration"].(map[string]any)
			uri := in["Uri"].(map[string]any)["Fn::Sub"].(string)
			alias := uri[strings.Index(uri, "functions/${")+len("functions/${"):]
			alias = alias[:strings.IndexByte(alias, '}')]
			name := fnOfAlias[alias]
			keys[name] = append(keys[name], "ANY "+p)
			w := want[p]
			if w.Function != name || (in["ResponseTransferMode"] == "STREAM") != w.Stream || in["TimeoutInMillis"] != float64(w.TimeoutMillis) ||
				w.Stream != strings.HasSuffix(uri, "/response-streaming-invocations") {
				t.Errorf("method %s (ANY %s): %v, plan %+v", id, p, in, w)
			}
		}
		if s := res[cloudformation.IDRESTStage].Properties; s["StageName"] != d.REST.Stage || res[cloudformation.IDRESTAPI].Properties["Name"] != d.REST.Name {
			t.Errorf("REST API %v, stage %v", res[cloudformation.IDRESTAPI].Properties, s)
		}
	default:
		t.Fatalf("front %q", d.Front)
	}

	functions := 0
	for _, r := range res {
		if r.Type == "AWS::Lambda::Function" {
			functions++
		}
	}
	if functions != len(d.Functions) {
		t.Errorf("%d functions in the template, %d in the plan", functions, len(d.Functions))
	}
	for _, f := range d.Functions {
		id := cloudformation.FunctionID(f.RouteID)
		p := res[id+cloudformation.SuffixFunction].Properties
		var env []string
		if e, ok := p["Environment"].(map[string]any); ok {
			for k := range e["Variables"].(map[string]any) {
				env = append(env, k)
			}
		}
		wantEnv := slices.Clone(f.Env)
		if f.SharedCache {
			wantEnv = append(wantEnv, d.Cache.StoreVar, d.Cache.BucketVar)
		}
		slices.Sort(env)
		slices.Sort(wantEnv)
		tags := map[string]string{}
		for _, tag := range p["Tags"].([]any) {
			tags[tag.(map[string]any)["Key"].(string)] = tag.(map[string]any)["Value"].(string)
		}
		got := fmt.Sprintln(p["FunctionName"], p["Runtime"], p["Handler"], p["Architectures"], p["Timeout"], p["MemorySize"], p["Description"], roleOf(p["Role"]), env, tags)
		want := fmt.Sprintln(f.Name, f.Runtime, f.Handler, []any{f.Arch}, f.Timeout, f.Memory, f.Description, f.Role, wantEnv, f.Tags)
		if got != want {
			t.Errorf("function %s (%s):\ntemplate %s\nplan     %s", f.Name, f.Route, got, want)
		}
		slices.Sort(keys[f.Name])
		if wantKeys := slices.Sorted(slices.Values(f.RouteKeys)); !slices.Equal(keys[f.Name], wantKeys) {
			t.Errorf("function %s: route keys %v in the template, %v in the plan", f.Name, keys[f.Name], wantKeys)
		}
		perm := res[id+cloudformation.SuffixPermission].Properties
		alias := res[id+cloudformation.SuffixAlias].Properties
		if perm["Action"] != f.Permission.Action || perm["Principal"] != f.Permission.Principal || alias["Name"] != f.Permission.Qualifier ||
			perm["FunctionName"].(map[string]any)["Ref"] != id+cloudformation.SuffixAlias ||
			perm["SourceArn"].(map[string]any)["Fn::Sub"] != "arn:${AWS::Partition}:execute-api:${AWS::Region}:${AWS::AccountId}:${"+apiID+"}/*" {
			t.Errorf("function %s: permission %v on alias %v, plan %+v", f.Name, perm, alias, f.Permission)
		}
		if res[id+cloudformation.SuffixVersion].Properties["CodeSha256"] != f.CodeSHA256 {
			t.Errorf("function %s: version %v, code %s", f.Name, res[id+cloudformation.SuffixVersion].Properties, f.CodeSHA256)
		}
	}
	if d.Cache != nil {
		role := res[cloudformation.IDCacheRole].Properties
		pol := role["Policies"].([]any)[0].(map[string]any)
		if role["RoleName"] != d.Cache.Role.Name || pol["PolicyName"] != d.Cache.PolicyName || res[cloudformation.IDCacheBucket].Type != "AWS::S3::Bucket" {
			t.Errorf("cache role %v", role)
		}
	}
	if res[cloudformation.IDExecutionRole].Properties["RoleName"] != d.Role.Name {
		t.Errorf("execution role %v, plan %s", res[cloudformation.IDExecutionRole].Properties["RoleName"], d.Role.Name)
	}
}
