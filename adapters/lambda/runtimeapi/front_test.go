package runtimeapi

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
)

// fakeFunction is an Invoker that records the events it receives and
// answers with a fixed outcome.
type fakeFunction struct {
	mu     sync.Mutex
	events [][]byte
	answer func(ctx context.Context) (*Result, error)
}

func (f *fakeFunction) Invoke(ctx context.Context, payload []byte) (*Result, error) {
	f.mu.Lock()
	f.events = append(f.events, payload)
	f.mu.Unlock()
	if f.answer == nil {
		return &Result{Payload: []byte(`{"statusCode":200,"body":"ok"}`)}, nil
	}
	return f.answer(ctx)
}

func (f *fakeFunction) last(t *testing.T) events.APIGatewayV2HTTPRequest {
	t.Helper()
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.events) == 0 {
		t.Fatal("the function was not invoked")
	}
	var ev events.APIGatewayV2HTTPRequest
	if err := json.Unmarshal(f.events[len(f.events)-1], &ev); err != nil {
		t.Fatal(err)
	}
	return ev
}

func (f *fakeFunction) count() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.events)
}

var frontNow = time.Date(2025, 3, 12, 19, 3, 58, 123e6, time.UTC)

func newTestFront(t *testing.T, routes []FrontRoute, opts FrontOptions) *httptest.Server {
	t.Helper()
	if opts.Now == nil {
		opts.Now = func() time.Time { return frontNow }
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	f, err := NewFront(routes, opts)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	return srv
}

func TestFrontEvent(t *testing.T) {
	post, docs, files, static, root := &fakeFunction{}, &fakeFunction{}, &fakeFunction{}, &fakeFunction{}, &fakeFunction{}
	srv := newTestFront(t, []FrontRoute{
		{Pattern: "/api/post/[pid]", Pool: post},
		{Pattern: "/api/docs/[[...slug]]", Pool: docs},
		{Pattern: "/api/files/[...path]", Pool: files},
		{Pattern: "/api/static", Pool: static},
		{Pattern: "/", Pool: root},
	}, FrontOptions{APIID: "abc123", AccountID: "111122223333"})
	host := strings.TrimPrefix(srv.URL, "http://")
	_, port, _ := net.SplitHostPort(host)

	tests := []struct {
		name    string
		method  string
		target  string
		header  http.Header
		body    []byte
		fn      *fakeFunction
		want    events.APIGatewayV2HTTPRequest // without requestContext, filled in below
		headers map[string]string              // beyond the ones every request has
	}{
		{
			name:   "dynamic route, path decoded as HTTP APIs do, query, cookies and repeated headers",
			method: http.MethodGet,
			target: "/api/post/a%2Fb/?x=1&x=2&y=%20z",
			header: http.Header{
				"Cookie":          {"a=1; b=2", "c=3"},
				"X-Multi":         {"one", "two"},
				"User-Agent":      {"test-agent/1.0"},
				"X-Forwarded-For": {"10.0.0.1"},
			},
			fn: post,
			want: events.APIGatewayV2HTTPRequest{
				RouteKey:              "ANY /api/post/{pid}",
				RawPath:               "/api/post/a/b/",
				RawQueryString:        "x=1&x=2&y=%20z",
				Cookies:               []string{"a=1", "b=2", "c=3"},
				QueryStringParameters: map[string]string{"x": "1,2", "y": " z"},
				PathParameters:        map[string]string{"pid": "a/b"},
			},
			headers: map[string]string{
				"x-multi":         "one,two",
				"user-agent":      "test-agent/1.0",
				"x-forwarded-for": "10.0.0.1, 127.0.0.1",
			},
		},
		{
			name:   "optional catch-all without segments",
			method: http.MethodGet,
			target: "/api/docs",
			fn:     docs,
			want:   events.APIGatewayV2HTTPRequest{RouteKey: "ANY /api/docs", RawPath: "/api/docs"},
		},
		{
			name:   "optional catch-all with segments",
			method: http.MethodDelete,
			target: "/api/docs/a/b%20c",
			fn:     docs,
			want: events.APIGatewayV2HTTPRequest{
				RouteKey:       "ANY /api/docs/{slug+}",
				RawPath:        "/api/docs/a/b c",
				PathParameters: map[string]string{"slug": "a/b c"},
			},
		},
		{
			name:   "catch-all, repeated slashes left to the function",
			method: http.MethodGet,
			target: "/api/files//x",
			fn:     files,
			want: events.APIGatewayV2HTTPRequest{
				RouteKey:       "ANY /api/files/{path+}",
				RawPath:        "/api/files//x",
				PathParameters: map[string]string{"path": "x"},
			},
		},
		{
			name:   "JSON body as text",
			method: http.MethodPost,
			target: "/api/static",
			header: http.Header{"Content-Type": {"application/json; charset=utf-8"}},
			body:   []byte(`{"name":"é"}`),
			fn:     static,
			want: events.APIGatewayV2HTTPRequest{
				RouteKey: "ANY /api/static",
				RawPath:  "/api/static",
				Body:     `{"name":"é"}`,
			},
			headers: map[string]string{"content-type": "application/json; charset=utf-8", "content-length": "13"},
		},
		{
			name:   "binary body in base64",
			method: http.MethodPut,
			target: "/api/static",
			header: http.Header{"Content-Type": {"application/octet-stream"}},
			body:   []byte{0, 1, 2, 0xff},
			fn:     static,
			want: events.APIGatewayV2HTTPRequest{
				RouteKey:        "ANY /api/static",
				RawPath:         "/api/static",
				Body:            "AAEC/w==",
				IsBase64Encoded: true,
			},
			headers: map[string]string{"content-type": "application/octet-stream", "content-length": "4"},
		},
		{
			name:   "text that is not UTF-8 in base64",
			method: http.MethodPost,
			target: "/api/static",
			header: http.Header{"Content-Type": {"text/plain"}},
			body:   []byte{'a', 0xff},
			fn:     static,
			want: events.APIGatewayV2HTTPRequest{
				RouteKey:        "ANY /api/static",
				RawPath:         "/api/static",
				Body:            "Yf8=",
				IsBase64Encoded: true,
			},
			headers: map[string]string{"content-type": "text/plain", "content-length": "2"},
		},
		{
			name:   "root",
			method: http.MethodGet,
			target: "/",
			fn:     root,
			want:   events.APIGatewayV2HTTPRequest{RouteKey: "ANY /", RawPath: "/"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, err := http.NewRequest(tt.method, srv.URL+tt.target, bytes.NewReader(tt.body))
			if err != nil {
				t.Fatal(err)
			}
			for k, vs := range tt.header {
				req.Header[k] = vs
			}
			if req.Header.Get("User-Agent") == "" {
				req.Header.Set("User-Agent", "Go-http-client/1.1")
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("status %d", resp.StatusCode)
			}
			got := tt.fn.last(t)
			raw := string(tt.fn.events[len(tt.fn.events)-1])
			if strings.Contains(raw, "authentication") || !strings.Contains(raw, `"isBase64Encoded":`) || strings.Contains(raw, `"body":""`) {
				t.Errorf("event JSON is not shaped as API Gateway's: %s", raw)
			}

			if !strings.HasPrefix(got.Headers["x-amzn-trace-id"], "Root=1-") {
				t.Errorf("x-amzn-trace-id = %q", got.Headers["x-amzn-trace-id"])
			}
			delete(got.Headers, "x-amzn-trace-id")
			if got.RequestContext.RequestID == "" || got.RequestContext.RequestID != resp.Header.Get("Apigw-Requestid") {
				t.Errorf("requestId %q, apigw-requestid %q", got.RequestContext.RequestID, resp.Header.Get("Apigw-Requestid"))
			}
			got.RequestContext.RequestID = ""

			want := tt.want
			want.Version = "2.0"
			want.Headers = map[string]string{
				"host":              host,
				"accept-encoding":   "gzip",
				"user-agent":        "Go-http-client/1.1",
				"x-forwarded-for":   "127.0.0.1",
				"x-forwarded-port":  port,
				"x-forwarded-proto": "http",
			}
			for k, v := range tt.headers {
				want.Headers[k] = v
			}
			want.RequestContext = events.APIGatewayV2HTTPRequestContext{
				RouteKey:     want.RouteKey,
				AccountID:    "111122223333",
				Stage:        "$default",
				APIID:        "abc123",
				DomainName:   "127.0.0.1",
				DomainPrefix: "127",
				Time:         "12/Mar/2025:19:03:58 +0000",
				TimeEpoch:    frontNow.UnixMilli(),
				HTTP: events.APIGatewayV2HTTPRequestContextHTTPDescription{
					Method:    tt.method,
					Path:      want.RawPath,
					Protocol:  "HTTP/1.1",
					SourceIP:  "127.0.0.1",
					UserAgent: want.Headers["user-agent"],
				},
			}
			if !reflect.DeepEqual(got, want) {
				g, _ := json.MarshalIndent(got, "", "  ")
				w, _ := json.MarshalIndent(want, "", "  ")
				t.Errorf("event:\n%s\nwant:\n%s", g, w)
			}
		})
	}
}

func TestFrontResponses(t *testing.T) {
	payload := func(s string) func(context.Context) (*Result, error) {
		return func(context.Context) (*Result, error) { return &Result{Payload: []byte(s)}, nil }
	}
	const internal = `{"message":"Internal Server Error"}`
	tests := []struct {
		name    string
		answer  func(context.Context) (*Result, error)
		method  string
		path    string
		body    io.Reader
		opts    FrontOptions
		status  int
		header  http.Header // exact, without Date and Apigw-Requestid
		want    string
		invoked bool
	}{
		{
			name:    "structured response",
			answer:  payload(`{"statusCode":201,"headers":{"content-type":"text/plain","x-one":"1"},"multiValueHeaders":{"X-Many":["a","b"]},"cookies":["a=1; Path=/","b=2"],"body":"created"}`),
			status:  201,
			header:  http.Header{"Content-Type": {"text/plain"}, "X-One": {"1"}, "X-Many": {"a", "b"}, "Set-Cookie": {"a=1; Path=/", "b=2"}, "Content-Length": {"7"}},
			want:    "created",
			invoked: true,
		},
		{
			name:    "base64 body",
			answer:  payload(`{"statusCode":200,"headers":{"Content-Type":"image/png"},"body":"iVBORw==","isBase64Encoded":true}`),
			status:  200,
			header:  http.Header{"Content-Type": {"image/png"}, "Content-Length": {"4"}},
			want:    "\x89PNG",
			invoked: true,
		},
		{
			name:    "no content type is not sniffed",
			answer:  payload(`{"statusCode":200,"body":"<html>hi</html>"}`),
			status:  200,
			header:  http.Header{"Content-Length": {"15"}},
			want:    "<html>hi</html>",
			invoked: true,
		},
		{
			name:    "204 drops the body",
			answer:  payload(`{"statusCode":204,"body":"ignored"}`),
			status:  204,
			header:  http.Header{},
			invoked: true,
		},
		{
			name:    "JSON without statusCode is the body",
			answer:  payload(`{"hello":"world"}`),
			status:  200,
			header:  http.Header{"Content-Type": {"application/json"}, "Content-Length": {"17"}},
			want:    `{"hello":"world"}`,
			invoked: true,
		},
		{
			name:    "JSON without statusCode is the body, whatever its other fields",
			answer:  payload(`{"headers":5,"body":1}`),
			status:  200,
			header:  http.Header{"Content-Type": {"application/json"}, "Content-Length": {"22"}},
			want:    `{"headers":5,"body":1}`,
			invoked: true,
		},
		{
			name:    "a field of the wrong type beside statusCode",
			answer:  payload(`{"statusCode":200,"headers":5}`),
			status:  500,
			header:  http.Header{"Content-Type": {"application/json"}, "Content-Length": {"35"}},
			want:    internal,
			invoked: true,
		},
		{
			name:    "a JSON string is the body",
			answer:  payload(`"hi"`),
			status:  200,
			header:  http.Header{"Content-Type": {"application/json"}, "Content-Length": {"4"}},
			want:    `"hi"`,
			invoked: true,
		},
		{
			name:    "not JSON",
			answer:  payload(`not json`),
			status:  500,
			header:  http.Header{"Content-Type": {"application/json"}, "Content-Length": {"35"}},
			want:    internal,
			invoked: true,
		},
		{
			name:    "statusCode of the wrong type",
			answer:  payload(`{"statusCode":"200","body":"x"}`),
			status:  500,
			header:  http.Header{"Content-Type": {"application/json"}, "Content-Length": {"35"}},
			want:    internal,
			invoked: true,
		},
		{
			name:    "statusCode out of range",
			answer:  payload(`{"statusCode":42}`),
			status:  500,
			header:  http.Header{"Content-Type": {"application/json"}, "Content-Length": {"35"}},
			want:    internal,
			invoked: true,
		},
		{
			name:    "bad base64",
			answer:  payload(`{"statusCode":200,"body":"%%%","isBase64Encoded":true}`),
			status:  500,
			header:  http.Header{"Content-Type": {"application/json"}, "Content-Length": {"35"}},
			want:    internal,
			invoked: true,
		},
		{
			name: "function error",
			answer: func(context.Context) (*Result, error) {
				return errorResult("id", &InvokeError{Type: "errorString", Message: "boom"}), nil
			},
			status:  500,
			header:  http.Header{"Content-Type": {"application/json"}, "Content-Length": {"35"}},
			want:    internal,
			invoked: true,
		},
		{
			name:    "event over Lambda's limit",
			answer:  func(context.Context) (*Result, error) { return nil, ErrPayloadTooLarge },
			status:  413,
			header:  http.Header{"Content-Type": {"application/json"}, "Content-Length": {"38"}},
			want:    `{"message":"Request Entity Too Large"}`,
			invoked: true,
		},
		{
			name: "integration timeout",
			answer: func(ctx context.Context) (*Result, error) {
				<-ctx.Done()
				return nil, ctx.Err()
			},
			opts:    FrontOptions{IntegrationTimeout: 50 * time.Millisecond},
			status:  503,
			header:  http.Header{"Content-Type": {"application/json"}, "Content-Length": {"33"}},
			want:    `{"message":"Service Unavailable"}`,
			invoked: true,
		},
		{
			name:    "invocation failure",
			answer:  func(context.Context) (*Result, error) { return nil, ErrClosed },
			status:  500,
			header:  http.Header{"Content-Type": {"application/json"}, "Content-Length": {"35"}},
			want:    internal,
			invoked: true,
		},
		{
			name:   "no route",
			path:   "/api/other",
			status: 404,
			header: http.Header{"Content-Type": {"application/json"}, "Content-Length": {"23"}},
			want:   `{"message":"Not Found"}`,
		},
		{
			name:   "body over HTTP API's limit",
			method: http.MethodPost,
			body:   bytes.NewReader(make([]byte, MaxGatewayPayload+1)),
			status: 413,
			header: http.Header{"Content-Type": {"application/json"}, "Content-Length": {"38"}},
			want:   `{"message":"Request Entity Too Large"}`,
		},
		{
			name:    "body at HTTP API's limit",
			method:  http.MethodPost,
			body:    bytes.NewReader(make([]byte, MaxGatewayPayload)),
			status:  200,
			header:  http.Header{"Content-Length": {"2"}},
			want:    "ok",
			invoked: true,
		},
		{
			name: "streamed response",
			answer: func(context.Context) (*Result, error) {
				return &Result{
					Stream:      io.NopCloser(strings.NewReader("streamed body")),
					ContentType: contentTypeStreamed,
					Prelude: &StreamPrelude{
						StatusCode:        202,
						Headers:           map[string]string{"Content-Type": "text/event-stream"},
						MultiValueHeaders: map[string][]string{"X-Many": {"a", "b"}},
						Cookies:           []string{"s=1"},
					},
				}, nil
			},
			status:  202,
			header:  http.Header{"Content-Type": {"text/event-stream"}, "X-Many": {"a", "b"}, "Set-Cookie": {"s=1"}},
			want:    "streamed body",
			invoked: true,
		},
		{
			name:    "path that does not decode to UTF-8",
			path:    "/api/x/%C0%AF",
			status:  400,
			header:  http.Header{"Content-Type": {"application/json"}, "Content-Length": {"25"}},
			want:    `{"message":"Bad Request"}`,
			invoked: false,
		},
		{
			name: "stream without prelude",
			answer: func(context.Context) (*Result, error) {
				return &Result{Stream: io.NopCloser(strings.NewReader("raw")), ContentType: "text/csv"}, nil
			},
			status:  200,
			header:  http.Header{"Content-Type": {"text/csv"}},
			want:    "raw",
			invoked: true,
		},
		{
			name: "stream with an invalid status",
			answer: func(context.Context) (*Result, error) {
				return &Result{Stream: io.NopCloser(strings.NewReader("x")), Prelude: &StreamPrelude{StatusCode: 1000}}, nil
			},
			status:  500,
			header:  http.Header{"Content-Type": {"application/json"}, "Content-Length": {"35"}},
			want:    internal,
			invoked: true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fn := &fakeFunction{answer: tt.answer}
			srv := newTestFront(t, []FrontRoute{{Pattern: "/api/x", Pool: fn}}, tt.opts)
			method, path := tt.method, tt.path
			if method == "" {
				method = http.MethodGet
			}
			if path == "" {
				path = "/api/x"
			}
			req, _ := http.NewRequest(method, srv.URL+path, tt.body)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			body, err := io.ReadAll(resp.Body)
			if err != nil {
				t.Fatal(err)
			}
			if resp.Header.Get("Apigw-Requestid") == "" {
				t.Error("no apigw-requestid header")
			}
			h := resp.Header.Clone()
			h.Del("Date")
			h.Del("Apigw-Requestid")
			if resp.StatusCode != tt.status || string(body) != tt.want || !reflect.DeepEqual(h, tt.header) {
				t.Errorf("got %d %v %q\nwant %d %v %q", resp.StatusCode, h, body, tt.status, tt.header, tt.want)
			}
			if (fn.count() > 0) != tt.invoked {
				t.Errorf("invoked %d times", fn.count())
			}
		})
	}
}

// TestFrontFallback checks that the paths no route serves go to the
// fallback with routeKey $default and no pathParameters, as behind HTTP
// API's $default route, and that routes still win.
func TestFrontFallback(t *testing.T) {
	fromFallback := func(context.Context) (*Result, error) {
		return &Result{Payload: []byte(`{"statusCode":404,"headers":{"content-type":"text/html"},"body":"<h1>404</h1>"}`)}, nil
	}
	const internal = `{"message":"Internal Server Error"}`
	tests := []struct {
		name     string
		method   string
		target   string
		body     io.Reader
		answer   func(context.Context) (*Result, error) // the fallback's
		status   int
		header   http.Header // exact, without Date and Apigw-Requestid
		want     string
		route    bool   // the route's function ran
		fallback bool   // the fallback ran
		rawPath  string // of the fallback's event
		query    string
		evBody   string
	}{
		{
			name: "path no route serves", target: "/about?x=1&x=2", answer: fromFallback,
			status: 404, header: http.Header{"Content-Type": {"text/html"}, "Content-Length": {"12"}}, want: "<h1>404</h1>",
			fallback: true, rawPath: "/about", query: "x=1&x=2",
		},
		{
			name: "root without a root route", target: "/", answer: fromFallback,
			status: 404, header: http.Header{"Content-Type": {"text/html"}, "Content-Length": {"12"}}, want: "<h1>404</h1>",
			fallback: true, rawPath: "/",
		},
		{
			name: "dynamic route without its segment", target: "/api/post", answer: fromFallback,
			status: 404, header: http.Header{"Content-Type": {"text/html"}, "Content-Length": {"12"}}, want: "<h1>404</h1>",
			fallback: true, rawPath: "/api/post",
		},
		{
			name: "redirect from the fallback, body passed on", method: http.MethodPost, target: "/old/a%20b", body: strings.NewReader("a=1"),
			answer: func(context.Context) (*Result, error) {
				return &Result{Payload: []byte(`{"statusCode":308,"headers":{"location":"/new/a%20b"}}`)}, nil
			},
			status: 308, header: http.Header{"Location": {"/new/a%20b"}, "Content-Length": {"0"}},
			fallback: true, rawPath: "/old/a b", evBody: "YT0x",
		},
		{
			name: "repeated slashes outside every route, left to the fallback", target: "//about/", answer: fromFallback,
			status: 404, header: http.Header{"Content-Type": {"text/html"}, "Content-Length": {"12"}}, want: "<h1>404</h1>",
			fallback: true, rawPath: "//about/",
		},
		{
			name: "a route still serves its path", target: "/api/post/1",
			status: 200, header: http.Header{"Content-Length": {"5"}}, want: "route",
			route: true,
		},
		{
			name: "a route still serves its path with a trailing slash", target: "/api/post/1/",
			status: 200, header: http.Header{"Content-Length": {"5"}}, want: "route",
			route: true,
		},
		{
			name: "fallback error", target: "/nothing",
			answer: func(context.Context) (*Result, error) {
				return errorResult("id", &InvokeError{Type: "errorString", Message: "boom"}), nil
			},
			status: 500, header: http.Header{"Content-Type": {"application/json"}, "Content-Length": {"35"}}, want: internal,
			fallback: true, rawPath: "/nothing",
		},
		{
			name: "fallback that cannot be invoked", target: "/nothing",
			answer: func(context.Context) (*Result, error) { return nil, ErrClosed },
			status: 500, header: http.Header{"Content-Type": {"application/json"}, "Content-Length": {"35"}}, want: internal,
			fallback: true, rawPath: "/nothing",
		},
		{
			name: "body over HTTP API's limit", method: http.MethodPost, target: "/nothing", body: bytes.NewReader(make([]byte, MaxGatewayPayload+1)),
			status: 413, header: http.Header{"Content-Type": {"application/json"}, "Content-Length": {"38"}}, want: `{"message":"Request Entity Too Large"}`,
		},
		{
			name: "path that does not decode to UTF-8", target: "/x/%C0%AF",
			status: 400, header: http.Header{"Content-Type": {"application/json"}, "Content-Length": {"25"}}, want: `{"message":"Bad Request"}`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			route := &fakeFunction{answer: func(context.Context) (*Result, error) {
				return &Result{Payload: []byte(`{"statusCode":200,"body":"route"}`)}, nil
			}}
			fallback := &fakeFunction{answer: tt.answer}
			srv := newTestFront(t, []FrontRoute{{Pattern: "/api/post/[pid]", Pool: route}}, FrontOptions{Fallback: fallback})
			method := tt.method
			if method == "" {
				method = http.MethodGet
			}
			req, _ := http.NewRequest(method, srv.URL+tt.target, tt.body)
			if tt.body != nil {
				req.Header.Set("Content-Type", "application/octet-stream")
			}
			client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
			resp, err := client.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			body, err := io.ReadAll(resp.Body)
			if err != nil {
				t.Fatal(err)
			}
			h := resp.Header.Clone()
			h.Del("Date")
			h.Del("Apigw-Requestid")
			if resp.StatusCode != tt.status || string(body) != tt.want || !reflect.DeepEqual(h, tt.header) {
				t.Errorf("got %d %v %q\nwant %d %v %q", resp.StatusCode, h, body, tt.status, tt.header, tt.want)
			}
			if got := route.count(); got != map[bool]int{true: 1}[tt.route] {
				t.Errorf("the route ran %d times", got)
			}
			if got := fallback.count(); got != map[bool]int{true: 1}[tt.fallback] {
				t.Fatalf("the fallback ran %d times", got)
			}
			if !tt.fallback {
				return
			}
			ev := fallback.last(t)
			if ev.RouteKey != "$default" || ev.RequestContext.RouteKey != "$default" || ev.PathParameters != nil ||
				ev.RawPath != tt.rawPath || ev.RequestContext.HTTP.Path != tt.rawPath || ev.RequestContext.HTTP.Method != method ||
				ev.RawQueryString != tt.query || ev.Body != tt.evBody || ev.IsBase64Encoded != (tt.evBody != "") {
				g, _ := json.MarshalIndent(ev, "", "  ")
				t.Errorf("the fallback's event:\n%s\nwant routeKey $default, no pathParameters, rawPath %q, query %q, body %q", g, tt.rawPath, tt.query, tt.evBody)
			}
		})
	}
}

// TestFrontFallbackOnly serves an app whose only function is the fallback.
func TestFrontFallbackOnly(t *testing.T) {
	fallback := &fakeFunction{}
	srv := newTestFront(t, nil, FrontOptions{Fallback: fallback})
	resp, err := http.Get(srv.URL + "/api/anything")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || string(body) != "ok" || fallback.count() != 1 || fallback.last(t).RouteKey != "$default" {
		t.Errorf("got %d %q, fallback ran %d times", resp.StatusCode, body, fallback.count())
	}
}

func TestFrontStreamFailureCutsTheResponse(t *testing.T) {
	pr, pw := io.Pipe()
	fn := &fakeFunction{answer: func(context.Context) (*Result, error) {
		return &Result{Stream: pr, Prelude: &StreamPrelude{StatusCode: 200}}, nil
	}}
	srv := newTestFront(t, []FrontRoute{{Pattern: "/api/x", Pool: fn}}, FrontOptions{})
	go func() {
		pw.Write([]byte("partial"))
		pw.CloseWithError(&InvokeError{Type: ErrorTypeTimeout, Message: "Task timed out after 1.00 seconds"})
	}()
	resp, err := http.Get(srv.URL + "/api/x")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 || string(body) != "partial" || !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Errorf("got %d %q %v; want 200 \"partial\" and an unexpected EOF", resp.StatusCode, body, err)
	}
}

func TestNewFrontErrors(t *testing.T) {
	fn := &fakeFunction{}
	tests := []struct {
		name   string
		routes []FrontRoute
		want   string
	}{
		{"bad pattern", []FrontRoute{{Pattern: "api", Pool: fn}}, `runtimeapi: route "api": route "api" must start with "/"`},
		{"no function", []FrontRoute{{Pattern: "/api"}}, `runtimeapi: route "/api" has no function`},
		{"duplicate", []FrontRoute{{Pattern: "/a", Pool: fn}, {Pattern: "/a", Pool: fn}}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := NewFront(tt.routes, FrontOptions{})
			if err == nil || (tt.want != "" && err.Error() != tt.want) {
				t.Errorf("NewFront: %v, want %s", err, tt.want)
			}
		})
	}
}

// TestFrontRealFunctions runs the front in front of the real fixture
// function: a v2 round trip, a streamed response that reaches the client
// chunk by chunk, a function error and a binary response.
func TestFrontRealFunctions(t *testing.T) {
	ctx := testContext(t)
	pool := newTestPool(t, Function{Name: "api"}, nil)
	srv := newTestFront(t, []FrontRoute{{Pattern: "/api/[name]", Pool: pool}}, FrontOptions{})

	get := func(t *testing.T, path string) (*http.Response, string) {
		t.Helper()
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL+path, nil)
		req.Header.Set("Cookie", "k=v")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		if err != nil {
			t.Fatal(err)
		}
		return resp, string(b)
	}

	t.Run("round trip", func(t *testing.T) {
		resp, body := get(t, "/api/echo?q=1")
		if resp.StatusCode != 200 || resp.Header.Get("X-Fixture") != "yes" || resp.Header.Get("Content-Type") != "application/json" {
			t.Fatalf("got %d %v", resp.StatusCode, resp.Header)
		}
		if got := resp.Header.Values("Set-Cookie"); !reflect.DeepEqual(got, []string{"session=abc; Path=/; HttpOnly", "theme=dark"}) {
			t.Errorf("Set-Cookie = %q", got)
		}
		if got := resp.Header.Values("X-Multi"); !reflect.DeepEqual(got, []string{"a", "b"}) {
			t.Errorf("X-Multi = %q", got)
		}
		var ev events.APIGatewayV2HTTPRequest
		if err := json.Unmarshal([]byte(body), &ev); err != nil {
			t.Fatal(err)
		}
		if ev.RawPath != "/api/echo" || ev.RawQueryString != "q=1" || ev.PathParameters["name"] != "echo" || !reflect.DeepEqual(ev.Cookies, []string{"k=v"}) || ev.RouteKey != "ANY /api/{name}" {
			t.Errorf("event seen by the function: %s", body)
		}
	})
	t.Run("binary", func(t *testing.T) {
		resp, body := get(t, "/api/binary")
		want := make([]byte, 256)
		for i := range want {
			want[i] = byte(i)
		}
		if resp.StatusCode != 200 || body != string(want) || resp.Header.Get("Content-Type") != "application/octet-stream" {
			t.Errorf("got %d %q %q", resp.StatusCode, resp.Header.Get("Content-Type"), body)
		}
	})
	t.Run("plain JSON", func(t *testing.T) {
		resp, body := get(t, "/api/plain")
		if resp.StatusCode != 200 || body != `{"hello":"world"}` {
			t.Errorf("got %d %q", resp.StatusCode, body)
		}
	})
	t.Run("function error", func(t *testing.T) {
		resp, body := get(t, "/api/fail")
		if resp.StatusCode != StatusFunctionError || body != `{"message":"Internal Server Error"}` {
			t.Errorf("got %d %q", resp.StatusCode, body)
		}
	})
	t.Run("response that is not JSON", func(t *testing.T) {
		resp, body := get(t, "/api/notjson")
		if resp.StatusCode != StatusFunctionError || body != `{"message":"Internal Server Error"}` {
			t.Errorf("got %d %q", resp.StatusCode, body)
		}
	})
	t.Run("integration timeout", func(t *testing.T) {
		// The function outlives the integration timeout: the front answers
		// 503 while the function runs on, as behind API Gateway.
		slow := newTestPool(t, Function{Name: "slow", Timeout: time.Minute}, nil)
		front := newTestFront(t, []FrontRoute{{Pattern: "/api/slow", Pool: slow}}, FrontOptions{IntegrationTimeout: 300 * time.Millisecond})
		resp, err := http.Get(front.URL + "/api/slow")
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != StatusIntegrationTimeout || string(body) != `{"message":"Service Unavailable"}` {
			t.Errorf("got %d %q", resp.StatusCode, body)
		}
	})
	t.Run("fallback", func(t *testing.T) {
		fallback := newTestPool(t, Function{Name: "fallback"}, nil)
		front := newTestFront(t, []FrontRoute{{Pattern: "/api/[name]", Pool: pool}}, FrontOptions{Fallback: fallback})
		resp, err := http.Get(front.URL + "/blog/a%2Fb?q=1")
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		var ev events.APIGatewayV2HTTPRequest
		if err := json.Unmarshal(body, &ev); err != nil {
			t.Fatalf("%d %s: %v", resp.StatusCode, body, err)
		}
		if resp.StatusCode != 200 || ev.RouteKey != "$default" || ev.RequestContext.RouteKey != "$default" || ev.PathParameters != nil ||
			ev.RawPath != "/blog/a/b" || ev.RawQueryString != "q=1" {
			t.Errorf("got %d, event seen by the fallback: %s", resp.StatusCode, body)
		}
	})
	t.Run("stream chunk by chunk", func(t *testing.T) {
		g := newGate(t)
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL+"/api/stream?gate="+g.URL, nil)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		if resp.StatusCode != 201 || resp.Header.Get("X-Fixture") != "stream" || !reflect.DeepEqual(resp.Header.Values("Set-Cookie"), []string{"a=1; Path=/", "b=2"}) {
			t.Fatalf("got %d %v", resp.StatusCode, resp.Header)
		}
		buf := make([]byte, 64)
		n, err := io.ReadAtLeast(resp.Body, buf, len("first chunk\n"))
		if err != nil || string(buf[:n]) != "first chunk\n" {
			t.Fatalf("first read = %q, %v", buf[:n], err)
		}
		// Only now may the function write its second chunk.
		g.wait(t, ctx)
		g.open()
		rest, err := io.ReadAll(resp.Body)
		if err != nil || string(rest) != "second chunk\n" {
			t.Fatalf("rest = %q, %v", rest, err)
		}
	})
	t.Run("stream failing part-way", func(t *testing.T) {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL+"/api/stream-fail", nil)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, err := io.ReadAll(resp.Body)
		if resp.StatusCode != 201 || string(body) != "first chunk\n" || !errors.Is(err, io.ErrUnexpectedEOF) {
			t.Errorf("got %d %q %v", resp.StatusCode, body, err)
		}
	})
}
