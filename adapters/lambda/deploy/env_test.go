package deploy

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/nextgo-dev/nextgo/e2e/awsfake"
	"github.com/nextgo-dev/nextgo/e2e/awsfake/testbuild"
)

// The replies compiled once for every test of the package.
var replies = []string{"v1", "v2", "v3", "other"}

var (
	binsOnce sync.Once
	bins     *testbuild.Binaries
	binsErr  error
	binsDir  string
)

func TestMain(m *testing.M) {
	code := m.Run()
	if binsDir != "" {
		os.RemoveAll(binsDir)
	}
	os.Exit(code)
}

func binaries(t *testing.T) *testbuild.Binaries {
	t.Helper()
	binsOnce.Do(func() {
		binsDir, binsErr = os.MkdirTemp("", "deploy-test-bins-")
		if binsErr != nil {
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		bins, binsErr = testbuild.Compile(ctx, binsDir, replies...)
	})
	if binsErr != nil {
		t.Fatal(binsErr)
	}
	return bins
}

// testEnv is a fake AWS endpoint with the SDK pointed at it through the
// environment, as a user would point nextgo at any AWS-compatible endpoint.
type testEnv struct {
	t    *testing.T
	fake *awsfake.Server
	cfg  aws.Config
	log  *bytes.Buffer
}

func newTestEnv(t *testing.T, fo awsfake.Options) *testEnv {
	t.Helper()
	if fo.ControlPlaneRate == 0 {
		// These tests count calls exactly; the e2e tests deploy through
		// the endpoint's rate quota.
		fo.ControlPlaneRate = -1
	}
	fake, err := awsfake.New(fo)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { fake.Close() })
	isolateAWS(t, fake.URL)
	cfg, err := LoadAWSConfig(context.Background(), "", "")
	if err != nil {
		t.Fatal(err)
	}
	return &testEnv{t: t, fake: fake, cfg: cfg, log: &bytes.Buffer{}}
}

// isolateAWS points the SDK at endpoint with static test credentials, and
// keeps any real profile, credentials file or instance metadata out.
func isolateAWS(t *testing.T, endpoint string) {
	t.Helper()
	dir := t.TempDir()
	empty := filepath.Join(dir, "empty")
	if err := os.WriteFile(empty, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	for k, v := range map[string]string{
		"AWS_ENDPOINT_URL":                       endpoint,
		"AWS_ACCESS_KEY_ID":                      "test",
		"AWS_SECRET_ACCESS_KEY":                  "test",
		"AWS_SESSION_TOKEN":                      "",
		"AWS_REGION":                             "us-east-1",
		"AWS_DEFAULT_REGION":                     "",
		"AWS_PROFILE":                            "",
		"AWS_DEFAULT_PROFILE":                    "",
		"AWS_EC2_METADATA_DISABLED":              "true",
		"AWS_CONFIG_FILE":                        empty,
		"AWS_SHARED_CREDENTIALS_FILE":            empty,
		"AWS_ROLE_ARN":                           "",
		"AWS_WEB_IDENTITY_TOKEN_FILE":            "",
		"AWS_CONTAINER_CREDENTIALS_RELATIVE_URI": "",
		"AWS_CONTAINER_CREDENTIALS_FULL_URI":     "",
	} {
		t.Setenv(k, v)
	}
}

// build writes a test build and loads it.
func (e *testEnv) build(app string, routes ...testbuild.Route) *Build {
	e.t.Helper()
	dir := e.t.TempDir()
	if _, err := binaries(e.t).Write(dir, app, routes); err != nil {
		e.t.Fatal(err)
	}
	// The values the manifest names, as the CLI reads them from .env.
	env := map[string]string{}
	for _, r := range routes {
		maps.Copy(env, r.Env)
	}
	b, err := LoadBuild(dir, env)
	if err != nil {
		e.t.Fatal(err)
	}
	return b
}

func (e *testEnv) opts(mods ...func(*Options)) Options {
	o := Options{AWS: e.cfg, Stage: "test", Log: e.log, backoff: 5 * time.Millisecond, poll: 10 * time.Millisecond, unpaced: true}
	for _, m := range mods {
		m(&o)
	}
	return o
}

func (e *testEnv) deploy(b *Build, mods ...func(*Options)) *Result {
	e.t.Helper()
	res, err := Deploy(context.Background(), b, e.opts(mods...))
	if err != nil {
		e.t.Fatalf("deploy: %v\nlog:\n%s", err, e.log)
	}
	return res
}

func dryRun(o *Options) { o.DryRun = true }
func prune(o *Options)  { o.Prune = true }

// get requests url and decodes a test function's answer.
func get(t *testing.T, url string) (int, testbuild.Response) {
	t.Helper()
	return do(t, http.MethodGet, url)
}

func do(t *testing.T, method, url string) (int, testbuild.Response) {
	t.Helper()
	req, err := http.NewRequest(method, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	var out testbuild.Response
	if res.StatusCode == http.StatusOK && method != http.MethodHead {
		if err := json.Unmarshal(body, &out); err != nil {
			t.Fatalf("%s %s: %v: %s", method, url, err, body)
		}
	} else {
		out.Reply = string(body)
	}
	return res.StatusCode, out
}

// ops lists "Op Resource" of calls, for readable comparisons.
func ops(calls []awsfake.Call) []string {
	out := make([]string, len(calls))
	for i, c := range calls {
		out[i] = fmt.Sprintf("%s %s", c.Op, c.Resource)
	}
	return out
}
