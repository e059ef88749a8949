package server

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/nextgo-dev/nextgo/runtime/navigation"
	"github.com/nextgo-dev/nextgo/runtime/router"
)

func TestAllow(t *testing.T) {
	tests := []struct {
		exported []string
		want     string
	}{
		{nil, "OPTIONS"},
		{[]string{"POST"}, "OPTIONS, POST"},
		{[]string{"GET"}, "GET, HEAD, OPTIONS"},
		{[]string{"HEAD"}, "HEAD, OPTIONS"},
		{[]string{"GET", "HEAD"}, "GET, HEAD, OPTIONS"},
		{[]string{"OPTIONS"}, "OPTIONS"},
		{[]string{"PATCH", "DELETE", "GET"}, "DELETE, GET, HEAD, OPTIONS, PATCH"},
		{[]string{"GET", "HEAD", "OPTIONS", "POST", "PUT", "DELETE", "PATCH"}, "DELETE, GET, HEAD, OPTIONS, PATCH, POST, PUT"},
	}
	for _, tt := range tests {
		if got := Allow(tt.exported...); got != tt.want {
			t.Errorf("Allow(%v) = %q, want %q", tt.exported, got, tt.want)
		}
	}
}

// echoMethod answers "<label> <request method>".
func echoMethod(label string) Method {
	return Func(func(req *Request) (*Response, error) {
		return Text(label+" "+req.Method, Init{Headers: http.Header{"X-Handler": {label}}}), nil
	})
}

func TestDispatch(t *testing.T) {
	getOnly := serve(t, NewHandler(Route{File: "app/get/route.go", GET: echoMethod("get")}))
	postOnly := serve(t, NewHandler(Route{File: "app/post/route.go", POST: echoMethod("post")}))
	all := serve(t, NewHandler(Route{
		File: "app/all/route.go",
		GET:  echoMethod("get"), HEAD: echoMethod("head"), OPTIONS: echoMethod("options"),
		POST: echoMethod("post"), PUT: echoMethod("put"), DELETE: echoMethod("delete"), PATCH: echoMethod("patch"),
	}))
	none := serve(t, NewHandler(Route{File: "app/none/route.go"}))

	tests := []struct {
		name    string
		srv     string
		method  string
		status  int
		body    string
		headers map[string]string
	}{
		{"GET exported", getOnly.URL, "GET", 200, "get GET", map[string]string{"Content-Type": "text/plain;charset=UTF-8", "Allow": "<absent>"}},
		{"HEAD from GET", getOnly.URL, "HEAD", 200, "", map[string]string{"X-Handler": "get", "Content-Length": "8", "Content-Type": "text/plain;charset=UTF-8"}},
		{"OPTIONS automatic", getOnly.URL, "OPTIONS", 204, "", map[string]string{"Allow": "GET, HEAD, OPTIONS", "X-Handler": "<absent>"}},
		{"POST not exported", getOnly.URL, "POST", 405, "", map[string]string{"Allow": "GET, HEAD, OPTIONS", "Content-Type": "<absent>"}},
		{"PUT not exported", getOnly.URL, "PUT", 405, "", map[string]string{"Allow": "GET, HEAD, OPTIONS"}},
		{"DELETE not exported", getOnly.URL, "DELETE", 405, "", map[string]string{"Allow": "GET, HEAD, OPTIONS"}},
		{"PATCH not exported", getOnly.URL, "PATCH", 405, "", map[string]string{"Allow": "GET, HEAD, OPTIONS"}},
		{"unknown method", getOnly.URL, "HEADER", 400, "", map[string]string{"Allow": "<absent>"}},
		{"valid but unsupported method", getOnly.URL, "PROPFIND", 400, "", nil},
		{"PURGE", getOnly.URL, "PURGE", 400, "", nil},
		{"lowercase method", getOnly.URL, "get", 400, "", nil},
		{"CONNECT-like", getOnly.URL, "TRACE", 400, "", nil},

		{"POST only: OPTIONS", postOnly.URL, "OPTIONS", 204, "", map[string]string{"Allow": "OPTIONS, POST"}},
		{"POST only: GET", postOnly.URL, "GET", 405, "", map[string]string{"Allow": "OPTIONS, POST"}},
		{"POST only: HEAD", postOnly.URL, "HEAD", 405, "", map[string]string{"Allow": "OPTIONS, POST"}},
		{"POST only: POST", postOnly.URL, "POST", 200, "post POST", nil},

		{"all: GET", all.URL, "GET", 200, "get GET", nil},
		{"all: explicit HEAD", all.URL, "HEAD", 200, "", map[string]string{"X-Handler": "head"}},
		{"all: explicit OPTIONS", all.URL, "OPTIONS", 200, "options OPTIONS", map[string]string{"Allow": "<absent>"}},
		{"all: POST", all.URL, "POST", 200, "post POST", nil},
		{"all: PUT", all.URL, "PUT", 200, "put PUT", nil},
		{"all: DELETE", all.URL, "DELETE", 200, "delete DELETE", nil},
		{"all: PATCH", all.URL, "PATCH", 200, "patch PATCH", nil},

		{"nothing exported: GET", none.URL, "GET", 405, "", map[string]string{"Allow": "OPTIONS"}},
		{"nothing exported: OPTIONS", none.URL, "OPTIONS", 204, "", map[string]string{"Allow": "OPTIONS"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			do(t, tt.srv, tt.method, "").check(t, tt.status, tt.body, tt.headers)
		})
	}
}

// TestDispatchUnit checks the dispatcher without a network, including
// methods an HTTP client would not send.
func TestDispatchUnit(t *testing.T) {
	h := NewHandler(Route{File: "app/x/route.go", GET: text("ok"), DELETE: text("gone")})
	for _, tt := range []struct {
		method string
		status int
		allow  string
	}{
		{"GET", 200, ""},
		{"DELETE", 200, ""},
		{"HEAD", 200, ""},
		{"OPTIONS", 204, "DELETE, GET, HEAD, OPTIONS"},
		{"POST", 405, "DELETE, GET, HEAD, OPTIONS"},
		{"PUT", 405, "DELETE, GET, HEAD, OPTIONS"},
		{"PATCH", 405, "DELETE, GET, HEAD, OPTIONS"},
		{"QUERY", 400, ""},
		{"", 400, ""},
		{"Get", 400, ""},
	} {
		rec := httptest.NewRecorder()
		r := httptest.NewRequest("GET", "/x", nil)
		r.Method = tt.method
		h.ServeHTTP(rec, r)
		if rec.Code != tt.status || rec.Header().Get("Allow") != tt.allow {
			t.Errorf("%q: %d Allow %q, want %d Allow %q", tt.method, rec.Code, rec.Header().Get("Allow"), tt.status, tt.allow)
		}
		if tt.status != 200 && rec.Body.Len() != 0 {
			t.Errorf("%q: body %q, want empty", tt.method, rec.Body)
		}
	}
}

func TestHandlerFailures(t *testing.T) {
	type point struct{ X, Y int }
	tests := []struct {
		name string
		fn   HandlerFunc
		logs []string
	}{
		{"error", func(*Request) (*Response, error) { return nil, errors.New("db is down") },
			[]string{"level=ERROR", `msg="error in app/f/route.go"`, "route=app/f/route.go", "method=GET", "path=/f", `err="db is down"`}},
		{"error with a response", func(*Request) (*Response, error) { return Text("partial"), errors.New("late failure") },
			[]string{`err="late failure"`}},
		{"panic", func(*Request) (*Response, error) { panic("kaboom") },
			[]string{`msg="panic in app/f/route.go"`, "panic=kaboom", "stack=", "handler_test.go"}},
		{"panic with error", func(*Request) (*Response, error) { panic(fmt.Errorf("wrapped: %w", io.EOF)) },
			[]string{`panic="wrapped: EOF"`}},
		{"nil response", func(*Request) (*Response, error) { return nil, nil },
			[]string{`msg="No response is returned from route handler 'app/f/route.go'. Ensure you return a *server.Response in all branches of your handler."`}},
		{"Next in a route handler", func(*Request) (*Response, error) { return Next(), nil },
			[]string{"server.Next() was used in a route handler ('app/f/route.go'), this is not supported", "https://nextjs.org/docs/messages/next-response-next-in-app-route-handler"}},
		{"Rewrite in a route handler", func(*Request) (*Response, error) { return Rewrite("/other"), nil },
			[]string{"server.Rewrite() was used in a route handler ('app/f/route.go'), this is not currently supported"}},
		{"unencodable JSON", func(*Request) (*Response, error) { return JSON(map[string]any{"c": make(chan int)}), nil },
			[]string{"server: JSON: json: unsupported type: chan int"}},
		{"unsupported body", func(*Request) (*Response, error) { return NewResponse(point{1, 2}), nil },
			[]string{"server: NewResponse: unsupported body type server.point"}},
		{"invalid status", func(*Request) (*Response, error) { return Text("x", Init{Status: 99}), nil },
			[]string{"server: invalid status 99"}},
		{"status too high", func(*Request) (*Response, error) { return NewResponse(nil, Init{Status: 600}), nil },
			[]string{"server: invalid status 600"}},
		{"body on 204", func(*Request) (*Response, error) { return JSON(point{}, Init{Status: 204}), nil },
			[]string{"server: a response with status 204 cannot have a body"}},
		{"body on 304", func(*Request) (*Response, error) { return NewResponse([]byte{}, Init{Status: 304}), nil },
			[]string{"status 304 cannot have a body"}},
		{"two inits", func(*Request) (*Response, error) { return Text("x", Init{}, Init{}), nil },
			[]string{"server: more than one Init"}},
		{"nil stream", func(*Request) (*Response, error) { return Stream(nil), nil },
			[]string{"server: Stream: nil function"}},
		{"redirect with CRLF", func(*Request) (*Response, error) { return Redirect("/a\r\nSet-Cookie: x=1"), nil },
			[]string{"server: Redirect: navigation: redirect URL", "contains a CR, LF or NUL"}},
		{"redirect with bad status", func(*Request) (*Response, error) { return Redirect("/a", 200), nil },
			[]string{"server: Redirect: invalid status code 200: want 301, 302, 303, 307 or 308"}},
		{"redirect with two statuses", func(*Request) (*Response, error) { return Redirect("/a", 301, 302), nil },
			[]string{"server: Redirect: more than one status"}},
		{"navigation redirect with CRLF", func(*Request) (*Response, error) { navigation.Redirect("/a\nb"); return nil, nil },
			[]string{"navigation: redirect URL"}},
		{"invalid cookie name", func(req *Request) (*Response, error) {
			Cookies(req.Context()).Set("bad name", "v")
			return Text("x"), nil
		}, []string{`server: invalid cookie name \"bad name\"`}},
		{"cookie path with semicolon", func(*Request) (*Response, error) {
			return Text("x").SetCookie(&http.Cookie{Name: "a", Value: "b", Path: "/; Domain=evil"}), nil
		}, []string{"server: invalid cookie path"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			log, buf := testLogger()
			h := NewHandler(Route{File: "app/f/route.go", GET: Func(tt.fn), Logger: log})
			srv := serve(t, h)
			do(t, srv.URL+"/f", "GET", "").check(t, 500, "", map[string]string{"Content-Type": "<absent>", "Set-Cookie": "<absent>"})
			for _, want := range tt.logs {
				if !strings.Contains(buf.String(), want) {
					t.Errorf("log lacks %q:\n%s", want, buf)
				}
			}
			// The server lives on.
			do(t, srv.URL+"/f", "OPTIONS", "").check(t, 204, "", nil)
		})
	}
}

func TestNavigation(t *testing.T) {
	route := func(f func(req *Request)) Method {
		return Func(func(req *Request) (*Response, error) {
			Cookies(req.Context()).Set("seen", "1")
			f(req)
			return Text("unreachable"), nil
		})
	}
	deep := func(n int, f func()) {
		var rec func(int)
		rec = func(i int) {
			if i == 0 {
				f()
				return
			}
			rec(i - 1)
		}
		rec(n)
	}
	h := NewHandler(Route{
		File: "app/nav/route.go",
		GET: route(func(req *Request) {
			switch req.URL.Query().Get("to") {
			case "redirect":
				deep(5, func() { navigation.Redirect("https://nextjs.org/") })
			case "permanent":
				navigation.PermanentRedirect("/new?x=1")
			case "notfound":
				deep(3, navigation.NotFound)
			}
		}),
		POST: route(func(req *Request) {
			if req.URL.Query().Get("to") == "permanent" {
				navigation.PermanentRedirect("/done")
			}
			navigation.Redirect("/done")
		}),
		PUT: Func(func(*Request) (*Response, error) { return nil, fmt.Errorf("lookup: %w", navigation.ErrNotFound) }),
		PATCH: Func(func(*Request) (*Response, error) {
			return nil, &navigation.RedirectError{URL: "/elsewhere", Status: 308}
		}),
	})
	srv := serve(t, h)
	cookie := "seen=1; Path=/"
	tests := []struct {
		name    string
		method  string
		query   string
		hdr     []string
		status  int
		headers map[string]string
	}{
		{"redirect", "GET", "?to=redirect", nil, 307, map[string]string{"Location": "https://nextjs.org/", "Set-Cookie": cookie, "Content-Type": "<absent>"}},
		{"permanent", "GET", "?to=permanent", nil, 308, map[string]string{"Location": "/new?x=1", "Set-Cookie": cookie, "Refresh": "<absent>"}},
		{"not found", "GET", "?to=notfound", nil, 404, map[string]string{"Set-Cookie": cookie, "Content-Type": "<absent>"}},
		{"HEAD not found", "HEAD", "?to=notfound", nil, 404, nil},
		{"POST JSON", "POST", "", []string{"Content-Type", "application/json"}, 307, map[string]string{"Location": "/done"}},
		{"form POST", "POST", "", []string{"Content-Type", "application/x-www-form-urlencoded"}, 303, map[string]string{"Location": "/done", "Set-Cookie": cookie}},
		{"form POST permanent", "POST", "?to=permanent", []string{"Content-Type", "application/x-www-form-urlencoded"}, 303, map[string]string{"Location": "/done"}},
		{"form POST with charset", "POST", "", []string{"Content-Type", "application/x-www-form-urlencoded; charset=utf-8"}, 307, nil},
		{"multipart POST", "POST", "", []string{"Content-Type", "multipart/form-data; boundary=x"}, 303, nil},
		{"Next-Action POST", "POST", "", []string{"Next-Action", "abc"}, 303, nil},
		{"returned not found", "PUT", "", nil, 404, nil},
		{"returned redirect", "PATCH", "", nil, 308, map[string]string{"Location": "/elsewhere"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body := ""
			if tt.method == "POST" {
				body = "a=1"
			}
			do(t, srv.URL+"/nav"+tt.query, tt.method, body, tt.hdr...).check(t, tt.status, "", tt.headers)
		})
	}
}

func TestHTTPForm(t *testing.T) {
	log, buf := testLogger()
	h := NewHandler(Route{
		File:   "app/items/[slug]/route.go",
		Logger: log,
		GET: HTTP(func(w http.ResponseWriter, r *http.Request) {
			Cookies(r.Context()).Set("visited", r.PathValue("slug"))
			switch r.URL.Query().Get("case") {
			case "notfound":
				navigation.NotFound()
			case "panic":
				panic("http panic")
			case "silent":
				return
			case "late-panic":
				w.WriteHeader(200)
				_, _ = io.WriteString(w, "started")
				panic("too late")
			}
			w.Header().Set("Content-Type", "text/plain")
			_, _ = fmt.Fprintf(w, "slug=%s params=%s ua=%s", r.PathValue("slug"), router.ParamsFrom(r.Context()).Get("slug"), Headers(r.Context()).Get("User-Agent"))
		}),
	})
	srv := serve(t, withParams(h, router.Params{{Name: "slug", Values: []string{"a b"}}}))
	do(t, srv.URL, "GET", "", "User-Agent", "tester").check(t, 200, "slug=a b params=a b ua=tester",
		map[string]string{"Set-Cookie": "visited=a%20b; Path=/", "Content-Type": "text/plain"})
	do(t, srv.URL, "HEAD", "").check(t, 200, "", map[string]string{"Set-Cookie": "visited=a%20b; Path=/"})
	do(t, srv.URL+"?case=notfound", "GET", "").check(t, 404, "", map[string]string{"Set-Cookie": "visited=a%20b; Path=/"})
	do(t, srv.URL+"?case=silent", "GET", "").check(t, 200, "", map[string]string{"Set-Cookie": "visited=a%20b; Path=/"})
	do(t, srv.URL+"?case=panic", "GET", "").check(t, 500, "", map[string]string{"Set-Cookie": "<absent>"})
	if !strings.Contains(buf.String(), "panic=\"http panic\"") || !strings.Contains(buf.String(), "route=app/items/[slug]/route.go") {
		t.Errorf("log:\n%s", buf)
	}

	// A panic after the response started cuts the connection: the client
	// sees an error or a truncated body, never a clean success.
	resp, err := http.Get(srv.URL + "?case=late-panic")
	if err == nil {
		_, err = io.ReadAll(resp.Body)
		resp.Body.Close()
	}
	if err == nil {
		t.Error("late panic: the response ended cleanly")
	}
	if !strings.Contains(buf.String(), "after the response started") {
		t.Errorf("late panic not logged:\n%s", buf)
	}
}

func TestBodySizeLimit(t *testing.T) {
	echo := Func(func(req *Request) (*Response, error) {
		var v map[string]string
		if err := req.JSON(&v); err != nil {
			return nil, err
		}
		return Text(v["s"]), nil
	})
	limited := serve(t, NewHandler(Route{File: "app/l/route.go", Config: Config{BodySizeLimit: "1kb"}, POST: echo}))
	unlimited := serve(t, NewHandler(Route{File: "app/u/route.go", POST: echo}))
	body := func(n int) string { return `{"s":"` + strings.Repeat("x", n-8) + `"}` }

	do(t, limited.URL, "POST", body(1024)).check(t, 200, strings.Repeat("x", 1016), nil)
	do(t, limited.URL, "POST", body(1025)).check(t, 413, "Body exceeded 1kb limit", map[string]string{"Content-Type": "<absent>"})
	do(t, unlimited.URL, "POST", body(2<<20)).check(t, 200, strings.Repeat("x", 2<<20-8), nil)

	// Without a Content-Length the limit is found while reading; the
	// handler's error becomes the 413.
	req, _ := http.NewRequest("POST", limited.URL, io.MultiReader(strings.NewReader(body(4096))))
	req.ContentLength = -1
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 413 || string(b) != "Body exceeded 1kb limit" {
		t.Errorf("chunked over the limit: %d %q", resp.StatusCode, b)
	}
}

func TestNewHandlerPanicsOnInvalidConfig(t *testing.T) {
	defer func() {
		v := recover()
		err, ok := v.(error)
		if !ok || !strings.Contains(err.Error(), `Invalid segment configuration options detected for "app/x/route.go"`) {
			t.Errorf("recovered %v", v)
		}
	}()
	NewHandler(Route{File: "app/x/route.go", Config: Config{Revalidate: -1}})
}
