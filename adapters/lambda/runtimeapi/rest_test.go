package runtimeapi

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"reflect"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"
)

func restEventOf(t *testing.T, f *fakeFunction) events.APIGatewayProxyRequest {
	t.Helper()
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.events) == 0 {
		t.Fatal("the function was not invoked")
	}
	var ev events.APIGatewayProxyRequest
	if err := json.Unmarshal(f.events[len(f.events)-1], &ev); err != nil {
		t.Fatal(err)
	}
	return ev
}

func TestRESTFrontEvent(t *testing.T) {
	post, fallback := &fakeFunction{}, &fakeFunction{}
	srv := newTestFront(t, []FrontRoute{{Pattern: "/api/post/[pid]", Pool: post}},
		FrontOptions{Gateway: GatewayREST, Fallback: fallback, APIID: "abc123", AccountID: "123456789012"})

	req, _ := http.NewRequest(http.MethodPost, srv.URL+"/api/post/a%2Fb?tag=x&tag=y&q=1", strings.NewReader(`{"a":1}`))
	req.Header.Add("X-Tag", "one")
	req.Header.Add("X-Tag", "two")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 || resp.Header.Get("X-Amzn-Requestid") == "" || resp.Header.Get("Apigw-Requestid") != "" {
		t.Errorf("status %d, headers %v", resp.StatusCode, resp.Header)
	}
	ev := restEventOf(t, post)
	checks := []struct {
		name      string
		got, want any
	}{
		{"resource", ev.Resource, "/api/post/{pid}"},
		{"path", ev.Path, "/api/post/a%2Fb"},
		{"method", ev.HTTPMethod, "POST"},
		{"pathParameters", ev.PathParameters, map[string]string{"pid": "a/b"}},
		{"query", ev.QueryStringParameters, map[string]string{"tag": "y", "q": "1"}},
		{"multi query", ev.MultiValueQueryStringParameters, map[string][]string{"tag": {"x", "y"}, "q": {"1"}}},
		{"header", ev.Headers["X-Tag"], "two"},
		{"multi header", ev.MultiValueHeaders["X-Tag"], []string{"one", "two"}},
		{"body", ev.Body, base64.StdEncoding.EncodeToString([]byte(`{"a":1}`))},
		{"base64", ev.IsBase64Encoded, true},
		{"stage", ev.RequestContext.Stage, DefaultRESTStage},
		{"resourcePath", ev.RequestContext.ResourcePath, "/api/post/{pid}"},
		// The front serves the app at its root, as a custom domain mapped
		// to the stage does: the client's path has no stage in front.
		{"context path", ev.RequestContext.Path, "/api/post/a%2Fb"},
		{"apiId", ev.RequestContext.APIID, "abc123"},
		{"requestId", ev.RequestContext.RequestID, resp.Header.Get("X-Amzn-Requestid")},
		{"source ip", ev.RequestContext.Identity.SourceIP, "127.0.0.1"},
	}
	for _, c := range checks {
		if !reflect.DeepEqual(c.got, c.want) {
			t.Errorf("%s = %#v, want %#v", c.name, c.got, c.want)
		}
	}
	// The version field is what tells a REST event from an HTTP API's
	// payload format 1.0: a REST API sends none.
	if strings.Contains(string(post.events[0]), `"version"`) {
		t.Errorf("event has a version: %s", post.events[0])
	}

	resp, err = http.Get(srv.URL + "/nope/deeper")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	ev = restEventOf(t, fallback)
	if ev.Resource != "/{proxy+}" || !reflect.DeepEqual(ev.PathParameters, map[string]string{"proxy": "nope/deeper"}) {
		t.Errorf("fallback event resource %q params %v", ev.Resource, ev.PathParameters)
	}
}

func TestRESTFrontAnswers(t *testing.T) {
	answer := func(res *Result, err error) *fakeFunction {
		return &fakeFunction{answer: func(context.Context) (*Result, error) { return res, err }}
	}
	tests := []struct {
		name   string
		fn     *fakeFunction
		status int
		header http.Header
		body   string
	}{
		{"buffered", answer(&Result{Payload: []byte(`{"statusCode":201,"headers":{"X-A":"1"},"multiValueHeaders":{"Set-Cookie":["a=1","b=2"]},"body":"aGk=","isBase64Encoded":true}`)}, nil),
			201, http.Header{"X-A": {"1"}, "Set-Cookie": {"a=1", "b=2"}}, "hi"},
		{"no statusCode", answer(&Result{Payload: []byte(`{"body":"hi"}`)}, nil),
			502, http.Header{"Content-Type": {"application/json"}}, `{"message":"Internal server error"}`},
		{"not an object", answer(&Result{Payload: []byte(`"hi"`)}, nil),
			502, nil, `{"message":"Internal server error"}`},
		{"function error", answer(&Result{FunctionError: FunctionErrorUnhandled, Payload: []byte(`{"errorMessage":"boom","errorType":"x"}`)}, nil),
			502, nil, `{"message":"Internal server error"}`},
		{"timeout", answer(nil, context.DeadlineExceeded),
			504, nil, `{"message":"Endpoint request timed out"}`},
		{"stream without prelude", answer(&Result{Stream: io.NopCloser(strings.NewReader("raw"))}, nil),
			502, nil, `{"message":"Internal server error"}`},
		{"stream", answer(&Result{Stream: io.NopCloser(strings.NewReader("first\nsecond\n")), Prelude: &StreamPrelude{StatusCode: 200,
			Headers: map[string]string{"Content-Type": "text/plain"}, MultiValueHeaders: map[string][]string{"Set-Cookie": {"s=1"}}}}, nil),
			200, http.Header{"Content-Type": {"text/plain"}, "Set-Cookie": {"s=1"}}, "first\nsecond\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newTestFront(t, []FrontRoute{{Pattern: "/api/x", Pool: tt.fn, Stream: true}}, FrontOptions{Gateway: GatewayREST})
			resp, err := http.Get(srv.URL + "/api/x")
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			body, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != tt.status || string(body) != tt.body {
				t.Errorf("got %d %q, want %d %q", resp.StatusCode, body, tt.status, tt.body)
			}
			for k, vs := range tt.header {
				if got := resp.Header.Values(k); !reflect.DeepEqual(got, vs) {
					t.Errorf("%s: %q, want %q", k, got, vs)
				}
			}
		})
	}
}

func TestRESTFrontNoRoute(t *testing.T) {
	srv := newTestFront(t, []FrontRoute{{Pattern: "/api/x", Pool: &fakeFunction{}}}, FrontOptions{Gateway: GatewayREST})
	resp, err := http.Get(srv.URL + "/api/y")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 403 || string(body) != `{"message":"Missing Authentication Token"}` ||
		resp.Header.Get("X-Amzn-Errortype") != "MissingAuthenticationTokenException" {
		t.Errorf("got %d %q %v", resp.StatusCode, body, resp.Header)
	}
}

func TestRESTFrontTimeouts(t *testing.T) {
	f, err := NewFront([]FrontRoute{
		{Pattern: "/api/stream", Pool: &fakeFunction{}, Stream: true},
		{Pattern: "/api/buffered", Pool: &fakeFunction{}},
	}, FrontOptions{Gateway: GatewayREST})
	if err != nil {
		t.Fatal(err)
	}
	if got := f.integrationTimeout(&f.routes[0]); got != MaxStreamDuration {
		t.Errorf("streaming route: %v, want %v", got, MaxStreamDuration)
	}
	if got := f.integrationTimeout(&f.routes[1]); got != RESTIntegrationTimeout {
		t.Errorf("buffered route: %v, want %v", got, RESTIntegrationTimeout)
	}
	if got := f.integrationTimeout(nil); got != RESTIntegrationTimeout {
		t.Errorf("fallback: %v, want %v", got, RESTIntegrationTimeout)
	}
}
