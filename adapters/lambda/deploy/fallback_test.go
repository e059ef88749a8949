package deploy

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigatewayv2"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/nextgo-dev/nextgo/e2e/awsfake"
	"github.com/nextgo-dev/nextgo/e2e/awsfake/testbuild"
)

// fallbackRoute is the function nextgo build adds for an app with a
// middleware.go or nextgo.json rules.
func fallbackRoute(reply string) testbuild.Route {
	return testbuild.Route{Name: "_fallback", Kind: "fallback", Reply: reply}
}

// shopWithFallback is a two-route app with a fallback.
func shopWithFallback(fallback string) []testbuild.Route {
	return append(shopRoutes("v1", "v2")[:2], fallbackRoute(fallback))
}

const notFoundBody = `{"message":"Not Found"}` + "\n"

func TestDeployFallbackServesTheDefaultRoute(t *testing.T) {
	e := newTestEnv(t, awsfake.Options{})
	b := e.build("shop", shopWithFallback("v3")...)

	plan := e.deploy(b, dryRun)
	if m := e.fake.Mutations(); len(m) != 0 {
		t.Fatalf("a dry run made mutating calls: %v", ops(m))
	}
	for _, c := range []Change{
		{Action: Create, Resource: ResourceFunction, Name: "shop-test-_fallback", Reason: "new route $default"},
		{Action: Create, Resource: ResourceAlias, Name: "shop-test-_fallback:live", Reason: "→ the version published now (release 1)"},
		{Action: Create, Resource: ResourceIntegration, Name: "shop-test-_fallback", Reason: "Lambda proxy to shop-test-_fallback:live"},
		{Action: Create, Resource: ResourceRoute, Name: "$default", Reason: "→ shop-test-_fallback"},
		{Action: Create, Resource: ResourcePermission, Name: "shop-test-_fallback:live", Reason: "invoke from the HTTP API"},
	} {
		if !slices.Contains(plan.Changes, c) {
			t.Errorf("plan lacks %+v", c)
		}
	}

	res := e.deploy(b)
	want := Summary{Created: []string{"shop-test-api-hello-8a32a984", "shop-test-api-post-_pid-24a2ea83", "shop-test-_fallback"},
		Updated: []string{}, Unchanged: []string{}, Deleted: []string{}}
	if !equalSummary(res.Summary, want) {
		t.Errorf("summary = %+v, want %+v", res.Summary, want)
	}
	tests := []struct {
		method, path string
		reply        string
		routeKey     string
		function     string
	}{
		{"GET", "/api/hello", "v1", "ANY /api/hello", "shop-test-api-hello-8a32a984"},
		{"GET", "/api/post/42", "v2", "ANY /api/post/{pid}", "shop-test-api-post-_pid-24a2ea83"},
		// Every method of a route reaches its function, which answers
		// 405 for those it does not export.
		{"POST", "/api/post/42", "v2", "ANY /api/post/{pid}", "shop-test-api-post-_pid-24a2ea83"},
		// What no route serves reaches the fallback.
		{"GET", "/", "v3", "$default", "shop-test-_fallback"},
		{"GET", "/about", "v3", "$default", "shop-test-_fallback"},
		{"DELETE", "/api/hello/x/y", "v3", "$default", "shop-test-_fallback"},
	}
	for _, tt := range tests {
		status, out := do(t, tt.method, res.URL+tt.path)
		if status != 200 || out.Reply != tt.reply || out.RouteKey != tt.routeKey || out.Function != tt.function ||
			out.Method != tt.method || out.RawPath != tt.path || out.Version != "1" {
			t.Errorf("%s %s = %d %+v, want %s from %s with route key %s", tt.method, tt.path, status, out, tt.reply, tt.function, tt.routeKey)
		}
		if tt.routeKey == "$default" && out.PathParameters != nil {
			t.Errorf("%s %s: path parameters %v, want none", tt.method, tt.path, out.PathParameters)
		}
	}

	// Deployed like any function: tags, description, live alias, and an
	// invoke permission scoped to the API.
	lc := lambda.NewFromConfig(e.cfg)
	ctx := context.Background()
	fn, err := lc.GetFunction(ctx, &lambda.GetFunctionInput{FunctionName: aws.String("shop-test-_fallback")})
	if err != nil {
		t.Fatal(err)
	}
	if got := aws.ToString(fn.Configuration.Description); got != "nextgo $default (middleware.go)" {
		t.Errorf("description = %q", got)
	}
	if wantTags := map[string]string{TagApp: "shop", TagStage: "test", TagRoute: "_fallback"}; !equalMaps(fn.Tags, wantTags) {
		t.Errorf("tags = %v, want %v", fn.Tags, wantTags)
	}
	pol, err := lc.GetPolicy(ctx, &lambda.GetPolicyInput{FunctionName: aws.String("shop-test-_fallback"), Qualifier: aws.String("live")})
	if err != nil {
		t.Fatal(err)
	}
	if wantSource := `"AWS:SourceArn":"arn:aws:execute-api:us-east-1:123456789012:` + res.APIID + `/*"`; !strings.Contains(aws.ToString(pol.Policy), wantSource) {
		t.Errorf("policy = %s, want %s", aws.ToString(pol.Policy), wantSource)
	}
	ac := apigatewayv2.NewFromConfig(e.cfg)
	routes, err := ac.GetRoutes(ctx, &apigatewayv2.GetRoutesInput{ApiId: aws.String(res.APIID)})
	if err != nil {
		t.Fatal(err)
	}
	integ, err := ac.GetIntegrations(ctx, &apigatewayv2.GetIntegrationsInput{ApiId: aws.String(res.APIID)})
	if err != nil {
		t.Fatal(err)
	}
	var defaultTarget string
	for _, r := range routes.Items {
		if aws.ToString(r.RouteKey) == "$default" {
			defaultTarget = aws.ToString(r.Target)
		}
	}
	var uri, desc string
	for _, in := range integ.Items {
		if "integrations/"+aws.ToString(in.IntegrationId) == defaultTarget {
			uri, desc = aws.ToString(in.IntegrationUri), aws.ToString(in.Description)
		}
	}
	if uri != "arn:aws:lambda:us-east-1:123456789012:function:shop-test-_fallback:live" || desc != "nextgo $default" {
		t.Errorf("$default → %q: integration %q %q, want the fallback's live alias", defaultTarget, uri, desc)
	}

	// Unchanged: nothing to do.
	e.fake.ResetCalls()
	e.deploy(e.build("shop", shopWithFallback("v3")...))
	if m := e.fake.Mutations(); len(m) != 0 {
		t.Errorf("mutating calls on an unchanged redeploy: %v", ops(m))
	}

	// A new fallback is released like any function; the routes stay.
	e.fake.ResetCalls()
	res = e.deploy(e.build("shop", shopWithFallback("other")...))
	wantOps := []string{"PublishVersion shop-test-_fallback", "PutObject nextgo-shop-test-4dcdd6a3", "UpdateAlias shop-test-_fallback", "UpdateFunctionCode shop-test-_fallback"}
	if got := sortedOps(e.fake.Mutations()); !slices.Equal(got, wantOps) {
		t.Errorf("mutations = %v, want %v", got, wantOps)
	}
	if _, out := get(t, res.URL+"/about"); out.Reply != "other" || out.Version != "2" {
		t.Errorf("/about = %q version %s, want other version 2", out.Reply, out.Version)
	}
	if _, out := get(t, res.URL+"/api/hello"); out.Reply != "v1" || out.Version != "1" {
		t.Errorf("/api/hello = %q version %s, want v1 version 1", out.Reply, out.Version)
	}

	// Rollback moves the fallback's alias back like any other.
	rep, err := Rollback(ctx, "shop", e.opts())
	if err != nil {
		t.Fatal(err)
	}
	if want := []Change{{Action: Update, Resource: ResourceAlias, Name: "shop-test-_fallback:live", Reason: "version 2 → 1 (restore release 1)"}}; !slices.Equal(rep.Changes, want) {
		t.Errorf("rollback = %+v, want %+v", rep.Changes, want)
	}
	if _, out := get(t, res.URL+"/about"); out.Reply != "v3" {
		t.Errorf("/about = %q after rollback, want v3", out.Reply)
	}
}

func TestPruneRemovesTheDefaultRoute(t *testing.T) {
	e := newTestEnv(t, awsfake.Options{})
	res := e.deploy(e.build("shop", shopWithFallback("v3")...))
	noFallback := e.build("shop", shopRoutes("v1", "v2")[:2]...)

	// Without --prune the fallback and its route are kept, and serve.
	e.fake.ResetCalls()
	kept := e.deploy(noFallback)
	if m := e.fake.Mutations(); len(m) != 0 {
		t.Errorf("a deploy without --prune made mutating calls: %v", ops(m))
	}
	for _, c := range []Change{
		{Action: Keep, Resource: ResourceRoute, Name: "$default", Reason: "route no longer in the app (--prune deletes it)"},
		{Action: Keep, Resource: ResourceFunction, Name: "shop-test-_fallback", Reason: "route _fallback no longer in the app (--prune deletes it)"},
	} {
		if !slices.Contains(kept.Changes, c) {
			t.Errorf("changes %+v lack %+v", kept.Changes, c)
		}
	}
	if status, out := get(t, res.URL+"/about"); status != 200 || out.Reply != "v3" {
		t.Errorf("/about = %d %q, want the kept fallback", status, out.Reply)
	}

	plan := e.deploy(noFallback, dryRun, prune)
	for _, c := range []Change{
		{Action: Delete, Resource: ResourceRoute, Name: "$default", Reason: "route no longer in the app"},
		{Action: Delete, Resource: ResourceIntegration, Name: "shop-test-_fallback:live", Reason: "no function of the app uses it"},
		{Action: Delete, Resource: ResourceFunction, Name: "shop-test-_fallback", Reason: "route _fallback no longer in the app"},
	} {
		if !slices.Contains(plan.Changes, c) {
			t.Errorf("plan %+v lacks %+v", plan.Changes, c)
		}
	}

	e.fake.ResetCalls()
	pruned := e.deploy(noFallback, prune)
	want := []string{"DeleteFunction shop-test-_fallback", "DeleteIntegration " + res.APIID, "DeleteRoute " + res.APIID, "PutObject nextgo-shop-test-4dcdd6a3"}
	if got := sortedOps(e.fake.Mutations()); !slices.Equal(got, want) {
		t.Errorf("mutations = %v, want %v", got, want)
	}
	if !slices.Equal(pruned.Summary.Deleted, []string{"shop-test-_fallback"}) {
		t.Errorf("summary = %+v", pruned.Summary)
	}
	// API Gateway answers the paths no route serves itself again.
	if status, out := get(t, res.URL+"/about"); status != 404 || out.Reply != notFoundBody {
		t.Errorf("/about = %d %q after prune, want API Gateway's 404", status, out.Reply)
	}
	if status, out := get(t, res.URL+"/api/hello"); status != 200 || out.Reply != "v1" {
		t.Errorf("/api/hello = %d %q after prune", status, out.Reply)
	}

	// Adding the fallback back recreates both.
	e.fake.ResetCalls()
	again := e.deploy(e.build("shop", shopWithFallback("v3")...))
	if !slices.Equal(again.Summary.Created, []string{"shop-test-_fallback"}) {
		t.Errorf("summary = %+v", again.Summary)
	}
	if status, out := get(t, res.URL+"/about"); status != 200 || out.Reply != "v3" || out.RouteKey != "$default" {
		t.Errorf("/about = %d %+v, want the fallback again", status, out)
	}
}
