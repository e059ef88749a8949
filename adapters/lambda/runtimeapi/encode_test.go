package runtimeapi

import (
	"bytes"
	"encoding/json"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
)

// TestAppendGatewayEvent: the event written directly is, byte for byte,
// what encoding/json writes for it.
func TestAppendGatewayEvent(t *testing.T) {
	at := time.Date(2025, 3, 12, 19, 3, 58, 123e6, time.UTC)
	fromRequest := func(method, target, body string, header map[string]string, params map[string]string) *events.APIGatewayV2HTTPRequest {
		r := httptest.NewRequest(method, target, strings.NewReader(body))
		for k, v := range header {
			r.Header.Add(k, v)
		}
		return GatewayEvent(r, GatewayEventInput{RouteKey: "ANY /api/post/{pid}", PathParameters: params, RequestID: "abc=",
			APIID: DefaultAPIID, AccountID: DefaultAccountID, Time: at, Body: []byte(body)})
	}
	odd := "quote\" back\\ <tag> & \x00\x01\x1f\t\n\r\b\f del\x7f é \u2028\u2029 \xff\xfe bad"
	tests := []struct {
		name string
		ev   *events.APIGatewayV2HTTPRequest
	}{
		{"a GET", fromRequest("GET", "http://127.0.0.1:3000/api/user", "", map[string]string{"User-Agent": "wrk", "Accept": "*/*"}, nil)},
		{"query, cookies, params, a text body", fromRequest("POST", "http://localhost/api/post/1?a=1&b=2&a=3&c", `{"x":1}`,
			map[string]string{"Content-Type": "application/json", "Cookie": "a=1; b=2", "X-Many": "1"}, map[string]string{"pid": "1"})},
		{"a binary body", fromRequest("PUT", "http://localhost/api/x", "\x00\x01\xff", map[string]string{"Content-Type": "application/octet-stream"}, nil)},
		{"strings to escape", &events.APIGatewayV2HTTPRequest{
			Version: "2.0", RouteKey: odd, RawPath: "/é/" + odd, RawQueryString: odd,
			Cookies:               []string{odd, "plain=1"},
			Headers:               map[string]string{odd: odd, "b": "2", "a": "1", "Ä": "x"},
			QueryStringParameters: map[string]string{"q": odd},
			PathParameters:        map[string]string{"pid": odd},
			StageVariables:        map[string]string{"s": "v"},
			Body:                  odd,
			RequestContext: events.APIGatewayV2HTTPRequestContext{
				AccountID: odd, APIID: odd, DomainName: odd, DomainPrefix: odd, RequestID: odd, RouteKey: odd, Stage: odd, Time: odd, TimeEpoch: -12,
				HTTP: events.APIGatewayV2HTTPRequestContextHTTPDescription{Method: odd, Path: odd, Protocol: odd, SourceIP: odd, UserAgent: odd},
			},
		}},
		{"empty and nil fields", &events.APIGatewayV2HTTPRequest{Cookies: []string{}, QueryStringParameters: map[string]string{}}},
		{"many headers", &events.APIGatewayV2HTTPRequest{Headers: func() map[string]string {
			h := map[string]string{}
			for _, k := range strings.Fields("z y x w v u t s r q p o n m l k j i h g f e d c b a") {
				h["x-"+k] = k
			}
			return h
		}()}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			want, err := json.Marshal(newWireEvent(tt.ev))
			if err != nil {
				t.Fatal(err)
			}
			got, err := MarshalGatewayEvent(tt.ev)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("MarshalGatewayEvent =\n%s\nencoding/json =\n%s", got, want)
			}
		})
	}
}
