package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	awslambda "github.com/aws/aws-lambda-go/lambda"
	"github.com/awslabs/aws-lambda-go-api-proxy/httpadapter"

	"github.com/nextgo-dev/nextgo/adapters/lambda"
)

// The adapter benchmarks compare adapters/lambda with
// aws-lambda-go-api-proxy's httpadapter.NewV2 on the same handlers and the
// same HTTP API (payload 2.0) events:
//
//   - BenchmarkAdapterV2: each adapter alone, from the event as it takes
//     it, through the handler, to the response as it gives it back:
//     api-proxy's ProxyWithContext from the decoded events struct to the
//     response struct (the JSON decoding and encoding around it are
//     aws-lambda-go's), against Handler.Invoke from the payload bytes to
//     the response bytes (its own JSON reading and writing included, as
//     that is its one conversion);
//   - BenchmarkInvokeV2: a whole warm invocation as aws-lambda-go runs it,
//     from the payload bytes to the response bytes, event JSON decoding and
//     response encoding included (api-proxy behind aws-lambda-go's
//     reflection handler against Handler.Invoke behind lambda.NewHandler);
//   - BenchmarkHandlerOnly: the handlers alone on a prepared request, the
//     floor both adapters share.
//
// The cases: GET, a browser GET with a query string and cookies answered
// with a small JSON body and a cookie; GETParse, the same with a handler
// that parses the query and the cookies as a route would; POST10KB, a POST
// of 10 KB of JSON echoed back.
//
// Run: go test ./bench -run '^$' -bench 'AdapterV2|InvokeV2|HandlerOnly' -benchmem
// Compare each pair from the same run: this machine's speed drifts.
// TestAdapterAllocations checks the allocation targets; allocations, unlike
// timings, do not drift.

// getEvent is a browser GET through an HTTP API: query string, cookies and
// the headers API Gateway adds. Lambda hands it over compacted.
const getEvent = `{
  "version": "2.0",
  "routeKey": "$default",
  "rawPath": "/api/post/42",
  "rawQueryString": "q=hello%20world&tag=go&tag=lambda",
  "cookies": ["session=3f9a2c1e7b", "theme=dark"],
  "headers": {
    "accept": "application/json",
    "accept-encoding": "gzip, deflate, br",
    "accept-language": "en-GB,en;q=0.9",
    "host": "r3pmxmplak.execute-api.eu-west-1.amazonaws.com",
    "user-agent": "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_4) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15",
    "x-amzn-trace-id": "Root=1-65f1c2d3-0a1b2c3d4e5f60718293a4b5",
    "x-forwarded-for": "203.0.113.7",
    "x-forwarded-port": "443",
    "x-forwarded-proto": "https"
  },
  "queryStringParameters": {"q": "hello world", "tag": "go,lambda"},
  "requestContext": {
    "accountId": "123456789012",
    "apiId": "r3pmxmplak",
    "domainName": "r3pmxmplak.execute-api.eu-west-1.amazonaws.com",
    "domainPrefix": "r3pmxmplak",
    "http": {
      "method": "GET",
      "path": "/api/post/42",
      "protocol": "HTTP/1.1",
      "sourceIp": "203.0.113.7",
      "userAgent": "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_4) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15"
    },
    "requestId": "JKJaXmPLvHcESHA=",
    "routeKey": "$default",
    "stage": "$default",
    "time": "13/Mar/2024:10:21:07 +0000",
    "timeEpoch": 1710325267123
  },
  "isBase64Encoded": false
}`

// postEvent returns a POST of about 10 KB of JSON, and that JSON.
func postEvent(tb testing.TB) (raw []byte, body string) {
	var b strings.Builder
	b.WriteString(`{"items":[`)
	for i := 0; b.Len() < 10<<10; i++ {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"id":%d,"name":"item %d","tags":["a","b"],"price":%d.5,"note":"line\nbreak \"quoted\""}`, i, i, i)
	}
	b.WriteString(`]}`)
	body = b.String()

	ev := decodeV2(tb, compact(tb, getEvent))
	ev.RawPath = "/api/items"
	ev.RawQueryString = ""
	ev.QueryStringParameters = nil
	ev.Cookies = nil
	ev.RequestContext.HTTP.Method = http.MethodPost
	ev.RequestContext.HTTP.Path = "/api/items"
	ev.Headers["content-type"] = "application/json"
	ev.Headers["content-length"] = fmt.Sprint(len(body))
	ev.Body = body
	raw, err := json.Marshal(ev)
	if err != nil {
		tb.Fatal(err)
	}
	return raw, body
}

func compact(tb testing.TB, s string) []byte {
	var b bytes.Buffer
	if err := json.Compact(&b, []byte(s)); err != nil {
		tb.Fatal(err)
	}
	return b.Bytes()
}

var getReply = []byte(`{"post":"42","title":"Hello, world","tags":["go","lambda"]}`)

// handler answers a GET with a small JSON body and a cookie, and echoes a
// POST's JSON body. It reads nothing else, so what differs between the
// two sides is the adapters' own work.
func handler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		switch r.Method {
		case http.MethodGet:
			w.Header().Add("Set-Cookie", "seen=1; Path=/; HttpOnly")
			w.Write(getReply)
		case http.MethodPost:
			io.Copy(w, r.Body)
		}
	})
}

// parseHandler is handler reading what a route reads: a query value, a
// cookie and a header. It costs the same on both sides.
func parseHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query().Get("q")
		c, err := r.Cookie("session")
		if q != "hello world" || err != nil || c.Value != "3f9a2c1e7b" || r.Header.Get("Accept") == "" {
			http.Error(w, "bad request", http.StatusBadRequest)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Header().Add("Set-Cookie", "seen=1; Path=/; HttpOnly")
		w.Write(getReply)
	})
}

func decodeV2(tb testing.TB, raw []byte) events.APIGatewayV2HTTPRequest {
	var ev events.APIGatewayV2HTTPRequest
	if err := json.Unmarshal(raw, &ev); err != nil {
		tb.Fatal(err)
	}
	return ev
}

type benchCase struct {
	name    string
	raw     []byte // the event as Lambda sends it
	handler func() http.Handler
	body    string // the expected response body
}

func cases(tb testing.TB) []benchCase {
	post, body := postEvent(tb)
	get := compact(tb, getEvent)
	return []benchCase{
		{"GET", get, handler, string(getReply)},
		{"GETParse", get, parseHandler, string(getReply)},
		{"POST10KB", post, handler, body},
	}
}

// adapter is one adapter under test: serve runs one event through it, and
// answer runs one and decodes its response.
type adapter struct {
	serve  func(context.Context)
	answer func(context.Context) (int, string)
}

// adapters returns the two adapters under test, each taking the event as
// it takes it (see BenchmarkAdapterV2).
func adapters(tb testing.TB, c benchCase) map[string]adapter {
	proxy := httpadapter.NewV2(c.handler())
	ev := decodeV2(tb, c.raw)
	ours := lambda.NewHandler(c.handler(), lambda.Options{})
	return map[string]adapter{
		"apiproxy": {
			serve: func(ctx context.Context) { proxy.ProxyWithContext(ctx, ev) },
			answer: func(ctx context.Context) (int, string) {
				r, err := proxy.ProxyWithContext(ctx, ev)
				if err != nil {
					tb.Fatal(err)
				}
				return r.StatusCode, r.Body
			},
		},
		"nextgo": {
			serve:  func(ctx context.Context) { ours.Invoke(ctx, c.raw) },
			answer: func(ctx context.Context) (int, string) { return invoke(tb, ours, c.raw) },
		},
	}
}

// invokers returns the two whole-invocation handlers under test, each as
// aws-lambda-go runs it.
func invokers(c benchCase) map[string]awslambda.Handler {
	proxy := httpadapter.NewV2(c.handler())
	return map[string]awslambda.Handler{
		"apiproxy": awslambda.NewHandler(proxy.ProxyWithContext),
		"nextgo":   awslambda.NewHandler(lambda.NewHandler(c.handler(), lambda.Options{})),
	}
}

var sides = []string{"apiproxy", "nextgo"}

func BenchmarkAdapterV2(b *testing.B) {
	for _, c := range cases(b) {
		ads := adapters(b, c)
		for _, side := range sides {
			ad := ads[side]
			b.Run(c.name+"/"+side, func(b *testing.B) {
				ctx := context.Background()
				check(b, c, func() (int, string) { return ad.answer(ctx) })
				b.ReportAllocs()
				for b.Loop() {
					ad.serve(ctx)
				}
			})
		}
	}
}

func BenchmarkInvokeV2(b *testing.B) {
	for _, c := range cases(b) {
		invs := invokers(c)
		for _, side := range sides {
			h := invs[side]
			b.Run(c.name+"/"+side, func(b *testing.B) {
				ctx := context.Background()
				check(b, c, func() (int, string) { return invoke(b, h, c.raw) })
				b.ReportAllocs()
				for b.Loop() {
					h.Invoke(ctx, c.raw)
				}
			})
		}
	}
}

// BenchmarkInvokeV2Deadline is BenchmarkInvokeV2 for nextgo with the
// invocation deadline the Lambda runtime always sets: the handler then runs
// on its own goroutine under a context deadline, which BenchmarkInvokeV2
// (no deadline, as api-proxy has no use for one) leaves out.
func BenchmarkInvokeV2Deadline(b *testing.B) {
	for _, c := range cases(b) {
		h := invokers(c)["nextgo"]
		b.Run(c.name+"/nextgo", func(b *testing.B) {
			ctx, cancel := context.WithTimeout(context.Background(), time.Hour)
			defer cancel()
			check(b, c, func() (int, string) { return invoke(b, h, c.raw) })
			b.ReportAllocs()
			for b.Loop() {
				h.Invoke(ctx, c.raw)
			}
		})
	}
}

func invoke(tb testing.TB, h awslambda.Handler, raw []byte) (int, string) {
	tb.Helper()
	out, err := h.Invoke(context.Background(), raw)
	if err != nil {
		tb.Fatal(err)
	}
	var r events.APIGatewayV2HTTPResponse
	if err := json.Unmarshal(out, &r); err != nil {
		tb.Fatal(err)
	}
	return r.StatusCode, r.Body
}

func BenchmarkHandlerOnly(b *testing.B) {
	for _, c := range cases(b) {
		b.Run(c.name, func(b *testing.B) {
			ev := decodeV2(b, c.raw)
			r, err := http.NewRequest(ev.RequestContext.HTTP.Method, "/?"+ev.RawQueryString, nil)
			if err != nil {
				b.Fatal(err)
			}
			for k, v := range ev.Headers {
				r.Header.Set(k, v)
			}
			r.Header.Set("Cookie", strings.Join(ev.Cookies, "; "))
			h := c.handler()
			w := &nopWriter{h: http.Header{}}
			br := strings.NewReader(ev.Body)
			r.Body = io.NopCloser(br)
			b.ReportAllocs()
			for b.Loop() {
				clear(w.h)
				br.Reset(ev.Body)
				h.ServeHTTP(w, r)
			}
		})
	}
}

type nopWriter struct{ h http.Header }

func (w *nopWriter) Header() http.Header         { return w.h }
func (w *nopWriter) Write(p []byte) (int, error) { return len(p), nil }
func (w *nopWriter) WriteHeader(int)             {}

// check runs one invocation and verifies its answer, so a benchmark never
// measures a failure.
func check(tb testing.TB, c benchCase, run func() (int, string)) {
	tb.Helper()
	status, body := run()
	if status != http.StatusOK || body != c.body {
		tb.Fatalf("%s: got %d %.80q, want 200 %.80q", c.name, status, body, c.body)
	}
}

// TestAdapterAllocations holds the adapter to its targets against
// api-proxy on the same handler: at most a quarter of the allocations
// for the adapter alone (see BenchmarkAdapterV2), and at most 0.6 of them
// for a whole invocation.
func TestAdapterAllocations(t *testing.T) {
	if testing.Short() {
		t.Skip("measures allocations over many runs")
	}
	const runs = 200
	for _, c := range cases(t) {
		ctx := context.Background()
		allocs := map[string]float64{}
		for side, ad := range adapters(t, c) {
			check(t, c, func() (int, string) { return ad.answer(ctx) })
			allocs["adapter/"+side] = testing.AllocsPerRun(runs, func() { ad.serve(ctx) })
		}
		for side, h := range invokers(c) {
			check(t, c, func() (int, string) { return invoke(t, h, c.raw) })
			allocs["invoke/"+side] = testing.AllocsPerRun(runs, func() { h.Invoke(ctx, c.raw) })
		}
		limit := 0.25
		if c.name == "GETParse" {
			// The parsing handler's own allocations (query map, cookie
			// list) are the same on both sides; only the invocation
			// target applies.
			limit = 0.6
		}
		for _, kind := range []struct {
			name  string
			limit float64
		}{{"adapter", limit}, {"invoke", 0.6}} {
			ours, theirs := allocs[kind.name+"/nextgo"], allocs[kind.name+"/apiproxy"]
			t.Logf("%s %s: nextgo %.0f allocs, api-proxy %.0f: %.2fx", c.name, kind.name, ours, theirs, ours/theirs)
			if ours > kind.limit*theirs {
				t.Errorf("%s %s: %.0f allocations, over %.2f x api-proxy's %.0f", c.name, kind.name, ours, kind.limit, theirs)
			}
		}
	}
}
