package e2e

import (
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/nextgo-dev/nextgo/adapters/lambda/deploy"
	"github.com/nextgo-dev/nextgo/e2e/awsfake"
	"github.com/nextgo-dev/nextgo/e2e/awsfake/testbuild"
)

// TestDeployChecksBeforeChanging: what Lambda would refuse stops
// `nextgo build` and `nextgo deploy --dry-run` with one line naming the
// route and the variable, before any call that changes anything.
func TestDeployChecksBeforeChanging(t *testing.T) {
	s := newAWSStage(t, awsfake.Options{})
	for _, tt := range []struct {
		name string
		env  map[string]string
		want string
	}{
		{"bad variable name", map[string]string{"N": "1"},
			`route /api/x: environment variable "N": Lambda takes names of a letter then letters, digits and '_' ([a-zA-Z][a-zA-Z0-9_]+)`},
		{"environment over 4 KB", map[string]string{"BIG": strings.Repeat("x", 4090)},
			"route /api/x: its environment is 4100 bytes as Lambda measures it (the JSON of the variables), over Lambda's 4 KB; the largest is BIG (4093 bytes)"},
	} {
		dir := buildOf(t, "chkshop", testbuild.Route{Name: "api-x", Pattern: "/api/x", Reply: "v1", Env: tt.env})
		s.fake.ResetCalls()
		for _, dryRun := range []bool{true, false} {
			args := []string{"deploy", appWithEnv(t, tt.env), "--skip-build", "--stage", "chk", "--out", dir}
			if dryRun {
				args = append(args, "--dry-run")
			}
			_, stderr, err := s.nextgo(args...)
			want := "nextgo: read build: " + filepath.Join(dir, "manifest.json") + ": " + tt.want
			if err == nil || strings.TrimSpace(stderr) != want {
				t.Errorf("%s (dry run %v): %v\n%s\nwant the one line\n%s", tt.name, dryRun, err, stderr, want)
			}
		}
		if m := s.fake.Mutations(); len(m) != 0 {
			t.Errorf("%s: mutating calls %+v", tt.name, m)
		}
	}

	// nextgo build refuses it too, naming the route and the variable.
	dir := filepath.Join(t.TempDir(), "chkapp")
	newModule(t, dir, "example.com/chkapp")
	writeAppFile(t, dir, "pages/api/x.go", "package x\n\nimport \"github.com/nextgo-dev/nextgo/runtime/api\"\n\nfunc Handler(req *api.Request, res *api.Response) { res.JSON(\"x\") }\n")
	writeAppFile(t, dir, ".env.production", "N=1\n")
	_, stderr, err := s.nextgo("build", dir, "--arch", runtime.GOARCH)
	if want := `nextgo: route /api/x: environment variable "N": Lambda takes names of a letter then letters, digits and '_' ([a-zA-Z][a-zA-Z0-9_]+)`; err == nil || lastLine(stderr) != want {
		t.Errorf("nextgo build: %v\n%s\nwant last line %s", err, stderr, want)
	}
}

// TestDeployLargeZipThroughS3 deploys a function whose zip is over
// Lambda's 50 MB direct-upload limit: it goes through the deploy bucket,
// and the function serves.
func TestDeployLargeZipThroughS3(t *testing.T) {
	s := newAWSStage(t, awsfake.Options{})
	dir := buildOf(t, "bigshop", testbuild.Route{Name: "api-big", Pattern: "/api/big", Reply: "v1", Pad: 60 << 20})
	res := s.deployJSON("--skip-build", "--stage", "big", "--out", dir)
	if status, out, body := reply(t, res.URL+"/api/big"); status != 200 || out.Reply != "v1" {
		t.Errorf("GET /api/big = %d %s", status, body)
	}
	bucket := deploy.BucketName("123456789012", "us-east-1", "bigshop", "big")
	var ops []string
	for _, c := range s.fake.Mutations() {
		if c.Service == "s3" || c.Op == "CreateFunction" {
			ops = append(ops, c.Op+" "+c.Resource)
		}
	}
	name := deploy.FunctionName("bigshop", "big", "/api/big")
	want := "CreateBucket " + bucket + ", PutBucketTagging " + bucket + ", PutObject " + bucket + ", CreateFunction " + name + ", DeleteObject " + bucket + ", PutObject " + bucket
	if got := strings.Join(ops, ", "); got != want {
		t.Errorf("calls:\n%s\nwant\n%s", got, want)
	}
	if n := s.fake.CodeUploads(); n != 0 {
		t.Errorf("%d direct code uploads, want the zip through S3 only", n)
	}
	fn, err := lambda.NewFromConfig(s.cfg).GetFunction(t.Context(), &lambda.GetFunctionInput{FunctionName: aws.String(name)})
	if err != nil || fn.Configuration.CodeSize < 60<<20 {
		t.Errorf("function: %+v, %v", fn, err)
	}
	if keys := s.fake.S3.Keys(bucket, "code/"); len(keys) != 0 {
		t.Errorf("staged zips left in the bucket: %v", keys)
	}
}
