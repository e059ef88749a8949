package e2e

import (
	"net/http"
	"strings"
	"testing"
)

// httpCase is one request against the basic app and the exact answer Next.js
// gives for the same route. The same table runs against `nextgo dev` and
// against the built functions under `nextgo start`.
type httpCase struct {
	name    string
	method  string
	path    string
	header  http.Header
	body    string
	status  int
	want    string            // exact body
	headers map[string]string // exact header values; "" means absent

	// lambdaWant, when set, is the body behind API Gateway (nextgo start,
	// and a deployed app), where the platform answers differently: its own
	// 404 for paths no route serves, and HTTP API's decoding of the path
	// (%2F arrives as "/").
	lambdaWant string
	// devOnly marks behaviour that needs the whole app in one process: a
	// rewrite to a route served by another function. On Lambda each
	// function holds one route (see README, "Middleware on Lambda").
	devOnly bool
}

func jsonHeader() http.Header { return http.Header{"Content-Type": {"application/json"}} }

const jsonType = "application/json; charset=utf-8"

// basicCases mirror Next's api-support, api-catch-all, api-body-parser and
// dynamic-optional-routing tests on the basic app.
func basicCases() []httpCase {
	exactly1mb := strings.Repeat("a", 1<<20)
	return []httpCase{
		{name: "docs example", path: "/api/user", status: 200, want: `{"name":"John Doe"}`,
			headers: map[string]string{"Content-Type": jsonType}},
		{name: "index route", path: "/api", status: 200, want: "Index should work",
			headers: map[string]string{"Content-Type": "", "ETag": `"13zwbfttj8yh"`}},
		{name: "etag match", path: "/api", header: http.Header{"If-None-Match": {`"13zwbfttj8yh"`}}, status: 304, want: "",
			headers: map[string]string{"ETag": `"13zwbfttj8yh"`}},
		{name: "dynamic param", path: "/api/post/post-1", status: 200, want: `{"pid":"post-1"}`},
		{name: "param and query", path: "/api/post/post-1?val=1", status: 200, want: `{"val":"1","pid":"post-1"}`},
		{name: "path param wins", path: "/api/post/post-1?pid=x", status: 200, want: `{"pid":"post-1"}`},
		{name: "static beats dynamic", method: "POST", path: "/api/post/create", header: jsonHeader(), body: `{"title":"hi"}`, status: 201, want: `{"created":"hi"}`},
		{name: "catch-all", path: "/api/post/a/b", status: 200, want: `{"slug":["a","b"]}`},
		{name: "catch-all decodes segments", path: "/api/post/a%2Fb/c", status: 200, want: `{"slug":["a/b","c"]}`, lambdaWant: `{"slug":["a","b","c"]}`},
		{name: "optional catch-all empty", path: "/api/optional", status: 200, want: `{}`},
		{name: "optional catch-all one", path: "/api/optional/a", status: 200, want: `{"slug":["a"]}`},
		{name: "optional catch-all two", path: "/api/optional/ab/cd", status: 200, want: `{"slug":["ab","cd"]}`},
		{name: "query shapes", path: "/api/optional?a=1&b=2&a=3", status: 200, want: `{"a":["1","3"],"b":"2"}`},
		{name: "non-dynamic sibling first", path: "/api/post-1/comments", status: 200, want: `[{"message":"Prioritize a non-dynamic api page"}]`},
		{name: "nested dynamic", path: "/api/post-1/comment-1", status: 200, want: `{"post":"post-1","comment":"comment-1"}`},
		{name: "parse JSON", method: "POST", path: "/api/parse", header: http.Header{"Content-Type": {"application/json; charset=utf-8"}}, body: `[{"title":"Nextjs"}]`, status: 200, want: `[{"title":"Nextjs"}]`},
		{name: "empty JSON body", method: "POST", path: "/api/parse", header: jsonHeader(), status: 200, want: `{}`},
		{name: "invalid JSON", method: "POST", path: "/api/parse", header: jsonHeader(), body: `{"message":Invalid"}`, status: 400, want: "Invalid JSON"},
		{name: "urlencoded", method: "POST", path: "/api/parse", header: http.Header{"Content-Type": {"application/x-www-form-urlencoded"}},
			body: "title=Nextjs&description=The%20React%20Framework%20for%20Production", status: 200, want: `{"title":"Nextjs","description":"The React Framework for Production"}`},
		{name: "text body", method: "POST", path: "/api/parse", header: http.Header{"Content-Type": {"text/plain"}}, body: "hello", status: 200, want: `"hello"`},
		{name: "body of exactly 1mb", method: "POST", path: "/api/parse", header: http.Header{"Content-Type": {"text/plain"}}, body: exactly1mb, status: 200, want: `"` + exactly1mb + `"`},
		{name: "body of exactly 500kb", method: "POST", path: "/api/parse-500kb", header: http.Header{"Content-Type": {"text/plain"}}, body: strings.Repeat("a", 500<<10), status: 200, want: `{"bytes":512000}`},
		{name: "default limit", method: "POST", path: "/api/parse", header: http.Header{"Content-Type": {"text/plain"}}, body: exactly1mb + "a", status: 413, want: "Body exceeded 1mb limit"},
		{name: "custom limit", method: "POST", path: "/api/parse-500kb", header: http.Header{"Content-Type": {"text/plain"}}, body: strings.Repeat("a", 500<<10+1), status: 413, want: "Body exceeded 500kb limit"},
		{name: "body parser disabled", method: "POST", path: "/api/raw", header: jsonHeader(), body: strings.Repeat("a", 2<<20), status: 200, want: `{"bytes":2097152,"parsed":false}`},
		{name: "redirect", path: "/api/redirect", status: 307, want: "/login", headers: map[string]string{"Location": "/login"}},
		{name: "redirect with status", path: "/api/redirect?permanent=1", status: 301, want: "/login", headers: map[string]string{"Location": "/login"}},
		{name: "no cookies", path: "/api/cookies", status: 200, want: `{}`, headers: map[string]string{"Set-Cookie": "visited=yes; Path=/"}},
		{name: "cookies", path: "/api/cookies", header: http.Header{"Cookie": {"nextjs=cool;"}}, status: 200, want: `{"nextjs":"cool"}`},
		{name: "internal package", path: "/api/greet?name=gopher", status: 200, want: "hello, gopher"},
		{name: "net/http handler", method: "PUT", path: "/api/plain", status: 200, want: "plain PUT", headers: map[string]string{"Content-Type": "text/plain"}},
		{name: "204 strips body", path: "/api/status204", status: 204, want: "", headers: map[string]string{"Content-Type": "", "ETag": ""}},
		{name: "panic", path: "/api/panic", status: 500, want: "Internal Server Error", headers: map[string]string{"Content-Type": ""}},
		{name: "alive after panic", path: "/api/user", status: 200, want: `{"name":"John Doe"}`},
		{name: "maxDuration", path: "/api/slow", status: 504, want: "Gateway Timeout"},
		{name: "trailing slash", path: "/api/user/?x=1", status: 308, want: "/api/user?x=1", headers: map[string]string{"Location": "/api/user?x=1", "Refresh": "0;url=/api/user?x=1"}},
		{name: "repeated slashes", path: "/api//post//1", status: 308, want: "/api/post/1", headers: map[string]string{"Location": "/api/post/1"}},
		{name: "not found", path: "/api/nope/x/y/z", status: 404, want: "Not Found"}, // behind API Gateway too: the fallback answers Next's 404
		{name: "case sensitive", path: "/API/user", status: 404, want: "Not Found"},
		{name: "malformed param", path: "/api/post/%FF", status: 400, want: "Bad Request", lambdaWant: `{"message":"Bad Request"}`},
	}
}

// runCases runs cases against baseURL; behindGateway selects the
// lambdaWant bodies.
func runCases(t *testing.T, baseURL string, cases []httpCase, behindGateway bool) {
	for _, tc := range cases {
		if behindGateway && tc.devOnly {
			continue
		}
		if behindGateway && tc.lambdaWant != "" {
			tc.want = tc.lambdaWant
		}
		t.Run(tc.name, func(t *testing.T) {
			method := tc.method
			if method == "" {
				method = "GET"
			}
			var body *strings.Reader
			if tc.body != "" {
				body = strings.NewReader(tc.body)
			}
			var resp *http.Response
			var got string
			if body != nil {
				resp, got = do(t, method, baseURL+tc.path, tc.header, body)
			} else {
				resp, got = do(t, method, baseURL+tc.path, tc.header, nil)
			}
			if resp.StatusCode != tc.status {
				t.Errorf("%s %s: status %d, want %d (body %.200q)", method, tc.path, resp.StatusCode, tc.status, got)
			}
			if got != tc.want {
				t.Errorf("%s %s: body %.300q, want %.300q", method, tc.path, got, tc.want)
			}
			for k, v := range tc.headers {
				if g := resp.Header.Get(k); g != v {
					t.Errorf("%s %s: header %s = %q, want %q", method, tc.path, k, g, v)
				}
			}
		})
	}
}
