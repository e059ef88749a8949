package server

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nextgo-dev/nextgo/runtime/cache"
	"github.com/nextgo-dev/nextgo/runtime/navigation"
)

// clock is a settable time source for the cache.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// reporting returns a GET that counts its calls and reports what request
// data it saw.
func reporting(n *atomic.Int32) Method {
	return Func(func(req *Request) (*Response, error) {
		_, hasSession := Cookies(req.Context()).Get("session")
		return Text(fmt.Sprintf("n=%d method=%s url=%s query=%q accept=%q/%q cookie=%v/%d body=%q",
			n.Add(1), req.Method, req.NextURL(), req.URL.RawQuery,
			req.Header.Get("Accept"), Headers(req.Context()).Get("Accept"),
			hasSession, len(req.Cookies()), mustText(req))), nil
	})
}

func mustText(req *Request) string {
	s, _ := req.Text()
	return s
}

type cachingApp struct {
	t     *testing.T
	clock *clock
	store *cache.Cache
	url   string
	host  string
	log   *logBuffer
}

func newCachingApp(t *testing.T, routes map[string]Route) *cachingApp {
	a := &cachingApp{t: t, clock: &clock{t: time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)}}
	a.store = cache.New(cache.WithClock(a.clock.now))
	log, buf := testLogger()
	a.log = buf
	mux := http.NewServeMux()
	for path, r := range routes {
		r.Cache = a.store
		r.Logger = log
		mux.Handle(path, NewHandler(r))
	}
	srv := serve(t, mux)
	a.url = srv.URL
	a.host = strings.TrimPrefix(srv.URL, "http://")
	return a
}

func (a *cachingApp) get(path string, hdr ...string) result {
	a.t.Helper()
	return do(a.t, a.url+path, "GET", "", hdr...)
}

func TestCachedRevalidate(t *testing.T) {
	var n atomic.Int32
	a := newCachingApp(t, map[string]Route{
		"/api/rev": {File: "app/api/rev/route.go", Config: Config{Revalidate: 60}, GET: reporting(&n)},
	})
	first := fmt.Sprintf(`n=1 method=GET url=http://%s/api/rev query="" accept=""/"" cookie=false/0 body=""`, a.host)
	cc := "s-maxage=60, stale-while-revalidate=31535940"
	a.get("/api/rev?x=1", "Accept", "application/json", "Cookie", "session=1").check(t, 200, first,
		map[string]string{"X-Nextjs-Cache": "MISS", "Cache-Control": cc, "Content-Type": "text/plain;charset=UTF-8"})
	a.get("/api/rev?other=2").check(t, 200, first, map[string]string{"X-Nextjs-Cache": "HIT", "Cache-Control": cc, "Content-Length": fmt.Sprint(len(first))})
	do(t, a.url+"/api/rev", "HEAD", "").check(t, 200, "", map[string]string{"X-Nextjs-Cache": "HIT", "Content-Length": fmt.Sprint(len(first))})

	a.clock.advance(60 * time.Second)
	a.get("/api/rev").check(t, 200, first, map[string]string{"X-Nextjs-Cache": "HIT"})
	a.clock.advance(time.Second)
	a.get("/api/rev").check(t, 200, first, map[string]string{"X-Nextjs-Cache": "STALE", "Cache-Control": cc})
	a.store.Wait()
	second := strings.Replace(first, "n=1", "n=2", 1)
	a.get("/api/rev").check(t, 200, second, map[string]string{"X-Nextjs-Cache": "HIT"})
	if n.Load() != 2 {
		t.Errorf("handler ran %d times", n.Load())
	}
}

func TestCachedForceStatic(t *testing.T) {
	var n, m atomic.Int32
	a := newCachingApp(t, map[string]Route{
		"/static":  {File: "app/static/route.go", Config: Config{Dynamic: ForceStatic}, GET: reporting(&n)},
		"/dynamic": {File: "app/dynamic/route.go", Config: Config{Dynamic: ForceStatic}, GET: reporting(&m), POST: reporting(&m)},
	})
	// 13.12: the handler sees the URL without its query, no headers, no cookies.
	want := fmt.Sprintf(`n=1 method=GET url=http://%s/static query="" accept=""/"" cookie=false/0 body=""`, a.host)
	a.get("/static?query=true", "Accept", "application/json", "Cookie", "session=true").check(t, 200, want,
		map[string]string{"X-Nextjs-Cache": "MISS", "Cache-Control": "s-maxage=31536000"})
	a.clock.advance(10 * 365 * 24 * time.Hour)
	a.get("/static").check(t, 200, want, map[string]string{"X-Nextjs-Cache": "HIT", "Cache-Control": "s-maxage=31536000"})

	// With a POST export the route is not cached, but ForceStatic still
	// strips every method's request (the body stays).
	a.get("/dynamic?query=true", "Accept", "application/json", "Cookie", "session=true").check(t, 200,
		fmt.Sprintf(`n=1 method=GET url=http://%s/dynamic query="" accept=""/"" cookie=false/0 body=""`, a.host),
		map[string]string{"X-Nextjs-Cache": "<absent>", "Cache-Control": "<absent>"})
	do(t, a.url+"/dynamic?q=1", "POST", "payload", "Accept", "x", "Cookie", "session=1").check(t, 200,
		fmt.Sprintf(`n=2 method=POST url=http://%s/dynamic query="" accept=""/"" cookie=false/0 body="payload"`, a.host),
		map[string]string{"X-Nextjs-Cache": "<absent>", "Cache-Control": "<absent>"})
}

func TestNotCached(t *testing.T) {
	var a1, a2, a3, a4 atomic.Int32
	a := newCachingApp(t, map[string]Route{
		"/auto":         {File: "app/auto/route.go", GET: reporting(&a1)},
		"/post":         {File: "app/post/route.go", Config: Config{Revalidate: 60}, GET: reporting(&a2), POST: reporting(&a2)},
		"/forcedynamic": {File: "app/fd/route.go", Config: Config{Dynamic: ForceDynamic, Revalidate: 60}, GET: reporting(&a3)},
		"/options":      {File: "app/o/route.go", Config: Config{Dynamic: Error}, GET: reporting(&a4), OPTIONS: text("o")},
	})
	for _, p := range []string{"/auto", "/post", "/forcedynamic", "/options"} {
		for i := 1; i <= 2; i++ {
			r := a.get(p+"?q=1", "Accept", "a/b")
			if !strings.HasPrefix(r.body, fmt.Sprintf("n=%d ", i)) || !strings.Contains(r.body, `query="q=1" accept="a/b"/"a/b"`) {
				t.Errorf("%s request %d: %s", p, i, r.body)
			}
			r.check(t, 200, r.body, map[string]string{"X-Nextjs-Cache": "<absent>", "Cache-Control": "<absent>"})
		}
	}
	// POST is never cached either (13.3).
	for i := 3; i <= 4; i++ {
		r := do(t, a.url+"/post", "POST", "")
		if !strings.HasPrefix(r.body, fmt.Sprintf("n=%d ", i)) {
			t.Errorf("POST %d: %s", i, r.body)
		}
	}
}

func TestCachedDetails(t *testing.T) {
	var gen, streamed, failing, missing, own, httpForm, errMode atomic.Int32
	a := newCachingApp(t, map[string]Route{
		"/cookies": {File: "app/cookies/route.go", Config: Config{Dynamic: ForceStatic}, GET: Func(func(req *Request) (*Response, error) {
			Cookies(req.Context()).Set("theme", "light")
			return Text(fmt.Sprint(gen.Add(1))).SetCookie(&http.Cookie{Name: "my_company", Value: "ACME"}), nil
		})},
		"/stream": {File: "app/stream/route.go", Config: Config{Revalidate: 10}, GET: Func(func(*Request) (*Response, error) {
			n := streamed.Add(1)
			return Stream(func(w io.Writer) error {
				_, err := fmt.Fprintf(w, "chunk-%d;", n)
				if err == nil {
					_, err = fmt.Fprintf(w, "chunk-%d", n)
				}
				return err
			}), nil
		})},
		"/failing": {File: "app/failing/route.go", Config: Config{Revalidate: 10}, GET: Func(func(*Request) (*Response, error) {
			if failing.Add(1) == 1 {
				return nil, fmt.Errorf("first call fails")
			}
			return Text("recovered"), nil
		})},
		"/missing": {File: "app/missing/route.go", Config: Config{Dynamic: ForceStatic}, GET: Func(func(*Request) (*Response, error) {
			missing.Add(1)
			navigation.NotFound()
			return nil, nil
		})},
		"/own": {File: "app/own/route.go", Config: Config{Revalidate: 5}, GET: Func(func(*Request) (*Response, error) {
			own.Add(1)
			return JSON("x", Init{Headers: http.Header{"Cache-Control": {"public, max-age=5"}}}), nil
		})},
		"/http": {File: "app/http/route.go", Config: Config{Dynamic: ForceStatic}, GET: HTTP(func(w http.ResponseWriter, r *http.Request) {
			_, _ = fmt.Fprintf(w, "http-%d q=%q", httpForm.Add(1), r.URL.RawQuery)
		})},
		"/error": {File: "app/error/route.go", Config: Config{Dynamic: Error}, GET: reporting(&errMode)},
		"/year":  {File: "app/year/route.go", Config: Config{Revalidate: ExpireTime}, GET: text("y")},
		"/more":  {File: "app/more/route.go", Config: Config{Revalidate: ExpireTime + 1}, GET: text("m")},
	})

	// Set-Cookie of a generation is kept (13.18): both the jar's and the response's.
	a.get("/cookies").check(t, 200, "1", map[string]string{"X-Nextjs-Cache": "MISS", "Set-Cookie": "my_company=ACME; Path=/\ntheme=light; Path=/"})
	a.get("/cookies").check(t, 200, "1", map[string]string{"X-Nextjs-Cache": "HIT", "Set-Cookie": "my_company=ACME; Path=/\ntheme=light; Path=/"})

	// A streamed body is buffered into the entry and served with its length.
	a.get("/stream").check(t, 200, "chunk-1;chunk-1", map[string]string{"X-Nextjs-Cache": "MISS", "Content-Length": "15"})
	a.get("/stream").check(t, 200, "chunk-1;chunk-1", map[string]string{"X-Nextjs-Cache": "HIT", "Content-Length": "15"})

	// A failed generation is a 500 and stores nothing.
	a.get("/failing").check(t, 500, "", map[string]string{"X-Nextjs-Cache": "<absent>"})
	if !strings.Contains(a.log.String(), `err="first call fails"`) {
		t.Errorf("failure not logged:\n%s", a.log)
	}
	a.get("/failing").check(t, 200, "recovered", map[string]string{"X-Nextjs-Cache": "MISS"})

	// notFound() in a static route: the 404 is what is cached, as Next
	// stores any status.
	a.get("/missing").check(t, 404, "", map[string]string{"X-Nextjs-Cache": "MISS", "Cache-Control": "s-maxage=31536000"})
	a.get("/missing").check(t, 404, "", map[string]string{"X-Nextjs-Cache": "HIT"})

	// The handler's own Cache-Control is kept (13.6).
	a.get("/own").check(t, 200, `"x"`, map[string]string{"Cache-Control": "public, max-age=5", "X-Nextjs-Cache": "MISS"})
	a.get("/own").check(t, 200, `"x"`, map[string]string{"Cache-Control": "public, max-age=5", "X-Nextjs-Cache": "HIT"})

	// The net/http form is cached alike, from the stripped request.
	a.get("/http?a=1").check(t, 200, `http-1 q=""`, map[string]string{"X-Nextjs-Cache": "MISS", "Cache-Control": "s-maxage=31536000"})
	a.get("/http?a=2").check(t, 200, `http-1 q=""`, map[string]string{"X-Nextjs-Cache": "HIT"})

	// Dynamic Error is static too.
	a.get("/error?x=1", "Accept", "a").check(t, 200,
		fmt.Sprintf(`n=1 method=GET url=http://%s/error query="" accept=""/"" cookie=false/0 body=""`, a.host),
		map[string]string{"X-Nextjs-Cache": "MISS", "Cache-Control": "s-maxage=31536000"})

	// Revalidate at or past the expire time: no stale-while-revalidate.
	a.get("/year").check(t, 200, "y", map[string]string{"Cache-Control": "s-maxage=31536000"})
	a.get("/more").check(t, 200, "m", map[string]string{"Cache-Control": "s-maxage=31536001"})

	if gen.Load() != 1 || streamed.Load() != 1 || missing.Load() != 1 || own.Load() != 1 || httpForm.Load() != 1 {
		t.Errorf("generations: %d %d %d %d %d", gen.Load(), streamed.Load(), missing.Load(), own.Load(), httpForm.Load())
	}
}

func TestRevalidatePath(t *testing.T) {
	var n atomic.Int32
	a := newCachingApp(t, map[string]Route{
		"/items/{slug}": {File: "app/items/[slug]/route.go", Config: Config{Revalidate: 3600}, GET: Func(func(req *Request) (*Response, error) {
			return Text(fmt.Sprintf("%s-%d", req.PathValue("slug"), n.Add(1))), nil
		})},
		"/purge": {File: "app/purge/route.go", POST: Func(func(req *Request) (*Response, error) {
			if err := RevalidatePath(req.Context(), req.URL.Query().Get("path")); err != nil {
				return JSON(map[string]string{"error": err.Error()}, Init{Status: 400}), nil
			}
			return JSON(map[string]bool{"revalidated": true}), nil
		})},
	})
	a.get("/items/a").check(t, 200, "a-1", map[string]string{"X-Nextjs-Cache": "MISS"})
	a.get("/items/b").check(t, 200, "b-2", map[string]string{"X-Nextjs-Cache": "MISS"})
	a.get("/items/a").check(t, 200, "a-1", map[string]string{"X-Nextjs-Cache": "HIT"})
	do(t, a.url+"/purge?path=/items/a", "POST", "").check(t, 200, `{"revalidated":true}`, nil)
	a.get("/items/a").check(t, 200, "a-3", map[string]string{"X-Nextjs-Cache": "MISS"}) // Next 16: MISS, then HIT
	a.get("/items/a").check(t, 200, "a-3", map[string]string{"X-Nextjs-Cache": "HIT"})
	a.get("/items/b").check(t, 200, "b-2", map[string]string{"X-Nextjs-Cache": "HIT"})
	do(t, a.url+"/purge?path=items", "POST", "").check(t, 400,
		`{"error":"Invalid urlPath provided to revalidate(), must be a path e.g. /blog/post-1, received items"}`, nil)
}

func TestCachedWithoutStore(t *testing.T) {
	var n atomic.Int32
	h := NewHandler(Route{File: "app/s/route.go", Config: Config{Revalidate: 30}, GET: reporting(&n)})
	srv := serve(t, h)
	host := strings.TrimPrefix(srv.URL, "http://")
	for i := 1; i <= 2; i++ {
		do(t, srv.URL+"/s?q=1", "GET", "", "Accept", "x").check(t, 200,
			fmt.Sprintf(`n=%d method=GET url=http://%s/s query="" accept=""/"" cookie=false/0 body=""`, i, host),
			map[string]string{"Cache-Control": "s-maxage=30, stale-while-revalidate=31535970", "X-Nextjs-Cache": "<absent>"})
	}
	do(t, srv.URL+"/s", "HEAD", "").check(t, 200, "", map[string]string{"Cache-Control": "s-maxage=30, stale-while-revalidate=31535970"})
}

// TestCachedOuterCacheControl: a Cache-Control already on the response (a
// config header) is not overwritten.
func TestCachedOuterCacheControl(t *testing.T) {
	h := NewHandler(Route{File: "app/x/route.go", Config: Config{Dynamic: ForceStatic}, GET: text("x"), Cache: cache.New()})
	outer := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-store")
		h.ServeHTTP(w, r)
	})
	do(t, serve(t, outer).URL, "GET", "").check(t, 200, "x", map[string]string{"Cache-Control": "no-store", "X-Nextjs-Cache": "MISS"})
}

func TestConcurrentCachedRequests(t *testing.T) {
	var n atomic.Int32
	release := make(chan struct{})
	a := newCachingApp(t, map[string]Route{
		"/slow": {File: "app/slow/route.go", Config: Config{Dynamic: ForceStatic}, GET: Func(func(*Request) (*Response, error) {
			<-release
			return Text(fmt.Sprint(n.Add(1))), nil
		})},
	})
	var wg sync.WaitGroup
	results := make(chan result, 4)
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results <- a.get("/slow")
		}()
	}
	close(release)
	wg.Wait()
	close(results)
	for r := range results {
		if r.status != 200 || r.body == "" {
			t.Errorf("%d %q", r.status, r.body)
		}
	}
	a.get("/slow").check(t, 200, a.get("/slow").body, map[string]string{"X-Nextjs-Cache": "HIT"})
}

// A cached dynamic route driven with long slugs keeps its store within its
// budget: keys are counted, and an entry larger than the budget is served
// but not kept.
func TestCachedLongKeysStayInBudget(t *testing.T) {
	const budget = 256 << 10
	store := cache.New(cache.WithMaxBytes(budget))
	mem := store.Store().(*cache.Memory)
	mux := http.NewServeMux()
	mux.Handle("/items/{slug}", NewHandler(Route{File: "app/items/[slug]/route.go", Config: Config{Revalidate: 60}, Cache: store,
		GET: Func(func(req *Request) (*Response, error) { return Text("ok"), nil })}))
	for i := range 40 {
		slug := strings.Repeat(string(rune('a'+i%26)), 50<<10) + fmt.Sprint(i)
		w := httptest.NewRecorder()
		mux.ServeHTTP(w, httptest.NewRequest("GET", "/items/"+slug, nil))
		if w.Code != 200 || w.Body.String() != "ok" || w.Header().Get("X-Nextjs-Cache") != "MISS" {
			t.Fatalf("request %d: %d %q %q", i, w.Code, w.Body.String(), w.Header().Get("X-Nextjs-Cache"))
		}
		if mem.Size() > budget {
			t.Fatalf("after %d requests the store accounts %d bytes, over its %d budget", i+1, mem.Size(), budget)
		}
	}
	if n := mem.Len(); n != 5 { // about 51 KB each (mostly the key): five fit in 256 KB
		t.Errorf("%d entries held, want 5", n)
	}
	huge := "/items/" + strings.Repeat("h", budget)
	for range 2 {
		w := httptest.NewRecorder()
		mux.ServeHTTP(w, httptest.NewRequest("GET", huge, nil))
		if w.Code != 200 || w.Header().Get("X-Nextjs-Cache") != "MISS" {
			t.Fatalf("oversized key: %d %q", w.Code, w.Header().Get("X-Nextjs-Cache"))
		}
	}
}
