package localaws

import (
	"io"
	"log/slog"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/nextgo-dev/nextgo/adapters/lambda/runtimeapi"
	"github.com/nextgo-dev/nextgo/adapters/lambda/s3cache"
	"github.com/nextgo-dev/nextgo/runtime/cache"
)

// build compiles the test function.
func build(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "echo", "bootstrap")
	cmd := exec.Command(filepath.Join(runtime.GOROOT(), "bin", "go"), "build", "-tags", "lambda.norpc", "-o", bin, "./testdata/echo")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

func TestInvoke(t *testing.T) {
	e, err := Start()
	if err != nil {
		t.Fatal(err)
	}
	mark := filepath.Join(t.TempDir(), "mark")
	pool := runtimeapi.NewPool(runtimeapi.Function{Name: "app-echo", Bootstrap: build(t), Env: map[string]string{"MARK": mark}},
		runtimeapi.Options{Output: io.Discard, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	e.Register("app-echo", pool)

	for _, tc := range []struct {
		name, ref, query, typ, payload string
		status                         int
		header, body                   string
	}{
		{"sync", "app-echo", "", "", `{"n":1}`, 200, "X-Amz-Executed-Version=$LATEST", `{"n":1}`},
		{"sync by ARN", "arn:aws:lambda:us-east-1:000000000000:function:app-echo:$LATEST", "", "RequestResponse", `{"n":2}`, 200, "", `{"n":2}`},
		{"function error", "app-echo", "", "RequestResponse", `{"fail":true}`, 200, "X-Amz-Function-Error=Unhandled", `"errorMessage":"asked to fail"`},
		{"dry run", "app-echo", "", "DryRun", `{}`, 204, "", ""},
		{"event", "app-echo", "", "Event", `{"async":1}`, 202, "", ""},
		{"unknown function", "other", "", "Event", `{}`, 404, "X-Amzn-Errortype=ResourceNotFoundException", `"Message":"Function not found: arn:aws:lambda:us-east-1:000000000000:function:other"`},
		{"unknown qualifier", "app-echo", "?Qualifier=7", "Event", `{}`, 404, "X-Amzn-Errortype=ResourceNotFoundException", `function:app-echo:7"`},
		{"bad type", "app-echo", "", "Later", `{}`, 400, "X-Amzn-Errortype=InvalidParameterValueException", `Member must satisfy enum value set`},
		{"not JSON", "app-echo", "", "Event", `{`, 400, "X-Amzn-Errortype=InvalidRequestContentException", `Could not parse request body into json`},
		{"event too large", "app-echo", "", "Event", `"` + strings.Repeat("x", maxAsyncPayload) + `"`, 413, "X-Amzn-Errortype=RequestTooLargeException", `smaller than 1048576 bytes`},
	} {
		req, _ := http.NewRequest("POST", e.URL+"/2015-03-31/functions/"+tc.ref+"/invocations"+tc.query, strings.NewReader(tc.payload))
		if tc.typ != "" {
			req.Header.Set("X-Amz-Invocation-Type", tc.typ)
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != tc.status || !strings.Contains(string(b), tc.body) {
			t.Errorf("%s: %d %s, want %d with %s", tc.name, res.StatusCode, b, tc.status, tc.body)
		}
		if k, v, ok := strings.Cut(tc.header, "="); ok && res.Header.Get(k) != v {
			t.Errorf("%s: %s: %q, want %q", tc.name, k, res.Header.Get(k), v)
		}
	}
	// Close waits for the queued event, which the function received.
	pool.Close()
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(mark)
	if !strings.Contains(string(got), `{"async":1}`) {
		t.Fatalf("the asynchronous event did not run; the function saw:\n%s", got)
	}
}

func TestEnv(t *testing.T) {
	e, err := Start()
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	env := e.Env()
	if env[cache.EnvStore] != s3cache.Name || env[s3cache.EnvBucket] != Bucket || env["AWS_ENDPOINT_URL"] != e.URL {
		t.Fatalf("Env() = %v", env)
	}
	// The bucket exists on the endpoint's S3.
	res, err := http.Get(e.URL + "/" + Bucket + "/nothing")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 404 || !strings.Contains(string(b), "NoSuchKey") {
		t.Fatalf("GET of a missing object: %d %s", res.StatusCode, b)
	}
}
