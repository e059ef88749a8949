package e2e

import (
	"context"
	"encoding/json"
	"maps"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/nextgo-dev/nextgo/adapters/lambda/deploy"
	"github.com/nextgo-dev/nextgo/e2e/awsfake"
	"github.com/nextgo-dev/nextgo/e2e/awsfake/testbuild"
)

// buildOf writes a test build of app with the given routes.
func buildOf(t *testing.T, app string, routes ...testbuild.Route) string {
	t.Helper()
	dir := t.TempDir()
	if _, err := testFunctions(t).Write(dir, app, routes); err != nil {
		t.Fatal(err)
	}
	return dir
}

// appWithEnv is an app directory whose production .env sets env: the
// values a test build's manifest names, which deploy reads from there.
func appWithEnv(t *testing.T, env map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	var b strings.Builder
	for _, k := range slices.Sorted(maps.Keys(env)) {
		b.WriteString(k + "=" + env[k] + "\n")
	}
	writeAppFile(t, dir, ".env.production", b.String())
	return dir
}

// TestDeployRenameAndRollback renames a route's path variable ([pid] →
// [id]), which API Gateway allows only if the old route goes first,
// redeploys after a failure in the middle, rolls back and forward again:
// after each step every path answers from the right version through the
// right route.
func TestDeployRenameAndRollback(t *testing.T) {
	s := newAWSStage(t, awsfake.Options{})
	common := []string{"--skip-build", "--stage", "rn"}
	hello := func(reply string) testbuild.Route {
		return testbuild.Route{Name: "api-hello", Pattern: "/api/hello", Reply: reply}
	}
	post := func(param, reply string) testbuild.Route {
		return testbuild.Route{Name: "api-post-" + param, Pattern: "/api/post/[" + param + "]", Reply: reply}
	}
	slug := testbuild.Route{Name: "api-post-slug", Pattern: "/api/post/[...slug]", Reply: "v1"}
	type want struct{ path, reply, routeKey string }
	check := func(step, url string, wants ...want) {
		t.Helper()
		for _, w := range wants {
			status, out, body := reply(t, url+w.path)
			if status != 200 || out.Reply != w.reply || out.RouteKey != w.routeKey {
				t.Errorf("%s: GET %s = %d %s, want %s via %s", step, w.path, status, body, w.reply, w.routeKey)
			}
		}
	}

	first := s.deployJSON(append([]string{"--out", buildOf(t, "rnshop", hello("v1"), post("pid", "v1"), slug)}, common...)...)
	check("first deploy", first.URL,
		want{"/api/hello", "v1", "ANY /api/hello"},
		want{"/api/post/7", "v1", "ANY /api/post/{pid}"},
		want{"/api/post/7/8", "v1", "ANY /api/post/{slug+}"})

	// The rename, with the route update failing once: the re-run finishes.
	renamed := buildOf(t, "rnshop", hello("v2"), post("id", "v2"), slug)
	s.fake.Fail("UpdateRoute", 400, "BadRequestException", "injected")
	if _, stderr, err := s.nextgo(append([]string{"deploy", "--out", renamed}, common...)...); err == nil || !strings.Contains(stderr, "injected") {
		t.Fatalf("deploy with a failing route update: %v\n%s", err, stderr)
	}
	second := s.deployJSON(append([]string{"--out", renamed}, common...)...)
	renameChange := deploy.Change{Action: deploy.Update, Resource: deploy.ResourceRoute, Name: "ANY /api/post/{id}",
		Reason: "renamed from ANY /api/post/{pid} (one variable name per path level) → " + deploy.FunctionName("rnshop", "rn", "/api/post/[id]")}
	if !slices.Contains(second.Changes, renameChange) {
		t.Errorf("re-run changes lack %+v:\n%+v", renameChange, second.Changes)
	}
	check("after the rename", first.URL,
		want{"/api/hello", "v2", "ANY /api/hello"},
		want{"/api/post/7", "v2", "ANY /api/post/{id}"},
		want{"/api/post/7/8", "v1", "ANY /api/post/{slug+}"})

	// rollback restores the previous release whole: versions and routes.
	stdout, stderr, err := s.nextgo("rollback", "--app", "rnshop", "--stage", "rn", "--json")
	if err != nil {
		t.Fatalf("rollback: %v\n%s", err, stderr)
	}
	var rep deploy.Report
	if err := json.Unmarshal([]byte(stdout), &rep); err != nil {
		t.Fatalf("rollback --json: %v\n%s", err, stdout)
	}
	if rep.Restored != rep.Release-1 || rep.Release < 2 {
		t.Errorf("rollback report: release %d restored %d", rep.Release, rep.Restored)
	}
	var moved []string
	for _, c := range rep.Changes {
		moved = append(moved, string(c.Action)+" "+c.Resource+" "+c.Name)
	}
	slices.Sort(moved)
	wantMoved := []string{
		"update alias " + deploy.FunctionName("rnshop", "rn", "/api/hello") + ":live",
		"update route ANY /api/post/{pid}",
	}
	if !slices.Equal(moved, wantMoved) {
		t.Errorf("rollback moved %v, want %v", moved, wantMoved)
	}
	check("after rollback", first.URL,
		want{"/api/hello", "v1", "ANY /api/hello"},
		want{"/api/post/7", "v1", "ANY /api/post/{pid}"},
		want{"/api/post/7/8", "v1", "ANY /api/post/{slug+}"})

	// A second rollback undoes the first.
	if _, stderr, err := s.nextgo("rollback", "--app", "rnshop", "--stage", "rn"); err != nil {
		t.Fatalf("second rollback: %v\n%s", err, stderr)
	}
	check("after the second rollback", first.URL,
		want{"/api/hello", "v2", "ANY /api/hello"},
		want{"/api/post/7", "v2", "ANY /api/post/{id}"})

	// A route added beside a long-named one: no existing function changes
	// name, only the new one is created.
	long := testbuild.Route{Name: "long", Pattern: "/api/orgs/[org]/" + strings.Repeat("settings", 6) + "/members", Reply: "v1"}
	before := s.deployJSON(append([]string{"--out", buildOf(t, "rnshop", hello("v2"), post("id", "v2"), slug, long)}, common...)...)
	neighbour := testbuild.Route{Name: "long2", Pattern: "/api/orgs/[org]/" + strings.Repeat("settings", 6) + "/billing", Reply: "v1"}
	after := s.deployJSON(append([]string{"--out", buildOf(t, "rnshop", hello("v2"), post("id", "v2"), slug, long, neighbour)}, common...)...)
	if !slices.Equal(after.Summary.Created, []string{deploy.FunctionName("rnshop", "rn", neighbour.Pattern)}) ||
		len(after.Summary.Updated) != 0 || len(after.Summary.Deleted) != 0 ||
		!slices.Equal(sorted(after.Summary.Unchanged), sorted(append(before.Summary.Created, before.Summary.Unchanged...))) {
		t.Errorf("adding a neighbour: before %+v, after %+v", before.Summary, after.Summary)
	}
}

func sorted(s []string) []string {
	s = slices.Clone(s)
	slices.Sort(s)
	return s
}

// TestDeployKeepsReleases deploys 12 releases: the deploy bucket keeps the
// last 10 records, and the function keeps only the versions they use.
func TestDeployKeepsReleases(t *testing.T) {
	s := newAWSStage(t, awsfake.Options{})
	var url string
	for i := 1; i <= 12; i++ {
		r := testbuild.Route{Name: "api-hello", Pattern: "/api/hello", Reply: "v1", Env: map[string]string{"RELEASE": strconv.Itoa(i)}}
		res := s.deployJSON(appWithEnv(t, r.Env), "--skip-build", "--stage", "keep", "--out", buildOf(t, "keepshop", r))
		if res.Release != i {
			t.Fatalf("deploy %d: release %d", i, res.Release)
		}
		url = res.URL
	}
	bucket := deploy.BucketName("123456789012", "us-east-1", "keepshop", "keep")
	keys := s.fake.S3.Keys(bucket, "releases/")
	if len(keys) != 10 || keys[0] != "releases/000003.json" || keys[9] != "releases/000012.json" {
		t.Errorf("release records: %v, want releases 3 to 12", keys)
	}
	if tags := s.fake.S3.BucketTags(bucket); tags[deploy.TagApp] != "keepshop" || tags[deploy.TagStage] != "keep" {
		t.Errorf("bucket tags: %v", tags)
	}
	lc := lambda.NewFromConfig(s.cfg)
	out, err := lc.ListVersionsByFunction(context.Background(), &lambda.ListVersionsByFunctionInput{FunctionName: aws.String(deploy.FunctionName("keepshop", "keep", "/api/hello"))})
	if err != nil {
		t.Fatal(err)
	}
	var versions []string
	for _, v := range out.Versions {
		versions = append(versions, aws.ToString(v.Version))
	}
	if want := []string{"$LATEST", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12"}; !slices.Equal(versions, want) {
		t.Errorf("versions %v, want %v", versions, want)
	}
	if _, out, _ := reply(t, url+"/api/hello"); out.Version != "12" {
		t.Errorf("serving version %q, want 12", out.Version)
	}
}
