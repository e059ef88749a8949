package e2e

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/nextgo-dev/nextgo/adapters/lambda/deploy"
	"github.com/nextgo-dev/nextgo/e2e/awsfake"
	"github.com/nextgo-dev/nextgo/e2e/awsfake/testbuild"
)

// TestDeployPermissions: `nextgo deploy --print-policy` names every action
// that deploy, rollback and remove call, and a refused action is named in
// one line (here lambda:ListTags, without which GetFunction hides tags).
func TestDeployPermissions(t *testing.T) {
	s := newAWSStage(t, awsfake.Options{})
	stdout, stderr, err := s.nextgo("deploy", "--print-policy", "--app", "polshop", "--stage", "pol")
	if err != nil {
		t.Fatalf("--print-policy: %v\n%s", err, stderr)
	}
	var policy struct {
		Statement []struct {
			Action   []string
			Resource []string
		}
	}
	if err := json.Unmarshal([]byte(stdout), &policy); err != nil {
		t.Fatalf("--print-policy: %v\n%s", err, stdout)
	}
	allowed := map[string]bool{}
	for _, st := range policy.Statement {
		for _, a := range st.Action {
			allowed[a] = true
		}
	}
	common := []string{"--stage", "pol"}
	v := func(reply string) string {
		return buildOf(t, "polshop", testbuild.Route{Name: "api-a", Pattern: "/api/a", Reply: reply}, testbuild.Route{Name: "api-b", Pattern: "/api/b/[id]", Reply: "v1"})
	}
	s.deployJSON(append([]string{"--skip-build", "--out", v("v1")}, common...)...)
	s.deployJSON(append([]string{"--skip-build", "--out", v("v2")}, common...)...)
	if _, stderr, err := s.nextgo(append([]string{"rollback", "--app", "polshop"}, common...)...); err != nil {
		t.Fatalf("rollback: %v\n%s", err, stderr)
	}

	// Without lambda:ListTags the next deploy stops, naming it.
	s.fake.Deny("lambda:ListTags")
	_, stderr, err = s.nextgo(append([]string{"deploy", "--skip-build", "--out", v("v3")}, common...)...)
	fn := deploy.FunctionName("polshop", "pol", "/api/a")
	want := "nextgo: missing AWS permission lambda:ListTags on arn:aws:lambda:us-east-1:123456789012:function:" + fn
	if err == nil || !strings.HasPrefix(lastLine(stderr), want) || strings.Count(strings.TrimSpace(stderr), "\n") != 0 {
		t.Errorf("deploy without lambda:ListTags: %v\n%s\nwant the one line starting %s", err, stderr, want)
	}
	s.fake.Allow("lambda:ListTags")
	if _, stderr, err := s.nextgo(append([]string{"remove", "--app", "polshop", "--yes"}, common...)...); err != nil {
		t.Fatalf("remove: %v\n%s", err, stderr)
	}

	var missing []string
	for _, c := range s.fake.Calls() {
		if !allowed[c.Action] && !slices.Contains(missing, c.Action) {
			missing = append(missing, c.Action)
		}
	}
	if len(missing) > 0 {
		t.Errorf("the printed policy lacks %v, which deploy, rollback or remove called", missing)
	}
}

// TestDeployActionableErrors: no credentials, and an endpoint that cannot
// be reached, are each said in one line that tells what to do.
func TestDeployActionableErrors(t *testing.T) {
	s := newAWSStage(t, awsfake.Options{})
	dir := buildOf(t, "errshop", testbuild.Route{Name: "api-a", Pattern: "/api/a", Reply: "v1"})
	run := func(env []string) (string, error) {
		t.Helper()
		saved := s.env
		defer func() { s.env = saved }()
		s.env = env
		_, stderr, err := s.nextgo("deploy", "--skip-build", "--out", dir, "--stage", "err", "--dry-run")
		return stderr, err
	}
	without := func(env []string, names ...string) []string {
		return slices.DeleteFunc(slices.Clone(env), func(kv string) bool {
			k, _, _ := strings.Cut(kv, "=")
			return slices.Contains(names, k)
		})
	}

	stderr, err := run(without(s.env, "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"))
	want := "nextgo: no AWS credentials found: run `aws configure` (or `aws configure sso`), pass --profile NAME to use a profile of ~/.aws/config, or set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (or AWS_PROFILE)"
	if err == nil || strings.TrimSpace(stderr) != want {
		t.Errorf("without credentials: %v\n%s\nwant the one line\n%s", err, stderr, want)
	}

	empty := filepath.Join(t.TempDir(), "config")
	os.WriteFile(empty, nil, 0o600)
	stderr, err = run(append(without(s.env, "AWS_CONFIG_FILE"), "AWS_CONFIG_FILE="+empty, "AWS_PROFILE=nope"))
	if want := "nextgo: AWS profile \"nope\" is not in ~/.aws/config or ~/.aws/credentials: run `aws configure --profile nope`, or pass another --profile"; err == nil || strings.TrimSpace(stderr) != want {
		t.Errorf("unknown profile: %v\n%s\nwant %s", err, stderr, want)
	}

	// An endpoint nothing listens on: each retry is shown, then one line
	// names the endpoint.
	stderr, err = run(append(without(s.env, "AWS_ENDPOINT_URL"), "AWS_ENDPOINT_URL=http://127.0.0.1:1"))
	lines := strings.Split(strings.TrimSpace(stderr), "\n")
	want = "nextgo: cannot reach STS (GetCallerIdentity) at http://127.0.0.1:1 after 3 attempts: connect: connection refused (check the network, --region and AWS_ENDPOINT_URL)"
	if err == nil || len(lines) != 3 || lines[2] != want ||
		strings.TrimSpace(lines[0]) != "cannot reach http://127.0.0.1:1 (connect: connection refused): retrying in 1s (attempt 2 of 3)" {
		t.Errorf("unreachable endpoint: %v\n%s\nwant two retry lines, then\n%s", err, stderr, want)
	}
}
