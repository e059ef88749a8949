package rules

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// echo is the dispatcher under the rules in these tests: it answers 200
// with the escaped path and raw query it was handed.
var echo = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain")
	u := r.URL.EscapedPath()
	if r.URL.RawQuery != "" {
		u += "?" + r.URL.RawQuery
	}
	io.WriteString(w, "served "+u)
})

type result struct {
	status  int
	body    string
	headers map[string]string // exact values; "" means absent
}

type reqCase struct {
	name   string
	method string
	target string
	header http.Header
	host   string
	want   result
}

func serve(t *testing.T, h http.Handler, tc reqCase) {
	t.Helper()
	method := tc.method
	if method == "" {
		method = http.MethodGet
	}
	r := httptest.NewRequest(method, tc.target, nil)
	for k, v := range tc.header {
		r.Header[k] = v
	}
	if tc.host != "" {
		r.Host = tc.host
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	if w.Code != tc.want.status {
		t.Errorf("%s %s: status %d, want %d (body %q)", method, tc.target, w.Code, tc.want.status, w.Body.String())
	}
	if w.Body.String() != tc.want.body {
		t.Errorf("%s %s: body %q, want %q", method, tc.target, w.Body.String(), tc.want.body)
	}
	for k, v := range tc.want.headers {
		got := strings.Join(w.Header().Values(k), "|")
		if got != v {
			t.Errorf("%s %s: header %s = %q, want %q", method, tc.target, k, got, v)
		}
	}
}

func run(t *testing.T, cfg Config, cases []reqCase) {
	t.Helper()
	rs, err := New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	h := rs.Wrap(echo)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) { serve(t, h, tc) })
	}
}

func served(path string) result { return result{status: 200, body: "served " + path} }

func redirectTo(status int, loc string) result {
	refresh := ""
	if status == 308 {
		refresh = "0;url=" + loc
	}
	return result{status: status, body: loc, headers: map[string]string{"Location": loc, "Refresh": refresh, "Content-Type": ""}}
}

func TestRedirects(t *testing.T) {
	run(t, Config{Redirects: []Redirect{
		{Source: "/about", Destination: "/", Permanent: true},
		{Source: "/old-blog/:slug", Destination: "/news/:slug", Permanent: false},
		{Source: "/blog/:slug*", Destination: "/news/:slug*", Permanent: true},
		{Source: "/post/:slug(\\d{1,})", Destination: "/news/:slug", StatusCode: 301},
		{Source: "/docs/:path+", Destination: "https://docs.example.com/:path+", Permanent: false},
		{Source: "/search", Destination: "/find?q=go&from=search", Permanent: false},
		{Source: "/user/:id", Destination: "/profile?uid=:id", StatusCode: 302},
		{Source: "/legacy/(.*)", Destination: "/new", StatusCode: 303},
		{Source: "/team/:member/:tab?", Destination: "/people/:member/:tab?", Permanent: true},
		{Source: "/hash", Destination: "/page#section", Permanent: false},
		{Source: "/ext", Destination: "https://example.com", Permanent: false},
		{Source: "/double", Destination: "/a//b", Permanent: false},
	}}, []reqCase{
		{name: "permanent is 308 with Refresh", target: "/about", want: redirectTo(308, "/")},
		{name: "temporary is 307", target: "/old-blog/hello", want: redirectTo(307, "/news/hello")},
		{name: "query passes through", target: "/old-blog/hello?a=1&b=2", want: redirectTo(307, "/news/hello?a=1&b=2")},
		{name: "query re-encoded as Next does", target: "/old-blog/x?q=a+b&r=%2F", want: redirectTo(307, "/news/x?q=a%20b&r=%2F")},
		{name: "repeated query key", target: "/old-blog/x?a=1&a=2", want: redirectTo(307, "/news/x?a=1&a=2")},
		{name: "case-insensitive source", target: "/Old-Blog/Hello", want: redirectTo(307, "/news/Hello")},
		{name: "trailing slash removed first", target: "/about/", want: redirectTo(308, "/about")},
		{name: "catch-all, several segments", target: "/blog/a/b/c", want: redirectTo(308, "/news/a/b/c")},
		{name: "catch-all, none", target: "/blog", want: redirectTo(308, "/news")},
		{name: "escapes stay as they are", target: "/blog/a%20b/c%2Fd", want: redirectTo(308, "/news/a%20b/c%2Fd")},
		{name: "regex param matches", target: "/post/123", want: redirectTo(301, "/news/123")},
		{name: "regex param does not match", target: "/post/abc", want: served("/post/abc")},
		{name: "external destination", target: "/docs/a/b?x=1", want: redirectTo(307, "https://docs.example.com/a/b?x=1")},
		{name: "external host only", target: "/ext", want: redirectTo(307, "https://example.com/")},
		{name: "destination query merged over the request's", target: "/search?q=js&page=2", want: redirectTo(307, "/find?q=go&page=2&from=search")},
		{name: "param in destination query", target: "/user/42", want: redirectTo(302, "/profile?uid=42")},
		{name: "unnamed group", target: "/legacy/x/y", want: redirectTo(303, "/new")},
		{name: "optional param present", target: "/team/ann/posts", want: redirectTo(308, "/people/ann/posts")},
		{name: "optional param absent", target: "/team/ann", want: redirectTo(308, "/people/ann")},
		{name: "hash kept", target: "/hash?x=1", want: redirectTo(307, "/page?x=1#section")},
		{name: "repeated slashes collapsed", target: "/double", want: redirectTo(307, "/a/b")},
		{name: "no match", target: "/abouts", want: served("/abouts")},
		{name: "every method", method: "POST", target: "/about", want: redirectTo(308, "/")},
	})
}

func TestRedirectFirstMatchWins(t *testing.T) {
	run(t, Config{Redirects: []Redirect{
		{Source: "/a/:x", Destination: "/first/:x"},
		{Source: "/a/b", Destination: "/second"},
	}}, []reqCase{
		{name: "first", target: "/a/b", want: redirectTo(307, "/first/b")},
	})
}

func TestHasMissing(t *testing.T) {
	run(t, Config{Redirects: []Redirect{
		{Source: "/hdr", Destination: "/with-header", Has: []Condition{{Type: "header", Key: "x-redirect-me"}}},
		{Source: "/hdr-val", Destination: "/v/:version", Has: []Condition{{Type: "header", Key: "X-Version", Value: "(?<version>v\\d+)"}}},
		{Source: "/ck", Destination: "/cookie/:authorized", Has: []Condition{{Type: "cookie", Key: "authorized", Value: "(?<authorized>true|yes)"}}},
		{Source: "/q", Destination: "/query/:page", Has: []Condition{{Type: "query", Key: "page"}}},
		{Source: "/host", Destination: "/from/:host", Has: []Condition{{Type: "host", Value: "example\\.com"}}},
		{Source: "/miss", Destination: "/missing", Missing: []Condition{{Type: "header", Key: "x-skip"}}},
		{Source: "/both", Destination: "/both-ok", Has: []Condition{{Type: "query", Key: "a"}, {Type: "query", Key: "b", Value: "1"}}},
		{Source: "/lookahead", Destination: "/la", Has: []Condition{{Type: "header", Key: "x-id", Value: "(?!admin).*"}}},
	}}, []reqCase{
		{name: "header present", target: "/hdr", header: http.Header{"X-Redirect-Me": {"1"}}, want: redirectTo(307, "/with-header")},
		{name: "header absent", target: "/hdr", want: served("/hdr")},
		{name: "header empty", target: "/hdr", header: http.Header{"X-Redirect-Me": {""}}, want: served("/hdr")},
		{name: "named group", target: "/hdr-val", header: http.Header{"X-Version": {"v2"}}, want: redirectTo(307, "/v/v2")},
		{name: "value must match whole", target: "/hdr-val", header: http.Header{"X-Version": {"v2x"}}, want: served("/hdr-val")},
		{name: "cookie", target: "/ck", header: http.Header{"Cookie": {"a=1; authorized=yes"}}, want: redirectTo(307, "/cookie/yes")},
		{name: "cookie value mismatch", target: "/ck", header: http.Header{"Cookie": {"authorized=no"}}, want: served("/ck")},
		{name: "query key as param", target: "/q?page=3", want: redirectTo(307, "/query/3?page=3")},
		{name: "query key empty", target: "/q?page=", want: served("/q?page=")},
		{name: "host", target: "/host", host: "EXAMPLE.com:3000", want: redirectTo(307, "/from/example.com")},
		{name: "other host", target: "/host", host: "example.org", want: served("/host")},
		{name: "missing holds", target: "/miss", want: redirectTo(307, "/missing")},
		{name: "missing fails", target: "/miss", header: http.Header{"X-Skip": {"1"}}, want: served("/miss")},
		{name: "all has must hold", target: "/both?a=x&b=1", want: redirectTo(307, "/both-ok?a=x&b=1")},
		{name: "one has fails", target: "/both?a=x&b=2", want: served("/both?a=x&b=2")},
		{name: "JavaScript regex", target: "/lookahead", header: http.Header{"X-Id": {"bob"}}, want: redirectTo(307, "/la")},
		{name: "JavaScript regex refuses", target: "/lookahead", header: http.Header{"X-Id": {"admin"}}, want: served("/lookahead")},
	})
}

func TestHeaders(t *testing.T) {
	run(t, Config{
		Headers: []Header{
			{Source: "/api/:path*", Headers: []KeyValue{{Key: "X-Api", Value: "yes"}, {Key: "X-Which", Value: "first"}}},
			{Source: "/api/items/:id", Headers: []KeyValue{{Key: "X-Which", Value: "second"}, {Key: "X-Item", Value: "item-:id"}}},
			{Source: "/:path*", Headers: []KeyValue{{Key: "Set-Cookie", Value: "a=1"}, {Key: "set-cookie", Value: "b=2"}}},
			{Source: "/secure", Headers: []KeyValue{{Key: "X-Auth", Value: "1"}}, Has: []Condition{{Type: "header", Key: "authorization"}}},
		},
		Redirects: []Redirect{{Source: "/api/old", Destination: "/api/new"}},
	}, []reqCase{
		{name: "matching rules add up, later ones win", target: "/api/items/7", want: result{status: 200, body: "served /api/items/7",
			headers: map[string]string{"X-Api": "yes", "X-Which": "second", "X-Item": "item-7", "Set-Cookie": "a=1|b=2"}}},
		{name: "one rule", target: "/api/other", want: result{status: 200, body: "served /api/other",
			headers: map[string]string{"X-Api": "yes", "X-Which": "first", "X-Item": ""}}},
		{name: "headers on redirects too", target: "/api/old", want: result{status: 307, body: "/api/new",
			headers: map[string]string{"X-Api": "yes", "Location": "/api/new"}}},
		{name: "has condition", target: "/secure", header: http.Header{"Authorization": {"Bearer x"}}, want: result{status: 200, body: "served /secure", headers: map[string]string{"X-Auth": "1"}}},
		{name: "has condition fails", target: "/secure", want: result{status: 200, body: "served /secure", headers: map[string]string{"X-Auth": ""}}},
		{name: "no match", target: "/apix", want: result{status: 200, body: "served /apix", headers: map[string]string{"X-Api": "", "Set-Cookie": "a=1|b=2"}}},
	})
}

// The rewrites of one phase chain; a destination a route serves ends them.
func TestRewrites(t *testing.T) {
	routes := []string{"/api/user", "/api/post/[pid]", "/api/new", "/api/[...slug]"}
	run(t, Config{
		Routes: routes,
		Rewrites: Rewrites{
			BeforeFiles: []Rewrite{
				{Source: "/api/user", Destination: "/api/new", Has: []Condition{{Type: "query", Key: "override"}}},
			},
			AfterFiles: []Rewrite{
				{Source: "/api/user", Destination: "/api/never"}, // a static route serves it first
				{Source: "/about", Destination: "/api/user"},
				{Source: "/p/:pid", Destination: "/api/post/:pid"},
				{Source: "/q/:pid", Destination: "/api/new"},
				{Source: "/chain", Destination: "/step"},
				{Source: "/step", Destination: "/api/user"},
				{Source: "/api/post/special", Destination: "/api/new"},
				{Source: "/keep/:a", Destination: "/api/new?fixed=1"},
			},
			Fallback: []Rewrite{
				{Source: "/api/:x/:y/:z", Destination: "/api/user"},
				{Source: "/legacy/:path*", Destination: "/api/post/:path*"},
			},
		},
	}, []reqCase{
		{name: "static route beats afterFiles", target: "/api/user", want: served("/api/user")},
		{name: "beforeFiles beats a static route", target: "/api/user?override=1", want: served("/api/new?override=1")},
		{name: "plain rewrite", target: "/about", want: served("/api/user")},
		{name: "query kept", target: "/about?a=1", want: served("/api/user?a=1")},
		{name: "param used in destination", target: "/p/42", want: served("/api/post/42")},
		{name: "unused param goes to the query", target: "/q/42", want: served("/api/new?pid=42")},
		{name: "chain within a phase", target: "/chain", want: served("/api/user")},
		{name: "afterFiles beats a dynamic route", target: "/api/post/special", want: served("/api/new")},
		{name: "dynamic route beats fallback", target: "/api/a/b/c", want: served("/api/a/b/c")},
		{name: "fallback", target: "/legacy/7", want: served("/api/post/7")},
		{name: "destination query and params", target: "/keep/x?fixed=0&b=2", want: served("/api/new?fixed=1&b=2&a=x")},
		{name: "no rule", target: "/nothing", want: served("/nothing")},
	})
}

func TestRewriteExternal(t *testing.T) {
	var got string
	upstream := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = r.Method + " " + r.Host + " " + r.URL.RequestURI()
		w.Header().Set("X-Upstream", "1")
		w.WriteHeader(http.StatusTeapot)
		io.WriteString(w, "from upstream")
	}))
	defer upstream.Close()
	host := strings.TrimPrefix(upstream.URL, "http://")
	run(t, Config{Rewrites: Rewrites{AfterFiles: []Rewrite{
		{Source: "/proxy/:path*", Destination: upstream.URL + "/base/:path*"},
	}}}, []reqCase{
		{name: "proxied", method: "POST", target: "/proxy/a/b?x=1", want: result{status: 418, body: "from upstream", headers: map[string]string{"X-Upstream": "1"}}},
	})
	if want := "POST " + host + " /base/a/b?x=1"; got != want {
		t.Errorf("upstream saw %q, want %q", got, want)
	}
}

func TestBasePath(t *testing.T) {
	run(t, Config{
		BasePath: "/docs",
		Routes:   []string{"/", "/api/user"},
		Headers:  []Header{{Source: "/api/:p*", Headers: []KeyValue{{Key: "X-In-Base", Value: "1"}}}},
		Redirects: []Redirect{
			{Source: "/old", Destination: "/api/user", Permanent: true},
			{Source: "/outside", Destination: "/elsewhere", NoBasePath: true},
			{Source: "/ext", Destination: "https://example.com/x"},
		},
		Rewrites: Rewrites{AfterFiles: []Rewrite{
			{Source: "/me", Destination: "/api/user"},
			{Source: "/root-me", Destination: "/docs/api/user", NoBasePath: true},
		}},
	}, []reqCase{
		{name: "route under the base path", target: "/docs/api/user", want: result{status: 200, body: "served /api/user", headers: map[string]string{"X-In-Base": "1"}}},
		{name: "base path alone is the root", target: "/docs", want: served("/")},
		{name: "outside the base path", target: "/api/user", want: result{status: 404, body: "Not Found", headers: map[string]string{"X-In-Base": ""}}},
		{name: "prefix is not the base path", target: "/docsx/api/user", want: result{status: 404, body: "Not Found"}},
		{name: "redirect source and destination prefixed", target: "/docs/old", want: redirectTo(308, "/docs/api/user")},
		{name: "unprefixed source does not match", target: "/old", want: result{status: 404, body: "Not Found"}},
		{name: "basePath false", target: "/outside", want: redirectTo(307, "/elsewhere")},
		{name: "external destination not prefixed", target: "/docs/ext", want: redirectTo(307, "https://example.com/x")},
		{name: "rewrite prefixed", target: "/docs/me", want: served("/api/user")},
		{name: "rewrite with basePath false", target: "/root-me", want: served("/api/user")},
	})
}

func TestTrailingSlash(t *testing.T) {
	run(t, Config{TrailingSlash: true, Routes: []string{"/api/user"}, Rewrites: Rewrites{AfterFiles: []Rewrite{{Source: "/me/", Destination: "/api/user/"}}},
		Redirects: []Redirect{{Source: "/about", Destination: "/", Permanent: true}}}, []reqCase{
		{name: "a source matches with a trailing slash", target: "/about/", want: redirectTo(308, "/")},
		{name: "but the slash comes first", target: "/about", want: redirectTo(308, "/about/")},
		{name: "slash added", target: "/api/user", want: redirectTo(308, "/api/user/")},
		{name: "slash added, query kept", target: "/api/user?a=1", want: redirectTo(308, "/api/user/?a=1")},
		{name: "with slash served", target: "/api/user/", want: served("/api/user/")},
		{name: "file-like loses the slash", target: "/files/a.txt/", want: redirectTo(308, "/files/a.txt")},
		{name: "file-like served as is", target: "/files/a.txt", want: served("/files/a.txt")},
		{name: "well-known untouched", target: "/.well-known/thing", want: served("/.well-known/thing")},
		{name: "root untouched", target: "/", want: served("/")},
		{name: "rewrite after the slash", target: "/me/", want: served("/api/user/")},
	})
	run(t, Config{TrailingSlash: true, BasePath: "/b"}, []reqCase{
		{name: "base path gets its slash", target: "/b", want: redirectTo(308, "/b/")},
		{name: "under the base path", target: "/b/x", want: redirectTo(308, "/b/x/")},
		{name: "served", target: "/b/x/", want: served("/x/")},
	})
	run(t, Config{BasePath: "/b"}, []reqCase{
		{name: "trailing slash off: base path slash dropped", target: "/b/", want: redirectTo(308, "/b")},
		{name: "trailing slash off: slash dropped", target: "/b/x/?q=1", want: redirectTo(308, "/b/x?q=1")},
	})
}

// The app's middleware runs after the redirects, before the rewrites, on
// the path without the base path.
func TestMiddlewareOrder(t *testing.T) {
	rs, err := New(Config{
		BasePath:  "/b",
		Redirects: []Redirect{{Source: "/r", Destination: "/x"}},
		Rewrites:  Rewrites{AfterFiles: []Rewrite{{Source: "/w", Destination: "/rewritten"}}},
	})
	if err != nil {
		t.Fatal(err)
	}
	var seen []string
	mw := func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			seen = append(seen, r.URL.Path)
			next.ServeHTTP(w, r)
		})
	}
	h := rs.Middleware(mw)(echo)
	serve(t, h, reqCase{target: "/b/r", want: redirectTo(307, "/b/x")})
	serve(t, h, reqCase{target: "/b/w", want: served("/rewritten")})
	if strings.Join(seen, ",") != "/w" {
		t.Errorf("middleware saw %q, want only /w", seen)
	}
}

// A query value with CR/LF cannot reach a Location header.
func TestRedirectRefusesControlCharacters(t *testing.T) {
	run(t, Config{Redirects: []Redirect{
		{Source: "/go", Destination: "/to/:next", Has: []Condition{{Type: "query", Key: "next"}}},
	}}, []reqCase{
		{name: "CRLF", target: "/go?next=a%0D%0ASet-Cookie:x=1", want: result{status: 400, body: "Bad Request", headers: map[string]string{"Location": "", "Set-Cookie": ""}}},
		{name: "fine", target: "/go?next=a", want: redirectTo(307, "/to/a?next=a")},
	})
}

func TestNewErrors(t *testing.T) {
	tests := []struct {
		name string
		cfg  Config
		want string
	}{
		{"source without slash", Config{Redirects: []Redirect{{Source: "about", Destination: "/"}}},
			"redirects[0].source: `source` does not start with /: \"about\""},
		{"bad source", Config{Rewrites: Rewrites{AfterFiles: []Rewrite{{Source: "/a/:", Destination: "/"}}}},
			`rewrites.afterFiles[0].source: error parsing "/a/:": Missing parameter name at 3`},
		{"no destination", Config{Redirects: []Redirect{{Source: "/a"}}}, "redirects[0].destination: is required"},
		{"no source", Config{Headers: []Header{{Headers: []KeyValue{{Key: "a", Value: "b"}}}}}, "headers[0].source: is required"},
		{"relative destination", Config{Rewrites: Rewrites{Fallback: []Rewrite{{Source: "/a", Destination: "b"}}}},
			`rewrites.fallback[0].destination: "b" must start with / or http:// or https://`},
		{"parameters without text between", Config{Redirects: []Redirect{{Source: "/a/:x/:y", Destination: "/b/:x:y"}}},
			`redirects[0].destination: parse failed (Must have text between two parameters, missing text after "x")`},
		{"unclosed group", Config{Rewrites: Rewrites{BeforeFiles: []Rewrite{{Source: "/a", Destination: "/b{-x"}}}},
			`rewrites.beforeFiles[0].destination: parse failed (Unexpected END at 5, expected CLOSE)`},
		{"unknown param", Config{Redirects: []Redirect{{Source: "/a/:x", Destination: "/b/:y/:x/:z"}}},
			"redirects[0].destination: has segments not in `source` or `has` (y, z)"},
		{"status", Config{Redirects: []Redirect{{Source: "/a", Destination: "/b", StatusCode: 200}}},
			"redirects[0].statusCode: 200 is not a redirect status: want 301, 302, 303, 307 or 308"},
		{"has type", Config{Redirects: []Redirect{{Source: "/a", Destination: "/b", Has: []Condition{{Type: "body", Key: "x"}}}}},
			`redirects[0].has[0]: invalid ` + "`type`" + ` "body": want header, cookie, query or host`},
		{"has key", Config{Headers: []Header{{Source: "/a", Headers: []KeyValue{{Key: "a", Value: "b"}}, Missing: []Condition{{Type: "cookie"}}}}},
			"headers[0].missing[0]: `key` is required for type \"cookie\""},
		{"has regex", Config{Redirects: []Redirect{{Source: "/a", Destination: "/b", Has: []Condition{{Type: "query", Key: "x", Value: "(a"}}}}},
			"redirects[0].has[0]: invalid `value` regular expression"},
		{"header name", Config{Headers: []Header{{Source: "/a", Headers: []KeyValue{{Key: "bad name", Value: "x"}}}}},
			`headers[0].headers[0]: invalid header name "bad name"`},
		{"header value", Config{Headers: []Header{{Source: "/a", Headers: []KeyValue{{Key: "X-A", Value: "a\r\nb"}}}}},
			`headers[0].headers[0]: invalid character '\r' in the value of header "X-A"`},
		{"no headers", Config{Headers: []Header{{Source: "/a"}}}, "headers[0].headers: no headers to set"},
		{"CRLF destination", Config{Redirects: []Redirect{{Source: "/a", Destination: "/b\r\nX: y"}}}, "redirects[0].destination: must not contain CR or LF"},
		{"base path", Config{BasePath: "/docs/"}, `basePath: "/docs/" must be a path like /docs`},
		{"base path relative", Config{BasePath: "docs"}, `basePath: "docs" must be a path like /docs`},
		{"routes", Config{Routes: []string{"/a/[x]", "/a/[y]"}}, "routes: "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := New(tt.cfg)
			if err == nil {
				t.Fatal("no error")
			}
			if !strings.HasPrefix(err.Error(), tt.want) {
				t.Errorf("error %q\nwant prefix %q", err, tt.want)
			}
		})
	}
}

// Parameters from has conditions are known to the destination check.
func TestNewAcceptsHasParams(t *testing.T) {
	_, err := New(Config{Redirects: []Redirect{
		{Source: "/a", Destination: "/b/:version/:authorized/:host", Has: []Condition{
			{Type: "header", Key: "x-v", Value: "(?<version>.*)"},
			{Type: "cookie", Key: "authorized"},
			{Type: "host", Value: "x\\.com"},
		}},
	}})
	if err != nil {
		t.Fatal(err)
	}
}

func BenchmarkRules(b *testing.B) {
	rs, err := New(Config{
		Routes:    []string{"/api/user", "/api/post/[pid]"},
		Headers:   []Header{{Source: "/api/:path*", Headers: []KeyValue{{Key: "X-Api", Value: "1"}}}},
		Redirects: []Redirect{{Source: "/old/:slug", Destination: "/api/post/:slug", Permanent: true}},
		Rewrites:  Rewrites{AfterFiles: []Rewrite{{Source: "/p/:pid", Destination: "/api/post/:pid"}}},
	})
	if err != nil {
		b.Fatal(err)
	}
	ok := http.HandlerFunc(func(http.ResponseWriter, *http.Request) {})
	for _, bc := range []struct {
		name string
		h    http.Handler
	}{{"baseline", ok}, {"rules", rs.Wrap(ok)}} {
		b.Run(bc.name, func(b *testing.B) {
			r := httptest.NewRequest("GET", "/api/post/1?x=1", nil)
			w := httptest.NewRecorder()
			for b.Loop() {
				clear(w.Header())
				bc.h.ServeHTTP(w, r)
			}
		})
	}
}

func TestFill(t *testing.T) {
	tests := []struct {
		dest string
		ps   params
		want string
		err  string
	}{
		{"/a/:x", params{{name: "x", values: []string{"1"}}}, "/a/1", ""},
		{"/a/:x*", params{{name: "x", values: []string{"1", "2"}, list: true}}, "/a/1/2", ""},
		{"/a/:x*", nil, "/a", ""},
		{"/a/:x+", params{{name: "x", values: []string{}, list: true}}, "", `Expected "x" to not be empty`},
		{"/a/:x", params{{name: "x", values: []string{"1", "2"}, list: true}}, "", `Expected "x" to not repeat`},
		{"/a/:x", nil, "", `Expected "x" to be a string`},
		{"/a/:x+", nil, "", `Expected "x" to be an array`},
		{"/a/:x.json", params{{name: "x", values: []string{"f"}}}, "/a/f.json", ""},
		{"/a{-:x}?", params{{name: "x", values: []string{"f"}}}, "/a-f", ""},
		{"/a{-:x}?", nil, "/a", ""},
		{`/a\:b/:x`, params{{name: "x", values: []string{"1"}}}, "/a:b/1", ""},
	}
	for _, tt := range tests {
		toks, err := parsePath(tt.dest)
		if err != nil {
			t.Fatalf("parsePath(%q): %v", tt.dest, err)
		}
		got, err := fill(toks, tt.ps)
		if tt.err != "" {
			if err == nil || !strings.HasPrefix(err.Error(), tt.err) {
				t.Errorf("fill(%q) error %v, want %q", tt.dest, err, tt.err)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("fill(%q) = %q, %v; want %q", tt.dest, got, err, tt.want)
		}
	}
}

func TestQueryOrderAndEncoding(t *testing.T) {
	q := parseQuery("b=1&2=x&a=%E2%82%AC+y&1=z&bad=%zz&b=3")
	if got, want := q.encode(), "1=z&2=x&b=1&b=3&a=%E2%82%AC%20y&bad=%25zz"; got != want {
		t.Errorf("encode = %q, want %q", got, want)
	}
}
