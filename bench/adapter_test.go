package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	awslambda "github.com/aws/aws-lambda-go/lambda"
	"github.com/awslabs/aws-lambda-go-api-proxy/httpadapter"

	"github.com/nextgo-dev/nextgo/adapters/lambda"
)

// The adapter benchmarks compare adapters/lambda with
// aws-lambda-go-api-proxy's httpadapter.NewV2 on the same handler and the
// same HTTP API (payload 2.0) events:
//
//   - BenchmarkAdapterV2: from the decoded events struct, through the
//     handler, to the events response struct (api-proxy's ProxyWithContext
//     against ServeAPIGatewayV2);
//   - BenchmarkInvokeV2: a whole warm invocation as aws-lambda-go runs it,
//     from the payload bytes to the response bytes, event JSON decoding and
//     response encoding included (api-proxy behind aws-lambda-go's
//     reflection handler against Handler.Invoke);
//   - BenchmarkHandlerOnly: the handler alone on a prepared request, the
//     floor both adapters share.
//
// Run: go test ./bench -run '^$' -bench 'AdapterV2|InvokeV2|HandlerOnly' -benchmem
// Compare each pair from the same run: this machine's speed drifts.

// getEvent is a browser GET through an HTTP API: query string, two cookies
// and the headers API Gateway adds.
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

// postEvent returns a POST of about 10 KB of JSON.
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

	var ev events.APIGatewayV2HTTPRequest
	if err := json.Unmarshal([]byte(getEvent), &ev); err != nil {
		tb.Fatal(err)
	}
	ev.RawPath = "/api/items"
	ev.RawQueryString = ""
	ev.QueryStringParameters = nil
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

var getReply = []byte(`{"post":"42","title":"Hello, world","tags":["go","lambda"]}`)

// handler answers the GET with a small JSON body and a cookie, and
// echoes the POST's JSON body. It reads nothing itself, so what is
// measured is the adapters' work; parseHandler reads what a real route
// reads (a query value, a cookie, a header), at the same cost on both
// sides.
func handler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.Method {
		case http.MethodGet:
			w.Header().Set("Content-Type", "application/json")
			w.Header().Add("Set-Cookie", "seen=1; Path=/; HttpOnly")
			w.Write(getReply)
		case http.MethodPost:
			w.Header().Set("Content-Type", "application/json")
			io.Copy(w, r.Body)
		}
	})
}

func parseHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.Method {
		case http.MethodGet:
			q := r.URL.Query().Get("q")
			c, err := r.Cookie("session")
			if q != "hello world" || err != nil || c.Value != "3f9a2c1e7b" || r.Header.Get("Accept") == "" {
				http.Error(w, "bad request", http.StatusBadRequest)
				return
			}
			w.Header().Set("Content-Type", "application/json")
			w.Header().Add("Set-Cookie", "seen=1; Path=/; HttpOnly")
			w.Write(getReply)
		case http.MethodPost:
			w.Header().Set("Content-Type", "application/json")
			io.Copy(w, r.Body)
		}
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
	name string
	raw  []byte
	body string // expected response body
}

func cases(tb testing.TB) []benchCase {
	post, body := postEvent(tb)
	return []benchCase{
		{"GET", []byte(getEvent), string(getReply)},
		{"POST10KB", post, body},
	}
}

func BenchmarkAdapterV2(b *testing.B) {
	for _, c := range cases(b) {
		ev := decodeV2(b, c.raw)
		b.Run(c.name+"/apiproxy", func(b *testing.B) {
			a := httpadapter.NewV2(handler())
			ctx := context.Background()
			check(b, c, func() (int, string) {
				r, err := a.ProxyWithContext(ctx, ev)
				if err != nil {
					b.Fatal(err)
				}
				return r.StatusCode, r.Body
			})
			b.ReportAllocs()
			for b.Loop() {
				a.ProxyWithContext(ctx, ev)
			}
		})
		b.Run(c.name+"/nextgo", func(b *testing.B) {
			h := lambda.NewHandler(handler(), lambda.Options{})
			ctx := context.Background()
			check(b, c, func() (int, string) {
				r, _ := h.ServeAPIGatewayV2(ctx, &ev)
				return r.StatusCode, r.Body
			})
			b.ReportAllocs()
			for b.Loop() {
				h.ServeAPIGatewayV2(ctx, &ev)
			}
		})
	}
}

func BenchmarkInvokeV2(b *testing.B) {
	for _, c := range cases(b) {
		b.Run(c.name+"/apiproxy", func(b *testing.B) {
			a := httpadapter.NewV2(handler())
			lh := awslambda.NewHandler(a.ProxyWithContext)
			benchInvoke(b, c, lh)
		})
		b.Run(c.name+"/nextgo", func(b *testing.B) {
			h := lambda.NewHandler(handler(), lambda.Options{})
			benchInvoke(b, c, awslambda.NewHandler(h))
		})
	}
}

func benchInvoke(b *testing.B, c benchCase, h awslambda.Handler) {
	ctx := context.Background()
	check(b, c, func() (int, string) {
		out, err := h.Invoke(ctx, c.raw)
		if err != nil {
			b.Fatal(err)
		}
		var r events.APIGatewayV2HTTPResponse
		if err := json.Unmarshal(out, &r); err != nil {
			b.Fatal(err)
		}
		return r.StatusCode, r.Body
	})
	b.ReportAllocs()
	for b.Loop() {
		h.Invoke(ctx, c.raw)
	}
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
			h := handler()
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
