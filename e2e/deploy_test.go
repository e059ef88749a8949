package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	ltypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/nextgo-dev/nextgo/adapters/lambda/deploy"
	"github.com/nextgo-dev/nextgo/e2e/awsfake"
	"github.com/nextgo-dev/nextgo/e2e/awsfake/testbuild"
)

// awsStage is a local AWS-compatible endpoint and the environment that
// points the nextgo CLI at it: static test credentials, and no real
// profile, credentials file or instance metadata.
type awsStage struct {
	t    *testing.T
	fake *awsfake.Server
	env  []string
	cfg  aws.Config
}

func newAWSStage(t *testing.T, opts awsfake.Options) *awsStage {
	t.Helper()
	fake, err := awsfake.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { fake.Close() })
	empty := filepath.Join(t.TempDir(), "empty")
	if err := os.WriteFile(empty, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	env := append(offlineEnv(),
		"AWS_ENDPOINT_URL="+fake.URL,
		"AWS_ACCESS_KEY_ID=test",
		"AWS_SECRET_ACCESS_KEY=test",
		"AWS_SESSION_TOKEN=",
		"AWS_REGION=us-east-1",
		"AWS_DEFAULT_REGION=",
		"AWS_PROFILE=",
		"AWS_DEFAULT_PROFILE=",
		"AWS_EC2_METADATA_DISABLED=true",
		"AWS_CONFIG_FILE="+empty,
		"AWS_SHARED_CREDENTIALS_FILE="+empty,
		"AWS_ROLE_ARN=",
		"AWS_WEB_IDENTITY_TOKEN_FILE=",
		"AWS_CONTAINER_CREDENTIALS_RELATIVE_URI=",
		"AWS_CONTAINER_CREDENTIALS_FULL_URI=",
	)
	// An SDK client of the fake for the test's own checks, built without
	// reading any shared configuration.
	cfg := aws.Config{
		Region:       "us-east-1",
		BaseEndpoint: aws.String(fake.URL),
		Credentials: aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
			return aws.Credentials{AccessKeyID: "test", SecretAccessKey: "test"}, nil
		}),
	}
	s := &awsStage{t: t, fake: fake, env: env, cfg: cfg}
	for _, verb := range []string{"deploy", "rollback", "remove"} {
		if out, _, err := s.nextgo(verb, "--help"); err != nil || !strings.Contains(out, "nextgo "+verb+" [dir] [flags]") {
			t.Fatalf("nextgo has no %s command (%v): cmd/nextgo/deploy.go defines newDeployCmd, newRollbackCmd and newRemoveCmd; add them to the root command", verb, err)
		}
	}
	return s
}

// nextgo runs the CLI against the endpoint; stdin is not a terminal.
func (s *awsStage) nextgo(args ...string) (stdout, stderr string, err error) {
	s.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, nextgoBin, args...)
	cmd.Env = s.env
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	cmd.Stdin = strings.NewReader("")
	err = cmd.Run()
	return out.String(), errOut.String(), err
}

// deployJSON runs `nextgo deploy ... --json` and decodes its result.
func (s *awsStage) deployJSON(args ...string) *deploy.Result {
	s.t.Helper()
	stdout, stderr, err := s.nextgo(append([]string{"deploy", "--json"}, args...)...)
	if err != nil {
		s.t.Fatalf("nextgo deploy %v: %v\nstderr:\n%s", args, err, stderr)
	}
	var res deploy.Result
	if err := json.Unmarshal([]byte(stdout), &res); err != nil {
		s.t.Fatalf("nextgo deploy --json: %v\n%s", err, stdout)
	}
	return &res
}

// reply is what a test function (package testbuild) answers.
func reply(t *testing.T, url string) (int, testbuild.Response, string) {
	t.Helper()
	res, err := http.Get(url)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	var out testbuild.Response
	if res.StatusCode == http.StatusOK {
		if err := json.Unmarshal(body, &out); err != nil {
			t.Fatalf("GET %s: %v: %s", url, err, body)
		}
	}
	return res.StatusCode, out, string(body)
}

var (
	deployBinsOnce sync.Once
	deployBins     *testbuild.Binaries
	deployBinsErr  error
)

// testFunctions compiles the test functions once for the package.
func testFunctions(t *testing.T) *testbuild.Binaries {
	t.Helper()
	deployBinsOnce.Do(func() {
		// Beside the CLI binary: TestMain removes both.
		dir := filepath.Join(filepath.Dir(nextgoBin), "deploy-functions")
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		deployBins, deployBinsErr = testbuild.Compile(ctx, dir, "v1", "v2", "v3")
	})
	if deployBinsErr != nil {
		t.Fatal(deployBinsErr)
	}
	return deployBins
}

// writeBuild writes a build of the shop app: every route answers with its
// reply; routes maps a function name to its reply, nil to leave it out.
func writeBuild(t *testing.T, replies map[string]string) string {
	t.Helper()
	all := []testbuild.Route{
		{Name: "api-hello", Pattern: "/api/hello"},
		{Name: "api-post-pid", Pattern: "/api/post/[pid]", Kind: "route", Methods: []string{"GET"}},
		{Name: "api-docs-slug", Pattern: "/api/docs/[[...slug]]"},
		{Name: "api-old", Pattern: "/api/old"},
	}
	var routes []testbuild.Route
	for _, r := range all {
		if v, ok := replies[r.Name]; ok {
			r.Reply = v
			routes = append(routes, r)
		}
	}
	dir := t.TempDir()
	if _, err := testFunctions(t).Write(dir, "e2eshop", routes); err != nil {
		t.Fatal(err)
	}
	return dir
}

// TestDeploy deploys a built app to the local endpoint through the CLI
// and checks, by HTTP on the printed URL and by the endpoint's record of
// calls, each promise of `nextgo deploy`, `rollback` and `remove`.
func TestDeploy(t *testing.T) {
	s := newAWSStage(t, awsfake.Options{})
	v1 := map[string]string{"api-hello": "v1", "api-post-pid": "v1", "api-docs-slug": "v1", "api-old": "v1"}
	build1 := writeBuild(t, v1)
	common := []string{"--skip-build", "--stage", "e2e"}

	// A dry run of the first deploy changes nothing.
	stdout, stderr, err := s.nextgo(append([]string{"deploy", "--out", build1, "--dry-run"}, common...)...)
	if err != nil {
		t.Fatalf("dry run: %v\n%s", err, stderr)
	}
	if m := s.fake.Mutations(); len(m) != 0 {
		t.Fatalf("--dry-run made mutating calls: %+v", m)
	}
	for _, want := range []string{
		"+ function     e2eshop-e2e-api-hello-8a32a984",
		"new route /api/hello",
		"+ route        ANY /api/docs/{slug+}",
		"plan e2eshop (stage e2e, us-east-1): 4 created, 0 updated, 0 unchanged, 0 deleted",
	} {
		if !strings.Contains(stdout, want) {
			t.Errorf("dry-run output lacks %q:\n%s", want, stdout)
		}
	}

	// The deploy: the printed URL serves every route.
	stdout, stderr, err = s.nextgo(append([]string{"deploy", "--out", build1}, common...)...)
	if err != nil {
		t.Fatalf("deploy: %v\n%s", err, stderr)
	}
	lines := strings.Split(strings.TrimSpace(stdout), "\n")
	if len(lines) != 2 || lines[0] != "deployed e2eshop (stage e2e, us-east-1): 4 created, 0 updated, 0 unchanged, 0 deleted" || !strings.HasPrefix(lines[1], "http://127.0.0.1:") {
		t.Fatalf("deploy output:\n%s", stdout)
	}
	url := lines[1]
	for _, tt := range []struct {
		path, reply, routeKey string
	}{
		{"/api/hello", "v1", "ANY /api/hello"},
		{"/api/post/7", "v1", "ANY /api/post/{pid}"},
		{"/api/docs", "v1", "ANY /api/docs"},
		{"/api/docs/a/b", "v1", "ANY /api/docs/{slug+}"},
		{"/api/old", "v1", "ANY /api/old"},
	} {
		status, out, body := reply(t, url+tt.path)
		if status != 200 || out.Reply != tt.reply || out.RouteKey != tt.routeKey || out.RawPath != tt.path {
			t.Errorf("GET %s = %d %s, want %s via %s", tt.path, status, body, tt.reply, tt.routeKey)
		}
	}
	if status, _, body := reply(t, url+"/api/nope"); status != 404 || body != `{"message":"Not Found"}`+"\n" {
		t.Errorf("GET /api/nope = %d %s", status, body)
	}

	// A redeploy of the unchanged app uploads nothing and changes nothing.
	s.fake.ResetCalls()
	res := s.deployJSON(append([]string{"--out", writeBuild(t, v1)}, common...)...)
	if n := s.fake.CodeUploads(); n != 0 {
		t.Errorf("unchanged redeploy: %d code uploads", n)
	}
	if m := s.fake.Mutations(); len(m) != 0 {
		t.Errorf("unchanged redeploy: mutating calls %+v", m)
	}
	if len(res.Summary.Unchanged) != 4 || res.URL != url {
		t.Errorf("unchanged redeploy: %+v", res)
	}

	// A change to one route updates exactly one function.
	v2 := map[string]string{"api-hello": "v2", "api-post-pid": "v1", "api-docs-slug": "v1", "api-old": "v1"}
	s.fake.ResetCalls()
	res = s.deployJSON(append([]string{"--out", writeBuild(t, v2)}, common...)...)
	if n := s.fake.CodeUploads(); n != 1 {
		t.Errorf("one changed route: %d code uploads, want 1", n)
	}
	var updated []string
	for _, c := range s.fake.Mutations() {
		if c.Service == "lambda" && strings.HasPrefix(c.Op, "Update") {
			updated = append(updated, c.Op+" "+c.Resource)
		}
	}
	slices.Sort(updated)
	if want := []string{"UpdateAlias e2eshop-e2e-api-hello-8a32a984", "UpdateFunctionCode e2eshop-e2e-api-hello-8a32a984"}; !slices.Equal(updated, want) {
		t.Errorf("one changed route: updates %v, want %v", updated, want)
	}
	if !slices.Equal(res.Summary.Updated, []string{"e2eshop-e2e-api-hello-8a32a984"}) || len(res.Summary.Unchanged) != 3 {
		t.Errorf("one changed route: summary %+v", res.Summary)
	}
	if _, out, _ := reply(t, url+"/api/hello"); out.Reply != "v2" {
		t.Errorf("GET /api/hello = %q after the change, want v2", out.Reply)
	}

	// --prune deletes the removed route's function and routes, and never
	// an untagged function with a similar name.
	lc := lambda.NewFromConfig(s.cfg)
	zip, err := os.ReadFile(filepath.Join(build1, "functions", "api-old.zip"))
	if err != nil {
		t.Fatal(err)
	}
	_, err = lc.CreateFunction(context.Background(), &lambda.CreateFunctionInput{
		FunctionName: aws.String("e2eshop-e2e-api-old-copy"), Runtime: ltypes.RuntimeProvidedal2023, Handler: aws.String("bootstrap"),
		Role: aws.String("arn:aws:iam::123456789012:role/nextgo-e2eshop-e2e-exec"), Code: &ltypes.FunctionCode{ZipFile: zip},
	})
	if err != nil {
		t.Fatal(err)
	}
	noOld := map[string]string{"api-hello": "v2", "api-post-pid": "v1", "api-docs-slug": "v1"}
	s.fake.ResetCalls()
	res = s.deployJSON(append([]string{"--out", writeBuild(t, noOld), "--prune"}, common...)...)
	var deleted []string
	for _, c := range s.fake.Mutations() {
		deleted = append(deleted, c.Op+" "+c.Resource)
	}
	slices.Sort(deleted)
	if want := []string{"DeleteFunction e2eshop-e2e-api-old-30c68670", "DeleteIntegration " + res.APIID, "DeleteRoute " + res.APIID,
		"PutObject " + deploy.BucketName("123456789012", "us-east-1", "e2eshop", "e2e")}; !slices.Equal(deleted, want) {
		t.Errorf("--prune: calls %v, want %v", deleted, want)
	}
	if !slices.Equal(res.Summary.Deleted, []string{"e2eshop-e2e-api-old-30c68670"}) {
		t.Errorf("--prune: summary %+v", res.Summary)
	}
	if status, _, _ := reply(t, url+"/api/old"); status != 404 {
		t.Errorf("GET /api/old = %d after --prune, want 404", status)
	}
	if _, err := lc.GetFunction(context.Background(), &lambda.GetFunctionInput{FunctionName: aws.String("e2eshop-e2e-api-old-copy")}); err != nil {
		t.Errorf("the untagged look-alike: %v, want it untouched", err)
	}

	// A failure injected mid-deploy: the previous release still serves,
	// and a re-run completes the deploy.
	v3 := map[string]string{"api-hello": "v3", "api-post-pid": "v3", "api-docs-slug": "v1"}
	build3 := writeBuild(t, v3)
	s.fake.FailUpdate("e2eshop-e2e-api-post-_pid-24a2ea83")
	_, stderr, err = s.nextgo(append([]string{"deploy", "--out", build3}, common...)...)
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 1 {
		t.Fatalf("deploy with a failing update: %v, want exit status 1\n%s", err, stderr)
	}
	last := lastLine(stderr)
	if !strings.HasPrefix(last, "nextgo: deploy stopped before the release, so the previous release still serves (run it again to finish): update code of e2eshop-e2e-api-post-_pid-24a2ea83:") {
		t.Errorf("failure reason: %s", last)
	}
	for path, want := range map[string]string{"/api/hello": "v2", "/api/post/1": "v1"} {
		if _, out, _ := reply(t, url+path); out.Reply != want {
			t.Errorf("GET %s = %q after the failure, want %s (the previous release)", path, out.Reply, want)
		}
	}
	res = s.deployJSON(append([]string{"--out", build3}, common...)...)
	if !slices.Equal(res.Summary.Updated, []string{"e2eshop-e2e-api-hello-8a32a984", "e2eshop-e2e-api-post-_pid-24a2ea83"}) {
		t.Errorf("re-run: summary %+v", res.Summary)
	}
	for path, want := range map[string]string{"/api/hello": "v3", "/api/post/1": "v3"} {
		if _, out, _ := reply(t, url+path); out.Reply != want {
			t.Errorf("GET %s = %q after the re-run, want %s", path, out.Reply, want)
		}
	}

	// rollback brings the previous responses back.
	stdout, stderr, err = s.nextgo("rollback", "--out", build3, "--stage", "e2e")
	if err != nil {
		t.Fatalf("rollback: %v\n%s", err, stderr)
	}
	for _, want := range []string{
		"~ alias  e2eshop-e2e-api-hello-8a32a984:live      version 3 → 2 (restore release 3)",
		"~ alias  e2eshop-e2e-api-post-_pid-24a2ea83:live  version 2 → 1 (restore release 3)",
	} {
		if !strings.Contains(stdout, want) {
			t.Errorf("rollback output lacks %q:\n%s", want, stdout)
		}
	}
	for path, want := range map[string]string{"/api/hello": "v2", "/api/post/1": "v1"} {
		if _, out, _ := reply(t, url+path); out.Reply != want {
			t.Errorf("GET %s = %q after rollback, want %s", path, out.Reply, want)
		}
	}

	// remove: refused without --yes when there is no terminal to ask on,
	// then everything of the stage goes.
	_, stderr, err = s.nextgo("remove", "--app", "e2eshop", "--stage", "e2e")
	if err == nil || lastLine(stderr) != "nextgo: refusing to remove stage e2e of e2eshop without --yes" {
		t.Errorf("remove without --yes: %v\n%s", err, stderr)
	}
	s.fake.ResetCalls()
	stdout, stderr, err = s.nextgo("remove", "--app", "e2eshop", "--stage", "e2e", "--yes")
	if err != nil {
		t.Fatalf("remove: %v\n%s", err, stderr)
	}
	if !strings.Contains(stdout, "- role      nextgo-e2eshop-e2e-exec") || !strings.Contains(stdout, "- api       e2eshop-e2e") {
		t.Errorf("remove output:\n%s", stdout)
	}
	if _, err := http.Get(url + "/api/hello"); err == nil {
		t.Errorf("the removed API still answers")
	}
	if _, err := lc.GetFunction(context.Background(), &lambda.GetFunctionInput{FunctionName: aws.String("e2eshop-e2e-api-old-copy")}); err != nil {
		t.Errorf("remove deleted the untagged look-alike: %v", err)
	}
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return lines[len(lines)-1]
}

// TestDeployRealApp builds a real app with `nextgo deploy` (which builds
// first) and serves it through the endpoint: the functions are the real
// nextgo runtime on Lambda, invoked through API Gateway events.
func TestDeployRealApp(t *testing.T) {
	s := newAWSStage(t, awsfake.Options{})
	dir := filepath.Join(t.TempDir(), "realshop")
	write := func(name, content string) { writeAppFile(t, dir, name, content) }
	newModule(t, dir, "example.com/realshop")
	hello := func(msg string) string {
		return `package hello

import "github.com/nextgo-dev/nextgo/runtime/api"

func Handler(req *api.Request, res *api.Response) {
	res.JSON(map[string]string{"message": "` + msg + `"})
}
`
	}
	write("pages/api/hello.go", hello("first"))
	write("pages/api/post/[pid].go", `package post

import "github.com/nextgo-dev/nextgo/runtime/api"

var Config = api.Config{MaxDuration: 5}

func Handler(req *api.Request, res *api.Response) {
	res.JSON(map[string]any{"pid": req.Query.Get("pid"), "method": req.Method})
}
`)
	args := []string{"deploy", dir, "--stage", "real", "--arch", runtime.GOARCH}

	res := s.deployJSON(args[1:]...)
	// The two routes and the fallback behind $default.
	if len(res.Summary.Created) != 3 || !slices.Contains(res.Summary.Created, "realshop-real-_fallback") {
		t.Fatalf("first deploy: %+v", res.Summary)
	}
	check := func(path, want string) {
		t.Helper()
		r, err := http.Get(res.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(r.Body)
		r.Body.Close()
		if r.StatusCode != 200 || strings.TrimSpace(string(body)) != want {
			t.Errorf("GET %s = %d %s, want 200 %s", path, r.StatusCode, body, want)
		}
	}
	check("/api/hello", `{"message":"first"}`)
	check("/api/post/42", `{"method":"GET","pid":"42"}`)

	// Rebuilt unchanged: the zips are byte for byte the same.
	s.fake.ResetCalls()
	s.deployJSON(args[1:]...)
	if n := s.fake.CodeUploads(); n != 0 {
		t.Errorf("unchanged app: %d code uploads", n)
	}

	write("pages/api/hello.go", hello("second"))
	s.fake.ResetCalls()
	res = s.deployJSON(args[1:]...)
	if n := s.fake.CodeUploads(); n != 1 || !slices.Equal(res.Summary.Updated, []string{"realshop-real-api-hello-8a32a984"}) {
		t.Errorf("one changed route: %d uploads, summary %+v", n, res.Summary)
	}
	check("/api/hello", `{"message":"second"}`)

	if _, stderr, err := s.nextgo("rollback", dir, "--stage", "real"); err != nil {
		t.Fatalf("rollback: %v\n%s", err, stderr)
	}
	check("/api/hello", `{"message":"first"}`)
}

// TestDeployFallback deploys a real app with a middleware.go and
// nextgo.json rules: the paths no route serves reach its fallback
// function through the HTTP API's $default route, so the middleware and
// the rules run for them as in `nextgo dev`; deployed again without
// either, the fallback still answers those paths as Next does.
func TestDeployFallback(t *testing.T) {
	s := newAWSStage(t, awsfake.Options{})
	dir := filepath.Join(t.TempDir(), "fbshop")
	write := func(name, content string) { writeAppFile(t, dir, name, content) }
	newModule(t, dir, "example.com/fbshop")
	write("pages/api/hello.go", `package hello

import "github.com/nextgo-dev/nextgo/runtime/api"

func Handler(req *api.Request, res *api.Response) {
	res.JSON(map[string]string{"message": "hi"})
}
`)
	write("middleware.go", `package fbshop

import (
	"net/http"
	"strings"

	"github.com/nextgo-dev/nextgo/runtime/server"
)

// Middleware guards /secret and marks every other response.
func Middleware(req *server.Request) (*server.Response, error) {
	if strings.HasPrefix(req.URL.Path, "/secret") {
		return server.JSON(map[string]string{"error": "unauthorized"}, server.Init{Status: http.StatusUnauthorized}), nil
	}
	res := server.Next()
	res.Header.Set("X-Middleware", "yes")
	return res, nil
}
`)
	write("nextgo.json", `{"redirects": [{"source": "/old/:slug", "destination": "/api/hello?from=:slug", "permanent": true}]}`+"\n")
	args := []string{dir, "--stage", "fb", "--arch", runtime.GOARCH}

	res := s.deployJSON(args...)
	if !slices.Contains(res.Summary.Created, "fbshop-fb-_fallback") || len(res.Summary.Created) != 2 {
		t.Fatalf("first deploy: %+v", res.Summary)
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	type answer struct {
		status     int
		body       string
		location   string
		middleware string
	}
	fetch := func(method, path string) answer {
		t.Helper()
		req, _ := http.NewRequest(method, res.URL+path, nil)
		r, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer r.Body.Close()
		body, _ := io.ReadAll(r.Body)
		return answer{r.StatusCode, strings.TrimSpace(string(body)), r.Header.Get("Location"), r.Header.Get("X-Middleware")}
	}
	tests := []struct {
		method, path string
		want         answer
	}{
		// The route's own function.
		{"GET", "/api/hello", answer{status: 200, body: `{"message":"hi"}`, middleware: "yes"}},
		// The fallback: the middleware answers, ...
		{"GET", "/secret/plans", answer{status: 401, body: `{"error":"unauthorized"}`}},
		{"POST", "/secret", answer{status: 401, body: `{"error":"unauthorized"}`}},
		// ... nextgo.json redirects, ...
		{"GET", "/old/x", answer{status: 308, body: "/api/hello?from=x", location: "/api/hello?from=x"}},
		// ... or nothing does: Next's 404, not API Gateway's.
		{"GET", "/nowhere", answer{status: 404, body: "Not Found", middleware: "yes"}},
		{"DELETE", "/api/hello/x", answer{status: 404, body: "Not Found", middleware: "yes"}},
	}
	for _, tt := range tests {
		if got := fetch(tt.method, tt.path); got != tt.want {
			t.Errorf("%s %s = %+v, want %+v", tt.method, tt.path, got, tt.want)
		}
	}

	// Without middleware.go and rules the fallback stays behind $default:
	// it answers as Next does for the paths no route serves, redirects
	// trailing and repeated slashes with 308 and answers Next's 404.
	if err := os.Remove(filepath.Join(dir, "middleware.go")); err != nil {
		t.Fatal(err)
	}
	write("nextgo.json", "{}\n")
	res = s.deployJSON(append(args, "--prune")...)
	if !slices.Contains(res.Summary.Updated, "fbshop-fb-_fallback") || len(res.Summary.Deleted) != 0 {
		t.Errorf("deploy without middleware and rules: %+v", res.Summary)
	}
	nextNotFound := "private, no-cache, no-store, max-age=0, must-revalidate"
	for _, tt := range []struct {
		path, location, refresh, cacheControl string
		status                                int
	}{
		{"/api/hello/", "/api/hello", "0;url=/api/hello", "", 308},
		{"/api//hello", "/api/hello", "0;url=/api/hello", "", 308},
		{"/api/hello/?x=1", "/api/hello?x=1", "0;url=/api/hello?x=1", "", 308},
		{"/api/nope", "", "", nextNotFound, 404},
		{"/secret/plans", "", "", nextNotFound, 404},
	} {
		r, err := client.Get(res.URL + tt.path)
		if err != nil {
			t.Fatal(err)
		}
		r.Body.Close()
		if r.StatusCode != tt.status || r.Header.Get("Location") != tt.location || r.Header.Get("Refresh") != tt.refresh ||
			r.Header.Get("Cache-Control") != tt.cacheControl {
			t.Errorf("GET %s = %d Location %q Refresh %q Cache-Control %q, want %d %q %q %q", tt.path, r.StatusCode,
				r.Header.Get("Location"), r.Header.Get("Refresh"), r.Header.Get("Cache-Control"), tt.status, tt.location, tt.refresh, tt.cacheControl)
		}
	}
	if got := fetch("GET", "/api/hello"); got != (answer{status: 200, body: `{"message":"hi"}`}) {
		t.Errorf("GET /api/hello = %+v without middleware", got)
	}
}
