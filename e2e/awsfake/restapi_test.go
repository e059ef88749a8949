package awsfake

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"reflect"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	ag1types "github.com/aws/aws-sdk-go-v2/service/apigateway/types"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/smithy-go"

	"github.com/nextgo-dev/nextgo/e2e/awsfake/testbuild"
)

func restClient(s *Server) *apigateway.Client {
	return apigateway.NewFromConfig(aws.Config{
		Region:       "us-east-1",
		BaseEndpoint: aws.String(s.URL),
		Credentials: aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
			return aws.Credentials{AccessKeyID: "test", SecretAccessKey: "test"}, nil
		}),
		Retryer: func() aws.Retryer { return aws.NopRetryer{} },
	})
}

// wantAPIError checks an error's code and message as the SDK reads them.
func wantAPIError(t *testing.T, what string, err error, code, message string) {
	t.Helper()
	var ae smithy.APIError
	if !errors.As(err, &ae) || ae.ErrorCode() != code || ae.ErrorMessage() != message {
		t.Errorf("%s: %v; want %s %q", what, err, code, message)
	}
}

const fnARN = "arn:aws:lambda:us-east-1:123456789012:function:f:live"

func bufferedURI(arn string) string {
	return "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/" + arn + "/invocations"
}

func streamURI(arn string) string {
	return "arn:aws:apigateway:us-east-1:lambda:path/2021-11-15/functions/" + arn + "/response-streaming-invocations"
}

func TestRESTAPIManagement(t *testing.T) {
	s, _ := newFake(t, Options{})
	c := restClient(s)
	ctx := context.Background()
	api, err := c.CreateRestApi(ctx, &apigateway.CreateRestApiInput{Name: aws.String("app-dev"), BinaryMediaTypes: []string{"*/*"},
		EndpointConfiguration: &ag1types.EndpointConfiguration{Types: []ag1types.EndpointType{ag1types.EndpointTypeRegional}},
		Tags:                  map[string]string{"nextgo:app": "app"}})
	if err != nil {
		t.Fatal(err)
	}
	id := api.Id
	if aws.ToString(api.RootResourceId) == "" || api.CreatedDate == nil || api.Tags["nextgo:app"] != "app" {
		t.Errorf("CreateRestApi answered %+v", api)
	}
	list, err := c.GetRestApis(ctx, &apigateway.GetRestApisInput{})
	if err != nil || len(list.Items) != 1 || aws.ToString(list.Items[0].Id) != aws.ToString(id) {
		t.Fatalf("GetRestApis: %+v, %v", list, err)
	}
	_, err = c.CreateDeployment(ctx, &apigateway.CreateDeploymentInput{RestApiId: id, StageName: aws.String("live")})
	wantAPIError(t, "deploy an empty API", err, "BadRequestException", "The REST API doesn't contain any methods")

	mk := func(parent, part string) (*apigateway.CreateResourceOutput, error) {
		return c.CreateResource(ctx, &apigateway.CreateResourceInput{RestApiId: id, ParentId: aws.String(parent), PathPart: aws.String(part)})
	}
	apiRes, err := mk(aws.ToString(api.RootResourceId), "api")
	if err != nil {
		t.Fatal(err)
	}
	post, err := mk(aws.ToString(apiRes.Id), "{pid}")
	if err != nil || aws.ToString(post.Path) != "/api/{pid}" {
		t.Fatalf("CreateResource {pid}: %+v, %v", post, err)
	}
	_, err = mk(aws.ToString(apiRes.Id), "{slug+}")
	wantAPIError(t, "a second variable sibling", err, "BadRequestException", "A sibling ({pid}) of this resource already has a variable path part -- only one is allowed")
	_, err = mk(aws.ToString(apiRes.Id), "{pid}")
	wantAPIError(t, "the same path part twice", err, "ConflictException", "Another resource with the same parent already has this name: {pid}")
	for _, bad := range []string{"a b", "{x", "a:b", "", "{x}y"} {
		_, err = mk(aws.ToString(apiRes.Id), bad)
		wantAPIError(t, "path part "+bad, err, "BadRequestException", "Resource's path part only allow a-zA-Z0-9._- and curly braces at the beginning and the end.")
	}
	_, err = mk("nope", "x")
	wantAPIError(t, "unknown parent", err, "NotFoundException", "Invalid Resource identifier specified")

	_, err = c.PutIntegration(ctx, &apigateway.PutIntegrationInput{RestApiId: id, ResourceId: post.Id, HttpMethod: aws.String("ANY"),
		Type: ag1types.IntegrationTypeAwsProxy, IntegrationHttpMethod: aws.String("POST"), Uri: aws.String(bufferedURI(fnARN))})
	wantAPIError(t, "integration before its method", err, "NotFoundException", "Invalid Method identifier specified")
	if _, err := c.PutMethod(ctx, &apigateway.PutMethodInput{RestApiId: id, ResourceId: post.Id, HttpMethod: aws.String("ANY"), AuthorizationType: aws.String("NONE")}); err != nil {
		t.Fatal(err)
	}
	_, err = c.CreateDeployment(ctx, &apigateway.CreateDeploymentInput{RestApiId: id, StageName: aws.String("live")})
	wantAPIError(t, "deploy a method without integration", err, "BadRequestException", "No integration defined for method")

	integ := func(mode ag1types.ResponseTransferMode, uri string, timeout int32) error {
		_, err := c.PutIntegration(ctx, &apigateway.PutIntegrationInput{RestApiId: id, ResourceId: post.Id, HttpMethod: aws.String("ANY"),
			Type: ag1types.IntegrationTypeAwsProxy, IntegrationHttpMethod: aws.String("POST"), Uri: aws.String(uri),
			TimeoutInMillis: aws.Int32(timeout), ResponseTransferMode: mode})
		return err
	}
	wantAPIError(t, "buffered past 29 s", integ(ag1types.ResponseTransferModeBuffered, bufferedURI(fnARN), 30_000),
		"BadRequestException", "Timeout should be between 50 ms and 29000 ms")
	wantAPIError(t, "stream past 15 min", integ(ag1types.ResponseTransferModeStream, streamURI(fnARN), 900_001),
		"BadRequestException", "Timeout should be between 50 ms and 900000 ms")
	if err := integ(ag1types.ResponseTransferModeStream, streamURI(fnARN), 300_000); err != nil {
		t.Fatalf("a 5-minute STREAM integration: %v", err)
	}
	got, err := c.GetIntegration(ctx, &apigateway.GetIntegrationInput{RestApiId: id, ResourceId: post.Id, HttpMethod: aws.String("ANY")})
	if err != nil || got.ResponseTransferMode != ag1types.ResponseTransferModeStream || aws.ToString(got.Uri) != streamURI(fnARN) || got.TimeoutInMillis != 300_000 {
		t.Errorf("GetIntegration: %+v, %v", got, err)
	}
	dep, err := c.CreateDeployment(ctx, &apigateway.CreateDeploymentInput{RestApiId: id, StageName: aws.String("live")})
	if err != nil {
		t.Fatal(err)
	}
	stages, err := c.GetStages(ctx, &apigateway.GetStagesInput{RestApiId: id})
	if err != nil || len(stages.Item) != 1 || aws.ToString(stages.Item[0].DeploymentId) != aws.ToString(dep.Id) {
		t.Errorf("GetStages: %+v, %v", stages, err)
	}
	res, err := c.GetResources(ctx, &apigateway.GetResourcesInput{RestApiId: id, Embed: []string{"methods"}})
	if err != nil || len(res.Items) != 3 {
		t.Fatalf("GetResources: %+v, %v", res, err)
	}
	last := res.Items[2]
	if aws.ToString(last.Path) != "/api/{pid}" || last.ResourceMethods["ANY"].MethodIntegration == nil ||
		last.ResourceMethods["ANY"].MethodIntegration.ResponseTransferMode != ag1types.ResponseTransferModeStream {
		t.Errorf("GetResources embeds %+v", last)
	}
	if _, err := c.DeleteRestApi(ctx, &apigateway.DeleteRestApiInput{RestApiId: id}); err != nil {
		t.Fatal(err)
	}
	_, err = c.GetRestApi(ctx, &apigateway.GetRestApiInput{RestApiId: id})
	wantAPIError(t, "deleted API", err, "NotFoundException", "Invalid REST API identifier specified")
}

func TestRESTAPIServes(t *testing.T) {
	s, cl := newFake(t, Options{})
	c := restClient(s)
	ctx := context.Background()
	role := createRole(t, cl, "r")
	createFunction(t, cl, "f", role, testZips(t)["a"])
	v, err := cl.lambda.PublishVersion(ctx, &lambda.PublishVersionInput{FunctionName: aws.String("f")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := cl.lambda.CreateAlias(ctx, &lambda.CreateAliasInput{FunctionName: aws.String("f"), Name: aws.String("live"), FunctionVersion: v.Version}); err != nil {
		t.Fatal(err)
	}
	api, err := c.CreateRestApi(ctx, &apigateway.CreateRestApiInput{Name: aws.String("app-dev")})
	if err != nil {
		t.Fatal(err)
	}
	id := api.Id
	resource := func(parent *string, part string, mode ag1types.ResponseTransferMode) *string {
		t.Helper()
		r, err := c.CreateResource(ctx, &apigateway.CreateResourceInput{RestApiId: id, ParentId: parent, PathPart: aws.String(part)})
		if err != nil {
			t.Fatal(err)
		}
		if mode == "" {
			return r.Id
		}
		if _, err := c.PutMethod(ctx, &apigateway.PutMethodInput{RestApiId: id, ResourceId: r.Id, HttpMethod: aws.String("ANY"), AuthorizationType: aws.String("NONE")}); err != nil {
			t.Fatal(err)
		}
		uri := bufferedURI(fnARN)
		if mode == ag1types.ResponseTransferModeStream {
			uri = streamURI(fnARN)
		}
		if _, err := c.PutIntegration(ctx, &apigateway.PutIntegrationInput{RestApiId: id, ResourceId: r.Id, HttpMethod: aws.String("ANY"),
			Type: ag1types.IntegrationTypeAwsProxy, IntegrationHttpMethod: aws.String("POST"), Uri: aws.String(uri), ResponseTransferMode: mode}); err != nil {
			t.Fatal(err)
		}
		return r.Id
	}
	items := resource(api.RootResourceId, "items", "")
	resource(items, "{id}", ag1types.ResponseTransferModeBuffered)
	resource(api.RootResourceId, "{proxy+}", ag1types.ResponseTransferModeBuffered)
	// The test function answers buffered: behind STREAM it is malformed.
	resource(items, "stream", ag1types.ResponseTransferModeStream)
	if _, err := c.CreateDeployment(ctx, &apigateway.CreateDeploymentInput{RestApiId: id, StageName: aws.String("live")}); err != nil {
		t.Fatal(err)
	}
	base := s.RESTEndpoint(aws.ToString(id), "live")
	fetch := func(path string) (int, string, http.Header) {
		t.Helper()
		res, err := http.Get(base + path)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res.StatusCode, string(b), res.Header
	}
	internal := `{"message":"Internal server error"}` + "\n"
	if st, body, _ := fetch("/items/1"); st != 500 || body != internal {
		t.Errorf("without permission: %d %s", st, body)
	}
	if _, err := cl.lambda.AddPermission(ctx, &lambda.AddPermissionInput{
		FunctionName: aws.String("f"), Qualifier: aws.String("live"), StatementId: aws.String("rest"),
		Action: aws.String("lambda:InvokeFunction"), Principal: aws.String("apigateway.amazonaws.com"),
		SourceArn: aws.String("arn:aws:execute-api:us-east-1:123456789012:" + aws.ToString(id) + "/*/*/*"),
	}); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		path   string
		status int
		params map[string]string
	}{
		{"/items/1", 200, map[string]string{"id": "1"}},
		{"/items/a%20b", 200, map[string]string{"id": "a b"}},
		{"/items/1/2", 200, map[string]string{"proxy": "items/1/2"}}, // back to the root's greedy resource
		{"/nope", 200, map[string]string{"proxy": "nope"}},
	}
	for _, tt := range tests {
		st, body, _ := fetch(tt.path)
		var r testbuild.Response
		json.Unmarshal([]byte(body), &r)
		if st != tt.status || r.Reply != "a" || !reflect.DeepEqual(r.PathParameters, tt.params) {
			t.Errorf("GET %s: %d %s; want %d with %v", tt.path, st, body, tt.status, tt.params)
		}
	}
	if st, body, _ := fetch("/items/stream"); st != 502 || body != internal {
		t.Errorf("a buffered answer behind STREAM: %d %s, want 502", st, body)
	}
	missing := `{"message":"Missing Authentication Token"}` + "\n"
	if st, body, h := fetch("/items"); st != 403 || body != missing || h.Get("X-Amzn-Errortype") != "MissingAuthenticationTokenException" {
		t.Errorf("a resource without methods: %d %s %v", st, body, h)
	}
	if res, err := http.Get(strings.TrimSuffix(base, "/live") + "/other/items/1"); err != nil || res.StatusCode != 403 {
		t.Errorf("an unknown stage: %v %v", res, err)
	}
}
