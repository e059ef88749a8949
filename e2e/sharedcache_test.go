package e2e

import (
	"context"
	"debug/buildinfo"
	"encoding/json"
	"io"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/nextgo-dev/nextgo/adapters/lambda/deploy"
	"github.com/nextgo-dev/nextgo/adapters/lambda/localaws"
	"github.com/nextgo-dev/nextgo/adapters/lambda/runtimeapi"
	"github.com/nextgo-dev/nextgo/bundler/target"
	"github.com/nextgo-dev/nextgo/e2e/awsfake"
)

// testTwoProcesses runs one cached function of the approutes app built in
// out (by nextgo start) in two execution environments (two processes, as
// two Lambda instances) and the API route that revalidates it in a third,
// all on a local AWS endpoint like nextgo start's: both environments answer
// from the one shared entry, and a revalidation through the API route is
// seen by both.
func testTwoProcesses(t *testing.T, out string) {
	local, err := localaws.Start()
	if err != nil {
		t.Fatal(err)
	}
	defer local.Close()
	fns := map[string]runtimeapi.Function{}
	for _, f := range readManifest(t, out).Functions {
		if f.Pattern != "/force-static" && f.Pattern != "/api/revalidate" {
			continue
		}
		if !f.SharedCache {
			t.Fatalf("%s: sharedCache not set in the manifest", f.Pattern)
		}
		bin, err := target.ReadBootstrap(filepath.Join(out, filepath.FromSlash(f.Zip)))
		if err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(t.TempDir(), f.Name, "bootstrap")
		os.MkdirAll(filepath.Dir(path), 0o755)
		if err := os.WriteFile(path, bin, 0o755); err != nil {
			t.Fatal(err)
		}
		fns[f.Pattern] = runtimeapi.Function{Name: f.Name, Bootstrap: path, Env: local.Env(), Timeout: 10 * time.Second}
	}
	quiet := runtimeapi.Options{Output: io.Discard, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
	a := runtimeapi.NewPool(fns["/force-static"], quiet)
	b := runtimeapi.NewPool(fns["/force-static"], quiet)
	purger := runtimeapi.NewPool(fns["/api/revalidate"], quiet)
	for _, p := range []*runtimeapi.Pool{a, b, purger} {
		defer p.Close()
	}

	type answer struct {
		body, cache string
		pid         int
	}
	get := func(p *runtimeapi.Pool, path, query string) answer {
		t.Helper()
		ev, _ := json.Marshal(events.APIGatewayV2HTTPRequest{
			Version: "2.0", RouteKey: "$default", RawPath: path, RawQueryString: query,
			Headers: map[string]string{"host": "127.0.0.1"},
			RequestContext: events.APIGatewayV2HTTPRequestContext{
				Stage: "$default", RequestID: "test",
				HTTP: events.APIGatewayV2HTTPRequestContextHTTPDescription{Method: "GET", Path: path, Protocol: "HTTP/1.1", SourceIP: "127.0.0.1"},
			},
		})
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		res, err := p.Invoke(ctx, ev)
		if err != nil || res.Err() != nil {
			t.Fatalf("GET %s: %v %v", path, err, res.Err())
		}
		var r events.APIGatewayV2HTTPResponse
		if err := json.Unmarshal(res.Payload, &r); err != nil || r.StatusCode != 200 {
			t.Fatalf("GET %s: %s", path, res.Payload)
		}
		return answer{r.Body, r.Headers["X-Nextjs-Cache"] + r.Headers["x-nextjs-cache"], res.PID}
	}
	expect := func(got answer, body, cache string) {
		t.Helper()
		if (body != "" && got.body != body) || got.cache != cache {
			t.Fatalf("got %s %s, want %s %s", got.body, got.cache, body, cache)
		}
	}
	first := get(a, "/force-static", "")
	expect(first, "", "MISS")
	other := get(b, "/force-static", "")
	expect(other, first.body, "HIT")
	if other.pid == first.pid || other.pid == 0 {
		t.Fatalf("both answers came from process %d", first.pid)
	}
	expect(get(a, "/force-static", ""), first.body, "HIT")

	if r := get(purger, "/api/revalidate", "path=/force-static"); r.body != `{"revalidated":true}` {
		t.Fatalf("revalidate: %s", r.body)
	}
	fresh := get(b, "/force-static", "")
	expect(fresh, "", "MISS")
	if fresh.body == first.body {
		t.Fatal("the purged body was served again")
	}
	expect(get(a, "/force-static", ""), fresh.body, "HIT")
	expect(get(b, "/force-static", ""), fresh.body, "HIT")
}

// testCacheIsolation checks what the approutes functions built in out
// link: a function that neither caches nor revalidates links no module of
// the AWS SDK; one that does links its request signer alone, none of its
// service clients.
func testCacheIsolation(t *testing.T, out string) {
	shared := 0
	for _, f := range readManifest(t, out).Functions {
		bin, err := target.ReadBootstrap(filepath.Join(out, filepath.FromSlash(f.Zip)))
		if err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(t.TempDir(), "bootstrap")
		if err := os.WriteFile(path, bin, 0o755); err != nil {
			t.Fatal(err)
		}
		info, err := buildinfo.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		var sdk []string
		for _, m := range info.Deps {
			if strings.HasPrefix(m.Path, "github.com/aws/aws-sdk-go-v2") {
				sdk = append(sdk, m.Path)
			}
		}
		want := f.Pattern == "/force-static" || f.Pattern == "/revalidate-1" || f.Pattern == "/api/revalidate" || f.Pattern == "/revalidate-path"
		if f.SharedCache != want {
			t.Errorf("%s: sharedCache %v, want %v", f.Pattern, f.SharedCache, want)
		}
		switch {
		case !f.SharedCache && len(sdk) > 0:
			t.Errorf("%s neither caches nor revalidates but links %v", f.Pattern, sdk)
		case f.SharedCache && (len(sdk) != 1 || sdk[0] != "github.com/aws/aws-sdk-go-v2"):
			t.Errorf("%s links %v, want the SDK's core module alone (its signer)", f.Pattern, sdk)
		}
		if f.SharedCache {
			shared++
		}
	}
	if shared != 4 {
		t.Errorf("%d functions use the shared cache, want 4", shared)
	}
}

// TestDeploySharedCache deploys the cached app (the cached routes of the
// approutes app and the routes that revalidate them) to the local AWS
// endpoint and runs the caching checks of nextgo dev and start through its
// HTTP API: the functions that cache or revalidate share the response
// cache in the deploy bucket, under a role whose policy allows that and no
// more (the endpoint enforces it on the functions' calls), and regenerate
// stale entries by invoking themselves asynchronously. remove takes the
// bucket and both roles away.
func TestDeploySharedCache(t *testing.T) {
	s := newAWSStage(t, awsfake.Options{})
	dir := copyApp(t, "cached")
	args := []string{dir, "--stage", "cache", "--arch", runtime.GOARCH}

	plan := s.deployJSON(append(args, "--dry-run")...)
	cacheRole := deploy.CacheRoleName("cached", "cache")
	want := map[string]bool{"create role " + cacheRole: false, "create policy " + cacheRole + "/nextgo-response-cache": false, "create bucket": false}
	bucket := ""
	for _, c := range plan.Changes {
		if c.Resource == deploy.ResourceBucket && c.Action == deploy.Create {
			want["create bucket"], bucket = true, c.Name
		}
		if _, ok := want[string(c.Action)+" "+c.Resource+" "+c.Name]; ok {
			want[string(c.Action)+" "+c.Resource+" "+c.Name] = true
		}
	}
	for k, seen := range want {
		if !seen {
			t.Errorf("dry run: no %q in the plan %+v", k, plan.Changes)
		}
	}
	if len(s.fake.Mutations()) != 0 {
		t.Fatalf("dry run changed something: %v", s.fake.Mutations())
	}

	res := s.deployJSON(args...)
	// The app streams, so it is served by a REST API.
	t.Run("caching", func(t *testing.T) { testCaching(t, s.appURL(res)) })

	// Roles: the cache's for the four functions that use it, the plain
	// execution role for the others; the policy names the cache's objects
	// and the one function that regenerates stale entries.
	ctx := context.Background()
	lc := lambda.NewFromConfig(s.cfg)
	for _, name := range append(res.Summary.Created, res.Summary.Updated...) {
		out, err := lc.GetFunctionConfiguration(ctx, &lambda.GetFunctionConfigurationInput{FunctionName: &name})
		if err != nil {
			t.Fatal(err)
		}
		uses := out.Environment != nil && out.Environment.Variables["NEXTGO_RESPONSE_CACHE"] == "s3"
		onCacheRole := strings.HasSuffix(aws.ToString(out.Role), "/"+cacheRole)
		if uses != onCacheRole {
			t.Errorf("%s: uses the cache %v, runs as %s", name, uses, aws.ToString(out.Role))
		}
	}
	pol, err := iam.NewFromConfig(s.cfg).GetRolePolicy(ctx, &iam.GetRolePolicyInput{RoleName: &cacheRole, PolicyName: aws.String("nextgo-response-cache")})
	if err != nil {
		t.Fatal(err)
	}
	doc, _ := url.QueryUnescape(aws.ToString(pol.PolicyDocument))
	regen := deploy.FunctionName("cached", "cache", "/revalidate-1")
	if !strings.Contains(doc, `"Resource":["arn:aws:s3:::`+bucket+`/cache/*"]`) ||
		!strings.Contains(doc, `"Action":["lambda:InvokeFunction"],"Resource":["arn:aws:lambda:us-east-1:123456789012:function:`+regen+`","arn:aws:lambda:us-east-1:123456789012:function:`+regen+`:*"]`) {
		t.Errorf("cache policy: %s", doc)
	}
	if keys := s.fake.S3.Keys(bucket, "cache/"); len(keys) < 2 {
		t.Errorf("cache objects in the bucket: %v", keys)
	}

	// Deployed again unchanged: the role and its policy stay as they are.
	s.fake.ResetCalls()
	again := s.deployJSON(args...)
	for _, c := range again.Changes {
		if (c.Resource == deploy.ResourceRole || c.Resource == deploy.ResourcePolicy) && c.Action != deploy.Unchanged {
			t.Errorf("unchanged app: %+v", c)
		}
	}

	if _, stderr, err := s.nextgo("remove", dir, "--stage", "cache", "--yes"); err != nil {
		t.Fatalf("remove: %v\n%s", err, stderr)
	}
	if b := s.fake.S3.Buckets(); len(b) != 0 {
		t.Errorf("buckets after remove: %v", b)
	}
	for _, role := range []string{cacheRole, deploy.RoleName("cached", "cache")} {
		if _, err := iam.NewFromConfig(s.cfg).GetRole(ctx, &iam.GetRoleInput{RoleName: &role}); err == nil {
			t.Errorf("role %s left after remove", role)
		}
	}
}
