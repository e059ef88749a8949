package mux

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nextgo-dev/nextgo/runtime/requestid"
	"github.com/nextgo-dev/nextgo/runtime/router"
)

func echoParams(w http.ResponseWriter, r *http.Request) {
	var b strings.Builder
	for _, p := range router.ParamsFrom(r.Context()) {
		fmt.Fprintf(&b, "%s=%q;", p.Name, p.Values)
	}
	io.WriteString(w, r.URL.Path+" "+b.String())
}

func newTestServer(t *testing.T, opts Options) *httptest.Server {
	t.Helper()
	block := make(chan struct{})
	t.Cleanup(func() { close(block) })
	routes := []Route{
		{Pattern: "/api/user", File: "pages/api/user.go", Handler: http.HandlerFunc(echoParams)},
		{Pattern: "/api/post/[pid]", File: "pages/api/post/[pid].go", Handler: http.HandlerFunc(echoParams)},
		{Pattern: "/api/post/[pid]/[...slug]", File: "pages/api/post/[pid]/[...slug].go", Handler: http.HandlerFunc(echoParams)},
		{Pattern: "/api/panic", File: "pages/api/panic.go", Handler: http.HandlerFunc(func(http.ResponseWriter, *http.Request) { panic("boom") })},
		{Pattern: "/api/slow", File: "pages/api/slow.go", MaxDuration: 50 * time.Millisecond, Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("X-Late", "1")
			<-block // ignores its context, as a careless handler would
		})},
		{Pattern: "/api/polite", File: "pages/api/polite.go", MaxDuration: 50 * time.Millisecond, Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			<-r.Context().Done()
			io.WriteString(w, "late")
		})},
		{Pattern: "/api/quick", File: "pages/api/quick.go", MaxDuration: time.Minute, Handler: http.HandlerFunc(echoParams)},
		{Pattern: "/api/slowpanic", File: "pages/api/slowpanic.go", MaxDuration: time.Minute, Handler: http.HandlerFunc(func(http.ResponseWriter, *http.Request) { panic("late boom") })},
	}
	mx, err := New(routes, opts)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(mx)
	t.Cleanup(srv.Close)
	return srv
}

func TestServe(t *testing.T) {
	srv := newTestServer(t, Options{})
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	tests := []struct {
		path    string
		status  int
		body    string
		headers map[string]string
	}{
		{"/api/user", 200, "/api/user ", nil},
		{"/api/post/1", 200, `/api/post/1 pid=["1"];`, nil},
		{"/api/post/a%2Fb", 200, `/api/post/a/b pid=["a/b"];`, nil},
		{"/api/post/1/a/b", 200, `/api/post/1/a/b pid=["1"];slug=["a" "b"];`, nil},
		{"/api/user/", 308, "/api/user", map[string]string{"Location": "/api/user", "Refresh": "0;url=/api/user", "Content-Type": ""}},
		{"/api/user/?a=1&b", 308, "/api/user?a=1&b", map[string]string{"Location": "/api/user?a=1&b"}},
		{"/api//user", 308, "/api/user", map[string]string{"Location": "/api/user"}},
		{"//api//post//1//?x=y", 308, "/api/post/1?x=y", map[string]string{"Location": "/api/post/1?x=y"}},
		{"/api/none", 404, "Not Found", map[string]string{"Cache-Control": "private, no-cache, no-store, max-age=0, must-revalidate"}},
		{"/API/user", 404, "Not Found", nil},
		{"/api/post/%FF", 400, "Bad Request", nil},
		{"/api/post/%C3%28", 400, "Bad Request", nil},
		{"/api/panic", 500, "Internal Server Error", nil},
		{"/api/slow", 504, "Gateway Timeout", map[string]string{"X-Late": ""}},
		{"/api/polite", 504, "Gateway Timeout", nil},
		{"/api/quick", 200, "/api/quick ", nil},
		{"/api/slowpanic", 500, "Internal Server Error", nil},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			resp, err := client.Get(srv.URL + tt.path)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			body, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != tt.status || string(body) != tt.body {
				t.Fatalf("GET %s = %d %q, want %d %q", tt.path, resp.StatusCode, body, tt.status, tt.body)
			}
			for k, v := range tt.headers {
				if got := resp.Header.Get(k); got != v {
					t.Errorf("%s = %q, want %q", k, got, v)
				}
			}
		})
	}
	// The server lives on after the panics and timeouts.
	resp, err := http.Get(srv.URL + "/api/user")
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("after failures: %v %v", resp, err)
	}
	resp.Body.Close()
}

// TestMalformedEscape sends request lines no Go client would: the server
// must answer 400 whichever layer catches them.
func TestMalformedEscape(t *testing.T) {
	srv := newTestServer(t, Options{})
	for _, path := range []string{"/api/post/%ZZ", "/api/post/%E0%A4%A"} {
		conn, err := net.Dial("tcp", srv.Listener.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(conn, "GET %s HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", path)
		resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
		if err != nil {
			t.Fatal(err)
		}
		if resp.StatusCode != 400 {
			t.Errorf("GET %s = %d, want 400", path, resp.StatusCode)
		}
		conn.Close()
	}
}

func TestLog(t *testing.T) {
	var mu sync.Mutex
	var entries []Entry
	srv := newTestServer(t, Options{Log: func(e Entry) { mu.Lock(); entries = append(entries, e); mu.Unlock() }})
	for _, p := range []string{"/api/post/7?x=1", "/api/nothing", "/api/panic"} {
		resp, err := http.Get(srv.URL + p)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	mu.Lock()
	defer mu.Unlock()
	want := []Entry{
		{Method: "GET", Path: "/api/post/7?x=1", Status: 200, File: "pages/api/post/[pid].go"},
		{Method: "GET", Path: "/api/nothing", Status: 404},
		{Method: "GET", Path: "/api/panic", Status: 500, File: "pages/api/panic.go"},
	}
	if len(entries) != len(want) {
		t.Fatalf("entries = %+v", entries)
	}
	for i, e := range entries {
		if e.Duration <= 0 {
			t.Errorf("entry %d has no duration", i)
		}
		e.Duration = 0
		if e != want[i] {
			t.Errorf("entry %d = %+v, want %+v", i, e, want[i])
		}
	}
}

func TestMiddlewareRewrite(t *testing.T) {
	rewrite := func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			switch r.URL.Path {
			case "/old":
				r2 := r.Clone(r.Context())
				r2.URL.Path, r2.URL.RawPath = "/api/post/42", ""
				next.ServeHTTP(w, r2)
			case "/early":
				w.WriteHeader(401)
			default:
				next.ServeHTTP(w, r)
			}
		})
	}
	mx, err := New([]Route{{Pattern: "/api/post/[pid]", File: "p.go", Handler: http.HandlerFunc(echoParams)}}, Options{Middleware: rewrite})
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		path   string
		status int
		body   string
	}{{"/old", 200, `/api/post/42 pid=["42"];`}, {"/early", 401, ""}, {"/api/post/1", 200, `/api/post/1 pid=["1"];`}, {"/old/", 308, "/old"}} {
		rec := httptest.NewRecorder()
		mx.ServeHTTP(rec, httptest.NewRequest("GET", tt.path, nil))
		if rec.Code != tt.status || rec.Body.String() != tt.body {
			t.Errorf("%s = %d %q, want %d %q", tt.path, rec.Code, rec.Body, tt.status, tt.body)
		}
	}
}

// TestCallerDeadline: a deadline the caller set before the route's own (as
// the Lambda adapter does) also gets a 504, not an empty answer.
func TestCallerDeadline(t *testing.T) {
	mx, err := New([]Route{{Pattern: "/slow", File: "slow.go", MaxDuration: time.Minute, Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		<-r.Context().Done()
	})}}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	rec := httptest.NewRecorder()
	mx.ServeHTTP(rec, httptest.NewRequest("GET", "/slow", nil).WithContext(ctx))
	if rec.Code != 504 || rec.Body.String() != "Gateway Timeout" {
		t.Fatalf("got %d %q, want 504", rec.Code, rec.Body)
	}
}

// TestTrailingSlashOption: with trailingSlash on, /a/ is served and only
// repeated slashes are redirected.
func TestTrailingSlashOption(t *testing.T) {
	mx, err := New([]Route{{Pattern: "/api/post/[pid]", File: "p.go", Handler: http.HandlerFunc(echoParams)}}, Options{TrailingSlash: true})
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		path, loc string
		status    int
	}{{"/api/post/1/", "", 200}, {"/api/post/1", "", 200}, {"/api//post/1/", "/api/post/1/", 308}, {"/api/post//1", "/api/post/1", 308}} {
		rec := httptest.NewRecorder()
		mx.ServeHTTP(rec, httptest.NewRequest("GET", tt.path, nil))
		if rec.Code != tt.status || rec.Header().Get("Location") != tt.loc {
			t.Errorf("%s = %d %q, want %d %q", tt.path, rec.Code, rec.Header().Get("Location"), tt.status, tt.loc)
		}
	}
}

func TestNewErrors(t *testing.T) {
	h := http.NotFoundHandler()
	for _, routes := range [][]Route{
		{{Pattern: "/a", Handler: nil}},
		{{Pattern: "/a", Handler: h}, {Pattern: "/a", Handler: h}},
		{{Pattern: "/[a]", Handler: h}, {Pattern: "/[b]/c", Handler: h}},
	} {
		if _, err := New(routes, Options{}); err == nil {
			t.Errorf("New(%v) succeeded", routes)
		}
	}
}

// TestLogAnswered: the request log names the route, or who else answered
// (Answered), and carries the request id and the cache status.
func TestLogAnswered(t *testing.T) {
	var got Entry
	routes := []Route{{Pattern: "/api/user", File: "pages/api/user.go", Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Nextjs-Cache", "HIT")
		w.Write([]byte("ok"))
	})}}
	mw := func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path == "/old" {
				Answered(w, "nextgo.json redirects[0]")
				Answered(w, "ignored: the first note stands")
				http.Redirect(w, r, "/api/user", http.StatusTemporaryRedirect)
				return
			}
			next.ServeHTTP(w, r)
		})
	}
	mx, err := New(routes, Options{Middleware: mw, Log: func(e Entry) { got = e }})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		path, file, cache string
		status            int
	}{
		{"/api/user", "pages/api/user.go", "HIT", 200},
		{"/old", "nextgo.json redirects[0]", "", 307},
		{"/nope", "", "", 404},
	}
	for _, tt := range tests {
		r := httptest.NewRequest("GET", tt.path, nil)
		r = r.WithContext(requestid.With(r.Context(), "id-"+tt.path))
		mx.ServeHTTP(httptest.NewRecorder(), r)
		if got.File != tt.file || got.Cache != tt.cache || got.Status != tt.status || got.RequestID != "id-"+tt.path {
			t.Errorf("%s: entry %+v, want file %q cache %q status %d", tt.path, got, tt.file, tt.cache, tt.status)
		}
	}
}

// A raw backslash in the path is normalised like a repeated slash, query
// kept, as Next does; an encoded one (%5C) is part of its segment.
func TestBackslashes(t *testing.T) {
	srv := newTestServer(t, Options{})
	tests := []struct {
		target string // the request-target as sent
		status int
		loc    string
		body   string
	}{
		{`/api\user`, 308, "/api/user", "/api/user"},
		{`/api\user?a=1&b`, 308, "/api/user?a=1&b", "/api/user?a=1&b"},
		{`/api\\user\`, 308, "/api/user", "/api/user"},
		{`/api/\/post/1`, 308, "/api/post/1", "/api/post/1"},
		{`/api/post/a%2Fb\`, 308, "/api/post/a%2Fb", "/api/post/a%2Fb"},
		{`/api%5Cuser`, 404, "", "Not Found"},
	}
	for _, tt := range tests {
		t.Run(tt.target, func(t *testing.T) {
			conn, err := net.Dial("tcp", strings.TrimPrefix(srv.URL, "http://"))
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			fmt.Fprintf(conn, "GET %s HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", tt.target)
			resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			body, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != tt.status || string(body) != tt.body || resp.Header.Get("Location") != tt.loc {
				t.Fatalf("GET %s = %d %q Location %q, want %d %q %q", tt.target, resp.StatusCode, body, resp.Header.Get("Location"), tt.status, tt.body, tt.loc)
			}
			if tt.status == 308 && resp.Header.Get("Refresh") != "0;url="+tt.loc {
				t.Errorf("Refresh = %q", resp.Header.Get("Refresh"))
			}
		})
	}
}

// The Mux's own 308s keep the mount prefix in front of the path; other
// answers do not change.
func TestMountPrefix(t *testing.T) {
	mx, err := New([]Route{{Pattern: "/api/user", File: "pages/api/user.go", Handler: http.HandlerFunc(echoParams)}}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		prefix, target string
		status         int
		loc, body      string
	}{
		{"/prod", "/api/user/", 308, "/prod/api/user", "/prod/api/user"},
		{"/prod", "/api//user?a=1", 308, "/prod/api/user?a=1", "/prod/api/user?a=1"},
		{"/v1/prod", "/api/user/", 308, "/v1/prod/api/user", "/v1/prod/api/user"},
		{"", "/api/user/", 308, "/api/user", "/api/user"},
		{"/prod", "/api/user", 200, "", "/api/user "},
		{"/prod", "/api/nope", 404, "", "Not Found"},
	}
	for _, tt := range tests {
		r := httptest.NewRequest("GET", tt.target, nil)
		if tt.prefix != "" {
			r = r.WithContext(WithMountPrefix(r.Context(), tt.prefix))
		}
		w := httptest.NewRecorder()
		mx.ServeHTTP(w, r)
		refresh := ""
		if tt.status == 308 {
			refresh = "0;url=" + tt.loc
		}
		if w.Code != tt.status || w.Header().Get("Location") != tt.loc || w.Header().Get("Refresh") != refresh || w.Body.String() != tt.body {
			t.Errorf("%s under %q = %d Location %q Refresh %q %q, want %d %q %q %q", tt.target, tt.prefix, w.Code,
				w.Header().Get("Location"), w.Header().Get("Refresh"), w.Body.String(), tt.status, tt.loc, refresh, tt.body)
		}
	}
	if MountPrefix(context.Background()) != "" {
		t.Error("MountPrefix of a bare context")
	}
}

// TestAnswerAfterDeadline: a handler that answers once its context has
// ended, after the Guard's 504, is refused: the client gets the 504 alone,
// also when the request log's recorder is the writer the Guard is given.
func TestAnswerAfterDeadline(t *testing.T) {
	wrote := make(chan error, 1)
	mx, err := New([]Route{{Pattern: "/polite", File: "polite.go", MaxDuration: 5 * time.Millisecond, Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		<-r.Context().Done()
		time.Sleep(20 * time.Millisecond) // the Guard has answered by now
		_, err := io.WriteString(w, "late")
		wrote <- err
	})}}, Options{Log: func(Entry) {}}) // with a log, the request recorder is the writer
	if err != nil {
		t.Fatal(err)
	}
	rec := httptest.NewRecorder()
	mx.ServeHTTP(rec, httptest.NewRequest("GET", "/polite", nil))
	if err := <-wrote; err == nil {
		t.Error("the handler's write after the deadline was let through")
	}
	if rec.Code != 504 || rec.Body.String() != "Gateway Timeout" {
		t.Fatalf("got %d %q, want 504 %q", rec.Code, rec.Body, "Gateway Timeout")
	}
}
