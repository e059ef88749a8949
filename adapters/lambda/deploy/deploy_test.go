package deploy

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	ltypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/nextgo-dev/nextgo/e2e/awsfake"
	"github.com/nextgo-dev/nextgo/e2e/awsfake/testbuild"
)

// shopRoutes is the app most tests deploy.
func shopRoutes(hello, post string) []testbuild.Route {
	return []testbuild.Route{
		{Name: "api-hello", Pattern: "/api/hello", Reply: hello, Env: map[string]string{"GREETING": "hi"}},
		{Name: "api-post-pid", Pattern: "/api/post/[pid]", Kind: "route", Methods: []string{"GET"}, Reply: post, MaxDuration: 5, Memory: 256},
		{Name: "api-docs-slug", Pattern: "/api/docs/[...slug]", Reply: "v1"},
		{Name: "api-opt-rest", Pattern: "/api/opt/[[...rest]]", Reply: "v1"},
	}
}

func sortedOps(calls []awsfake.Call) []string {
	out := ops(calls)
	slices.Sort(out)
	return out
}

func TestDeployServesEveryRoute(t *testing.T) {
	e := newTestEnv(t, awsfake.Options{})
	res := e.deploy(e.build("shop", shopRoutes("v1", "v2")...))

	if res.URL == "" || res.APIID == "" {
		t.Fatalf("no URL or API id in %+v", res)
	}
	wantSummary := Summary{
		Created:   []string{"shop-test-api-hello-8a32a984", "shop-test-api-post-_pid-24a2ea83", "shop-test-api-docs-__slug-b9e23f28", "shop-test-api-opt-___rest-df232758"},
		Updated:   []string{},
		Unchanged: []string{},
		Deleted:   []string{},
	}
	if got := res.Summary; !equalSummary(got, wantSummary) {
		t.Errorf("summary = %+v, want %+v", got, wantSummary)
	}
	if res.Release != 1 {
		t.Errorf("release = %d, want 1", res.Release)
	}

	tests := []struct {
		method, path string
		status       int
		reply        string
		routeKey     string
		params       map[string]string
	}{
		{"GET", "/api/hello", 200, "v1", "ANY /api/hello", nil},
		{"POST", "/api/hello", 200, "v1", "ANY /api/hello", nil},
		{"DELETE", "/api/hello", 200, "v1", "ANY /api/hello", nil},
		{"GET", "/api/post/42", 200, "v2", "ANY /api/post/{pid}", map[string]string{"pid": "42"}},
		{"OPTIONS", "/api/post/42", 200, "v2", "ANY /api/post/{pid}", map[string]string{"pid": "42"}},
		// A method the route handler does not export reaches it too: the
		// function answers 405 itself, as Next does.
		{"POST", "/api/post/42", 200, "v2", "ANY /api/post/{pid}", map[string]string{"pid": "42"}},
		{"GET", "/api/docs/a/b", 200, "v1", "ANY /api/docs/{slug+}", map[string]string{"slug": "a/b"}},
		{"GET", "/api/docs", 404, `{"message":"Not Found"}` + "\n", "", nil},
		{"GET", "/api/opt", 200, "v1", "ANY /api/opt", nil},
		{"GET", "/api/opt/x/y", 200, "v1", "ANY /api/opt/{rest+}", map[string]string{"rest": "x/y"}},
		{"GET", "/api/nothing", 404, `{"message":"Not Found"}` + "\n", "", nil},
	}
	for _, tt := range tests {
		status, out := do(t, tt.method, res.URL+tt.path)
		if status != tt.status || out.Reply != tt.reply {
			t.Errorf("%s %s = %d %q, want %d %q", tt.method, tt.path, status, out.Reply, tt.status, tt.reply)
			continue
		}
		if status != 200 {
			continue
		}
		if out.RouteKey != tt.routeKey || out.Method != tt.method || out.RawPath != tt.path || out.Version != "1" {
			t.Errorf("%s %s: event %+v, want route key %q, version 1", tt.method, tt.path, out, tt.routeKey)
		}
		if len(out.PathParameters) != len(tt.params) {
			t.Errorf("%s %s: path parameters %v, want %v", tt.method, tt.path, out.PathParameters, tt.params)
		}
		for k, v := range tt.params {
			if out.PathParameters[k] != v {
				t.Errorf("%s %s: path parameters %v, want %v", tt.method, tt.path, out.PathParameters, tt.params)
			}
		}
	}
	if _, out := get(t, res.URL+"/api/hello"); out.Greeting != "hi" || out.Function != "shop-test-api-hello-8a32a984" {
		t.Errorf("environment: greeting %q function %q, want hi, shop-test-api-hello-8a32a984", out.Greeting, out.Function)
	}

	// What was created, and nothing else.
	wantOps := []string{
		"AddPermission shop-test-api-docs-__slug-b9e23f28", "AddPermission shop-test-api-hello-8a32a984",
		"AddPermission shop-test-api-opt-___rest-df232758", "AddPermission shop-test-api-post-_pid-24a2ea83",
		"AttachRolePolicy nextgo-shop-test-exec",
		"CreateAlias shop-test-api-docs-__slug-b9e23f28", "CreateAlias shop-test-api-hello-8a32a984",
		"CreateAlias shop-test-api-opt-___rest-df232758", "CreateAlias shop-test-api-post-_pid-24a2ea83",
		"CreateApi ", "CreateBucket nextgo-shop-test-4dcdd6a3",
		"CreateFunction shop-test-api-docs-__slug-b9e23f28", "CreateFunction shop-test-api-hello-8a32a984",
		"CreateFunction shop-test-api-opt-___rest-df232758", "CreateFunction shop-test-api-post-_pid-24a2ea83",
		"CreateIntegration " + res.APIID, "CreateIntegration " + res.APIID,
		"CreateIntegration " + res.APIID, "CreateIntegration " + res.APIID,
		"CreateRole nextgo-shop-test-exec",
		"CreateRoute " + res.APIID, "CreateRoute " + res.APIID, "CreateRoute " + res.APIID,
		"CreateRoute " + res.APIID, "CreateRoute " + res.APIID,
		"CreateStage " + res.APIID,
		"PublishVersion shop-test-api-docs-__slug-b9e23f28", "PublishVersion shop-test-api-hello-8a32a984",
		"PublishVersion shop-test-api-opt-___rest-df232758", "PublishVersion shop-test-api-post-_pid-24a2ea83",
		"PutBucketTagging nextgo-shop-test-4dcdd6a3", "PutObject nextgo-shop-test-4dcdd6a3",
	}
	if got := sortedOps(e.fake.Mutations()); !slices.Equal(got, wantOps) {
		t.Errorf("mutations:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(wantOps, "\n"))
	}
	if n := e.fake.CodeUploads(); n != 4 {
		t.Errorf("code uploads = %d, want 4", n)
	}

	// The function's configuration, read back with the SDK.
	lc := lambda.NewFromConfig(e.cfg)
	fn, err := lc.GetFunction(context.Background(), &lambda.GetFunctionInput{FunctionName: aws.String("shop-test-api-post-_pid-24a2ea83")})
	if err != nil {
		t.Fatal(err)
	}
	c := fn.Configuration
	if c.Runtime != ltypes.RuntimeProvidedal2023 || aws.ToString(c.Handler) != "bootstrap" ||
		aws.ToInt32(c.Timeout) != 5 || aws.ToInt32(c.MemorySize) != 256 ||
		!slices.Equal(c.Architectures, []ltypes.Architecture{mustArch(t, testbuild.Arch())}) ||
		aws.ToString(c.Role) != "arn:aws:iam::123456789012:role/nextgo-shop-test-exec" ||
		aws.ToString(c.Description) != "nextgo /api/post/[pid] (pages/api/post/[pid].go)" {
		t.Errorf("configuration = %+v", c)
	}
	wantTags := map[string]string{TagApp: "shop", TagStage: "test", TagRoute: "api-post-_pid-24a2ea83"}
	if !equalMaps(fn.Tags, wantTags) {
		t.Errorf("tags = %v, want %v", fn.Tags, wantTags)
	}
	alias, err := lc.GetAlias(context.Background(), &lambda.GetAliasInput{FunctionName: aws.String("shop-test-api-post-_pid-24a2ea83"), Name: aws.String("live")})
	if err != nil {
		t.Fatal(err)
	}
	if got := aws.ToString(alias.Description); aws.ToString(alias.FunctionVersion) != "1" || !strings.HasPrefix(got, "nextgo release=1 build=") || strings.Contains(got, "previous") {
		t.Errorf("alias = version %s, %q", aws.ToString(alias.FunctionVersion), got)
	}
	pol, err := lc.GetPolicy(context.Background(), &lambda.GetPolicyInput{FunctionName: aws.String("shop-test-api-post-_pid-24a2ea83"), Qualifier: aws.String("live")})
	if err != nil {
		t.Fatal(err)
	}
	wantSource := `"AWS:SourceArn":"arn:aws:execute-api:us-east-1:123456789012:` + res.APIID + `/*"`
	if !strings.Contains(aws.ToString(pol.Policy), wantSource) || !strings.Contains(aws.ToString(pol.Policy), `"Service":"apigateway.amazonaws.com"`) {
		t.Errorf("policy = %s, want a statement for apigateway.amazonaws.com with %s", aws.ToString(pol.Policy), wantSource)
	}

	// The role: Lambda's trust and basic execution, nothing else.
	ic := iam.NewFromConfig(e.cfg)
	ap, err := ic.ListAttachedRolePolicies(context.Background(), &iam.ListAttachedRolePoliciesInput{RoleName: aws.String("nextgo-shop-test-exec")})
	if err != nil {
		t.Fatal(err)
	}
	if len(ap.AttachedPolicies) != 1 || aws.ToString(ap.AttachedPolicies[0].PolicyArn) != "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole" {
		t.Errorf("attached policies = %+v", ap.AttachedPolicies)
	}
	role, err := ic.GetRole(context.Background(), &iam.GetRoleInput{RoleName: aws.String("nextgo-shop-test-exec")})
	if err != nil {
		t.Fatal(err)
	}
	if !trustsLambda(aws.ToString(role.Role.AssumeRolePolicyDocument)) || !equalMaps(iamTags(role.Role.Tags), map[string]string{TagApp: "shop", TagStage: "test"}) {
		t.Errorf("role = %+v", role.Role)
	}
}

func mustArch(t *testing.T, goarch string) ltypes.Architecture {
	a, err := lambdaArch(goarch)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func equalMaps(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}

func equalSummary(a, b Summary) bool {
	return slices.Equal(a.Created, b.Created) && slices.Equal(a.Updated, b.Updated) &&
		slices.Equal(a.Unchanged, b.Unchanged) && slices.Equal(a.Deleted, b.Deleted)
}

func TestRedeployUnchangedMakesNoMutatingCall(t *testing.T) {
	e := newTestEnv(t, awsfake.Options{})
	b := e.build("shop", shopRoutes("v1", "v2")...)
	e.deploy(b)
	e.fake.ResetCalls()

	res := e.deploy(b)
	if m := e.fake.Mutations(); len(m) != 0 {
		t.Errorf("mutating calls on an unchanged redeploy: %v", ops(m))
	}
	if n := e.fake.CodeUploads(); n != 0 {
		t.Errorf("code uploads = %d, want 0", n)
	}
	want := Summary{Created: []string{}, Updated: []string{}, Deleted: []string{},
		Unchanged: []string{"shop-test-api-hello-8a32a984", "shop-test-api-post-_pid-24a2ea83", "shop-test-api-docs-__slug-b9e23f28", "shop-test-api-opt-___rest-df232758"}}
	if !equalSummary(res.Summary, want) {
		t.Errorf("summary = %+v, want %+v", res.Summary, want)
	}
	for _, c := range res.Changes {
		if c.Action != Unchanged {
			t.Errorf("change %+v on an unchanged redeploy", c)
		}
	}
	if res.Release != 0 {
		t.Errorf("release = %d, want 0 (no alias moved)", res.Release)
	}
	// A fresh build of the same code (same bytes) is just as unchanged.
	e.fake.ResetCalls()
	e.deploy(e.build("shop", shopRoutes("v1", "v2")...))
	if m := e.fake.Mutations(); len(m) != 0 {
		t.Errorf("mutating calls on a rebuilt unchanged app: %v", ops(m))
	}
}

func TestChangeOneRouteUpdatesOneFunction(t *testing.T) {
	e := newTestEnv(t, awsfake.Options{})
	first := e.deploy(e.build("shop", shopRoutes("v1", "v2")...))
	e.fake.ResetCalls()

	res := e.deploy(e.build("shop", shopRoutes("v3", "v2")...))
	want := []string{"PublishVersion shop-test-api-hello-8a32a984", "PutObject nextgo-shop-test-4dcdd6a3", "UpdateAlias shop-test-api-hello-8a32a984", "UpdateFunctionCode shop-test-api-hello-8a32a984"}
	if got := sortedOps(e.fake.Mutations()); !slices.Equal(got, want) {
		t.Errorf("mutations = %v, want %v", got, want)
	}
	if n := e.fake.CodeUploads(); n != 1 {
		t.Errorf("code uploads = %d, want 1", n)
	}
	if !slices.Equal(res.Summary.Updated, []string{"shop-test-api-hello-8a32a984"}) || len(res.Summary.Unchanged) != 3 || len(res.Summary.Created) != 0 {
		t.Errorf("summary = %+v", res.Summary)
	}
	if res.URL != first.URL || res.Release != 2 {
		t.Errorf("URL %q release %d, want %q and 2", res.URL, res.Release, first.URL)
	}
	wantChange := Change{Action: Update, Resource: ResourceFunction, Name: "shop-test-api-hello-8a32a984", Reason: "code changed"}
	if !slices.Contains(res.Changes, wantChange) {
		t.Errorf("changes %+v lack %+v", res.Changes, wantChange)
	}
	if _, out := get(t, res.URL+"/api/hello"); out.Reply != "v3" || out.Version != "2" {
		t.Errorf("/api/hello = %q version %q, want v3 version 2", out.Reply, out.Version)
	}
	if _, out := get(t, res.URL+"/api/post/1"); out.Reply != "v2" || out.Version != "1" {
		t.Errorf("/api/post/1 = %q version %q, want v2 version 1", out.Reply, out.Version)
	}
}

func TestConfigurationChangeUploadsNoCode(t *testing.T) {
	e := newTestEnv(t, awsfake.Options{})
	e.deploy(e.build("shop", shopRoutes("v1", "v2")...))
	e.fake.ResetCalls()

	routes := shopRoutes("v1", "v2")
	routes[0].Env = map[string]string{"GREETING": "s3cr3t-value", "EXTRA": "also-secret"}
	routes[1].MaxDuration = 7
	res := e.deploy(e.build("shop", routes...))
	want := []string{
		"PublishVersion shop-test-api-hello-8a32a984", "PublishVersion shop-test-api-post-_pid-24a2ea83",
		"PutObject nextgo-shop-test-4dcdd6a3",
		"UpdateAlias shop-test-api-hello-8a32a984", "UpdateAlias shop-test-api-post-_pid-24a2ea83",
		"UpdateFunctionConfiguration shop-test-api-hello-8a32a984", "UpdateFunctionConfiguration shop-test-api-post-_pid-24a2ea83",
	}
	if got := sortedOps(e.fake.Mutations()); !slices.Equal(got, want) {
		t.Errorf("mutations = %v, want %v", got, want)
	}
	if n := e.fake.CodeUploads(); n != 0 {
		t.Errorf("code uploads = %d, want 0", n)
	}
	wantChanges := []Change{
		{Action: Update, Resource: ResourceFunction, Name: "shop-test-api-hello-8a32a984", Reason: "environment: EXTRA added, GREETING changed"},
		{Action: Update, Resource: ResourceFunction, Name: "shop-test-api-post-_pid-24a2ea83", Reason: "timeout 5 s → 7 s"},
	}
	for _, c := range wantChanges {
		if !slices.Contains(res.Changes, c) {
			t.Errorf("changes %+v lack %+v", res.Changes, c)
		}
	}
	if _, out := get(t, res.URL+"/api/hello"); out.Greeting != "s3cr3t-value" {
		t.Errorf("greeting = %q, want the new value", out.Greeting)
	}
	var text strings.Builder
	res.WriteText(&text)
	res.WriteJSON(&text)
	for _, secret := range []string{"s3cr3t-value", "also-secret"} {
		if strings.Contains(e.log.String(), secret) || strings.Contains(text.String(), secret) {
			t.Errorf("an environment value was printed:\n%s\n%s", e.log, text.String())
		}
	}
}

func TestDryRunMakesNoMutatingCall(t *testing.T) {
	e := newTestEnv(t, awsfake.Options{})
	b := e.build("shop", shopRoutes("v1", "v2")...)

	res := e.deploy(b, dryRun)
	if m := e.fake.Mutations(); len(m) != 0 {
		t.Fatalf("a dry run of a first deploy made mutating calls: %v", ops(m))
	}
	if !res.DryRun || res.URL != "" || len(res.Summary.Created) != 4 {
		t.Errorf("dry run result = %+v", res)
	}
	wantFirst := []Change{
		{Action: Create, Resource: ResourceRole, Name: "nextgo-shop-test-exec", Reason: "execution role with arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"},
		{Action: Create, Resource: ResourceFunction, Name: "shop-test-api-hello-8a32a984", Reason: "new route /api/hello"},
		{Action: Create, Resource: ResourceAPI, Name: "shop-test", Reason: "HTTP API, payload format 2.0"},
		{Action: Create, Resource: ResourceRoute, Name: "ANY /api/opt", Reason: "→ shop-test-api-opt-___rest-df232758"},
		{Action: Create, Resource: ResourceRoute, Name: "ANY /api/opt/{rest+}", Reason: "→ shop-test-api-opt-___rest-df232758"},
		{Action: Create, Resource: ResourceRoute, Name: "ANY /api/post/{pid}", Reason: "→ shop-test-api-post-_pid-24a2ea83"},
		{Action: Create, Resource: ResourcePermission, Name: "shop-test-api-hello-8a32a984:live", Reason: "invoke from the HTTP API"},
	}
	for _, c := range wantFirst {
		if !slices.Contains(res.Changes, c) {
			t.Errorf("plan lacks %+v", c)
		}
	}

	e.deploy(b)
	e.fake.ResetCalls()
	routes := shopRoutes("v3", "v2")
	routes = routes[:3] // drop /api/opt/[[...rest]]
	res = e.deploy(e.build("shop", routes...), dryRun, prune)
	if m := e.fake.Mutations(); len(m) != 0 {
		t.Fatalf("a dry run made mutating calls: %v", ops(m))
	}
	want := []Change{
		{Action: Update, Resource: ResourceFunction, Name: "shop-test-api-hello-8a32a984", Reason: "code changed"},
		{Action: Update, Resource: ResourceAlias, Name: "shop-test-api-hello-8a32a984:live", Reason: "version 1 → the version published now (release 2)"},
		{Action: Delete, Resource: ResourceRoute, Name: "ANY /api/opt", Reason: "route no longer in the app"},
		{Action: Delete, Resource: ResourceRoute, Name: "ANY /api/opt/{rest+}", Reason: "route no longer in the app"},
		{Action: Delete, Resource: ResourceIntegration, Name: "shop-test-api-opt-___rest-df232758:live", Reason: "no function of the app uses it"},
		{Action: Delete, Resource: ResourceFunction, Name: "shop-test-api-opt-___rest-df232758", Reason: "route api-opt-___rest-df232758 no longer in the app"},
	}
	for _, c := range want {
		if !slices.Contains(res.Changes, c) {
			t.Errorf("plan %+v lacks %+v", res.Changes, c)
		}
	}
	if !slices.Equal(res.Summary.Deleted, []string{"shop-test-api-opt-___rest-df232758"}) || !slices.Equal(res.Summary.Updated, []string{"shop-test-api-hello-8a32a984"}) {
		t.Errorf("summary = %+v", res.Summary)
	}
	// Nothing changed: the deployed app still answers as before.
	if _, out := get(t, res.URL+"/api/hello"); out.Reply != "v1" {
		t.Errorf("/api/hello = %q after a dry run, want v1", out.Reply)
	}
}

func TestPruneDeletesOnlyWhatIsTaggedForTheStage(t *testing.T) {
	e := newTestEnv(t, awsfake.Options{})
	res := e.deploy(e.build("shop", shopRoutes("v1", "v2")...))
	lc := lambda.NewFromConfig(e.cfg)
	ctx := context.Background()

	// Look-alikes that are not this app's and stage's.
	zip := mustZip(t, e)
	for name, tags := range map[string]map[string]string{
		"shop-test-api-legacy":    nil,
		"shop-test-api-opt-rest2": {TagApp: "shop", TagStage: "prod"},
		"shop-test-api-other":     {TagApp: "other", TagStage: "test"},
	} {
		_, err := lc.CreateFunction(ctx, &lambda.CreateFunctionInput{
			FunctionName: aws.String(name), Runtime: ltypes.RuntimeProvidedal2023, Handler: aws.String("bootstrap"),
			Role: aws.String("arn:aws:iam::123456789012:role/nextgo-shop-test-exec"), Code: &ltypes.FunctionCode{ZipFile: zip}, Tags: tags,
		})
		if err != nil {
			t.Fatal(err)
		}
	}

	// Without --prune, the removed route is kept and still served.
	routes := shopRoutes("v1", "v2")[:3]
	e.fake.ResetCalls()
	kept := e.deploy(e.build("shop", routes...))
	if m := e.fake.Mutations(); len(m) != 0 {
		t.Errorf("a deploy without --prune that only removed a route made mutating calls: %v", ops(m))
	}
	wantKeep := Change{Action: Keep, Resource: ResourceFunction, Name: "shop-test-api-opt-___rest-df232758", Reason: "route api-opt-___rest-df232758 no longer in the app (--prune deletes it)"}
	if !slices.Contains(kept.Changes, wantKeep) || len(kept.Summary.Deleted) != 0 {
		t.Errorf("changes %+v lack %+v, or summary %+v deletes", kept.Changes, wantKeep, kept.Summary)
	}
	if status, out := get(t, res.URL+"/api/opt/x"); status != 200 || out.Reply != "v1" {
		t.Errorf("/api/opt/x = %d %q, want the kept route", status, out.Reply)
	}

	e.fake.ResetCalls()
	pruned := e.deploy(e.build("shop", routes...), prune)
	want := []string{
		"DeleteFunction shop-test-api-opt-___rest-df232758",
		"DeleteIntegration " + res.APIID,
		"DeleteRoute " + res.APIID, "DeleteRoute " + res.APIID,
		"PutObject nextgo-shop-test-4dcdd6a3",
	}
	if got := sortedOps(e.fake.Mutations()); !slices.Equal(got, want) {
		t.Errorf("mutations = %v, want %v", got, want)
	}
	if !slices.Equal(pruned.Summary.Deleted, []string{"shop-test-api-opt-___rest-df232758"}) {
		t.Errorf("summary = %+v", pruned.Summary)
	}
	if status, out := get(t, res.URL+"/api/opt/x"); status != 404 || out.Reply != `{"message":"Not Found"}`+"\n" {
		t.Errorf("/api/opt/x = %d %q after prune, want 404", status, out.Reply)
	}
	if status, _ := get(t, res.URL+"/api/hello"); status != 200 {
		t.Errorf("/api/hello = %d after prune, want 200", status)
	}
	for _, name := range []string{"shop-test-api-legacy", "shop-test-api-opt-rest2", "shop-test-api-other"} {
		if _, err := lc.GetFunction(ctx, &lambda.GetFunctionInput{FunctionName: aws.String(name)}); err != nil {
			t.Errorf("%s: %v, want it untouched", name, err)
		}
	}
	if _, err := lc.GetFunction(ctx, &lambda.GetFunctionInput{FunctionName: aws.String("shop-test-api-opt-___rest-df232758")}); errorCode(err) != "ResourceNotFoundException" {
		t.Errorf("pruned function: %v, want ResourceNotFoundException", err)
	}
}

// mustZip returns the zip of a test function, for functions created
// outside deploy.
func mustZip(t *testing.T, e *testEnv) []byte {
	t.Helper()
	b := e.build("tmp", testbuild.Route{Name: "x", Pattern: "/x", Reply: "other"})
	zip, err := b.zip(&b.Manifest.Functions[0])
	if err != nil {
		t.Fatal(err)
	}
	return zip
}

func TestRefusesAFunctionItDidNotCreate(t *testing.T) {
	e := newTestEnv(t, awsfake.Options{})
	e.deploy(e.build("shop", shopRoutes("v1", "v2")[:1]...)) // creates the role
	lc := lambda.NewFromConfig(e.cfg)
	_, err := lc.CreateFunction(context.Background(), &lambda.CreateFunctionInput{
		FunctionName: aws.String("shop-test-api-post-_pid-24a2ea83"), Runtime: ltypes.RuntimeProvidedal2023, Handler: aws.String("bootstrap"),
		Role: aws.String("arn:aws:iam::123456789012:role/nextgo-shop-test-exec"), Code: &ltypes.FunctionCode{ZipFile: mustZip(t, e)},
	})
	if err != nil {
		t.Fatal(err)
	}
	e.fake.ResetCalls()
	_, err = Deploy(context.Background(), e.build("shop", shopRoutes("v1", "v2")...), e.opts())
	if err == nil || !strings.Contains(err.Error(), "function shop-test-api-post-_pid-24a2ea83 exists but is not tagged nextgo:app=shop and nextgo:stage=test") {
		t.Fatalf("err = %v", err)
	}
	if m := e.fake.Mutations(); len(m) != 0 {
		t.Errorf("mutating calls before refusing: %v", ops(m))
	}
}

func TestFailureKeepsThePreviousReleaseAndRerunCompletes(t *testing.T) {
	e := newTestEnv(t, awsfake.Options{})
	res := e.deploy(e.build("shop", shopRoutes("v1", "v1")...))
	b2 := e.build("shop", shopRoutes("v2", "v2")...)

	e.fake.FailUpdate("shop-test-api-post-_pid-24a2ea83")
	e.fake.ResetCalls()
	_, err := Deploy(context.Background(), b2, e.opts())
	if err == nil || !strings.Contains(err.Error(), "update code of shop-test-api-post-_pid-24a2ea83") || !strings.Contains(err.Error(), "the previous release still serves") {
		t.Fatalf("err = %v", err)
	}
	for _, c := range e.fake.Mutations() {
		if c.Op == "UpdateAlias" || c.Op == "CreateAlias" {
			t.Errorf("alias moved after a failed update: %v", c)
		}
	}
	for _, path := range []string{"/api/hello", "/api/post/1"} {
		if _, out := get(t, res.URL+path); out.Reply != "v1" || out.Version != "1" {
			t.Errorf("%s = %q version %q after a failed deploy, want v1 version 1", path, out.Reply, out.Version)
		}
	}

	e.fake.ResetCalls()
	e.deploy(b2)
	// api-hello's $LATEST already holds v2: only the failed function
	// uploads again.
	if got := ops(callsOf(e.fake.Calls(), "UpdateFunctionCode")); !slices.Equal(got, []string{"UpdateFunctionCode shop-test-api-post-_pid-24a2ea83"}) {
		t.Errorf("code updates on the re-run = %v", got)
	}
	if n := e.fake.CodeUploads(); n != 1 {
		t.Errorf("code uploads on the re-run = %d, want 1", n)
	}
	for _, path := range []string{"/api/hello", "/api/post/1"} {
		if _, out := get(t, res.URL+path); out.Reply != "v2" || out.Version != "2" {
			t.Errorf("%s = %q version %q after the re-run, want v2 version 2", path, out.Reply, out.Version)
		}
	}
}

func callsOf(calls []awsfake.Call, op string) []awsfake.Call {
	var out []awsfake.Call
	for _, c := range calls {
		if c.Op == op {
			out = append(out, c)
		}
	}
	return out
}

func TestThrottlingAndConflictsAreRetried(t *testing.T) {
	e := newTestEnv(t, awsfake.Options{})
	res := e.deploy(e.build("shop", shopRoutes("v1", "v1")...))
	e.fake.ResetCalls()
	e.fake.Throttle("UpdateFunctionCode", 1)
	e.fake.Throttle("GetFunction", 2)
	e.fake.Fail("PublishVersion", http.StatusConflict, "ResourceConflictException", "The operation cannot be performed at this time. An update is in progress for resource: x")
	e.fake.Fail("UpdateAlias", http.StatusConflict, "ResourceConflictException", "The operation cannot be performed at this time. An update is in progress for resource: x")
	e.deploy(e.build("shop", shopRoutes("v2", "v1")...))

	statuses := func(op string) []int {
		var out []int
		for _, c := range callsOf(e.fake.Calls(), op) {
			out = append(out, c.Status)
		}
		return out
	}
	for op, want := range map[string][]int{
		"UpdateFunctionCode": {429, 200},
		"PublishVersion":     {409, 201},
		"UpdateAlias":        {409, 200},
	} {
		if got := statuses(op); !slices.Equal(got, want) {
			t.Errorf("%s statuses = %v, want %v", op, got, want)
		}
	}
	if !slices.Contains(statuses("GetFunction"), 429) {
		t.Errorf("GetFunction was not throttled: %v", statuses("GetFunction"))
	}
	if _, out := get(t, res.URL+"/api/hello"); out.Reply != "v2" {
		t.Errorf("/api/hello = %q, want v2", out.Reply)
	}
}

func TestWaitsForPendingStatesAndNewRoles(t *testing.T) {
	e := newTestEnv(t, awsfake.Options{PendingPolls: 1, RolePropagation: 2})
	routes := shopRoutes("v1", "v1")[:2]
	res := e.deploy(e.build("shop", routes...))
	creates := callsOf(e.fake.Calls(), "CreateFunction")
	var refused int
	for _, c := range creates {
		if c.Status == http.StatusBadRequest {
			refused++
		}
	}
	if refused != 2 || len(creates) != 4 {
		t.Errorf("CreateFunction calls = %+v, want 2 refused while the role propagates, then 2 created", creates)
	}
	routes[0].Reply, routes[0].MaxDuration = "v2", 9
	e.fake.ResetCalls()
	e.deploy(e.build("shop", routes...))
	for _, c := range e.fake.Mutations() {
		if c.Status == http.StatusConflict {
			t.Errorf("conflict: %+v: an update started before the previous one finished", c)
		}
	}
	if got := sortedOps(e.fake.Mutations()); !slices.Equal(got, []string{
		"PublishVersion shop-test-api-hello-8a32a984", "PutObject nextgo-shop-test-4dcdd6a3", "UpdateAlias shop-test-api-hello-8a32a984",
		"UpdateFunctionCode shop-test-api-hello-8a32a984", "UpdateFunctionConfiguration shop-test-api-hello-8a32a984",
	}) {
		t.Errorf("mutations = %v", got)
	}
	if _, out := get(t, res.URL+"/api/hello"); out.Reply != "v2" {
		t.Errorf("/api/hello = %q, want v2", out.Reply)
	}
}

func TestMissingPermissionIsRestored(t *testing.T) {
	e := newTestEnv(t, awsfake.Options{})
	res := e.deploy(e.build("shop", shopRoutes("v1", "v1")...))
	lc := lambda.NewFromConfig(e.cfg)
	_, err := lc.RemovePermission(context.Background(), &lambda.RemovePermissionInput{
		FunctionName: aws.String("shop-test-api-hello-8a32a984"), Qualifier: aws.String("live"), StatementId: aws.String(permissionSid),
	})
	if err != nil {
		t.Fatal(err)
	}
	if status, out := get(t, res.URL+"/api/hello"); status != 500 || out.Reply != `{"message":"Internal Server Error"}`+"\n" {
		t.Fatalf("without permission: %d %q, want API Gateway's 500", status, out.Reply)
	}
	e.fake.ResetCalls()
	again := e.deploy(e.build("shop", shopRoutes("v1", "v1")...))
	want := Change{Action: Create, Resource: ResourcePermission, Name: "shop-test-api-hello-8a32a984:live", Reason: "invoke from the HTTP API"}
	if !slices.Contains(again.Changes, want) {
		t.Errorf("changes lack %+v", want)
	}
	if got := ops(e.fake.Mutations()); !slices.Equal(got, []string{"AddPermission shop-test-api-hello-8a32a984", "PutObject nextgo-shop-test-4dcdd6a3"}) {
		t.Errorf("mutations = %v", got)
	}
	if status, _ := get(t, res.URL+"/api/hello"); status != 200 {
		t.Errorf("after redeploy: %d, want 200", status)
	}
}

func TestRollback(t *testing.T) {
	e := newTestEnv(t, awsfake.Options{})
	ctx := context.Background()
	if _, err := Rollback(ctx, "shop", e.opts()); err == nil || err.Error() != "nothing to roll back: no release of shop is deployed to stage test in us-east-1" {
		t.Errorf("rollback of nothing: %v", err)
	}
	res := e.deploy(e.build("shop", shopRoutes("v1", "v1")...))
	e.deploy(e.build("shop", shopRoutes("v2", "v1")...))
	if _, out := get(t, res.URL+"/api/hello"); out.Reply != "v2" {
		t.Fatalf("/api/hello = %q before rollback, want v2", out.Reply)
	}

	e.fake.ResetCalls()
	plan, err := Rollback(ctx, "shop", e.opts(dryRun))
	if err != nil {
		t.Fatal(err)
	}
	wantChanges := []Change{{Action: Update, Resource: ResourceAlias, Name: "shop-test-api-hello-8a32a984:live", Reason: "version 2 → 1 (restore release 1)"}}
	if !slices.Equal(plan.Changes, wantChanges) || plan.Release != 2 || plan.Restored != 1 {
		t.Errorf("rollback plan = %+v, want %+v", plan, wantChanges)
	}
	if m := e.fake.Mutations(); len(m) != 0 {
		t.Errorf("dry-run rollback made mutating calls: %v", ops(m))
	}

	rep, err := Rollback(ctx, "shop", e.opts())
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(rep.Changes, wantChanges) {
		t.Errorf("rollback = %+v", rep.Changes)
	}
	if got := ops(e.fake.Mutations()); !slices.Equal(got, []string{"UpdateAlias shop-test-api-hello-8a32a984", "PutObject nextgo-shop-test-4dcdd6a3"}) {
		t.Errorf("mutations = %v", got)
	}
	for path, want := range map[string]string{"/api/hello": "v1", "/api/post/1": "v1"} {
		if _, out := get(t, res.URL+path); out.Reply != want || out.Version != "1" {
			t.Errorf("%s = %q version %s after rollback, want %s version 1", path, out.Reply, out.Version, want)
		}
	}

	// A second rollback undoes the first.
	rep, err = Rollback(ctx, "shop", e.opts())
	if err != nil {
		t.Fatal(err)
	}
	want := []Change{{Action: Update, Resource: ResourceAlias, Name: "shop-test-api-hello-8a32a984:live", Reason: "version 1 → 2 (restore release 2)"}}
	if !slices.Equal(rep.Changes, want) {
		t.Errorf("second rollback = %+v, want %+v", rep.Changes, want)
	}
	if _, out := get(t, res.URL+"/api/hello"); out.Reply != "v2" {
		t.Errorf("/api/hello = %q after the second rollback, want v2", out.Reply)
	}

	// Rolling back the first release: functions it created stay.
	e2 := newTestEnv(t, awsfake.Options{})
	e2.deploy(e2.build("shop", shopRoutes("v1", "v1")[:1]...))
	rep, err = Rollback(ctx, "shop", e2.opts())
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Changes) != 1 || rep.Changes[0].Action != Keep || rep.Changes[0].Name != "shop-test-api-hello-8a32a984:live" {
		t.Errorf("rollback of the first release = %+v", rep.Changes)
	}
	if m := e2.fake.Mutations(); len(m) != len(callsOfMut(e2.fake.Calls())) {
		t.Errorf("calls inconsistent")
	}
}

func callsOfMut(calls []awsfake.Call) []awsfake.Call {
	var out []awsfake.Call
	for _, c := range calls {
		if c.Mutating {
			out = append(out, c)
		}
	}
	return out
}

func TestRedeployAfterRollbackMovesForward(t *testing.T) {
	e := newTestEnv(t, awsfake.Options{})
	res := e.deploy(e.build("shop", shopRoutes("v1", "v1")...))
	b2 := e.build("shop", shopRoutes("v2", "v1")...)
	e.deploy(b2)
	if _, err := Rollback(context.Background(), "shop", e.opts()); err != nil {
		t.Fatal(err)
	}
	e.fake.ResetCalls()
	again := e.deploy(b2)
	// Version 2 already holds this code: it is published again without an
	// upload and the alias moves back to it.
	if n := e.fake.CodeUploads(); n != 0 {
		t.Errorf("code uploads = %d, want 0", n)
	}
	if !slices.Equal(again.Summary.Updated, []string{"shop-test-api-hello-8a32a984"}) {
		t.Errorf("summary = %+v", again.Summary)
	}
	if _, out := get(t, res.URL+"/api/hello"); out.Reply != "v2" || out.Version != "2" {
		t.Errorf("/api/hello = %q version %s, want v2 version 2", out.Reply, out.Version)
	}
}

func TestRemove(t *testing.T) {
	e := newTestEnv(t, awsfake.Options{})
	ctx := context.Background()
	res := e.deploy(e.build("shop", shopRoutes("v1", "v1")[:2]...))
	other := e.deploy(e.build("shop", shopRoutes("v1", "v1")[:1]...), func(o *Options) { o.Stage = "prod" })

	e.fake.ResetCalls()
	plan, err := Remove(ctx, "shop", e.opts(dryRun))
	if err != nil {
		t.Fatal(err)
	}
	want := []Change{
		{Action: Delete, Resource: ResourceAPI, Name: "shop-test", Reason: res.APIID + " with its routes, integrations and stage"},
		{Action: Delete, Resource: ResourceFunction, Name: "shop-test-api-hello-8a32a984", Reason: "route api-hello-8a32a984, with its versions, alias and permissions"},
		{Action: Delete, Resource: ResourceFunction, Name: "shop-test-api-post-_pid-24a2ea83", Reason: "route api-post-_pid-24a2ea83, with its versions, alias and permissions"},
		{Action: Delete, Resource: ResourceRole, Name: "nextgo-shop-test-exec", Reason: "execution role"},
		{Action: Delete, Resource: ResourceBucket, Name: "nextgo-shop-test-4dcdd6a3", Reason: "release records"},
	}
	if !slices.Equal(plan.Changes, want) {
		t.Errorf("remove plan = %+v, want %+v", plan.Changes, want)
	}
	if m := e.fake.Mutations(); len(m) != 0 {
		t.Errorf("dry-run remove made mutating calls: %v", ops(m))
	}

	rep, err := Remove(ctx, "shop", e.opts())
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(rep.Changes, want) {
		t.Errorf("remove = %+v", rep.Changes)
	}
	wantOps := []string{
		"DeleteApi " + res.APIID, "DeleteBucket nextgo-shop-test-4dcdd6a3",
		"DeleteFunction shop-test-api-hello-8a32a984", "DeleteFunction shop-test-api-post-_pid-24a2ea83",
		"DeleteObject nextgo-shop-test-4dcdd6a3", "DeleteRole nextgo-shop-test-exec", "DetachRolePolicy nextgo-shop-test-exec",
	}
	if got := sortedOps(e.fake.Mutations()); !slices.Equal(got, wantOps) {
		t.Errorf("mutations = %v, want %v", got, wantOps)
	}
	if _, err := http.Get(res.URL + "/api/hello"); err == nil {
		t.Errorf("the removed API still answers")
	}
	// The other stage is untouched.
	if status, out := get(t, other.URL+"/api/hello"); status != 200 || out.Function != "shop-prod-api-hello-8a32a984" {
		t.Errorf("prod stage: %d %+v", status, out)
	}
	// Removing again finds nothing and is not an error.
	rep, err = Remove(ctx, "shop", e.opts())
	if err != nil || len(rep.Changes) != 0 {
		t.Errorf("second remove = %+v, %v", rep, err)
	}
}
