package server

import (
	"io"
	"net/http"
	"strings"
	"testing"
)

func TestResponses(t *testing.T) {
	tests := []struct {
		name    string
		res     func() *Response
		status  int
		body    string
		headers map[string]string
	}{
		{"JSON", func() *Response { return JSON(map[string]any{"hello": "world", "n": 1}) },
			200, `{"hello":"world","n":1}`, map[string]string{"Content-Type": "application/json", "Content-Length": "23"}},
		{"JSON null", func() *Response { return JSON(nil) }, 200, `null`, map[string]string{"Content-Type": "application/json"}},
		{"JSON string", func() *Response { return JSON("Hello world!") }, 200, `"Hello world!"`, nil},
		{"JSON with init", func() *Response {
			return JSON([]int{1}, Init{Status: 201, Headers: http.Header{"x-custom": {"1"}}})
		}, 201, `[1]`, map[string]string{"X-Custom": "1", "Content-Type": "application/json"}},
		{"JSON keeps a given content type", func() *Response {
			return JSON(1, Init{Headers: http.Header{"Content-Type": {"application/vnd.api+json"}}})
		}, 200, `1`, map[string]string{"Content-Type": "application/vnd.api+json"}},
		{"Text", func() *Response { return Text("hello, world") },
			200, "hello, world", map[string]string{"Content-Type": "text/plain;charset=UTF-8", "Content-Length": "12"}},
		{"Text with status", func() *Response { return Text("teapot", Init{Status: 418}) }, 418, "teapot", nil},
		{"nil body", func() *Response { return NewResponse(nil) }, 200, "", map[string]string{"Content-Type": "<absent>", "Content-Length": "0"}},
		{"204", func() *Response { return NewResponse(nil, Init{Status: 204}) }, 204, "", map[string]string{"Content-Type": "<absent>", "Content-Length": "<absent>"}},
		{"bytes are not sniffed", func() *Response { return NewResponse([]byte("<html><body>hi</body></html>")) },
			200, "<html><body>hi</body></html>", map[string]string{"Content-Type": "<absent>", "Content-Length": "28"}},
		{"empty bytes", func() *Response { return NewResponse([]byte{}) }, 200, "", map[string]string{"Content-Length": "0"}},
		{"string", func() *Response { return NewResponse("s") }, 200, "s", map[string]string{"Content-Type": "text/plain;charset=UTF-8"}},
		{"string with its own type", func() *Response {
			return NewResponse("<p>", Init{Headers: http.Header{"Content-Type": {"text/html"}}})
		}, 200, "<p>", map[string]string{"Content-Type": "text/html"}},
		{"reader", func() *Response { return NewResponse(strings.NewReader("<html>streamed")) },
			200, "<html>streamed", map[string]string{"Content-Type": "<absent>", "Content-Length": "<absent>", "Transfer-Encoding": "<absent>"}},
		{"stream", func() *Response {
			return Stream(func(w io.Writer) error {
				_, err := io.WriteString(w, "a")
				if err == nil {
					_, err = io.WriteString(w, "b")
				}
				return err
			}, Init{Headers: http.Header{"Content-Type": {"text/event-stream"}}})
		}, 200, "ab", map[string]string{"Content-Type": "text/event-stream"}},
		{"redirect", func() *Response { return Redirect("https://nextjs.org/") },
			307, "", map[string]string{"Location": "https://nextjs.org/", "Content-Type": "<absent>"}},
		{"redirect relative verbatim", func() *Response { return Redirect("../x?a=%20") }, 307, "", map[string]string{"Location": "../x?a=%20"}},
		{"redirect 301", func() *Response { return Redirect("/a", 301) }, 301, "", map[string]string{"Location": "/a"}},
		{"redirect 302", func() *Response { return Redirect("/a", 302) }, 302, "", nil},
		{"redirect 303", func() *Response { return Redirect("/a", 303) }, 303, "", nil},
		{"redirect 308", func() *Response { return Redirect("/a", 308) }, 308, "", nil},
		{"redirect with cookie", func() *Response { return Redirect("/login").SetCookie(&http.Cookie{Name: "from", Value: "/x"}) },
			307, "", map[string]string{"Set-Cookie": "from=%2Fx; Path=/"}},
		{"cookies", func() *Response {
			return Text("x").SetCookie(&http.Cookie{Name: "theme", Value: "light"}).
				SetCookie(&http.Cookie{Name: "my_company", Value: "ACME", HttpOnly: true}).DeleteCookie("old")
		}, 200, "x", map[string]string{"Set-Cookie": "theme=light; Path=/\nmy_company=ACME; Path=/; HttpOnly\nold=; Path=/; Expires=Thu, 01 Jan 1970 00:00:00 GMT"}},
		{"status and header set after building", func() *Response {
			r := Text("created")
			r.Status = 201
			r.Header.Set("Location", "/items/1")
			return r
		}, 201, "created", map[string]string{"Location": "/items/1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := NewHandler(Route{File: "app/r/route.go", GET: Func(func(*Request) (*Response, error) { return tt.res(), nil })})
			do(t, serve(t, h).URL, "GET", "").check(t, tt.status, tt.body, tt.headers)
		})
	}
}

// TestHeaderMerge: headers already on the outgoing response (set by an
// outer layer, like next.config headers) win, except the appended ones.
func TestHeaderMerge(t *testing.T) {
	h := NewHandler(Route{File: "app/m/route.go", GET: Func(func(req *Request) (*Response, error) {
		Cookies(req.Context()).Set("jar", "1")
		return Text("x", Init{Headers: http.Header{
			"X-Frame-Options":  {"SAMEORIGIN"},
			"X-Route":          {"route"},
			"Set-Cookie":       {"route=1; Path=/"},
			"Vary":             {"Accept"},
			"Www-Authenticate": {"Basic"},
		}}), nil
	})})
	outer := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Frame-Options", "DENY")
		w.Header().Set("Set-Cookie", "outer=1; Path=/")
		w.Header().Set("Vary", "Origin")
		w.Header().Set("WWW-Authenticate", "Bearer")
		h.ServeHTTP(w, r)
	})
	do(t, serve(t, outer).URL, "GET", "").check(t, 200, "x", map[string]string{
		"X-Frame-Options":  "DENY",
		"X-Route":          "route",
		"Set-Cookie":       "outer=1; Path=/\nroute=1; Path=/\njar=1; Path=/",
		"Vary":             "Origin\nAccept",
		"Www-Authenticate": "Bearer\nBasic",
	})
}
