package server

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"testing"

	"github.com/nextgo-dev/nextgo/runtime/router"
)

func TestParams(t *testing.T) {
	show := Func(func(req *Request) (*Response, error) {
		var parts []string
		for _, p := range req.Params() {
			parts = append(parts, fmt.Sprintf("%s=%q catchall=%v", p.Name, p.Values, p.CatchAll))
		}
		return Text(strings.Join(parts, " ") + " | slug=" + req.Param("slug") + " tenant=" + req.Param("tenantID") + " missing=" + req.Param("nope") + " pathvalue=" + req.PathValue("slug")), nil
	})
	h := NewHandler(Route{File: "app/[tenantID]/[...slug]/route.go", GET: show})
	tests := []struct {
		name string
		ps   router.Params
		want string
	}{
		{"dynamic", router.Params{{Name: "tenantID", Values: []string{"vercel"}}},
			`tenantID=["vercel"] catchall=false | slug= tenant=vercel missing= pathvalue=`},
		{"catch-all", router.Params{{Name: "tenantID", Values: []string{"vercel"}}, {Name: "slug", Values: []string{"some", "other", "resource"}, CatchAll: true}},
			`tenantID=["vercel"] catchall=false slug=["some" "other" "resource"] catchall=true | slug=some/other/resource tenant=vercel missing= pathvalue=some/other/resource`},
		{"catch-all of one", router.Params{{Name: "slug", Values: []string{"a"}, CatchAll: true}},
			`slug=["a"] catchall=true | slug=a tenant= missing= pathvalue=a`},
		{"optional catch-all absent", nil, ` | slug= tenant= missing= pathvalue=`},
		{"decoded segment with slash", router.Params{{Name: "slug", Values: []string{"a/b"}, CatchAll: true}},
			`slug=["a/b"] catchall=true | slug=a/b tenant= missing= pathvalue=a/b`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := serve(t, withParams(h, tt.ps))
			do(t, srv.URL, "GET", "").check(t, 200, tt.want, nil)
		})
	}
}

func TestNextURL(t *testing.T) {
	show := Func(func(req *Request) (*Response, error) {
		u := req.NextURL()
		u.Path = "/mutated" // the caller's copy only
		return Text(req.NextURL().String() + " q=" + req.NextURL().Query().Get("query")), nil
	})
	srv := serve(t, NewHandler(Route{File: "app/x/route.go", GET: show}))
	host := strings.TrimPrefix(srv.URL, "http://")
	do(t, srv.URL+"/api/x?query=a%20b&z=1", "GET", "").check(t, 200, "http://"+host+"/api/x?query=a%20b&z=1 q=a b", nil)
	do(t, srv.URL+"/api/a%2Fb", "GET", "").check(t, 200, "http://"+host+"/api/a%2Fb q=", nil)
	do(t, srv.URL+"/p", "GET", "", "X-Forwarded-Proto", "https").check(t, 200, "https://"+host+"/p q=", nil)
	do(t, srv.URL+"/p", "GET", "", "X-Forwarded-Proto", "gopher").check(t, 200, "http://"+host+"/p q=", nil)
	do(t, srv.URL+"/p", "GET", "", "Host", "example.com").check(t, 200, "http://example.com/p q=", nil)
}

func TestRequestBuiltByHand(t *testing.T) {
	req := &Request{Request: httptest.NewRequest("GET", "http://example.com/api/x?q=1", nil)}
	if got := req.NextURL().String(); got != "http://example.com/api/x?q=1" {
		t.Errorf("NextURL = %q", got)
	}
	if req.Param("x") != "" || len(req.Params()) != 0 || len(req.Cookies()) != 0 {
		t.Error("a bare Request has params or cookies")
	}
}

func TestRequestCookies(t *testing.T) {
	show := Func(func(req *Request) (*Response, error) {
		b, _ := json.Marshal(req.Cookies())
		return NewResponse(b), nil
	})
	srv := serve(t, NewHandler(Route{File: "app/c/route.go", GET: show}))
	tests := []struct {
		name   string
		header []string
		want   string
	}{
		{"none", nil, `{}`},
		{"one", []string{"Cookie", "nextjs=cool;"}, `{"nextjs":"cool"}`},
		{"last duplicate wins", []string{"Cookie", "a=1; a=2; b=3"}, `{"a":"2","b":"3"}`},
		{"decoded", []string{"Cookie", "v=a%20b%2Cc; u=%C3%A9"}, `{"u":"é","v":"a b,c"}`},
		{"plus stays", []string{"Cookie", "p=a+b"}, `{"p":"a+b"}`},
		{"malformed escape dropped", []string{"Cookie", "bad=%zz; ok=1; bad2=%E0%A4%A"}, `{"ok":"1"}`},
		{"invalid UTF-8 dropped", []string{"Cookie", "bad=%FF; ok=1"}, `{"ok":"1"}`},
		{"no equals is true", []string{"Cookie", "flag; x=1"}, `{"flag":"true","x":"1"}`},
		{"empty value", []string{"Cookie", "e="}, `{"e":""}`},
		{"quotes kept", []string{"Cookie", `q="v"`}, `{"q":"\"v\""}`},
		{"no space after semicolon", []string{"Cookie", "a=1;b=2"}, `{"a":"1","b":"2"}`},
		{"two header lines", []string{"Cookie", "a=1", "Cookie", "b=2"}, `{"a":"1","b":"2"}`},
		{"value with equals", []string{"Cookie", "t=a=b"}, `{"t":"a=b"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			do(t, srv.URL, "GET", "", tt.header...).check(t, 200, tt.want, nil)
		})
	}
}

func TestBodyReaders(t *testing.T) {
	log, _ := testLogger()
	h := NewHandler(Route{
		File:   "app/body/route.go",
		Logger: log,
		POST: Func(func(req *Request) (*Response, error) {
			switch req.URL.Query().Get("as") {
			case "json":
				var v map[string]any
				if err := req.JSON(&v); err != nil {
					return nil, err
				}
				return JSON(v), nil
			case "text-then-json":
				s, err := req.Text()
				if err != nil {
					return nil, err
				}
				var v struct{ Ping string }
				if err := req.JSON(&v); err != nil {
					return nil, err
				}
				raw, _ := io.ReadAll(req.Body) // the body can still be read
				return Text(fmt.Sprintf("%s|%s|%s", s, v.Ping, raw)), nil
			case "bytes":
				b, err := req.Bytes()
				if err != nil {
					return nil, err
				}
				return NewResponse(b), nil
			case "form":
				f, err := req.FormData()
				if err != nil {
					return nil, err
				}
				var files []string
				for field, fhs := range f.Files {
					for _, fh := range fhs {
						rd, err := fh.Open()
						if err != nil {
							return nil, err
						}
						data, _ := io.ReadAll(rd)
						rd.Close()
						files = append(files, fmt.Sprintf("%s:%s:%s", field, fh.Filename, data))
					}
				}
				sort.Strings(files)
				again, _ := req.FormData()
				return Text(fmt.Sprintf("name=%s tags=%v files=%v same=%v", f.Get("name"), f.Values["tags"], files, again == f)), nil
			}
			return nil, nil
		}),
		DELETE: Func(func(req *Request) (*Response, error) {
			var v struct{ Name string }
			if err := req.JSON(&v); err != nil {
				return nil, err
			}
			return Text("delete " + v.Name), nil
		}),
	})
	srv := serve(t, h)

	var mp bytes.Buffer
	mw := multipart.NewWriter(&mp)
	_ = mw.WriteField("name", "nextgo")
	_ = mw.WriteField("tags", "a")
	_ = mw.WriteField("tags", "b")
	fw, _ := mw.CreateFormFile("upload", "hello.txt")
	_, _ = fw.Write([]byte("hello, file"))
	_ = mw.Close()

	tests := []struct {
		name   string
		method string
		query  string
		body   string
		hdr    []string
		status int
		want   string
	}{
		{"json", "POST", "json", `{"ping":"pong"}`, []string{"Content-Type", "application/json"}, 200, `{"ping":"pong"}`},
		{"invalid json", "POST", "json", `{"message":Invalid"}`, nil, 500, ""},
		{"empty json", "POST", "json", ``, nil, 500, ""},
		{"trailing data", "POST", "json", `{} {}`, nil, 500, ""},
		{"text then json", "POST", "text-then-json", `{"Ping":"pong"}`, nil, 200, `{"Ping":"pong"}|pong|{"Ping":"pong"}`},
		{"bytes", "POST", "bytes", "\x00\x01binary", nil, 200, "\x00\x01binary"},
		{"urlencoded", "POST", "form", "name=Next%20go&tags=a&tags=b", []string{"Content-Type", "application/x-www-form-urlencoded"}, 200, "name=Next go tags=[a b] files=[] same=true"},
		{"urlencoded any case", "POST", "form", "name=x", []string{"Content-Type", "Application/X-WWW-Form-Urlencoded; charset=utf-8"}, 200, "name=x tags=[] files=[] same=true"},
		{"multipart", "POST", "form", mp.String(), []string{"Content-Type", mw.FormDataContentType()}, 200, "name=nextgo tags=[a b] files=[upload:hello.txt:hello, file] same=true"},
		{"form without content type", "POST", "form", "a=1", []string{"Content-Type", "text/plain"}, 500, ""},
		{"multipart without boundary", "POST", "form", "a=1", []string{"Content-Type", "multipart/form-data"}, 500, ""},
		{"bad urlencoded", "POST", "form", "a=%zz", []string{"Content-Type", "application/x-www-form-urlencoded"}, 500, ""},
		{"DELETE with a body", "DELETE", "", `{"name":"foo"}`, nil, 200, "delete foo"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			do(t, srv.URL+"?as="+tt.query, tt.method, tt.body, tt.hdr...).check(t, tt.status, tt.want, nil)
		})
	}
}

func TestFormDataTempFilesRemoved(t *testing.T) {
	var mp bytes.Buffer
	mw := multipart.NewWriter(&mp)
	fw, _ := mw.CreateFormFile("big", "big.bin")
	_, _ = fw.Write(bytes.Repeat([]byte("x"), maxFormMemory+1024)) // past the in-memory part
	_ = mw.Close()
	var form *multipart.Form
	h := NewHandler(Route{File: "app/up/route.go", POST: Func(func(req *Request) (*Response, error) {
		f, err := req.FormData()
		if err != nil {
			return nil, err
		}
		form = req.MultipartForm
		return Text(fmt.Sprint(f.Files["big"][0].Size)), nil
	})})
	rec := httptest.NewRecorder()
	r := httptest.NewRequest("POST", "/up", &mp)
	r.Header.Set("Content-Type", mw.FormDataContentType())
	h.ServeHTTP(rec, r)
	if rec.Code != 200 || rec.Body.String() != fmt.Sprint(maxFormMemory+1024) {
		t.Fatalf("%d %q", rec.Code, rec.Body)
	}
	f, err := form.File["big"][0].Open()
	if err == nil {
		f.Close()
		t.Error("the temporary file outlived the request")
	}
}

func TestHeadersHelper(t *testing.T) {
	var outside any
	h := NewHandler(Route{File: "app/h/route.go", GET: Func(func(req *Request) (*Response, error) {
		hd := Headers(req.Context())
		c := hd.Clone()
		c.Set("X-Request-Meta", "changed")
		return Text(fmt.Sprintf("%s|%v|%v|%v|%s", hd.Get("x-request-meta"), hd.Values("X-Multi"), hd.Has("X-Request-Meta"), hd.Has("X-None"), hd.Get("X-Request-Meta"))), nil
	})})
	srv := serve(t, h)
	do(t, srv.URL, "GET", "", "x-request-meta", `{"ping":"pong"}`, "X-Multi", "1", "X-Multi", "2").
		check(t, 200, `{"ping":"pong"}|[1 2]|true|false|{"ping":"pong"}`, nil)

	func() {
		defer func() { outside = recover() }()
		Headers(httptest.NewRequest("GET", "/", nil).Context())
	}()
	if s, _ := outside.(string); !strings.Contains(s, "server.Headers was called outside a request scope") {
		t.Errorf("outside a request: %v", outside)
	}
	if got := (ReadOnlyHeader{}).Clone(); got == nil {
		t.Error("Clone of an empty header is nil")
	}
}

func TestRevalidatePathOutsideScope(t *testing.T) {
	err := RevalidatePath(httptest.NewRequest("GET", "/", nil).Context(), "/x")
	if err == nil || err.Error() != "server.RevalidatePath was called outside a request scope" {
		t.Errorf("err = %v", err)
	}
}

func TestIsAction(t *testing.T) {
	for _, tt := range []struct {
		method, ct, action string
		want               bool
	}{
		{"POST", "application/x-www-form-urlencoded", "", true},
		{"POST", "multipart/form-data; boundary=x", "", true},
		{"POST", "application/json", "abc", true},
		{"POST", "application/x-www-form-urlencoded; charset=utf-8", "", false},
		{"POST", "application/json", "", false},
		{"PUT", "application/x-www-form-urlencoded", "", false},
		{"GET", "", "abc", false},
	} {
		r := httptest.NewRequest(tt.method, "/", nil)
		if tt.ct != "" {
			r.Header.Set("Content-Type", tt.ct)
		}
		if tt.action != "" {
			r.Header.Set("Next-Action", tt.action)
		}
		if got := isAction(r); got != tt.want {
			t.Errorf("%s %q action=%q: %v, want %v", tt.method, tt.ct, tt.action, got, tt.want)
		}
	}
}

func TestOrigin(t *testing.T) {
	r := httptest.NewRequest("GET", "/", nil)
	r.Host = ""
	r.URL.Host = ""
	if got := origin(r); got != "http://localhost" {
		t.Errorf("origin = %q", got)
	}
	r.Header.Set("X-Forwarded-Proto", "HTTPS, http")
	if got := origin(r); got != "https://localhost" {
		t.Errorf("origin = %q", got)
	}
	var tlsReq = httptest.NewRequest("GET", "https://example.com/", nil)
	if got := origin(tlsReq); got != "https://example.com" {
		t.Errorf("origin = %q", got)
	}
	_ = http.NoBody
}
