package lambda_test

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambdacontext"

	"github.com/nextgo-dev/nextgo/adapters/lambda"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

// pngBytes is the start of a PNG file: not text, and not valid UTF-8.
var pngBytes = []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")

// recorder is a handler that records what it is given and answers with
// several cookies, a multi-value header and a body chosen by the path:
// /binary/… answers PNG bytes, DELETE answers 204, anything else JSON.
type recorder struct {
	mu   sync.Mutex
	view string
}

func (rec *recorder) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		panic(err)
	}
	rec.mu.Lock()
	rec.view = describe(r, body)
	rec.mu.Unlock()

	h := w.Header()
	h.Add("Set-Cookie", "a=1; Path=/; HttpOnly")
	h.Add("Set-Cookie", "b=2; Path=/; Expires=Wed, 21 Oct 2026 07:28:00 GMT")
	h.Add("Vary", "Accept")
	h.Add("Vary", "Origin")
	switch {
	case strings.HasPrefix(r.URL.Path, "/binary/"):
		h.Set("Content-Type", "image/png")
		w.Write(pngBytes)
	case r.Method == http.MethodDelete:
		w.WriteHeader(http.StatusNoContent)
	default:
		h.Set("Content-Type", "application/json; charset=utf-8")
		w.WriteHeader(http.StatusCreated)
		json.NewEncoder(w).Encode(map[string]any{
			"path":  r.URL.Path,
			"query": r.URL.Query(),
			"body":  string(body),
		})
	}
}

func (rec *recorder) last() string {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	return rec.view
}

// describe serialises a request as a handler sees it.
func describe(r *http.Request, body []byte) string {
	var b strings.Builder
	ctx := r.Context()
	fmt.Fprintf(&b, "method: %s\n", r.Method)
	fmt.Fprintf(&b, "url.path: %q\n", r.URL.Path)
	fmt.Fprintf(&b, "url.rawpath: %q\n", r.URL.RawPath)
	fmt.Fprintf(&b, "url.escapedpath: %q\n", r.URL.EscapedPath())
	fmt.Fprintf(&b, "url.rawquery: %q\n", r.URL.RawQuery)
	fmt.Fprintf(&b, "url.query: %v\n", r.URL.Query())
	fmt.Fprintf(&b, "requesturi: %q\n", r.RequestURI)
	fmt.Fprintf(&b, "proto: %s %d.%d\n", r.Proto, r.ProtoMajor, r.ProtoMinor)
	fmt.Fprintf(&b, "host: %q\n", r.Host)
	fmt.Fprintf(&b, "remoteaddr: %q\n", r.RemoteAddr)
	fmt.Fprintf(&b, "contentlength: %d\n", r.ContentLength)
	keys := make([]string, 0, len(r.Header))
	for k := range r.Header {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		fmt.Fprintf(&b, "header %s: %q\n", k, r.Header[k])
	}
	var cookies []string
	for _, c := range r.Cookies() {
		cookies = append(cookies, c.Name+"="+c.Value)
	}
	fmt.Fprintf(&b, "cookies: %q\n", cookies)
	fmt.Fprintf(&b, "body: %q\n", body)
	fmt.Fprintf(&b, "kind: %s\n", lambda.EventKind(ctx))
	fmt.Fprintf(&b, "requestid: %q\n", lambda.RequestID(ctx))
	fmt.Fprintf(&b, "eventrequestid: %q\n", lambda.EventRequestID(ctx))
	fmt.Fprintf(&b, "stage: %q\n", lambda.Stage(ctx))
	fmt.Fprintf(&b, "event: %T\n", lambda.Event(ctx))
	_, hasDeadline := ctx.Deadline()
	fmt.Fprintf(&b, "deadline: %v\n", hasDeadline)
	return b.String()
}

// lambdaContext is what the Lambda runtime puts in an invocation's context.
func lambdaContext(id string) context.Context {
	return lambdacontext.NewContext(context.Background(), &lambdacontext.LambdaContext{AwsRequestID: id})
}

func TestGolden(t *testing.T) {
	files, err := filepath.Glob("testdata/events/*.json")
	if err != nil || len(files) == 0 {
		t.Fatalf("no events: %v", err)
	}
	for _, file := range files {
		name := strings.TrimSuffix(filepath.Base(file), ".json")
		t.Run(name, func(t *testing.T) {
			payload, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			rec := &recorder{}
			var logs bytes.Buffer
			h := lambda.NewHandler(rec, lambda.Options{Logger: jsonLogger(&logs)})
			out, err := h.Invoke(lambdaContext("0f1e2d3c-aaaa-bbbb-cccc-000000000001"), payload)
			if err != nil {
				t.Fatalf("Invoke: %v", err)
			}
			if !json.Valid(out) {
				t.Fatalf("Invoke returned invalid JSON: %s", out)
			}
			var pretty bytes.Buffer
			if err := json.Indent(&pretty, out, "", "  "); err != nil {
				t.Fatal(err)
			}
			got := "== request\n" + rec.last() + "== response\n" + pretty.String() + "\n"
			if logs.Len() > 0 {
				got += "== log\n" + stripTimes(logs.String())
			}
			golden := filepath.Join("testdata", "golden", name+".golden")
			if *update {
				if err := os.MkdirAll(filepath.Dir(golden), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test -update to create it)", err)
			}
			if got != string(want) {
				t.Errorf("%s differs from the golden file\n--- got\n%s\n--- want\n%s", name, got, want)
			}

			// The struct entry points see the same request and give the
			// same response.
			rec2 := &recorder{}
			h2 := lambda.NewHandler(rec2, lambda.Options{Logger: jsonLogger(io.Discard)})
			structOut := serveStruct(t, h2, payload)
			if a, b := normalizeView(rec.last()), normalizeView(rec2.last()); a != b {
				t.Errorf("struct entry point saw another request:\n--- Invoke\n%s\n--- struct\n%s", a, b)
			}
			if a, b := normalizeResponse(t, out), normalizeResponse(t, structOut); !reflect.DeepEqual(a, b) {
				t.Errorf("struct entry point answered differently:\n--- Invoke\n%v\n--- struct\n%v", a, b)
			}
		})
	}
}

// serveStruct decodes payload into the aws-lambda-go struct of its kind,
// runs the matching Serve method and encodes the result as aws-lambda-go
// would.
func serveStruct(t *testing.T, h *lambda.Handler, payload []byte) []byte {
	t.Helper()
	var probe struct {
		Version        string `json:"version"`
		RequestContext struct {
			ELB        *json.RawMessage `json:"elb"`
			DomainName string           `json:"domainName"`
		} `json:"requestContext"`
	}
	if err := json.Unmarshal(payload, &probe); err != nil {
		t.Fatal(err)
	}
	ctx := lambdaContext("0f1e2d3c-aaaa-bbbb-cccc-000000000001")
	var resp any
	var err error
	switch {
	case probe.RequestContext.ELB != nil:
		var ev events.ALBTargetGroupRequest
		mustUnmarshal(t, payload, &ev)
		resp, err = h.ServeALB(ctx, &ev)
	case probe.Version == "2.0" && strings.Contains(probe.RequestContext.DomainName, ".lambda-url."):
		var ev events.LambdaFunctionURLRequest
		mustUnmarshal(t, payload, &ev)
		resp, err = h.ServeFunctionURL(ctx, &ev)
	case probe.Version == "2.0":
		var ev events.APIGatewayV2HTTPRequest
		mustUnmarshal(t, payload, &ev)
		resp, err = h.ServeAPIGatewayV2(ctx, &ev)
	default:
		var ev events.APIGatewayProxyRequest
		mustUnmarshal(t, payload, &ev)
		resp, err = h.ServeAPIGatewayV1(ctx, &ev)
	}
	if err != nil {
		t.Fatal(err)
	}
	out, err := json.Marshal(resp)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func mustUnmarshal(t *testing.T, b []byte, v any) {
	t.Helper()
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatal(err)
	}
}

// normalizeView drops the lines that legitimately differ between the
// JSON and struct entry points: query order (the struct maps have none,
// so the struct entry points sort keys; url.query compares the values) and
// the type of the original event.
func normalizeView(v string) string {
	var keep []string
	for _, line := range strings.Split(v, "\n") {
		if strings.HasPrefix(line, "url.rawquery:") || strings.HasPrefix(line, "requesturi:") {
			continue
		}
		keep = append(keep, line)
	}
	return strings.Join(keep, "\n")
}

// normalizeResponse decodes a response payload, dropping empty fields
// that encoding/json writes for the aws-lambda-go structs and the adapter
// leaves out.
func normalizeResponse(t *testing.T, b []byte) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("%v: %s", err, b)
	}
	for k, v := range m {
		switch v := v.(type) {
		case nil:
			delete(m, k)
		case map[string]any:
			if len(v) == 0 {
				delete(m, k)
			}
		case []any:
			if len(v) == 0 {
				delete(m, k)
			}
		case bool:
			if !v {
				delete(m, k)
			}
		}
	}
	return m
}

// stripTimes removes the time attribute from JSON log lines.
func stripTimes(logs string) string {
	var out strings.Builder
	for _, line := range strings.Split(strings.TrimSpace(logs), "\n") {
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			out.WriteString(line + "\n")
			continue
		}
		delete(m, "time")
		b, _ := json.Marshal(m)
		out.Write(b)
		out.WriteByte('\n')
	}
	return out.String()
}
