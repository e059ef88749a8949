package server

import (
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/nextgo-dev/nextgo/runtime/navigation"
)

// echoRoute reports what the route received.
func echoRoute(name string) Method {
	return Func(func(req *Request) (*Response, error) {
		body, _ := req.Text()
		cookies := req.Cookies()
		keys := make([]string, 0, len(cookies))
		for k, v := range cookies {
			keys = append(keys, k+"="+v)
		}
		sort.Strings(keys)
		res := Text(fmt.Sprintf("%s path=%s query=%s injected=%q cookies=%v body=%q",
			name, req.URL.Path, req.URL.RawQuery, req.Header.Get("X-Injected"), keys, body))
		res.Header.Set("X-Frame-Options", "SAMEORIGIN")
		res.Header.Set("X-Route", name)
		return res.SetCookie(&http.Cookie{Name: "route", Value: "1"}), nil
	})
}

// testMiddleware does what the "mw" query parameter says.
func testMiddleware(req *Request) (*Response, error) {
	ctx := req.Context()
	switch req.URL.Query().Get("mw") {
	case "headers":
		res := Next(WithRequestHeaders(http.Header{"x-injected": {"yes"}}))
		res.Header.Set("X-Middleware", "1")
		res.Header.Set("X-Frame-Options", "DENY")
		return res.SetCookie(&http.Cookie{Name: "mwres", Value: "r 1"}), nil
	case "jar":
		Cookies(ctx).Set("mwjar", "j")
		Cookies(ctx).Delete("old")
		return Next(), nil
	case "early":
		Cookies(ctx).Set("mwjar", "j")
		return JSON(map[string]string{"error": "unauthorized"}, Init{Status: 401}), nil
	case "redirect":
		Cookies(ctx).Set("next", req.URL.Path)
		return Redirect("/login"), nil
	case "rewrite":
		return Rewrite("/api/v2/echo?from=mw", WithRequestHeaders(http.Header{"X-Injected": {"rw"}})), nil
	case "rewrite-absolute":
		u := req.NextURL()
		u.Path = "/api/v2/echo"
		return Rewrite(u.String()), nil
	case "rewrite-external":
		return Rewrite("https://example.com/api"), nil
	case "rewrite-relative":
		return Rewrite("api/v2/echo"), nil
	case "rewrite-bad":
		return Rewrite("/a\nb"), nil
	case "error":
		return nil, errors.New("middleware failed")
	case "panic":
		panic("middleware panic")
	case "nil":
		return nil, nil
	case "body":
		s, err := req.Text()
		if err != nil {
			return nil, err
		}
		res := Next()
		res.Header.Set("X-Seen-Body", s)
		return res, nil
	case "notfound":
		navigation.NotFound()
	case "bad-response":
		return Text("x", Init{Status: 42}), nil
	}
	return Next(), nil
}

func middlewareApp(t *testing.T, cfg MiddlewareConfig) (string, *logBuffer) {
	t.Helper()
	mux := http.NewServeMux()
	mux.Handle("/api/echo", NewHandler(Route{File: "app/api/echo/route.go", GET: echoRoute("echo"), POST: echoRoute("echo")}))
	mux.Handle("/api/v2/echo", NewHandler(Route{File: "app/api/v2/echo/route.go", GET: echoRoute("v2"), POST: echoRoute("v2")}))
	mux.Handle("/public/x", NewHandler(Route{File: "app/public/x/route.go", GET: echoRoute("public")}))
	log, buf := testLogger()
	mw := NewMiddleware(MiddlewareRoute{File: "middleware.go", Func: testMiddleware, Config: cfg, Logger: log})
	return serve(t, mw.Wrap(mux)).URL, buf
}

func TestMiddleware(t *testing.T) {
	base, log := middlewareApp(t, MiddlewareConfig{Matcher: []string{"/api/:path*"}})
	tests := []struct {
		name    string
		method  string
		path    string
		body    string
		hdr     []string
		status  int
		want    string
		headers map[string]string
	}{
		{"next", "GET", "/api/echo?a=1", "", nil, 200, `echo path=/api/echo query=a=1 injected="" cookies=[] body=""`,
			map[string]string{"Set-Cookie": "route=1; Path=/", "X-Frame-Options": "SAMEORIGIN"}},
		{"request and response headers", "GET", "/api/echo?mw=headers", "", []string{"Cookie", "a=1"}, 200,
			`echo path=/api/echo query=mw=headers injected="yes" cookies=[a=1 mwres=r 1] body=""`,
			map[string]string{"X-Middleware": "1", "X-Frame-Options": "DENY", "X-Route": "echo",
				"Set-Cookie": "mwres=r%201; Path=/\nroute=1; Path=/"}},
		{"cookies from the jar", "GET", "/api/echo?mw=jar", "", []string{"Cookie", "old=x; keep=y"}, 200,
			`echo path=/api/echo query=mw=jar injected="" cookies=[keep=y mwjar=j] body=""`,
			map[string]string{"Set-Cookie": "mwjar=j; Path=/\nold=; Path=/; Expires=Thu, 01 Jan 1970 00:00:00 GMT\nroute=1; Path=/"}},
		{"early answer", "GET", "/api/echo?mw=early", "", nil, 401, `{"error":"unauthorized"}`,
			map[string]string{"Content-Type": "application/json", "Set-Cookie": "mwjar=j; Path=/", "X-Route": "<absent>"}},
		{"early answer to HEAD", "HEAD", "/api/echo?mw=early", "", nil, 401, "", map[string]string{"Content-Type": "application/json"}},
		{"redirect", "GET", "/api/echo?mw=redirect", "", nil, 307, "",
			map[string]string{"Location": "/login", "Set-Cookie": "next=%2Fapi%2Fecho; Path=/"}},
		{"rewrite", "GET", "/api/echo?mw=rewrite&x=1", "", nil, 200, `v2 path=/api/v2/echo query=from=mw injected="rw" cookies=[] body=""`,
			map[string]string{"X-Route": "v2"}},
		{"rewrite keeps the method and body", "POST", "/api/echo?mw=rewrite", "payload", nil, 200, `v2 path=/api/v2/echo query=from=mw injected="rw" cookies=[] body="payload"`, nil},
		{"rewrite to an absolute URL of the same host", "GET", "/api/echo?mw=rewrite-absolute", "", nil, 200,
			`v2 path=/api/v2/echo query=mw=rewrite-absolute injected="" cookies=[] body=""`, nil},
		{"external rewrite", "GET", "/api/echo?mw=rewrite-external", "", nil, 500, "", map[string]string{"X-Route": "<absent>"}},
		{"relative rewrite", "GET", "/api/echo?mw=rewrite-relative", "", nil, 500, "", nil},
		{"unparsable rewrite", "GET", "/api/echo?mw=rewrite-bad", "", nil, 500, "", nil},
		{"error", "GET", "/api/echo?mw=error", "", nil, 500, "", map[string]string{"X-Route": "<absent>"}},
		{"panic", "GET", "/api/echo?mw=panic", "", nil, 500, "", nil},
		{"bad response", "GET", "/api/echo?mw=bad-response", "", nil, 500, "", nil},
		{"nil continues", "GET", "/api/echo?mw=nil", "", nil, 200, `echo path=/api/echo query=mw=nil injected="" cookies=[] body=""`, nil},
		{"not found", "GET", "/api/echo?mw=notfound", "", nil, 404, "", nil},
		{"body read by both", "POST", "/api/echo?mw=body", `{"a":1}`, nil, 200, `echo path=/api/echo query=mw=body injected="" cookies=[] body="{\"a\":1}"`,
			map[string]string{"X-Seen-Body": `{"a":1}`}},
		{"not matched", "GET", "/public/x?mw=early", "", nil, 200, `public path=/public/x query=mw=early injected="" cookies=[] body=""`, nil},
		{"a dispatcher 404 still gets the headers", "GET", "/api/none?mw=headers", "", nil, 404, "404 page not found\n",
			map[string]string{"X-Middleware": "1", "Set-Cookie": "mwres=r%201; Path=/"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			do(t, base+tt.path, tt.method, tt.body, tt.hdr...).check(t, tt.status, tt.want, tt.headers)
		})
	}
	for _, want := range []string{
		`msg="error in middleware.go"`, `err="middleware failed"`, `msg="panic in middleware.go"`,
		"external rewrites are not supported", "the destination must be a path", "server: invalid status 42",
	} {
		if !strings.Contains(log.String(), want) {
			t.Errorf("log lacks %q:\n%s", want, log)
		}
	}
}

func TestMiddlewareWithoutMatcher(t *testing.T) {
	base, _ := middlewareApp(t, MiddlewareConfig{})
	do(t, base+"/public/x?mw=early", "GET", "").check(t, 401, `{"error":"unauthorized"}`, nil)
}

// TestMiddlewareSilentRoute: a route that writes nothing still gets the
// middleware's headers.
func TestMiddlewareSilentRoute(t *testing.T) {
	mw := NewMiddleware(MiddlewareRoute{File: "middleware.go", Func: func(*Request) (*Response, error) {
		res := Next()
		res.Header.Set("X-Mw", "1")
		return res, nil
	}})
	silent := http.HandlerFunc(func(http.ResponseWriter, *http.Request) {})
	do(t, serve(t, mw.Wrap(silent)).URL, "GET", "").check(t, 200, "", map[string]string{"X-Mw": "1"})
}

func TestMatches(t *testing.T) {
	tests := []struct {
		matcher []string
		yes     []string
		no      []string
	}{
		{nil, []string{"/", "/api", "/anything/at/all"}, nil},
		{[]string{"/api/:path*"}, []string{"/api", "/api/", "/api/a/b"}, []string{"/", "/apix", "/other/api"}},
		{[]string{"/about/:path*", "/dashboard/:path*"}, []string{"/about/a", "/dashboard"}, []string{"/", "/api"}},
		{[]string{"/((?!_next/static|_next/image|favicon.ico).*)"}, []string{"/", "/api/x"}, []string{"/_next/static/x.js", "/favicon.ico"}},
		{[]string{"/items/:id(\\d+)"}, []string{"/items/12"}, []string{"/items/ab", "/items"}},
	}
	for _, tt := range tests {
		mw := NewMiddleware(MiddlewareRoute{File: "middleware.go", Func: testMiddleware, Config: MiddlewareConfig{Matcher: tt.matcher}})
		for _, p := range tt.yes {
			if !mw.Matches(p) {
				t.Errorf("%v should match %q", tt.matcher, p)
			}
		}
		for _, p := range tt.no {
			if mw.Matches(p) {
				t.Errorf("%v should not match %q", tt.matcher, p)
			}
		}
	}
}

func TestMiddlewareConfigValidate(t *testing.T) {
	for _, tt := range []struct {
		matcher []string
		want    string
	}{
		{[]string{"/api/:path*", "/ok"}, ""},
		{[]string{"api/:path*"}, "Invalid middleware found: `source` does not start with / for route {\"source\":\"api/:path*\"}"},
		{[]string{"/api/(", "/x/:"}, "Invalid middleware found: `source` parse failed (error parsing \"/api/(\": Unbalanced pattern at 5) for route {\"source\":\"/api/(\"}; `source` parse failed (error parsing \"/x/:\": Missing parameter name at 3) for route {\"source\":\"/x/:\"}"},
	} {
		err := MiddlewareConfig{Matcher: tt.matcher}.Validate()
		got := ""
		if err != nil {
			got = err.Error()
		}
		if got != tt.want {
			t.Errorf("Validate(%q)\n got %s\nwant %s", tt.matcher, got, tt.want)
		}
	}
	for _, m := range []MiddlewareRoute{
		{File: "middleware.go", Func: testMiddleware, Config: MiddlewareConfig{Matcher: []string{"nope"}}},
		{File: "middleware.go"},
	} {
		func() {
			defer func() {
				if v := recover(); v == nil || !strings.Contains(fmt.Sprint(v), "middleware.go") {
					t.Errorf("NewMiddleware(%+v) recovered %v", m.Config, v)
				}
			}()
			NewMiddleware(m)
		}()
	}
}

func TestApplySetCookies(t *testing.T) {
	now := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, tt := range []struct {
		cookie string
		set    []string
		want   string
	}{
		{"", []string{"a=1; Path=/"}, "a=1"},
		{"a=1; b=2", []string{"a=3; Path=/"}, "b=2; a=3"},
		{"a=1; b=2", []string{"a=; Path=/; Expires=Thu, 01 Jan 1970 00:00:00 GMT"}, "b=2"},
		{"a=1", []string{"a=x; Max-Age=0"}, ""},
		{"a=1", []string{"b=%20x%3B; Path=/; Max-Age=60"}, "a=1; b=%20x%3B"},
		{"a=1", []string{"garbage"}, "a=1"},
	} {
		h := http.Header{}
		if tt.cookie != "" {
			h.Set("Cookie", tt.cookie)
		}
		applySetCookies(h, tt.set, now)
		if got := h.Get("Cookie"); got != tt.want {
			t.Errorf("%q + %q = %q, want %q", tt.cookie, tt.set, got, tt.want)
		}
	}
}

func TestRewriteURL(t *testing.T) {
	r, _ := http.NewRequest("GET", "http://app.test/api/x?q=1", nil)
	for _, tt := range []struct {
		dest, want, err string
	}{
		{"/api/y", "/api/y", ""},
		{"/api/y?z=2", "/api/y?z=2", ""},
		{"/a%2Fb?x", "/a%2Fb?x", ""},
		{"http://APP.test/api/y?k=v", "/api/y?k=v", ""},
		{"https://app.test/api/y", "/api/y", ""},
		{"https://other.test/api/y", "", "external rewrites are not supported"},
		{"//other.test/x", "", "external rewrites are not supported"},
		{"y", "", "must be a path starting with /"},
		{"/a b\x7f", "", "invalid URL"},
	} {
		u, err := rewriteURL(r, tt.dest)
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("rewriteURL(%q) error %v, want %q", tt.dest, err, tt.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("rewriteURL(%q): %v", tt.dest, err)
			continue
		}
		if got := u.RequestURI(); got != tt.want {
			t.Errorf("rewriteURL(%q) = %q, want %q", tt.dest, got, tt.want)
		}
	}
}
