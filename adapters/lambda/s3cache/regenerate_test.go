package s3cache

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/nextgo-dev/nextgo/runtime/cache"
)

// invokeAPI plays Lambda's Invoke API: it records each invocation and
// answers with status and body.
type invokeAPI struct {
	mu     sync.Mutex
	got    []*http.Request
	events []events.APIGatewayV2HTTPRequest
	status int
	body   string
}

func (f *invokeAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	b, _ := io.ReadAll(r.Body)
	var ev events.APIGatewayV2HTTPRequest
	json.Unmarshal(b, &ev)
	f.mu.Lock()
	f.got = append(f.got, r)
	f.events = append(f.events, ev)
	status, body := f.status, f.body
	f.mu.Unlock()
	if status != http.StatusAccepted {
		w.Header().Set("X-Amzn-ErrorType", "AccessDeniedException")
		w.Header().Set("Content-Type", "application/json")
	}
	w.WriteHeader(status)
	io.WriteString(w, body)
}

func TestRegenerator(t *testing.T) {
	api := &invokeAPI{status: http.StatusAccepted}
	srv := httptest.NewServer(api)
	defer srv.Close()
	ctx := context.Background()
	r := NewRegenerator(client(srv.URL, "lambda"), "app-prod-items", "7", time.Hour)

	if err := r.Regenerate(ctx, "/api/items/a%20b", `"etag1"`); err != nil {
		t.Fatal(err)
	}
	// Asked once per version within the window.
	if err := r.Regenerate(ctx, "/api/items/a%20b", `"etag1"`); err != nil {
		t.Fatal(err)
	}
	if err := r.Regenerate(ctx, "/api/items/a%20b", `"etag2"`); err != nil {
		t.Fatal(err)
	}
	if len(api.got) != 2 {
		t.Fatalf("%d invocations, want 2", len(api.got))
	}
	req, ev := api.got[0], api.events[0]
	if req.Method != http.MethodPost || req.URL.Path != "/2015-03-31/functions/app-prod-items/invocations" ||
		req.URL.RawQuery != "Qualifier=7" || req.Header.Get("X-Amz-Invocation-Type") != "Event" ||
		!strings.Contains(req.Header.Get("Authorization"), "/us-east-1/lambda/aws4_request") {
		t.Fatalf("invocation %s %s %v", req.Method, req.URL, req.Header)
	}
	if ev.Version != "2.0" || ev.RawPath != "/api/items/a%20b" || ev.RequestContext.HTTP.Method != "GET" ||
		ev.Headers["x-nextgo-regenerate"] != `"etag1"` || ev.RequestContext.RequestID == "" {
		t.Fatalf("event %+v", ev)
	}

	// $LATEST is invoked without a qualifier; a refusal is an error that
	// names Lambda's code, and is asked again next time.
	api.status, api.body = http.StatusForbidden, `{"Type":"User","message":"not authorized to perform: lambda:InvokeFunction"}`
	latest := NewRegenerator(client(srv.URL, "lambda"), "app-prod-items", "$LATEST", time.Hour)
	err := latest.Regenerate(ctx, "/x", "v")
	if err == nil || !strings.Contains(err.Error(), "403 AccessDeniedException: not authorized") {
		t.Fatalf("refused invocation: %v", err)
	}
	if got := api.got[2].URL.RawQuery; got != "" {
		t.Fatalf("$LATEST invoked with query %q", got)
	}
	latest.Regenerate(ctx, "/x", "v")
	if len(api.got) != 4 {
		t.Fatalf("a refused regeneration was not asked again (%d invocations)", len(api.got))
	}

	// An event over the asynchronous payload limit is not sent.
	api.status = http.StatusAccepted
	if err := r.Regenerate(ctx, "/"+strings.Repeat("x", maxEventPayload), "v"); err == nil {
		t.Fatal("oversized event sent")
	}
	if len(api.got) != 4 {
		t.Fatal("oversized event reached Lambda")
	}
}

func TestBackend(t *testing.T) {
	env := map[string]string{
		cache.EnvStore: Name, EnvBucket: "app-cache", "AWS_REGION": "eu-west-1",
		"AWS_ACCESS_KEY_ID": "AKID", "AWS_SECRET_ACCESS_KEY": "secret",
		"AWS_ENDPOINT_URL": "http://127.0.0.1:9", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "128",
	}
	getenv := func(k string) string { return env[k] }
	st, err := open(getenv)
	if err != nil {
		t.Fatal(err)
	}
	s := st.(*Store)
	if s.bucket != "app-cache" || s.s3.Region != "eu-west-1" || s.url("k") != "http://127.0.0.1:9/app-cache/k" || s.local.Size() != 0 {
		t.Fatalf("store %+v", s)
	}
	// In a function: its own Regenerator, aimed at the running version.
	env["AWS_LAMBDA_FUNCTION_NAME"], env["AWS_LAMBDA_FUNCTION_VERSION"] = "app-prod-items", "3"
	env["AWS_ENDPOINT_URL_LAMBDA"] = "http://127.0.0.1:10"
	st, err = open(getenv)
	if err != nil {
		t.Fatal(err)
	}
	sh, ok := st.(shared)
	if !ok || sh.Regenerator.function != "app-prod-items" || sh.Regenerator.qualifier != "3" || sh.Regenerator.lambda.Endpoint != "http://127.0.0.1:10" {
		t.Fatalf("store %#v", st)
	}
	if _, ok := st.(cache.Regenerator); !ok {
		t.Fatal("a function's store is not a cache.Regenerator")
	}
	if b, _ := localBudget(getenv); b != 16<<20 {
		t.Fatalf("local budget of a 128 MB function: %d", b)
	}
	delete(env, "AWS_ENDPOINT_URL")
	delete(env, "AWS_ENDPOINT_URL_LAMBDA")
	st, _ = open(getenv)
	if u := st.(shared).Store.url("k"); u != "https://app-cache.s3.eu-west-1.amazonaws.com/k" {
		t.Fatalf("url on AWS: %s", u)
	}

	for _, tc := range []struct{ unset, set, want string }{
		{unset: EnvBucket, want: EnvBucket + " is not set"},
		{unset: "AWS_SECRET_ACCESS_KEY", want: "no credentials"},
		{unset: "AWS_REGION", want: "no region"},
		{set: cache.EnvMaxBytes, want: cache.EnvMaxBytes + `="lots": want a number of bytes`},
	} {
		env2 := map[string]string{}
		for k, v := range env {
			env2[k] = v
		}
		delete(env2, tc.unset)
		if tc.set != "" {
			env2[tc.set] = "lots"
		}
		_, err := cache.Open(func(k string) string { return env2[k] }, Backend())
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("without %s: %v, want %q", tc.unset, err, tc.want)
		}
	}
}
