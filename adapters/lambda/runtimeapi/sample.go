package runtimeapi

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"
)

// Event kinds SampleEvent makes, as `nextgo invoke --kind` and the
// dashboard's event composer name them.
var EventKinds = []string{"v1", "v2", "alb", "url"}

// SampleRequest is the HTTP request a made-up event carries.
type SampleRequest struct {
	Method string // default GET
	Target string // path and query: "/api/post/1?x=y"
	Header http.Header
	Body   string
}

// SampleEvent makes the event that kind's event source would send for
// req: "v1" (API Gateway REST), "v2" (HTTP API), "alb" or "url" (Function
// URL), with the real aws-lambda-go event types.
func SampleEvent(kind string, req SampleRequest) ([]byte, error) {
	method := req.Method
	if method == "" {
		method = http.MethodGet
	}
	u, err := url.ParseRequestURI(req.Target)
	if err != nil {
		return nil, fmt.Errorf("path %q: %w", req.Target, err)
	}
	path := u.EscapedPath()
	query, _ := url.ParseQuery(u.RawQuery)
	headers := map[string]string{"host": "localhost", "user-agent": "nextgo-invoke"}
	multi := map[string][]string{"host": {"localhost"}, "user-agent": {"nextgo-invoke"}}
	for k, vs := range req.Header {
		k = strings.ToLower(k)
		headers[k] = strings.Join(vs, ",")
		multi[k] = vs
	}
	single := map[string]string{}
	for k, vs := range query {
		single[k] = vs[len(vs)-1]
	}
	now := time.Now()
	switch kind {
	case "v2", "url":
		ev := events.APIGatewayV2HTTPRequest{
			Version: "2.0", RouteKey: "$default", RawPath: path, RawQueryString: u.RawQuery, Headers: headers, Body: req.Body,
			RequestContext: events.APIGatewayV2HTTPRequestContext{
				RequestID: "invoke", Stage: "$default", TimeEpoch: now.UnixMilli(),
				HTTP: events.APIGatewayV2HTTPRequestContextHTTPDescription{Method: method, Path: path, Protocol: "HTTP/1.1", SourceIP: "127.0.0.1", UserAgent: headers["user-agent"]},
			},
		}
		if len(single) > 0 {
			ev.QueryStringParameters = single
		}
		if kind == "url" {
			ev.RequestContext.DomainName = "local.lambda-url.us-east-1.on.aws"
			ev.RequestContext.DomainPrefix = "local"
		}
		return json.Marshal(ev)
	case "v1":
		ev := events.APIGatewayProxyRequest{
			Resource: path, Path: path, HTTPMethod: method, Headers: headers, MultiValueHeaders: multi, Body: req.Body,
			RequestContext: events.APIGatewayProxyRequestContext{RequestID: "invoke", Stage: "prod", HTTPMethod: method, Path: path,
				Identity: events.APIGatewayRequestIdentity{SourceIP: "127.0.0.1"}},
		}
		if len(query) > 0 {
			ev.QueryStringParameters, ev.MultiValueQueryStringParameters = single, query
		}
		return json.Marshal(ev)
	case "alb":
		ev := events.ALBTargetGroupRequest{
			HTTPMethod: method, Path: path, Headers: headers, Body: req.Body,
			RequestContext: events.ALBTargetGroupRequestContext{ELB: events.ELBContext{TargetGroupArn: "arn:aws:elasticloadbalancing:us-east-1:000000000000:targetgroup/local/0"}},
		}
		if len(single) > 0 {
			ev.QueryStringParameters = single
		}
		return json.Marshal(ev)
	}
	return nil, fmt.Errorf("event kind %q: want v1, v2, alb or url", kind)
}
