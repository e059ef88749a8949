package e2e

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"
)

// appRouteCases mirror Next's test/e2e/app-dir/app-routes fixtures on the
// approutes app.
func appRouteCases() []httpCase {
	var cases []httpCase
	for _, m := range []string{"GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"} {
		cases = append(cases, httpCase{name: "basic " + m, method: m, path: "/basic/endpoint", status: 200, want: "hello, world",
			headers: map[string]string{"X-Method": m}})
	}
	return append(cases, []httpCase{
		{name: "basic HEAD", method: "HEAD", path: "/basic/endpoint", status: 200, want: "", headers: map[string]string{"X-Method": "HEAD"}},
		{name: "route group", path: "/basic/endpoint/nested", status: 200, want: `{"pathname":"/basic/endpoint/nested"}`,
			headers: map[string]string{"Content-Type": "application/json"}},
		{name: "dynamic params", path: "/basic/vercel/endpoint", status: 200, want: `{"tenantID":"vercel"}`},
		{name: "catch-all params", path: "/basic/vercel/some/other/resource", status: 200, want: `{"tenantID":"vercel","resource":["some","other","resource"]}`},
		{name: "405 with Allow", method: "POST", path: "/status/405", status: 405, want: "", headers: map[string]string{"Allow": "GET, HEAD, OPTIONS"}},
		{name: "unknown method", method: "HEADER", path: "/status/405", status: 400, want: ""},
		{name: "handler error", path: "/status/500", status: 500, want: ""},
		{name: "automatic HEAD", method: "HEAD", path: "/methods/head", status: 200, want: "", headers: map[string]string{"X-Method": "HEAD"}},
		{name: "automatic OPTIONS", method: "OPTIONS", path: "/methods/options", status: 204, want: "", headers: map[string]string{"Allow": "OPTIONS, POST"}},
		{name: "OPTIONS of GET route", method: "OPTIONS", path: "/status/405", status: 204, want: "", headers: map[string]string{"Allow": "GET, HEAD, OPTIONS"}},
		{name: "cookies", path: "/hooks/cookies", header: http.Header{"Cookie": {"ping=pong"}}, status: 200, want: `{"hasCookie":true,"ping":"pong"}`,
			headers: map[string]string{"Set-Cookie": "a=a; Path=/"}},
		{name: "headers", path: "/hooks/headers", header: http.Header{"X-Request-Meta": {`{"ping":"pong"}`}}, status: 200, want: `{"ping":"pong"}`},
		{name: "redirect", path: "/hooks/redirect", status: 307, want: "",
			headers: map[string]string{"Location": "https://nextjs.org/", "Set-Cookie": "before=redirect; Path=/"}},
		{name: "permanent redirect", path: "/hooks/permanent-redirect", status: 308, want: "", headers: map[string]string{"Location": "https://nextjs.org/"}},
		{name: "notFound", path: "/hooks/not-found?id=2", status: 404, want: ""},
		{name: "found", path: "/hooks/not-found?id=1", status: 200, want: "found"},
		{name: "unauthorized", path: "/hooks/forbidden", status: 401, want: ""},
		{name: "forbidden", path: "/hooks/forbidden", header: http.Header{"Authorization": {"Bearer x"}}, status: 403, want: ""},
		{name: "JSON body", method: "POST", path: "/advanced/body/json", body: `{"ping":"pong"}`, status: 200, want: `{"name":"","ping":"pong"}`},
		{name: "DELETE with a body", method: "DELETE", path: "/advanced/body/json", body: `{"name":"foo"}`, status: 200, want: "delete foo"},
		{name: "OPTIONS with a body", method: "OPTIONS", path: "/advanced/body/json", body: `{"name":"bar"}`, status: 200, want: "options bar"},
		{name: "invalid JSON body", method: "POST", path: "/advanced/body/json", body: `{"ping":`, status: 500, want: ""},
		{name: "text body", method: "POST", path: "/advanced/body/text", body: "hello, world", status: 200, want: "hello, world"},
		{name: "form body", method: "POST", path: "/advanced/body/form", header: http.Header{"Content-Type": {"application/x-www-form-urlencoded"}}, body: "name=gopher", status: 200, want: `{"name":"gopher"}`},
		{name: "query", path: "/advanced/query?ping=pong", status: 200, want: `{"ping":"pong"}`},
		{name: "no response", method: "POST", path: "/no-response", status: 500, want: ""},
		{name: "net/http method", path: "/plain", status: 200, want: "plain get"},
		{name: "middleware adds a request header", path: "/mw/echo", status: 200, want: "x-from-middleware=yes"},
		{name: "middleware rewrite", path: "/mw/rewrite", status: 200, want: "hello, world", devOnly: true},
		{name: "middleware answers early on a path no route serves", path: "/mw/early", status: 401, want: `{"error":"unauthorized"}`},
		{name: "middleware passes on a path no route serves", path: "/mw/nothing", status: 404, want: "Not Found"},
		{name: "middleware answers early on a route", path: "/mw/echo?deny=1", status: 403, want: `{"error":"denied"}`},
		{name: "middleware skips other paths", path: "/basic/endpoint", status: 200, want: "hello, world"},
		{name: "route trailing slash", path: "/basic/endpoint/", status: 308, want: "/basic/endpoint", headers: map[string]string{"Location": "/basic/endpoint"}},
	}...)
}

// TestDevAppRoutes runs the route-handler app under nextgo dev.
func TestDevAppRoutes(t *testing.T) {
	dir := copyApp(t, "approutes")
	s := startNextgo(t, "dev", dir, "/basic/endpoint")
	runCases(t, s.URL, appRouteCases(), false)
	t.Run("streaming", func(t *testing.T) { testStreaming(t, s.URL) })
	t.Run("big stream", func(t *testing.T) { testBigStream(t, s.URL) })
	t.Run("caching", func(t *testing.T) { testCaching(t, s.URL) })
	if !strings.Contains(s.Out.String(), "app/status/500/route.go") {
		t.Errorf("the 500's log does not name the route file:\n%s", s.Out.String())
	}
	if !strings.Contains(s.Out.String(), "app/no-response/route.go") {
		t.Errorf("the nil response's log does not name the route file:\n%s", s.Out.String())
	}
}

// testCaching checks Next 15+ GET caching: revalidate, force-static and a
// route that exports POST.
func testCaching(t *testing.T, base string) {
	now := func(path string, header http.Header) (string, *http.Response) {
		resp, body := do(t, "GET", base+path, header, nil)
		var v struct{ Now string }
		if err := json.Unmarshal([]byte(body), &v); err != nil {
			t.Fatalf("%s: %q: %v", path, body, err)
		}
		return v.Now, resp
	}
	first, resp := now("/revalidate-1", nil)
	if got := resp.Header.Get("x-nextjs-cache"); got != "MISS" {
		t.Errorf("first revalidate-1: x-nextjs-cache %q, want MISS", got)
	}
	if got := resp.Header.Get("Cache-Control"); got != "s-maxage=1, stale-while-revalidate=31535999" {
		t.Errorf("Cache-Control = %q", got)
	}
	again, resp := now("/revalidate-1", nil)
	if again != first || resp.Header.Get("x-nextjs-cache") != "HIT" {
		t.Errorf("second revalidate-1: now %s (first %s), cache %q; want the cached HIT", again, first, resp.Header.Get("x-nextjs-cache"))
	}
	// After the revalidate window: a STALE answer, then fresh data.
	time.Sleep(1100 * time.Millisecond)
	stale, resp := now("/revalidate-1", nil)
	if stale != first || resp.Header.Get("x-nextjs-cache") != "STALE" {
		t.Errorf("after 1s: now %s cache %q; want the old value, STALE", stale, resp.Header.Get("x-nextjs-cache"))
	}
	waitFor(t, 10*time.Second, "regenerated data", func() bool {
		v, _ := now("/revalidate-1", nil)
		return v != first
	})

	// force-static strips query, headers and cookies, and caches.
	resp, body := do(t, "GET", base+"/force-static?query=true", http.Header{"Accept": {"application/json"}, "Cookie": {"session=true"}}, nil)
	var fs struct {
		Query, Accept, Now string
		Session            bool
	}
	if err := json.Unmarshal([]byte(body), &fs); err != nil {
		t.Fatal(err)
	}
	if fs.Query != "" || fs.Accept != "" || fs.Session {
		t.Errorf("force-static saw request data: %s", body)
	}
	if got := resp.Header.Get("Cache-Control"); got != "s-maxage=31536000" {
		t.Errorf("force-static Cache-Control = %q", got)
	}
	n1, _ := now("/force-static", nil)
	if n1 != fs.Now {
		t.Errorf("force-static not cached: %s then %s", fs.Now, n1)
	}
	// On-demand revalidation from an API route.
	resp, body = do(t, "GET", base+"/api/revalidate?path=/force-static", nil, nil)
	if resp.StatusCode != 200 || body != `{"revalidated":true}` {
		t.Fatalf("revalidate: %d %s", resp.StatusCode, body)
	}
	n2, resp := now("/force-static", nil)
	if n2 == n1 {
		t.Errorf("force-static still cached after Revalidate")
	}
	if got := resp.Header.Get("x-nextjs-cache"); got != "MISS" {
		t.Errorf("after Revalidate: x-nextjs-cache %q, want MISS", got)
	}
	if n3, resp := now("/force-static", nil); n3 != n2 || resp.Header.Get("x-nextjs-cache") != "HIT" {
		t.Errorf("after the regeneration: now %s (regenerated %s), cache %q; want the new value, HIT", n3, n2, resp.Header.Get("x-nextjs-cache"))
	}
	// On-demand revalidation from a route handler.
	resp, body = do(t, "POST", base+"/revalidate-path?path=/force-static", nil, nil)
	if resp.StatusCode != 200 || body != `{"revalidated":true}` {
		t.Fatalf("revalidate-path: %d %s", resp.StatusCode, body)
	}
	n4, resp := now("/force-static", nil)
	if n4 == n2 || resp.Header.Get("x-nextjs-cache") != "MISS" {
		t.Errorf("after RevalidatePath: now %s (before %s), cache %q; want a new value, MISS", n4, n2, resp.Header.Get("x-nextjs-cache"))
	}
	if n5, resp := now("/force-static", nil); n5 != n4 || resp.Header.Get("x-nextjs-cache") != "HIT" {
		t.Errorf("after the regeneration: now %s (regenerated %s), cache %q; want the new value, HIT", n5, n4, resp.Header.Get("x-nextjs-cache"))
	}

	// A route that exports POST is never cached.
	seen := map[string]bool{}
	for i := 0; i < 3; i++ {
		v, resp := now("/post-route", nil)
		seen[v] = true
		if resp.Header.Get("x-nextjs-cache") != "" || resp.Header.Get("Cache-Control") != "" {
			t.Errorf("post-route has cache headers: %v", resp.Header)
		}
	}
	if len(seen) != 3 {
		t.Errorf("post-route answered from a cache: %v", seen)
	}
}
