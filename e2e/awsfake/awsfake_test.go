package awsfake

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigatewayv2"
	agtypes "github.com/aws/aws-sdk-go-v2/service/apigatewayv2/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	ltypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"
	"github.com/nextgo-dev/nextgo/e2e/awsfake/testbuild"
)

const trust = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}`

// clients are SDK clients of the fake, built without reading any shared
// configuration or credentials file. Retries are off, so that every
// error shape reaches the test.
type clients struct {
	lambda *lambda.Client
	apigw  *apigatewayv2.Client
	iam    *iam.Client
	sts    *sts.Client
	s3     *s3.Client
}

func newFake(t *testing.T, opts Options) (*Server, clients) {
	t.Helper()
	if opts.ControlPlaneRate == 0 {
		opts.ControlPlaneRate = -1 // these clients do not retry: TestThrottle throttles
	}
	s, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	cfg := aws.Config{
		Region:       "us-east-1",
		BaseEndpoint: aws.String(s.URL),
		Credentials: aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
			return aws.Credentials{AccessKeyID: "test", SecretAccessKey: "test"}, nil
		}),
		Retryer: func() aws.Retryer { return aws.NopRetryer{} },
	}
	return s, clients{lambda.NewFromConfig(cfg), apigatewayv2.NewFromConfig(cfg), iam.NewFromConfig(cfg), sts.NewFromConfig(cfg), s3.NewFromConfig(cfg)}
}

var (
	zipOnce sync.Once
	zips    map[string][]byte
	zipErr  error
)

// testZips compiles two real functions once and returns their zips.
func testZips(t *testing.T) map[string][]byte {
	t.Helper()
	zipOnce.Do(func() {
		dir, err := os.MkdirTemp("", "awsfake-test-")
		if err != nil {
			zipErr = err
			return
		}
		defer os.RemoveAll(dir)
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		m, err := testbuild.Write(ctx, dir, "t", []testbuild.Route{
			{Name: "a", Pattern: "/a", Reply: "a"},
			{Name: "b", Pattern: "/b", Reply: "b"},
		})
		if err != nil {
			zipErr = err
			return
		}
		zips = map[string][]byte{}
		for _, fn := range m.Functions {
			data, err := os.ReadFile(dir + "/" + fn.Zip)
			if err != nil {
				zipErr = err
				return
			}
			zips[fn.Name] = data
		}
	})
	if zipErr != nil {
		t.Fatal(zipErr)
	}
	return zips
}

func createRole(t *testing.T, c clients, name string) string {
	t.Helper()
	out, err := c.iam.CreateRole(context.Background(), &iam.CreateRoleInput{RoleName: aws.String(name), AssumeRolePolicyDocument: aws.String(trust)})
	if err != nil {
		t.Fatal(err)
	}
	return aws.ToString(out.Role.Arn)
}

func createFunction(t *testing.T, c clients, name, role string, zip []byte) *lambda.CreateFunctionOutput {
	t.Helper()
	out, err := c.lambda.CreateFunction(context.Background(), &lambda.CreateFunctionInput{
		FunctionName: aws.String(name), Runtime: ltypes.RuntimeProvidedal2023, Handler: aws.String("bootstrap"),
		Role: aws.String(role), Code: &ltypes.FunctionCode{ZipFile: zip},
		Architectures: []ltypes.Architecture{arch()},
		Environment:   &ltypes.Environment{Variables: map[string]string{"GREETING": "hello"}},
		Tags:          map[string]string{"nextgo:app": "t"},
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func arch() ltypes.Architecture {
	if testbuild.Arch() == "arm64" {
		return ltypes.ArchitectureArm64
	}
	return ltypes.ArchitectureX8664
}

func TestSTSAndIAM(t *testing.T) {
	_, c := newFake(t, Options{Account: "210987654321"})
	ctx := context.Background()
	id, err := c.sts.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(id.Account) != "210987654321" || aws.ToString(id.Arn) != "arn:aws:iam::210987654321:user/test" {
		t.Errorf("identity = %s %s", aws.ToString(id.Account), aws.ToString(id.Arn))
	}

	_, err = c.iam.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("r")})
	var nse *iamtypes.NoSuchEntityException
	if !errors.As(err, &nse) || nse.ErrorMessage() != "The role with name r cannot be found." {
		t.Fatalf("GetRole of a missing role: %v", err)
	}
	out, err := c.iam.CreateRole(ctx, &iam.CreateRoleInput{
		RoleName: aws.String("r"), AssumeRolePolicyDocument: aws.String(trust),
		Tags: []iamtypes.Tag{{Key: aws.String("k"), Value: aws.String("v")}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(out.Role.Arn) != "arn:aws:iam::210987654321:role/r" {
		t.Errorf("arn = %s", aws.ToString(out.Role.Arn))
	}
	_, err = c.iam.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("r"), AssumeRolePolicyDocument: aws.String(trust)})
	var eae *iamtypes.EntityAlreadyExistsException
	if !errors.As(err, &eae) {
		t.Errorf("second CreateRole: %v, want EntityAlreadyExists", err)
	}
	got, err := c.iam.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("r")})
	if err != nil {
		t.Fatal(err)
	}
	// IAM returns the document URL-encoded.
	if doc, err := url.QueryUnescape(aws.ToString(got.Role.AssumeRolePolicyDocument)); err != nil || doc != trust {
		t.Errorf("trust policy = %s, %v", aws.ToString(got.Role.AssumeRolePolicyDocument), err)
	}
	if len(got.Role.Tags) != 1 || aws.ToString(got.Role.Tags[0].Key) != "k" {
		t.Errorf("tags = %+v", got.Role.Tags)
	}
	const basic = "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"
	if _, err := c.iam.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: aws.String("r"), PolicyArn: aws.String(basic)}); err != nil {
		t.Fatal(err)
	}
	_, err = c.iam.DeleteRole(ctx, &iam.DeleteRoleInput{RoleName: aws.String("r")})
	var dc *iamtypes.DeleteConflictException
	if !errors.As(err, &dc) {
		t.Errorf("DeleteRole with a policy attached: %v, want DeleteConflict", err)
	}
	ap, err := c.iam.ListAttachedRolePolicies(ctx, &iam.ListAttachedRolePoliciesInput{RoleName: aws.String("r")})
	if err != nil || len(ap.AttachedPolicies) != 1 || aws.ToString(ap.AttachedPolicies[0].PolicyArn) != basic ||
		aws.ToString(ap.AttachedPolicies[0].PolicyName) != "AWSLambdaBasicExecutionRole" {
		t.Fatalf("attached = %+v, %v", ap, err)
	}
	if _, err := c.iam.DetachRolePolicy(ctx, &iam.DetachRolePolicyInput{RoleName: aws.String("r"), PolicyArn: aws.String(basic)}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.iam.DeleteRole(ctx, &iam.DeleteRoleInput{RoleName: aws.String("r")}); err != nil {
		t.Fatal(err)
	}
}

// TestWireShapes checks the raw error documents, as a client other than
// the SDK sees them.
func TestWireShapes(t *testing.T) {
	s, _ := newFake(t, Options{})
	tests := []struct {
		name, method, path, body, contentType string
		status                                int
		errorType                             string
		wantBody                              string
	}{
		{"lambda not found", "GET", "/2015-03-31/functions/nope", "", "", 404, "ResourceNotFoundException",
			`{"Type":"User","message":"Function not found: arn:aws:lambda:us-east-1:123456789012:function:nope"}`},
		{"lambda bad json", "POST", "/2015-03-31/functions", "{", "application/json", 400, "InvalidRequestContentException",
			`{"Type":"User","message":"Could not parse request body into json: unexpected end of JSON input"}`},
		{"apigateway not found", "GET", "/v2/apis/nope", "", "", 404, "NotFoundException",
			`{"message":"Invalid API identifier specified 123456789012:nope"}`},
		{"iam no such entity", "POST", "/", "Action=GetRole&RoleName=x&Version=2010-05-08", "application/x-www-form-urlencoded", 404, "",
			`<ErrorResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><Error><Type>Sender</Type><Code>NoSuchEntity</Code><Message>The role with name x cannot be found.</Message></Error>`},
		{"unknown action", "POST", "/", "Action=Nope&Version=2010-05-08", "application/x-www-form-urlencoded", 400, "",
			`<Code>InvalidAction</Code>`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, err := http.NewRequest(tt.method, s.URL+tt.path, strings.NewReader(tt.body))
			if err != nil {
				t.Fatal(err)
			}
			if tt.contentType != "" {
				req.Header.Set("Content-Type", tt.contentType)
			}
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer res.Body.Close()
			body, _ := io.ReadAll(res.Body)
			if res.StatusCode != tt.status || res.Header.Get("X-Amzn-ErrorType") != tt.errorType {
				t.Errorf("status %d type %q, want %d %q", res.StatusCode, res.Header.Get("X-Amzn-ErrorType"), tt.status, tt.errorType)
			}
			if tt.errorType != "" {
				if got := strings.TrimSpace(string(body)); got != tt.wantBody {
					t.Errorf("body = %s, want %s", got, tt.wantBody)
				}
			} else if !strings.Contains(string(body), tt.wantBody) {
				t.Errorf("body = %s, want it to contain %s", body, tt.wantBody)
			}
		})
	}
}

func TestLambdaFunctions(t *testing.T) {
	s, c := newFake(t, Options{})
	ctx := context.Background()
	z := testZips(t)
	role := createRole(t, c, "exec")

	created := createFunction(t, c, "f", role, z["a"])
	if created.State != ltypes.StateActive || aws.ToString(created.Version) != "$LATEST" || aws.ToString(created.CodeSha256) == "" {
		t.Errorf("created = %+v", created)
	}
	_, err := c.lambda.CreateFunction(ctx, &lambda.CreateFunctionInput{
		FunctionName: aws.String("f"), Runtime: ltypes.RuntimeProvidedal2023, Handler: aws.String("bootstrap"),
		Role: aws.String(role), Code: &ltypes.FunctionCode{ZipFile: z["a"]},
	})
	var rce *ltypes.ResourceConflictException
	if !errors.As(err, &rce) || rce.ErrorMessage() != "Function already exist: f" {
		t.Errorf("second CreateFunction: %v", err)
	}

	bad := []struct {
		name string
		in   lambda.CreateFunctionInput
		code string
	}{
		{"unknown role", lambda.CreateFunctionInput{FunctionName: aws.String("g"), Runtime: ltypes.RuntimeProvidedal2023, Handler: aws.String("bootstrap"),
			Role: aws.String("arn:aws:iam::123456789012:role/nope"), Code: &ltypes.FunctionCode{ZipFile: z["a"]}}, "InvalidParameterValueException"},
		{"not a zip", lambda.CreateFunctionInput{FunctionName: aws.String("g"), Runtime: ltypes.RuntimeProvidedal2023, Handler: aws.String("bootstrap"),
			Role: aws.String(role), Code: &ltypes.FunctionCode{ZipFile: []byte("not a zip")}}, "InvalidParameterValueException"},
		{"reserved variable", lambda.CreateFunctionInput{FunctionName: aws.String("g"), Runtime: ltypes.RuntimeProvidedal2023, Handler: aws.String("bootstrap"),
			Role: aws.String(role), Code: &ltypes.FunctionCode{ZipFile: z["a"]}, Environment: &ltypes.Environment{Variables: map[string]string{"AWS_REGION": "x"}}}, "InvalidParameterValueException"},
		{"timeout", lambda.CreateFunctionInput{FunctionName: aws.String("g"), Runtime: ltypes.RuntimeProvidedal2023, Handler: aws.String("bootstrap"),
			Role: aws.String(role), Code: &ltypes.FunctionCode{ZipFile: z["a"]}, Timeout: aws.Int32(901)}, "ValidationException"},
		{"bad name", lambda.CreateFunctionInput{FunctionName: aws.String("a.b"), Runtime: ltypes.RuntimeProvidedal2023, Handler: aws.String("bootstrap"),
			Role: aws.String(role), Code: &ltypes.FunctionCode{ZipFile: z["a"]}}, "ValidationException"},
		{"tag value with brackets", lambda.CreateFunctionInput{FunctionName: aws.String("g"), Runtime: ltypes.RuntimeProvidedal2023, Handler: aws.String("bootstrap"),
			Role: aws.String(role), Code: &ltypes.FunctionCode{ZipFile: z["a"]}, Tags: map[string]string{"route": "/api/[id]"}}, "InvalidParameterValueException"},
	}
	for _, tt := range bad {
		_, err := c.lambda.CreateFunction(ctx, &tt.in)
		var ae smithy.APIError
		if !errors.As(err, &ae) || ae.ErrorCode() != tt.code {
			t.Errorf("%s: %v, want %s", tt.name, err, tt.code)
		}
	}

	// Publishing twice without a change returns the same version.
	v1, err := c.lambda.PublishVersion(ctx, &lambda.PublishVersionInput{FunctionName: aws.String("f"), CodeSha256: created.CodeSha256})
	if err != nil {
		t.Fatal(err)
	}
	again, err := c.lambda.PublishVersion(ctx, &lambda.PublishVersionInput{FunctionName: aws.String("f")})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(v1.Version) != "1" || aws.ToString(again.Version) != "1" {
		t.Errorf("versions %s, %s; want 1, 1", aws.ToString(v1.Version), aws.ToString(again.Version))
	}
	_, err = c.lambda.PublishVersion(ctx, &lambda.PublishVersionInput{FunctionName: aws.String("f"), CodeSha256: aws.String("bm9wZQ==")})
	var ipe *ltypes.InvalidParameterValueException
	if !errors.As(err, &ipe) {
		t.Errorf("PublishVersion with another CodeSha256: %v", err)
	}
	upd, err := c.lambda.UpdateFunctionCode(ctx, &lambda.UpdateFunctionCodeInput{FunctionName: aws.String("f"), ZipFile: z["b"]})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(upd.CodeSha256) == aws.ToString(created.CodeSha256) {
		t.Errorf("code sha did not change")
	}
	v2, err := c.lambda.PublishVersion(ctx, &lambda.PublishVersionInput{FunctionName: aws.String("f")})
	if err != nil || aws.ToString(v2.Version) != "2" {
		t.Fatalf("publish after update: %v, %v", v2, err)
	}
	// Every CreateFunction and UpdateFunctionCode that carried a zip: the
	// first create, the duplicate, the refused ones and the update.
	if n := s.CodeUploads(); n != 3+len(bad) {
		t.Errorf("code uploads = %d, want %d", n, 3+len(bad))
	}

	// Aliases and qualified reads.
	if _, err := c.lambda.CreateAlias(ctx, &lambda.CreateAliasInput{FunctionName: aws.String("f"), Name: aws.String("live"), FunctionVersion: aws.String("1")}); err != nil {
		t.Fatal(err)
	}
	_, err = c.lambda.CreateAlias(ctx, &lambda.CreateAliasInput{FunctionName: aws.String("f"), Name: aws.String("live"), FunctionVersion: aws.String("1")})
	if !errors.As(err, &rce) {
		t.Errorf("second CreateAlias: %v", err)
	}
	_, err = c.lambda.CreateAlias(ctx, &lambda.CreateAliasInput{FunctionName: aws.String("f"), Name: aws.String("x"), FunctionVersion: aws.String("9")})
	var rnf *ltypes.ResourceNotFoundException
	if !errors.As(err, &rnf) {
		t.Errorf("alias to a missing version: %v", err)
	}
	live, err := c.lambda.GetFunctionConfiguration(ctx, &lambda.GetFunctionConfigurationInput{FunctionName: aws.String("f"), Qualifier: aws.String("live")})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(live.Version) != "1" || aws.ToString(live.CodeSha256) != aws.ToString(created.CodeSha256) ||
		aws.ToString(live.FunctionArn) != "arn:aws:lambda:us-east-1:123456789012:function:f:live" {
		t.Errorf("live = version %s code %s arn %s", aws.ToString(live.Version), aws.ToString(live.CodeSha256), aws.ToString(live.FunctionArn))
	}
	fn, err := c.lambda.GetFunction(ctx, &lambda.GetFunctionInput{FunctionName: aws.String("arn:aws:lambda:us-east-1:123456789012:function:f")})
	if err != nil {
		t.Fatal(err)
	}
	if fn.Tags["nextgo:app"] != "t" || fn.Configuration.Environment.Variables["GREETING"] != "hello" {
		t.Errorf("function = %+v", fn)
	}
	// The code location serves the stored zip.
	res, err := http.Get(aws.ToString(fn.Code.Location))
	if err != nil {
		t.Fatal(err)
	}
	stored, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if !slices.Equal(stored, z["b"]) {
		t.Errorf("the code location served %d bytes, not the uploaded zip", len(stored))
	}

	// Tags are a function's, never a version's or an alias's.
	_, err = c.lambda.TagResource(ctx, &lambda.TagResourceInput{Resource: aws.String("arn:aws:lambda:us-east-1:123456789012:function:f:live"), Tags: map[string]string{"a": "b"}})
	if !errors.As(err, &ipe) {
		t.Errorf("tagging an alias: %v", err)
	}
	// A version an alias points at cannot be deleted.
	_, err = c.lambda.DeleteFunction(ctx, &lambda.DeleteFunctionInput{FunctionName: aws.String("f"), Qualifier: aws.String("1")})
	if !errors.As(err, &rce) {
		t.Errorf("deleting an aliased version: %v", err)
	}
	if _, err := c.lambda.DeleteFunction(ctx, &lambda.DeleteFunctionInput{FunctionName: aws.String("f")}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.lambda.GetFunction(ctx, &lambda.GetFunctionInput{FunctionName: aws.String("f")}); !errors.As(err, &rnf) {
		t.Errorf("deleted function: %v", err)
	}
}

func TestFaults(t *testing.T) {
	s, c := newFake(t, Options{PendingPolls: 2})
	ctx := context.Background()
	z := testZips(t)
	role := createRole(t, c, "exec")
	createFunction(t, c, "f", role, z["a"])

	states := func() (ltypes.State, ltypes.LastUpdateStatus) {
		out, err := c.lambda.GetFunction(ctx, &lambda.GetFunctionInput{FunctionName: aws.String("f")})
		if err != nil {
			t.Fatal(err)
		}
		return out.Configuration.State, out.Configuration.LastUpdateStatus
	}
	for i, want := range []ltypes.State{ltypes.StatePending, ltypes.StatePending, ltypes.StateActive} {
		if got, _ := states(); got != want {
			t.Errorf("read %d: state %s, want %s", i, got, want)
		}
	}

	s.FailUpdate("f")
	if _, err := c.lambda.UpdateFunctionCode(ctx, &lambda.UpdateFunctionCodeInput{FunctionName: aws.String("f"), ZipFile: z["b"]}); err != nil {
		t.Fatal(err)
	}
	// While an update is in progress, another one conflicts.
	_, err := c.lambda.UpdateFunctionConfiguration(ctx, &lambda.UpdateFunctionConfigurationInput{FunctionName: aws.String("f"), Timeout: aws.Int32(5)})
	var rce *ltypes.ResourceConflictException
	if !errors.As(err, &rce) || !strings.HasPrefix(rce.ErrorMessage(), "The operation cannot be performed at this time. An update is in progress for resource: ") {
		t.Errorf("update during an update: %v", err)
	}
	for i, want := range []ltypes.LastUpdateStatus{ltypes.LastUpdateStatusInProgress, ltypes.LastUpdateStatusInProgress, ltypes.LastUpdateStatusFailed} {
		if _, got := states(); got != want {
			t.Errorf("read %d after a failing update: %s, want %s", i, got, want)
		}
	}

	s.Throttle("GetFunction", 2)
	if _, err := c.lambda.GetFunction(ctx, &lambda.GetFunctionInput{FunctionName: aws.String("f")}); err != nil {
		t.Errorf("first call after Throttle(.., 2): %v", err)
	}
	_, err = c.lambda.GetFunction(ctx, &lambda.GetFunctionInput{FunctionName: aws.String("f")})
	var tmr *ltypes.TooManyRequestsException
	if !errors.As(err, &tmr) {
		t.Errorf("second call: %v, want TooManyRequestsException", err)
	}
	if _, err := c.lambda.GetFunction(ctx, &lambda.GetFunctionInput{FunctionName: aws.String("f")}); err != nil {
		t.Errorf("third call: %v", err)
	}
	s.Throttle("GetApis", 1)
	_, err = c.apigw.GetApis(ctx, &apigatewayv2.GetApisInput{})
	var atmr *agtypes.TooManyRequestsException
	if !errors.As(err, &atmr) {
		t.Errorf("GetApis: %v, want TooManyRequestsException", err)
	}
	s.Fail("CreateRole", http.StatusConflict, "EntityAlreadyExists", "no")
	_, err = c.iam.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("z"), AssumeRolePolicyDocument: aws.String(trust)})
	var eae *iamtypes.EntityAlreadyExistsException
	if !errors.As(err, &eae) {
		t.Errorf("CreateRole with a fault: %v", err)
	}

	// Throttled calls are recorded with their status.
	var got []int
	for _, call := range s.Calls() {
		if call.Op == "GetFunction" {
			got = append(got, call.Status)
		}
	}
	if want := []int{200, 200, 200, 200, 200, 200, 200, 429, 200}; !slices.Equal(got, want) {
		t.Errorf("GetFunction statuses = %v, want %v", got, want)
	}
}

func TestRolePropagation(t *testing.T) {
	_, c := newFake(t, Options{RolePropagation: 1})
	role := createRole(t, c, "exec")
	_, err := c.lambda.CreateFunction(context.Background(), &lambda.CreateFunctionInput{
		FunctionName: aws.String("f"), Runtime: ltypes.RuntimeProvidedal2023, Handler: aws.String("bootstrap"),
		Role: aws.String(role), Code: &ltypes.FunctionCode{ZipFile: testZips(t)["a"]},
	})
	var ipe *ltypes.InvalidParameterValueException
	if !errors.As(err, &ipe) || ipe.ErrorMessage() != "The role defined for the function cannot be assumed by Lambda." {
		t.Fatalf("CreateFunction with a new role: %v", err)
	}
	createFunction(t, c, "f", role, testZips(t)["a"])
}

// TestServesHTTPAPI wires an API by hand and checks that the gateway runs
// the aliased version's bootstrap, honours the resource policy, and
// answers as API Gateway when it cannot.
func TestServesHTTPAPI(t *testing.T) {
	s, c := newFake(t, Options{})
	ctx := context.Background()
	z := testZips(t)
	role := createRole(t, c, "exec")
	createFunction(t, c, "f", role, z["a"])
	if _, err := c.lambda.PublishVersion(ctx, &lambda.PublishVersionInput{FunctionName: aws.String("f")}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.lambda.CreateAlias(ctx, &lambda.CreateAliasInput{FunctionName: aws.String("f"), Name: aws.String("live"), FunctionVersion: aws.String("1")}); err != nil {
		t.Fatal(err)
	}
	// $LATEST moves on; live still serves version 1.
	if _, err := c.lambda.UpdateFunctionCode(ctx, &lambda.UpdateFunctionCodeInput{FunctionName: aws.String("f"), ZipFile: z["b"]}); err != nil {
		t.Fatal(err)
	}

	api, err := c.apigw.CreateApi(ctx, &apigatewayv2.CreateApiInput{Name: aws.String("x"), ProtocolType: agtypes.ProtocolTypeHttp})
	if err != nil {
		t.Fatal(err)
	}
	id := api.ApiId
	in, err := c.apigw.CreateIntegration(ctx, &apigatewayv2.CreateIntegrationInput{
		ApiId: id, IntegrationType: agtypes.IntegrationTypeAwsProxy, PayloadFormatVersion: aws.String("2.0"),
		IntegrationUri: aws.String("arn:aws:lambda:us-east-1:123456789012:function:f:live"),
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{"GET /items/{id}", "ANY /items/{rest+}"} {
		if _, err := c.apigw.CreateRoute(ctx, &apigatewayv2.CreateRouteInput{ApiId: id, RouteKey: aws.String(key), Target: aws.String("integrations/" + aws.ToString(in.IntegrationId))}); err != nil {
			t.Fatal(err)
		}
	}
	for _, key := range []string{"GET /a/{x+}/b", "FETCH /a", "GET a", "GET /a//b", "GET /{x"} {
		_, err := c.apigw.CreateRoute(ctx, &apigatewayv2.CreateRouteInput{ApiId: id, RouteKey: aws.String(key)})
		var bre *agtypes.BadRequestException
		if !errors.As(err, &bre) {
			t.Errorf("route key %q: %v, want BadRequestException", key, err)
		}
	}
	_, err = c.apigw.CreateRoute(ctx, &apigatewayv2.CreateRouteInput{ApiId: id, RouteKey: aws.String("GET /items/{id}")})
	var ce *agtypes.ConflictException
	if !errors.As(err, &ce) {
		t.Errorf("duplicate route: %v, want ConflictException", err)
	}
	endpoint := aws.ToString(api.ApiEndpoint)

	type answer struct {
		status int
		body   string
	}
	fetch := func(method, path string) answer {
		req, _ := http.NewRequest(method, endpoint+path, nil)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return answer{res.StatusCode, string(b)}
	}
	notFound := answer{404, `{"message":"Not Found"}` + "\n"}
	internal := answer{500, `{"message":"Internal Server Error"}` + "\n"}
	// No stage yet: nothing is deployed.
	if got := fetch("GET", "/items/1"); got != notFound {
		t.Errorf("before a stage: %+v", got)
	}
	if _, err := c.apigw.CreateStage(ctx, &apigatewayv2.CreateStageInput{ApiId: id, StageName: aws.String("$default"), AutoDeploy: aws.Bool(true)}); err != nil {
		t.Fatal(err)
	}
	// No permission: API Gateway cannot invoke the function.
	if got := fetch("GET", "/items/1"); got != internal {
		t.Errorf("without permission: %+v", got)
	}
	// A permission for another API does not do either.
	permit := func(sid, apiID string) {
		t.Helper()
		_, err := c.lambda.AddPermission(ctx, &lambda.AddPermissionInput{
			FunctionName: aws.String("f"), Qualifier: aws.String("live"), StatementId: aws.String(sid),
			Action: aws.String("lambda:InvokeFunction"), Principal: aws.String("apigateway.amazonaws.com"),
			SourceArn: aws.String("arn:aws:execute-api:us-east-1:123456789012:" + apiID + "/*"),
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	permit("other", "otherapi")
	if got := fetch("GET", "/items/1"); got != internal {
		t.Errorf("with another API's permission: %+v", got)
	}
	permit("api", aws.ToString(id))
	badRequest := answer{400, `{"message":"Bad Request"}` + "\n"}
	tests := []struct {
		method, path string
		status       int
		routeKey     string
		params       map[string]string
		rawPath      string // as HTTP APIs send it: percent-decoded
	}{
		{"GET", "/items/1", 200, "GET /items/{id}", map[string]string{"id": "1"}, "/items/1"},
		{"POST", "/items/1", 200, "ANY /items/{rest+}", map[string]string{"rest": "1"}, "/items/1"},
		{"GET", "/items/1/2", 200, "ANY /items/{rest+}", map[string]string{"rest": "1/2"}, "/items/1/2"},
		{"GET", "/items/a%20b", 200, "GET /items/{id}", map[string]string{"id": "a b"}, "/items/a b"},
		{"GET", "/items", 404, "", nil, ""},
		{"GET", "/other", 404, "", nil, ""},
		{"GET", "/items/%FF", 400, "", nil, ""},
	}
	for _, tt := range tests {
		got := fetch(tt.method, tt.path)
		if got.status != tt.status {
			t.Errorf("%s %s = %+v, want %d", tt.method, tt.path, got, tt.status)
			continue
		}
		switch tt.status {
		case 404:
			if got != notFound {
				t.Errorf("%s %s = %+v, want API Gateway's 404", tt.method, tt.path, got)
			}
			continue
		case 400:
			if got != badRequest {
				t.Errorf("%s %s = %+v, want API Gateway's 400", tt.method, tt.path, got)
			}
			continue
		}
		var out testbuild.Response
		if err := json.Unmarshal([]byte(got.body), &out); err != nil {
			t.Fatalf("%s %s: %v: %s", tt.method, tt.path, err, got.body)
		}
		if out.Reply != "a" || out.Version != "1" || out.RouteKey != tt.routeKey || out.Greeting != "hello" || out.Function != "f" || out.Method != tt.method || out.RawPath != tt.rawPath {
			t.Errorf("%s %s: %+v", tt.method, tt.path, out)
		}
		if len(out.PathParameters) != len(tt.params) || out.PathParameters[keys(tt.params)[0]] != tt.params[keys(tt.params)[0]] {
			t.Errorf("%s %s: path parameters %v, want %v", tt.method, tt.path, out.PathParameters, tt.params)
		}
	}
	// Deleting the API stops its listener.
	if _, err := c.apigw.DeleteApi(ctx, &apigatewayv2.DeleteApiInput{ApiId: id}); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for i := 0; i < 100 && time.Now().Before(deadline); i++ {
		if _, err := http.Get(endpoint + "/items/1"); err != nil {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Errorf("the deleted API still answers")
	_ = s
}

func keys(m map[string]string) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

// TestServesDefaultRoute checks the $default route: it receives what no
// other route matches (any path, any method), with routeKey $default and
// no pathParameters, and only with a permission that covers the source
// ARN API Gateway invokes it with, api/$default/$default.
func TestServesDefaultRoute(t *testing.T) {
	_, c := newFake(t, Options{})
	ctx := context.Background()
	z := testZips(t)
	role := createRole(t, c, "exec")
	for name, zip := range map[string][]byte{"route": z["a"], "fallback": z["b"]} {
		createFunction(t, c, name, role, zip)
		if _, err := c.lambda.PublishVersion(ctx, &lambda.PublishVersionInput{FunctionName: aws.String(name)}); err != nil {
			t.Fatal(err)
		}
		if _, err := c.lambda.CreateAlias(ctx, &lambda.CreateAliasInput{FunctionName: aws.String(name), Name: aws.String("live"), FunctionVersion: aws.String("1")}); err != nil {
			t.Fatal(err)
		}
	}
	api, err := c.apigw.CreateApi(ctx, &apigatewayv2.CreateApiInput{Name: aws.String("x"), ProtocolType: agtypes.ProtocolTypeHttp})
	if err != nil {
		t.Fatal(err)
	}
	id := aws.ToString(api.ApiId)
	if _, err := c.apigw.CreateStage(ctx, &apigatewayv2.CreateStageInput{ApiId: api.ApiId, StageName: aws.String("$default"), AutoDeploy: aws.Bool(true)}); err != nil {
		t.Fatal(err)
	}
	target := map[string]string{}
	for _, name := range []string{"route", "fallback"} {
		in, err := c.apigw.CreateIntegration(ctx, &apigatewayv2.CreateIntegrationInput{
			ApiId: api.ApiId, IntegrationType: agtypes.IntegrationTypeAwsProxy, PayloadFormatVersion: aws.String("2.0"),
			IntegrationUri: aws.String("arn:aws:lambda:us-east-1:123456789012:function:" + name + ":live"),
		})
		if err != nil {
			t.Fatal(err)
		}
		target[name] = "integrations/" + aws.ToString(in.IntegrationId)
	}
	routeIDs := map[string]*string{}
	for key, fn := range map[string]string{"GET /items/{id}": "route", "$default": "fallback"} {
		out, err := c.apigw.CreateRoute(ctx, &apigatewayv2.CreateRouteInput{ApiId: api.ApiId, RouteKey: aws.String(key), Target: aws.String(target[fn])})
		if err != nil {
			t.Fatal(err)
		}
		routeIDs[key] = out.RouteId
	}
	_, err = c.apigw.CreateRoute(ctx, &apigatewayv2.CreateRouteInput{ApiId: api.ApiId, RouteKey: aws.String("$default")})
	var ce *agtypes.ConflictException
	if !errors.As(err, &ce) {
		t.Errorf("second $default route: %v, want ConflictException", err)
	}
	permit := func(fn, sid, source string) {
		t.Helper()
		_, err := c.lambda.AddPermission(ctx, &lambda.AddPermissionInput{
			FunctionName: aws.String(fn), Qualifier: aws.String("live"), StatementId: aws.String(sid),
			Action: aws.String("lambda:InvokeFunction"), Principal: aws.String("apigateway.amazonaws.com"),
			SourceArn: aws.String("arn:aws:execute-api:us-east-1:123456789012:" + id + source),
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	permit("route", "api", "/*")

	type answer struct {
		status int
		body   string
	}
	fetch := func(method, path string) answer {
		t.Helper()
		req, _ := http.NewRequest(method, aws.ToString(api.ApiEndpoint)+path, nil)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return answer{res.StatusCode, string(b)}
	}
	internal := answer{500, `{"message":"Internal Server Error"}` + "\n"}
	// A permission scoped to methods and paths does not cover $default.
	permit("fallback", "scoped", "/*/*/*")
	if got := fetch("GET", "/about"); got != internal {
		t.Errorf("$default with a permission for */*/*: %+v, want API Gateway's 500", got)
	}
	permit("fallback", "default", "/*/$default")

	tests := []struct {
		method, path string
		status       int
		reply        string
		routeKey     string
		params       map[string]string
		rawPath      string
	}{
		{"GET", "/items/1", 200, "a", "GET /items/{id}", map[string]string{"id": "1"}, "/items/1"},
		{"POST", "/items/1", 200, "b", "$default", nil, "/items/1"},
		{"GET", "/items", 200, "b", "$default", nil, "/items"},
		{"GET", "/items/1/2", 200, "b", "$default", nil, "/items/1/2"},
		{"GET", "/", 200, "b", "$default", nil, "/"},
		{"DELETE", "/a%20b/c", 200, "b", "$default", nil, "/a b/c"},
		{"GET", "/x/%FF", 400, "", "", nil, ""},
	}
	for _, tt := range tests {
		got := fetch(tt.method, tt.path)
		if got.status != tt.status {
			t.Errorf("%s %s = %+v, want %d", tt.method, tt.path, got, tt.status)
			continue
		}
		if tt.status == 400 {
			if got.body != `{"message":"Bad Request"}`+"\n" {
				t.Errorf("%s %s = %+v, want API Gateway's 400", tt.method, tt.path, got)
			}
			continue
		}
		var out testbuild.Response
		if err := json.Unmarshal([]byte(got.body), &out); err != nil {
			t.Fatalf("%s %s: %v: %s", tt.method, tt.path, err, got.body)
		}
		if out.Reply != tt.reply || out.RouteKey != tt.routeKey || out.Method != tt.method || out.RawPath != tt.rawPath || len(out.PathParameters) != len(tt.params) {
			t.Errorf("%s %s: %+v, want reply %s, route key %s, raw path %s, parameters %v", tt.method, tt.path, out, tt.reply, tt.routeKey, tt.rawPath, tt.params)
		}
		for k, v := range tt.params {
			if out.PathParameters[k] != v {
				t.Errorf("%s %s: parameters %v, want %v", tt.method, tt.path, out.PathParameters, tt.params)
			}
		}
	}

	// Without the $default route, API Gateway answers 404 itself.
	if _, err := c.apigw.DeleteRoute(ctx, &apigatewayv2.DeleteRouteInput{ApiId: api.ApiId, RouteId: routeIDs["$default"]}); err != nil {
		t.Fatal(err)
	}
	if got, want := fetch("GET", "/about"), (answer{404, `{"message":"Not Found"}` + "\n"}); got != want {
		t.Errorf("after deleting $default: %+v, want %+v", got, want)
	}
}

// TestRouteVariableConflict refuses a route whose path variable is named
// differently from another route's at the same level, as API Gateway
// does, on CreateRoute and on UpdateRoute.
func TestRouteVariableConflict(t *testing.T) {
	_, c := newFake(t, Options{})
	ctx := context.Background()
	api, err := c.apigw.CreateApi(ctx, &apigatewayv2.CreateApiInput{Name: aws.String("a"), ProtocolType: agtypes.ProtocolTypeHttp})
	if err != nil {
		t.Fatal(err)
	}
	create := func(key string) (*apigatewayv2.CreateRouteOutput, error) {
		return c.apigw.CreateRoute(ctx, &apigatewayv2.CreateRouteInput{ApiId: api.ApiId, RouteKey: aws.String(key)})
	}
	pid, err := create("ANY /api/post/{pid}")
	if err != nil {
		t.Fatal(err)
	}
	for _, ok := range []string{"ANY /api/post/{slug+}", "GET /api/post/{pid}/comments", "ANY /api/user/{id}", "ANY /api/post/new"} {
		if _, err := create(ok); err != nil {
			t.Errorf("CreateRoute %s: %v", ok, err)
		}
	}
	for _, bad := range []string{"ANY /api/post/{id}", "POST /api/post/{id}/x", "ANY /api/post/{slug+}/x"} {
		_, err := create(bad)
		var re interface{ HTTPStatusCode() int }
		conflictWith := "ANY /api/post/{pid}"
		if strings.Contains(bad, "slug") {
			conflictWith = "" // a greedy variable must be last: 400
		}
		switch {
		case conflictWith == "":
			if apiCode(err) != "BadRequestException" {
				t.Errorf("CreateRoute %s: %v, want BadRequestException", bad, err)
			}
		case apiCode(err) != "ConflictException" || !errors.As(err, &re) || re.HTTPStatusCode() != http.StatusConflict ||
			!strings.Contains(err.Error(), `The provided route key "`+bad+`" has a conflicting variable on the same hierarchical level as "`):
			t.Errorf("CreateRoute %s: %v, want 409 ConflictException", bad, err)
		}
	}
	// UpdateRoute to a new variable name conflicts while a sibling route
	// keeps the old one.
	_, err = c.apigw.UpdateRoute(ctx, &apigatewayv2.UpdateRouteInput{ApiId: api.ApiId, RouteId: pid.RouteId, RouteKey: aws.String("ANY /api/post/{id}")})
	if apiCode(err) != "ConflictException" || !strings.Contains(err.Error(), `as "GET /api/post/{pid}/comments"`) {
		t.Errorf("UpdateRoute to {id} beside {pid}/comments: %v", err)
	}
}
