package deploy

import (
	"context"
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigatewayv2"
	agtypes "github.com/aws/aws-sdk-go-v2/service/apigatewayv2/types"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	ltypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/nextgo-dev/nextgo/e2e/awsfake"
)

// TestOldNamesAreReplaced deploys over a stage whose route /api/hello is
// served by a function named as earlier nextgo versions named it
// ("shop-test-api-hello", which depended on the other routes): the route
// moves to the function named by FunctionName, and the old function and
// its integration go, with or without --prune.
func TestOldNamesAreReplaced(t *testing.T) {
	e := newTestEnv(t, awsfake.Options{})
	ctx := context.Background()
	res := e.deploy(e.build("shop", shopRoutes("v1", "v1")...))
	lc := lambda.NewFromConfig(e.cfg)
	ac := apigatewayv2.NewFromConfig(e.cfg)

	const old = "shop-test-api-hello"
	_, err := lc.CreateFunction(ctx, &lambda.CreateFunctionInput{
		FunctionName: aws.String(old), Runtime: ltypes.RuntimeProvidedal2023, Handler: aws.String("bootstrap"),
		Role: aws.String("arn:aws:iam::123456789012:role/nextgo-shop-test-exec"), Code: &ltypes.FunctionCode{ZipFile: mustZip(t, e)},
		Description: aws.String("nextgo /api/hello (pages/api/hello.go)"),
		Tags:        map[string]string{TagApp: "shop", TagStage: "test", TagRoute: "api-hello"},
	})
	if err != nil {
		t.Fatal(err)
	}
	v, err := lc.PublishVersion(ctx, &lambda.PublishVersionInput{FunctionName: aws.String(old)})
	if err != nil {
		t.Fatal(err)
	}
	alias, err := lc.CreateAlias(ctx, &lambda.CreateAliasInput{FunctionName: aws.String(old), Name: aws.String(AliasName), FunctionVersion: v.Version})
	if err != nil {
		t.Fatal(err)
	}
	_, err = lc.AddPermission(ctx, &lambda.AddPermissionInput{FunctionName: aws.String(old), Qualifier: aws.String(AliasName),
		StatementId: aws.String("x"), Action: aws.String("lambda:InvokeFunction"), Principal: aws.String("apigateway.amazonaws.com")})
	if err != nil {
		t.Fatal(err)
	}
	in, err := ac.CreateIntegration(ctx, &apigatewayv2.CreateIntegrationInput{ApiId: aws.String(res.APIID),
		IntegrationType: agtypes.IntegrationTypeAwsProxy, IntegrationUri: alias.AliasArn, PayloadFormatVersion: aws.String("2.0")})
	if err != nil {
		t.Fatal(err)
	}
	routes, err := ac.GetRoutes(ctx, &apigatewayv2.GetRoutesInput{ApiId: aws.String(res.APIID)})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range routes.Items {
		if aws.ToString(r.RouteKey) == "ANY /api/hello" {
			_, err := ac.UpdateRoute(ctx, &apigatewayv2.UpdateRouteInput{ApiId: aws.String(res.APIID), RouteId: r.RouteId, Target: aws.String("integrations/" + aws.ToString(in.IntegrationId))})
			if err != nil {
				t.Fatal(err)
			}
		}
	}
	if _, out := get(t, res.URL+"/api/hello"); out.Function != old {
		t.Fatalf("/api/hello served by %q before the deploy, want the old function", out.Function)
	}

	e.fake.ResetCalls()
	again := e.deploy(e.build("shop", shopRoutes("v1", "v1")...))
	want := Change{Action: Delete, Resource: ResourceFunction, Name: old,
		Reason: "route /api/hello is served by shop-test-api-hello-8a32a984 now (function names no longer depend on other routes)"}
	if !slices.Contains(again.Changes, want) || !slices.Equal(again.Summary.Deleted, []string{old}) {
		t.Errorf("changes %+v lack %+v, or summary %+v", again.Changes, want, again.Summary)
	}
	wantOps := []string{"DeleteFunction " + old, "DeleteIntegration " + res.APIID, "PutObject nextgo-shop-test-4dcdd6a3", "UpdateRoute " + res.APIID}
	if got := sortedOps(e.fake.Mutations()); !slices.Equal(got, wantOps) {
		t.Errorf("mutations = %v, want %v", got, wantOps)
	}
	if status, out := get(t, res.URL+"/api/hello"); status != 200 || out.Function != "shop-test-api-hello-8a32a984" {
		t.Errorf("/api/hello = %d from %q after the deploy", status, out.Function)
	}
	if _, err := lc.GetFunction(ctx, &lambda.GetFunctionInput{FunctionName: aws.String(old)}); errorCode(err) != "ResourceNotFoundException" {
		t.Errorf("old function: %v, want it deleted", err)
	}
}
