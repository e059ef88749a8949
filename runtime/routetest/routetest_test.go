package routetest

import (
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/nextgo-dev/nextgo/runtime/api"
	"github.com/nextgo-dev/nextgo/runtime/server"
)

// post is an API route like pages/api/post/[pid].go.
func post(req *api.Request, res *api.Response) {
	switch req.Method {
	case http.MethodPost:
		var in struct{ Title string }
		if err := req.Decode(&in); err != nil {
			res.Status(400).JSON(map[string]string{"error": err.Error()})
			return
		}
		res.Header().Set("X-Pid", req.Query.Get("pid"))
		res.Status(201).JSON(map[string]string{"title": in.Title, "pid": req.Query.Get("pid")})
	default:
		if req.Query.Get("pid") == "panic" {
			panic("boom")
		}
		res.Status(200).JSON(req.Query)
	}
}

type want struct {
	status  int
	body    string
	headers map[string]string
}

func check(t *testing.T, res *Response, w want) {
	t.Helper()
	if res.Status != w.status || res.Text() != w.body {
		t.Errorf("got %d %q, want %d %q", res.Status, res.Text(), w.status, w.body)
	}
	for k, v := range w.headers {
		if got := strings.Join(res.Header.Values(k), "|"); got != v {
			t.Errorf("header %s = %q, want %q", k, got, v)
		}
	}
}

func TestAPI(t *testing.T) {
	rt := API(t, "/api/post/[pid]", post, api.Config{})
	tests := []struct {
		name string
		req  Request
		want want
	}{
		{"params from the path", Request{Path: "/api/post/42"}, want{200, `{"pid":"42"}`, map[string]string{"Content-Type": "application/json; charset=utf-8"}}},
		{"params and query", Request{Path: "/api/post/42?draft=1&tag=a&tag=b"}, want{200, `{"draft":"1","tag":["a","b"],"pid":"42"}`, nil}},
		{"decoded once", Request{Path: "/api/post/a%2Fb"}, want{200, `{"pid":"a/b"}`, nil}},
		{"JSON body", Request{Method: "POST", Path: "/api/post/7", JSON: map[string]string{"title": "hi"}}, want{201, `{"pid":"7","title":"hi"}`, map[string]string{"X-Pid": "7"}}},
		{"raw body", Request{Method: "POST", Path: "/api/post/7", Header: http.Header{"Content-Type": {"application/json"}}, Body: strings.NewReader(`{"title":`)}, want{400, "Invalid JSON", nil}},
		{"body of unknown length", Request{Method: "POST", Path: "/api/post/7", Header: http.Header{"Content-Type": {"application/json"}}, Body: io.MultiReader(strings.NewReader(`{"title":"x"}`))}, want{201, `{"pid":"7","title":"x"}`, nil}},
		{"explicit params", Request{Path: "/anything", Params: []router_Param{Param("pid", "p1")}}, want{200, `{"pid":"p1"}`, nil}},
		{"wrong path", Request{Path: "/api/other/1"}, want{404, "Not Found", nil}},
		{"trailing slash", Request{Path: "/api/post/1/"}, want{308, "/api/post/1", map[string]string{"Location": "/api/post/1"}}},
		{"panic", Request{Path: "/api/post/panic"}, want{500, "Internal Server Error", nil}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { check(t, rt.Do(tt.req), tt.want) })
	}
}

func TestAPICatchAll(t *testing.T) {
	rt := API(t, "/api/files/[...path]", func(req *api.Request, res *api.Response) { res.JSON(req.Query) }, api.Config{})
	check(t, rt.Get("/api/files/a/b"), want{200, `{"path":["a","b"]}`, nil})
	check(t, rt.Do(Request{Params: []router_Param{CatchAll("path", "x", "y")}}), want{200, `{"path":["x","y"]}`, nil})
}

func TestAPIHandler(t *testing.T) {
	rt := APIHandler(t, "/api/plain", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.SetCookie(w, &http.Cookie{Name: "seen", Value: "1"})
		io.WriteString(w, r.Method+" "+r.URL.String())
	}), api.Config{})
	res := rt.Do(Request{Method: "PUT"})
	check(t, res, want{200, "PUT /api/plain", nil})
	if cs := res.Cookies(); len(cs) != 1 || cs[0].Name != "seen" || cs[0].Value != "1" {
		t.Errorf("cookies = %v", cs)
	}
}

func TestMaxDuration(t *testing.T) {
	release := make(chan struct{})
	defer close(release)
	rt := API(t, "/api/slow", func(req *api.Request, res *api.Response) {
		<-release // ignores its context: the dispatcher answers 504 on time
	}, api.Config{MaxDuration: 1})
	check(t, rt.Get("/api/slow"), want{504, "Gateway Timeout", nil})
}

func TestServer(t *testing.T) {
	get := func(req *server.Request) (*server.Response, error) {
		return server.JSON(map[string]string{"slug": req.Param("slug"), "q": req.NextURL().Query().Get("q")}), nil
	}
	postFn := func(req *server.Request) (*server.Response, error) {
		var in map[string]any
		if err := req.JSON(&in); err != nil {
			return server.JSON(map[string]string{"error": "bad json"}, server.Init{Status: 400}), nil
		}
		server.Cookies(req.Context()).Set("made", "yes")
		return server.JSON(in, server.Init{Status: 201}), nil
	}
	rt := Server(t, "/api/items/[slug]", server.Route{GET: server.Func(get), POST: server.Func(postFn)})
	tests := []struct {
		name string
		req  Request
		want want
	}{
		{"GET", Request{Path: "/api/items/shoe?q=red"}, want{200, `{"q":"red","slug":"shoe"}`, map[string]string{"Content-Type": "application/json"}}},
		{"POST", Request{Method: "POST", Path: "/api/items/shoe", JSON: map[string]int{"n": 1}}, want{201, `{"n":1}`, map[string]string{"Set-Cookie": "made=yes; Path=/"}}},
		{"bad JSON", Request{Method: "POST", Path: "/api/items/shoe", Body: strings.NewReader("{")}, want{400, `{"error":"bad json"}`, nil}},
		{"method not exported", Request{Method: "DELETE", Path: "/api/items/shoe"}, want{405, "", map[string]string{"Allow": "GET, HEAD, OPTIONS, POST"}}},
		{"HEAD from GET", Request{Method: "HEAD", Path: "/api/items/shoe"}, want{200, "", nil}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { check(t, rt.Do(tt.req), tt.want) })
	}
}

// A cached route handler reports the cache as in nextgo dev.
func TestServerCache(t *testing.T) {
	n := 0
	rt := Server(t, "/api/time", server.Route{Config: server.Config{Dynamic: server.ForceStatic}, GET: server.Func(func(*server.Request) (*server.Response, error) {
		n++
		return server.Text("hello"), nil
	})})
	check(t, rt.Get("/api/time"), want{200, "hello", map[string]string{"X-Nextjs-Cache": "MISS"}})
	check(t, rt.Get("/api/time"), want{200, "hello", map[string]string{"X-Nextjs-Cache": "HIT"}})
	if n != 1 {
		t.Errorf("handler ran %d times, want 1", n)
	}
}

// Bad input fails the test that made it.
func TestBadInput(t *testing.T) {
	for name, fn := range map[string]func(tb testing.TB){
		"relative path": func(tb testing.TB) { API(tb, "/api/x", post, api.Config{}).Get("api/x") },
		"invalid config": func(tb testing.TB) {
			API(tb, "/api/x", post, api.Config{BodyParser: api.BodyParser{SizeLimit: "huge"}})
		},
		"bad pattern": func(tb testing.TB) { API(tb, "/api/[...a]/b", post, api.Config{}) },
		"unencodable": func(tb testing.TB) { API(tb, "/api/x", post, api.Config{}).Do(Request{JSON: func() {}}) },
	} {
		t.Run(name, func(t *testing.T) {
			rec := &recorder{TB: t}
			done := make(chan struct{})
			go func() { // Fatalf ends the goroutine it runs in
				defer close(done)
				fn(rec)
			}()
			select {
			case <-done:
			case <-time.After(10 * time.Second):
				t.Fatal("stuck")
			}
			if !rec.failed {
				t.Error("the test did not fail")
			}
		})
	}
}

// recorder notes a fatal failure instead of failing the real test.
type recorder struct {
	testing.TB
	failed bool
}

func (r *recorder) Fatalf(string, ...any) { r.failed = true; runtimeGoexit() }
func (r *recorder) Helper()               {}
