package server

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestFormatSetCookie(t *testing.T) {
	now := time.Date(2025, 3, 4, 5, 6, 7, 0, time.UTC)
	tests := []struct {
		c    http.Cookie
		want string
	}{
		{http.Cookie{Name: "a", Value: "a"}, "a=a; Path=/"},
		{http.Cookie{Name: "a", Value: ""}, "a=; Path=/"},
		{http.Cookie{Name: "v", Value: "a b;c,d=é\"'()!*~._-"}, "v=a%20b%3Bc%2Cd%3D%C3%A9%22'()!*~._-; Path=/"},
		{http.Cookie{Name: "p", Value: "1", Path: "/api"}, "p=1; Path=/api"},
		{http.Cookie{Name: "d", Value: "1", Domain: "example.com"}, "d=1; Path=/; Domain=example.com"},
		{http.Cookie{Name: "s", Value: "1", Secure: true, HttpOnly: true}, "s=1; Path=/; Secure; HttpOnly"},
		{http.Cookie{Name: "l", Value: "1", SameSite: http.SameSiteLaxMode}, "l=1; Path=/; SameSite=lax"},
		{http.Cookie{Name: "l", Value: "1", SameSite: http.SameSiteStrictMode}, "l=1; Path=/; SameSite=strict"},
		{http.Cookie{Name: "l", Value: "1", SameSite: http.SameSiteNoneMode, Secure: true}, "l=1; Path=/; Secure; SameSite=none"},
		{http.Cookie{Name: "l", Value: "1", SameSite: http.SameSiteDefaultMode}, "l=1; Path=/"},
		{http.Cookie{Name: "pt", Value: "1", Partitioned: true, Secure: true}, "pt=1; Path=/; Secure; Partitioned"},
		{http.Cookie{Name: "m", Value: "1", MaxAge: 60}, "m=1; Path=/; Expires=Tue, 04 Mar 2025 05:07:07 GMT; Max-Age=60"},
		{http.Cookie{Name: "m", Value: "1", MaxAge: 60, Expires: now.Add(time.Hour)}, "m=1; Path=/; Expires=Tue, 04 Mar 2025 05:07:07 GMT; Max-Age=60"},
		{http.Cookie{Name: "m", Value: "1", MaxAge: -1}, "m=1; Path=/; Max-Age=0"},
		{http.Cookie{Name: "e", Value: "1", Expires: time.Date(2030, 1, 2, 3, 4, 5, 0, time.FixedZone("X", 3600))}, "e=1; Path=/; Expires=Wed, 02 Jan 2030 02:04:05 GMT"},
		{*deletion("gone"), "gone=; Path=/; Expires=Thu, 01 Jan 1970 00:00:00 GMT"},
		{http.Cookie{Name: "all", Value: "x", Path: "/p", Domain: "d.io", MaxAge: 1, Secure: true, HttpOnly: true, SameSite: http.SameSiteLaxMode, Partitioned: true},
			"all=x; Path=/p; Expires=Tue, 04 Mar 2025 05:06:08 GMT; Max-Age=1; Domain=d.io; Secure; HttpOnly; SameSite=lax; Partitioned"},
	}
	for _, tt := range tests {
		if got := formatSetCookie(&tt.c, now); got != tt.want {
			t.Errorf("formatSetCookie(%+v)\n got %s\nwant %s", tt.c, got, tt.want)
		}
	}
}

func TestCheckCookie(t *testing.T) {
	for _, c := range []http.Cookie{
		{Name: ""}, {Name: "a b"}, {Name: "a;b"}, {Name: "a=b"}, {Name: "é"}, {Name: "a\r\n"},
		{Name: "ok", Path: "/a;b"}, {Name: "ok", Path: "/a\nb"}, {Name: "ok", Domain: "x\x00"},
	} {
		if err := checkCookie(&c); err == nil {
			t.Errorf("checkCookie(%+v) = nil", c)
		}
	}
	for _, c := range []http.Cookie{{Name: "a"}, {Name: "__Host-x_1.2!#$%&'*+-^`|~"}, {Name: "a", Path: "/a b", Domain: ".x.io"}} {
		if err := checkCookie(&c); err != nil {
			t.Errorf("checkCookie(%+v) = %v", c, err)
		}
	}
}

func TestURIComponent(t *testing.T) {
	for _, tt := range []struct{ plain, enc string }{
		{"", ""}, {"abc", "abc"}, {"a b", "a%20b"}, {"é", "%C3%A9"}, {"😀", "%F0%9F%98%80"},
		{"-_.!~*'()", "-_.!~*'()"}, {"/?#&=+,;:@$", "%2F%3F%23%26%3D%2B%2C%3B%3A%40%24"}, {"%", "%25"},
	} {
		if got := encodeURIComponent(tt.plain); got != tt.enc {
			t.Errorf("encode(%q) = %q, want %q", tt.plain, got, tt.enc)
		}
		if got, ok := decodeURIComponent(tt.enc); !ok || got != tt.plain {
			t.Errorf("decode(%q) = %q, %v", tt.enc, got, ok)
		}
	}
	for _, tt := range []struct {
		in   string
		want string
		ok   bool
	}{
		{"a+b", "a+b", true}, {"%41%42", "AB", true}, {"%e9", "", false}, {"%", "", false}, {"%4", "", false},
		{"%zz", "", false}, {"%C3", "", false}, {"%C3%A9%C3", "", false}, {"%ED%A0%80", "", false}, // a surrogate
		{"%C0%AF", "", false}, // overlong
		{"x%C3%A9y%20", "xéy ", true},
	} {
		got, ok := decodeURIComponent(tt.in)
		if ok != tt.ok || (ok && got != tt.want) {
			t.Errorf("decode(%q) = %q, %v; want %q, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

func TestCookieStore(t *testing.T) {
	h := NewHandler(Route{File: "app/c/route.go", GET: Func(func(req *Request) (*Response, error) {
		jar := Cookies(req.Context())
		var trace []string
		get := func(n string) { v, ok := jar.Get(n); trace = append(trace, fmt.Sprintf("%s=%q/%v", n, v, ok)) }
		get("session")
		jar.Set("a", "a") // as Next's cookies().set('a', 'a')
		trace = append(trace, fmt.Sprintf("has(a)=%v", jar.Has("a")))
		jar.Set("theme", "dark")
		jar.SetCookie(&http.Cookie{Name: "theme", Value: "light", HttpOnly: true}) // replaces, keeps its place
		jar.Delete("session")
		get("session")
		get("theme")
		all := jar.All()
		keys := make([]string, 0, len(all))
		for k, v := range all {
			keys = append(keys, k+"="+v)
		}
		sort.Strings(keys)
		trace = append(trace, strings.Join(keys, ","))
		return Text(strings.Join(trace, " ")), nil
	})})
	do(t, serve(t, h).URL, "GET", "", "Cookie", "session=abc; other=x").check(t, 200,
		`session="abc"/true has(a)=true session=""/false theme="light"/true a=a,other=x,theme=light`,
		map[string]string{"Set-Cookie": "a=a; Path=/\ntheme=light; Path=/; HttpOnly\nsession=; Path=/; Expires=Thu, 01 Jan 1970 00:00:00 GMT"})
}

func TestCookieStoreConcurrent(t *testing.T) {
	h := NewHandler(Route{File: "app/c/route.go", GET: Func(func(req *Request) (*Response, error) {
		var wg sync.WaitGroup
		for i := range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				jar := Cookies(req.Context())
				jar.Set(fmt.Sprintf("c%d", i), "v")
				jar.Has("c0")
				jar.All()
			}()
		}
		wg.Wait()
		return Text(fmt.Sprint(len(Cookies(req.Context()).All()))), nil
	})})
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/", nil))
	if rec.Body.String() != "8" || len(rec.Header().Values("Set-Cookie")) != 8 {
		t.Errorf("%q %v", rec.Body, rec.Header().Values("Set-Cookie"))
	}
}

func TestCookiesOutsideScope(t *testing.T) {
	defer func() {
		if s, _ := recover().(string); !strings.Contains(s, "server.Cookies was called outside a request scope") {
			t.Errorf("recovered %q", s)
		}
	}()
	Cookies(httptest.NewRequest("GET", "/", nil).Context())
}

func TestCookieExpiry(t *testing.T) {
	now := time.Now()
	for _, tt := range []struct {
		c    http.Cookie
		gone bool
	}{
		{http.Cookie{}, false},
		{http.Cookie{MaxAge: 10}, false},
		{http.Cookie{MaxAge: -1}, true},
		{http.Cookie{Expires: now.Add(time.Hour)}, false},
		{http.Cookie{Expires: now.Add(-time.Hour)}, true},
		{http.Cookie{Expires: now}, true},
	} {
		if got := deleted(&tt.c, now); got != tt.gone {
			t.Errorf("deleted(%+v) = %v", tt.c, got)
		}
	}
}
