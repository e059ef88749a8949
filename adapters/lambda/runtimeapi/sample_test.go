package runtimeapi

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/aws/aws-lambda-go/events"
)

func TestSampleEvent(t *testing.T) {
	req := SampleRequest{Method: "POST", Target: "/api/post/1?x=a&x=b", Header: http.Header{"X-Test": {"1"}}, Body: "hi"}
	for _, kind := range EventKinds {
		t.Run(kind, func(t *testing.T) {
			b, err := SampleEvent(kind, req)
			if err != nil {
				t.Fatal(err)
			}
			var method, path, body, header, query string
			switch kind {
			case "v2", "url":
				var ev events.APIGatewayV2HTTPRequest
				mustUnmarshal(t, b, &ev)
				method, path, body, header, query = ev.RequestContext.HTTP.Method, ev.RawPath, ev.Body, ev.Headers["x-test"], ev.RawQueryString
				if (kind == "url") != (ev.RequestContext.DomainPrefix == "local") {
					t.Errorf("domain prefix %q", ev.RequestContext.DomainPrefix)
				}
			case "v1":
				var ev events.APIGatewayProxyRequest
				mustUnmarshal(t, b, &ev)
				method, path, body, header = ev.HTTPMethod, ev.Path, ev.Body, ev.Headers["x-test"]
				query = ev.MultiValueQueryStringParameters["x"][0] + ev.MultiValueQueryStringParameters["x"][1]
			case "alb":
				var ev events.ALBTargetGroupRequest
				mustUnmarshal(t, b, &ev)
				method, path, body, header, query = ev.HTTPMethod, ev.Path, ev.Body, ev.Headers["x-test"], ev.QueryStringParameters["x"]
			}
			wantQuery := map[string]string{"v2": "x=a&x=b", "url": "x=a&x=b", "v1": "ab", "alb": "b"}[kind]
			if method != "POST" || path != "/api/post/1" || body != "hi" || header != "1" || query != wantQuery {
				t.Errorf("%s %s body %q header %q query %q", method, path, body, header, query)
			}
		})
	}
	if _, err := SampleEvent("v3", req); err == nil {
		t.Error("kind v3 accepted")
	}
	if _, err := SampleEvent("v2", SampleRequest{Target: "no-slash"}); err == nil {
		t.Error("a path without / accepted")
	}
}

func mustUnmarshal(t *testing.T, b []byte, v any) {
	t.Helper()
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatal(err)
	}
}
