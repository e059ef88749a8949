package api

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nextgo-dev/nextgo/runtime/router"
)

// none, as an expected header value, means the header must be absent.
const none = "\x00absent"

// logSink collects the JSON log lines of the test app.
type logSink struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (s *logSink) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.buf.Write(p)
}

// take returns the records logged so far and forgets them.
func (s *logSink) take(t *testing.T) []map[string]any {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []map[string]any
	for line := range strings.SplitSeq(strings.TrimSpace(s.buf.String()), "\n") {
		if line == "" {
			continue
		}
		var rec map[string]any
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Fatalf("log line %q: %v", line, err)
		}
		out = append(out, rec)
	}
	s.buf.Reset()
	return out
}

// fakeCache records revalidated paths.
type fakeCache struct {
	mu    sync.Mutex
	paths []string
}

func (c *fakeCache) Revalidate(_ context.Context, path string) error {
	if path == "/fail" {
		return errors.New("boom")
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.paths = append(c.paths, path)
	return nil
}

// testApp serves a route table of API routes over real HTTP on loopback,
// routed by the router's Matcher as the emulator does.
type testApp struct {
	srv      *httptest.Server
	logs     *logSink
	cache    *fakeCache
	afterEnd chan error // what Write returned after End, in /api/after-end
}

type decodeTarget struct {
	Name string   `json:"name"`
	Age  int      `json:"age,omitempty"`
	Tags []string `json:"tags,omitempty"`
}

func newTestApp(t *testing.T) *testApp {
	t.Helper()
	app := &testApp{logs: &logSink{}, cache: &fakeCache{}, afterEnd: make(chan error, 1)}
	logger := slog.New(slog.NewJSONHandler(app.logs, nil))
	type route struct {
		pattern string
		cfg     Config
		fn      func(*Request, *Response)
		http    http.Handler
	}
	sizeOf := func(req *Request, res *Response) {
		res.JSON(map[string]int{"bytes": len(req.RawBody())})
	}
	large := func(req *Request, res *Response) {
		n, _ := ParseSize(req.Query.Get("n"))
		res.Send(strings.Repeat("x", int(n)))
	}
	routes := []route{
		{pattern: "/api/user", fn: func(req *Request, res *Response) {
			res.Status(http.StatusOK).JSON(struct {
				Name string `json:"name"`
			}{"John Doe"})
		}},
		{pattern: "/api", fn: func(req *Request, res *Response) { res.Send("Index should work") }},
		{pattern: "/api/query", fn: func(req *Request, res *Response) { res.JSON(req.Query) }},
		{pattern: "/api/query-send", fn: func(req *Request, res *Response) { res.Status(200).Send(req.Query) }},
		{pattern: "/api/post/[pid]", fn: func(req *Request, res *Response) { res.JSON(req.Query) }},
		{pattern: "/api/users/[...slug]", fn: func(req *Request, res *Response) { res.JSON(req.Query) }},
		{pattern: "/api/optional/[[...slug]]", fn: func(req *Request, res *Response) { res.JSON(req.Query) }},
		{pattern: "/api/cookies", fn: func(req *Request, res *Response) { res.JSON(req.Cookies) }},
		{pattern: "/api/parse", fn: func(req *Request, res *Response) { res.JSON(req.Body) }},
		{pattern: "/api/body-type", fn: func(req *Request, res *Response) { res.Send(fmt.Sprintf("%T", req.Body)) }},
		{pattern: "/api/size", fn: sizeOf},
		{pattern: "/api/size-500kb", cfg: Config{BodyParser: BodyParser{SizeLimit: "500kb"}}, fn: sizeOf},
		{pattern: "/api/raw", cfg: Config{BodyParser: BodyParser{Disabled: true}}, fn: func(req *Request, res *Response) {
			b, err := io.ReadAll(req.Request.Body)
			if err != nil {
				res.Status(500).Send(err.Error())
				return
			}
			res.JSON(map[string]any{"bytes": len(b), "parsed": req.Body != nil, "raw": req.RawBody() != nil})
		}},
		{pattern: "/api/raw-decode", cfg: Config{BodyParser: BodyParser{Disabled: true}}, fn: func(req *Request, res *Response) {
			var in decodeTarget
			if err := req.Decode(&in); err != nil {
				res.Status(400).JSON(map[string]string{"error": err.Error()})
				return
			}
			res.JSON(map[string]any{"in": in, "raw": len(req.RawBody())})
		}},
		{pattern: "/api/decode", fn: func(req *Request, res *Response) {
			var in decodeTarget
			if err := req.Decode(&in); err != nil {
				res.Status(400).JSON(map[string]string{"error": err.Error()})
				return
			}
			res.Status(201).JSON(in)
		}},
		{pattern: "/api/decode-string", fn: func(req *Request, res *Response) {
			var s string
			var b []byte
			if err := req.Decode(&s); err != nil {
				res.Status(400).Send(err.Error())
				return
			}
			if err := req.Decode(&b); err != nil {
				res.Status(400).Send(err.Error())
				return
			}
			res.Send(s + "|" + string(b))
		}},
		{pattern: "/api/status204", fn: func(req *Request, res *Response) { res.Status(204).JSON(map[string]string{"hello": "world"}) }},
		{pattern: "/api/status304", fn: func(req *Request, res *Response) {
			res.Header().Set("Content-Type", "text/plain")
			res.Status(304).Send("x")
		}},
		{pattern: "/api/send/[kind]", fn: func(req *Request, res *Response) {
			switch req.Query.Get("kind") {
			case "bytes":
				res.Send([]byte("abc"))
			case "bytes-ct":
				res.Header().Set("Content-Type", "image/png")
				res.Send([]byte("abc"))
			case "nil":
				res.Status(202).Send(nil)
			case "number":
				res.Send(42)
			case "obj-ct":
				res.Header().Set("Content-Type", "text/html")
				res.Send(map[string]int{"a": 1})
			case "string-ct":
				res.Header().Set("Content-Type", "text/html")
				res.Send("<p>hi</p>")
			case "reader":
				res.Send(strings.NewReader("streamed"))
			case "reader-204":
				res.Status(204).Send(strings.NewReader("streamed"))
			case "reader-fails":
				res.Send(io.MultiReader(strings.NewReader(strings.Repeat("y", 10000)), iotestErrReader{}))
			case "json-true":
				res.JSON(true)
			case "json-null":
				res.JSON(nil)
			case "json-string":
				res.JSON("Hello world!")
			case "json-html":
				res.JSON(map[string]string{"h": "<b>&</b>"})
			case "json-error":
				res.JSON(make(chan int))
			case "send-error":
				res.Send(func() {})
			case "error-status":
				res.Status(500).JSON(map[string]string{"error": "Server error!"})
			}
		}},
		{pattern: "/api/redirect", fn: func(req *Request, res *Response) {
			if req.Query.Get("permanent") != "" {
				res.RedirectWithStatus(301, "/login")
				return
			}
			res.Redirect("/login")
		}},
		{pattern: "/api/redirect-crlf", fn: func(req *Request, res *Response) {
			res.Redirect("/a\r\nSet-Cookie: x=y")
		}},
		{pattern: "/api/redirect-204", fn: func(req *Request, res *Response) { res.RedirectWithStatus(204, "/x") }},
		{pattern: "/api/redirect-after-write", fn: func(req *Request, res *Response) {
			res.Write([]byte("partial"))
			res.Flush()
			res.Redirect("/late")
		}},
		{pattern: "/api/end", fn: func(req *Request, res *Response) { res.Status(418).End() }},
		{pattern: "/api/after-end", fn: func(req *Request, res *Response) {
			res.End()
			_, err := res.Write([]byte("late"))
			app.afterEnd <- err
			res.JSON("late")
		}},
		{pattern: "/api/write", fn: func(req *Request, res *Response) {
			res.Header().Set("Content-Type", "text/plain")
			res.Status(201)
			io.WriteString(res, "a")
			res.Write([]byte("b"))
		}},
		{pattern: "/api/write-header-then-json", fn: func(req *Request, res *Response) {
			res.WriteHeader(202)
			res.JSON(map[string]int{"a": 1})
		}},
		{pattern: "/api/early-hints", fn: func(req *Request, res *Response) {
			res.Header().Set("Link", "</style.css>; rel=preload")
			res.WriteHeader(http.StatusEarlyHints) // informational: not the final status
			res.Status(201).Send("created")
		}},
		{pattern: "/api/noop", fn: func(req *Request, res *Response) {}},
		{pattern: "/api/noop-status", fn: func(req *Request, res *Response) { res.Status(404) }},
		{pattern: "/api/noop-external", cfg: Config{ExternalResolver: true}, fn: func(req *Request, res *Response) {}},
		{pattern: "/api/panic", fn: func(req *Request, res *Response) { panic("something broke") }},
		{pattern: "/api/panic-headers", fn: func(req *Request, res *Response) {
			res.Header().Set("X-Keep", "yes")
			res.Header().Set("Content-Type", "application/json")
			res.Header().Set("Content-Length", "99")
			panic(errors.New("after headers"))
		}},
		{pattern: "/api/panic-after-json", fn: func(req *Request, res *Response) {
			res.JSON(map[string]bool{"ok": true})
			panic("too late")
		}},
		{pattern: "/api/panic-after-write", fn: func(req *Request, res *Response) {
			res.Write([]byte("partial"))
			res.Flush()
			panic("mid-stream")
		}},
		{pattern: "/api/abort", fn: func(req *Request, res *Response) { panic(http.ErrAbortHandler) }},
		{pattern: "/api/invalid-status", fn: func(req *Request, res *Response) { res.Status(1000).Send("x") }},
		{pattern: "/api/large", fn: large},
		{pattern: "/api/large-nolimit", cfg: Config{ResponseLimit: NoResponseLimit}, fn: large},
		{pattern: "/api/large-5mb", cfg: Config{ResponseLimit: "5mb"}, fn: large},
		{pattern: "/api/revalidate", fn: func(req *Request, res *Response) {
			if err := res.Revalidate(req.Query.Get("path")); err != nil {
				res.Status(500).Send(err.Error())
				return
			}
			res.Send("ok")
		}},
		{pattern: "/api/plain", http: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/plain")
			io.WriteString(w, "plain "+r.Method)
		})},
		{pattern: "/api/plain-read", http: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			b, err := io.ReadAll(r.Body)
			var mbe *http.MaxBytesError
			if errors.As(err, &mbe) {
				http.Error(w, "limit "+strconv.FormatInt(mbe.Limit, 10), http.StatusRequestEntityTooLarge)
				return
			}
			fmt.Fprintf(w, "read %d", len(b))
		})},
		{pattern: "/api/plain-unlimited", cfg: Config{BodyParser: BodyParser{Disabled: true}}, http: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			b, err := io.ReadAll(r.Body)
			fmt.Fprintf(w, "read %d %v", len(b), err)
		})},
		{pattern: "/api/plain-panic", http: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/plain")
			panic("plain broke")
		})},
		{pattern: "/api/plain-panic-after-write", http: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			io.WriteString(w, "partial")
			http.NewResponseController(w).Flush()
			panic("plain mid-stream")
		})},
		{pattern: "/api/plain-large", http: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			io.Copy(w, strings.NewReader(strings.Repeat("z", 4<<20)))
		})},
	}
	var patterns []string
	var handlers []http.Handler
	for _, rt := range routes {
		file := "pages" + rt.pattern + ".go"
		r := Route{File: file, Config: rt.cfg, Handler: rt.fn, HTTP: rt.http, Logger: logger, Cache: app.cache}
		patterns = append(patterns, rt.pattern)
		handlers = append(handlers, NewHandler(r))
	}
	// One route without a cache.
	patterns = append(patterns, "/api/revalidate-nocache")
	handlers = append(handlers, NewHandler(Route{File: "pages/api/revalidate-nocache.go", Logger: logger, Handler: func(req *Request, res *Response) {
		if err := res.Revalidate("/x"); err != nil {
			res.Status(500).Send(fmt.Sprintf("%v (ErrNoCache: %t)", err, errors.Is(err, ErrNoCache)))
			return
		}
		res.Send("ok")
	}}))
	m, err := router.NewMatcher(patterns)
	if err != nil {
		t.Fatal(err)
	}
	app.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		i, ps, err := m.Match(r.URL.EscapedPath())
		switch {
		case err != nil:
			http.Error(w, "bad path", http.StatusBadRequest)
			return
		case i < 0:
			http.NotFound(w, r)
			return
		case len(ps) > 0:
			r = r.WithContext(router.WithParams(r.Context(), ps))
		}
		handlers[i].ServeHTTP(w, r)
	}))
	app.srv.Config.ErrorLog = nil
	t.Cleanup(app.srv.Close)
	return app
}

// iotestErrReader fails every read.
type iotestErrReader struct{}

func (iotestErrReader) Read([]byte) (int, error) { return 0, errors.New("source failed") }

// chunked hides the length of a body, so the client sends it chunked.
type chunked struct{ r io.Reader }

func (c chunked) Read(p []byte) (int, error) { return c.r.Read(p) }

// httpCase is one request and its exact expected answer.
type httpCase struct {
	name    string
	method  string
	path    string
	header  http.Header
	body    io.Reader
	status  int
	want    map[string]string // exact header values; none: absent
	resp    string            // exact body
	respLen int               // body length, checked instead of resp when > 0
	logs    []string          // each must start a logged message, in order
}

func (app *testApp) client() *http.Client {
	return &http.Client{
		Timeout:       20 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		Transport:     &http.Transport{DisableCompression: true},
	}
}

func runCases(t *testing.T, app *testApp, cases []httpCase) {
	t.Helper()
	client := app.client()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			app.logs.take(t)
			method := tc.method
			if method == "" {
				method = http.MethodGet
			}
			req, err := http.NewRequest(method, app.srv.URL+tc.path, tc.body)
			if err != nil {
				t.Fatal(err)
			}
			for k, vs := range tc.header {
				req.Header[k] = vs
			}
			resp, err := client.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body, err := io.ReadAll(resp.Body)
			resp.Body.Close()
			if err != nil {
				t.Fatalf("reading the body: %v", err)
			}
			if resp.StatusCode != tc.status {
				t.Errorf("status %d, want %d (body %.200q)", resp.StatusCode, tc.status, body)
			}
			checkHeaders(t, resp.Header, tc.want)
			switch {
			case tc.respLen > 0:
				if len(body) != tc.respLen {
					t.Errorf("body length %d, want %d", len(body), tc.respLen)
				}
			case string(body) != tc.resp:
				t.Errorf("body %q, want %q", body, tc.resp)
			}
			checkLogs(t, app.logs.take(t), tc.logs)
		})
	}
}

func checkHeaders(t *testing.T, h http.Header, want map[string]string) {
	t.Helper()
	for k, v := range want {
		got, ok := h[http.CanonicalHeaderKey(k)]
		switch {
		case v == none && ok:
			t.Errorf("header %s = %q, want it absent", k, got)
		case v != none && (len(got) != 1 || got[0] != v):
			t.Errorf("header %s = %q, want %q", k, got, v)
		}
	}
}

func checkLogs(t *testing.T, recs []map[string]any, want []string) {
	t.Helper()
	if len(recs) != len(want) {
		t.Errorf("%d log records, want %d: %v", len(recs), len(want), recs)
		return
	}
	for i, w := range want {
		msg, _ := recs[i]["msg"].(string)
		if !strings.HasPrefix(msg, w) {
			t.Errorf("log %d: %q, want it to start with %q", i, msg, w)
		}
	}
}

const (
	jsonType = "application/json; charset=utf-8"
	userJSON = `{"name":"John Doe"}`
	userETag = `"wjzyexk8pqj"`
)

func h(kv ...string) http.Header {
	out := http.Header{}
	for i := 0; i < len(kv); i += 2 {
		out[http.CanonicalHeaderKey(kv[i])] = append(out[http.CanonicalHeaderKey(kv[i])], kv[i+1])
	}
	return out
}

func TestResponses(t *testing.T) {
	app := newTestApp(t)
	runCases(t, app, []httpCase{
		{name: "json", path: "/api/user", status: 200, resp: userJSON,
			want: map[string]string{"Content-Type": jsonType, "Content-Length": "19", "ETag": userETag, "Cache-Control": none, "X-Powered-By": none}},
		{name: "head", method: "HEAD", path: "/api/user", status: 200, resp: "",
			want: map[string]string{"Content-Type": jsonType, "Content-Length": "19", "ETag": userETag}},
		{name: "if-none-match", path: "/api/user", header: h("If-None-Match", userETag), status: 304, resp: "",
			want: map[string]string{"ETag": userETag, "Content-Type": none, "Content-Length": none}},
		{name: "if-none-match weak on POST", method: "POST", path: "/api/user", header: h("If-None-Match", "W/"+userETag), status: 304, resp: "",
			want: map[string]string{"ETag": userETag}},
		{name: "if-none-match list", path: "/api/user", header: h("If-None-Match", `"x", `+userETag), status: 304, resp: ""},
		{name: "if-none-match star", path: "/api/user", header: h("If-None-Match", "*"), status: 304, resp: ""},
		{name: "if-none-match stale", path: "/api/user", header: h("If-None-Match", `"x"`), status: 200, resp: userJSON},
		{name: "if-none-match no-cache", path: "/api/user", header: h("If-None-Match", userETag, "Cache-Control", "no-cache"), status: 200, resp: userJSON},
		{name: "if-modified-since", path: "/api/user", header: h("If-None-Match", userETag, "If-Modified-Since", "Mon, 01 Jan 2024 00:00:00 GMT"), status: 200, resp: userJSON},
		{name: "304 replaces an error status", path: "/api/send/error-status", header: h("If-None-Match", `"3k8hkstx5vp"`), status: 304,
			resp: "", want: map[string]string{"ETag": `"3k8hkstx5vp"`}},
		{name: "string", path: "/api", status: 200, resp: "Index should work",
			want: map[string]string{"Content-Type": none, "Content-Length": "17", "ETag": `"13zwbfttj8yh"`}},
		{name: "204 drops the body", path: "/api/status204", status: 204, resp: "",
			want: map[string]string{"Content-Type": none, "Content-Length": none, "ETag": none, "Transfer-Encoding": none}},
		{name: "304 drops the body", path: "/api/status304", status: 304, resp: "",
			want: map[string]string{"Content-Type": none, "Content-Length": none, "ETag": none}},
		{name: "bytes", path: "/api/send/bytes", status: 200, resp: "abc",
			want: map[string]string{"Content-Type": "application/octet-stream", "Content-Length": "3", "ETag": `"uhvwy6v527z"`}},
		{name: "bytes keep their type", path: "/api/send/bytes-ct", status: 200, resp: "abc",
			want: map[string]string{"Content-Type": "image/png", "ETag": `"uhvwy6v527z"`}},
		{name: "nil", path: "/api/send/nil", status: 202, resp: "",
			want: map[string]string{"Content-Type": none, "ETag": none}},
		{name: "number", path: "/api/send/number", status: 200, resp: "42",
			want: map[string]string{"Content-Type": jsonType, "ETag": `"145yod55ra52"`, "Content-Length": "2"}},
		{name: "object forces JSON", path: "/api/send/obj-ct", status: 200, resp: `{"a":1}`,
			want: map[string]string{"Content-Type": jsonType, "ETag": `"147uiiad94i7"`}},
		{name: "string keeps its type", path: "/api/send/string-ct", status: 200, resp: "<p>hi</p>",
			want: map[string]string{"Content-Type": "text/html"}},
		{name: "reader", path: "/api/send/reader", status: 200, resp: "streamed",
			want: map[string]string{"Content-Type": "application/octet-stream", "ETag": none}},
		{name: "reader with 204", path: "/api/send/reader-204", status: 204, resp: "",
			want: map[string]string{"Content-Type": none}},
		{name: "json true", path: "/api/send/json-true", status: 200, resp: "true", want: map[string]string{"ETag": `"ywwejgvrps4"`}},
		{name: "json null", path: "/api/send/json-null", status: 200, resp: "null", want: map[string]string{"ETag": `"wm6yxsynvh4"`}},
		{name: "json string", path: "/api/send/json-string", status: 200, resp: `"Hello world!"`, want: map[string]string{"ETag": `"a4w4av7oq6e"`}},
		{name: "json without HTML escapes", path: "/api/send/json-html", status: 200, resp: `{"h":"<b>&</b>"}`, want: map[string]string{"ETag": `"16e1aqcr9klg"`}},
		{name: "json error", path: "/api/send/json-error", status: 500, resp: "Internal Server Error",
			want: map[string]string{"Content-Type": none, "Content-Length": "21", "ETag": none}, logs: []string{"api: JSON: json: unsupported type: chan int"}},
		{name: "send error", path: "/api/send/send-error", status: 500, resp: "Internal Server Error",
			want: map[string]string{"Content-Type": none}, logs: []string{"api: Send: json: unsupported type: func()"}},
		{name: "error status passes", path: "/api/send/error-status", status: 500, resp: `{"error":"Server error!"}`,
			want: map[string]string{"Content-Type": jsonType}},
		{name: "redirect", path: "/api/redirect", status: 307, resp: "/login",
			want: map[string]string{"Location": "/login", "Content-Type": none, "Refresh": none, "ETag": none}},
		{name: "redirect with status", path: "/api/redirect?permanent=1", status: 301, resp: "/login",
			want: map[string]string{"Location": "/login", "Content-Type": none}},
		{name: "redirect with CR LF refused", path: "/api/redirect-crlf", status: 500, resp: "Internal Server Error",
			want: map[string]string{"Location": none, "Set-Cookie": none, "Content-Type": none}, logs: []string{`api: redirect target "/a\r\nSet-Cookie: x=y" refused`}},
		{name: "redirect 204", path: "/api/redirect-204", status: 204, resp: "", want: map[string]string{"Location": "/x"}},
		{name: "end", path: "/api/end", status: 418, resp: "", want: map[string]string{"Content-Type": none}},
		{name: "write", path: "/api/write", status: 201, resp: "ab", want: map[string]string{"Content-Type": "text/plain", "ETag": none}},
		{name: "early hints", path: "/api/early-hints", status: 201, resp: "created", want: map[string]string{"Content-Length": "7"}},
		{name: "write header then json", path: "/api/write-header-then-json", status: 202, resp: `{"a":1}`},
		{name: "query send", path: "/api/query-send?b=1&a=2&b=3", status: 200, resp: `{"b":["1","3"],"a":"2"}`,
			want: map[string]string{"Content-Type": jsonType}},
	})
}

func TestAfterEnd(t *testing.T) {
	app := newTestApp(t)
	runCases(t, app, []httpCase{
		{name: "after end", path: "/api/after-end", status: 200, resp: "",
			logs: []string{"api: JSON called after the response was sent; ignored"}},
	})
	if err := <-app.afterEnd; err != ErrEnded {
		t.Errorf("Write after End = %v, want ErrEnded", err)
	}
}

func TestRequests(t *testing.T) {
	app := newTestApp(t)
	const form = "application/x-www-form-urlencoded"
	runCases(t, app, []httpCase{
		{name: "query", path: "/api/query?a=1&b=2&a=3", status: 200, resp: `{"a":["1","3"],"b":"2"}`,
			want: map[string]string{"ETag": `"17s9uutyr4ln"`}},
		{name: "empty query", path: "/api/query", status: 200, resp: `{}`},
		{name: "bare key", path: "/api/query?a", status: 200, resp: `{"a":""}`},
		{name: "plus", path: "/api/query?a+b=c+d%2B", status: 200, resp: `{"a b":"c d+"}`},
		{name: "index keys first", path: "/api/query?b=1&2=x&1=y", status: 200, resp: `{"1":"y","2":"x","b":"1"}`},
		{name: "dynamic param", path: "/api/post/post-1?val=1", status: 200, resp: `{"val":"1","pid":"post-1"}`},
		{name: "param wins", path: "/api/post/post-1?pid=x", status: 200, resp: `{"pid":"post-1"}`},
		{name: "param decoded once", path: "/api/post/a%2Fb%2520", status: 200, resp: `{"pid":"a/b%20"}`},
		{name: "catch-all one", path: "/api/users/1", status: 200, resp: `{"slug":["1"]}`},
		{name: "catch-all wins", path: "/api/users/a/b?slug=c", status: 200, resp: `{"slug":["a","b"]}`},
		{name: "optional none", path: "/api/optional", status: 200, resp: `{}`},
		{name: "optional none keeps query", path: "/api/optional?slug=x", status: 200, resp: `{"slug":"x"}`},
		{name: "optional some", path: "/api/optional/ab/cd", status: 200, resp: `{"slug":["ab","cd"]}`},
		{name: "no cookies", path: "/api/cookies", status: 200, resp: `{}`},
		{name: "cookies", path: "/api/cookies", header: h("Cookie", "nextjs=cool;"), status: 200, resp: `{"nextjs":"cool"}`},
		{name: "cookie lines", path: "/api/cookies", header: h("Cookie", "a=1; b=%E2%9C%93", "Cookie", `a=2; c="q"`), status: 200, resp: `{"a":"1","b":"✓","c":"q"}`},
		{name: "json body", method: "POST", path: "/api/parse", header: h("Content-Type", "application/json; charset=utf-8"),
			body: strings.NewReader(`[{"title":"Nextjs"}]`), status: 200, resp: `[{"title":"Nextjs"}]`, want: map[string]string{"ETag": `"30pf2hopelk"`}},
		{name: "ld+json body", method: "PUT", path: "/api/parse", header: h("Content-Type", "Application/LD+JSON"),
			body: strings.NewReader(`{"a":1}`), status: 200, resp: `{"a":1}`},
		{name: "empty json body", method: "POST", path: "/api/parse", header: h("Content-Type", "application/json"), status: 200, resp: `{}`},
		{name: "empty json body type", method: "POST", path: "/api/body-type", header: h("Content-Type", "application/json"), status: 200, resp: `map[string]interface {}`},
		{name: "json with BOM", method: "POST", path: "/api/parse", header: h("Content-Type", "application/json"),
			body: strings.NewReader("\xef\xbb\xbf[1]"), status: 200, resp: `[1]`},
		{name: "json on DELETE", method: "DELETE", path: "/api/parse", header: h("Content-Type", "application/json"),
			body: strings.NewReader(`{"name":"foo"}`), status: 200, resp: `{"name":"foo"}`},
		{name: "json on GET", path: "/api/parse", header: h("Content-Type", "application/json"),
			body: strings.NewReader(`"x"`), status: 200, resp: `"x"`},
		{name: "invalid json", method: "POST", path: "/api/parse", header: h("Content-Type", "application/json"),
			body: strings.NewReader(`{"message":Invalid"}`), status: 400, resp: "Invalid JSON",
			want: map[string]string{"Content-Type": none, "Content-Length": "12", "ETag": none}},
		{name: "blank json", method: "POST", path: "/api/parse", header: h("Content-Type", "application/json"),
			body: strings.NewReader("  "), status: 400, resp: "Invalid JSON"},
		{name: "invalid json, chunked", method: "PATCH", path: "/api/parse", header: h("Content-Type", "application/json"),
			body: chunked{strings.NewReader(`[1,`)}, status: 400, resp: "Invalid JSON"},
		{name: "invalid content type is text", method: "POST", path: "/api/parse", header: h("Content-Type", "application/json;"),
			body: strings.NewReader(`{"a":1}`), status: 200, resp: `"{\"a\":1}"`},
		{name: "vnd json is text", method: "POST", path: "/api/parse", header: h("Content-Type", "application/vnd.api+json"),
			body: strings.NewReader(`{"a":1}`), status: 200, resp: `"{\"a\":1}"`},
		{name: "form", method: "POST", path: "/api/parse", header: h("Content-Type", "application/x-www-Form-urlencoded"),
			body: strings.NewReader("title=Nextjs&description=The%20React%20Framework%20for%20Production"), status: 200,
			resp: `{"title":"Nextjs","description":"The React Framework for Production"}`},
		{name: "form lists", method: "POST", path: "/api/parse", header: h("Content-Type", form),
			body: strings.NewReader("a=1&a=2&b=x+y"), status: 200, resp: `{"a":["1","2"],"b":"x y"}`},
		{name: "form type", method: "POST", path: "/api/body-type", header: h("Content-Type", form),
			body: strings.NewReader("a=1"), status: 200, resp: "api.Values"},
		{name: "text", method: "POST", path: "/api/parse", header: h("Content-Type", "text/plain"),
			body: strings.NewReader("hello"), status: 200, resp: `"hello"`},
		{name: "no content type", method: "POST", path: "/api/parse", body: strings.NewReader("hello"), status: 200, resp: `"hello"`},
		{name: "no body", path: "/api/parse", status: 200, resp: `""`},
		{name: "no body type", path: "/api/body-type", status: 200, resp: "string"},
		{name: "multipart is text", method: "POST", path: "/api/body-type", header: h("Content-Type", "multipart/form-data; boundary=x"),
			body: strings.NewReader("--x--"), status: 200, resp: "string"},
		{name: "latin1", method: "POST", path: "/api/parse", header: h("Content-Type", "text/plain; charset=latin1"),
			body: strings.NewReader("caf\xe9"), status: 200, resp: `"café"`},
		{name: "utf-16 json", method: "POST", path: "/api/parse", header: h("Content-Type", "application/json; charset=utf-16le"),
			body: strings.NewReader("[\x001\x00]\x00"), status: 200, resp: `[1]`},
		{name: "invalid utf-8 text", method: "POST", path: "/api/parse", header: h("Content-Type", "text/plain"),
			body: strings.NewReader("a\xffb"), status: 200, resp: "\"a\uFFFDb\""},
		{name: "unsupported charset", method: "POST", path: "/api/parse", header: h("Content-Type", "text/plain; charset=foo"),
			body: strings.NewReader("x"), status: 400, resp: "Invalid body", want: map[string]string{"Content-Type": none}},
		{name: "unsupported charset without body", method: "POST", path: "/api/parse", header: h("Content-Type", "application/json; charset=foo"),
			status: 400, resp: "Invalid body"},
		{name: "unsupported charset without body, text", path: "/api/parse", header: h("Content-Type", "text/plain; charset=foo"),
			status: 400, resp: "Invalid body"},
		{name: "decode json", method: "POST", path: "/api/decode", header: h("Content-Type", "application/json"),
			body: strings.NewReader(`{"name":"x","age":3}`), status: 201, resp: `{"name":"x","age":3}`},
		{name: "decode empty json", method: "POST", path: "/api/decode", header: h("Content-Type", "application/json"),
			status: 201, resp: `{"name":""}`},
		{name: "decode json type error", method: "POST", path: "/api/decode", header: h("Content-Type", "application/json"),
			body: strings.NewReader(`{"name":1}`), status: 400,
			resp: `{"error":"api: decode JSON body: json: cannot unmarshal number into Go struct field decodeTarget.name of type string"}`},
		{name: "decode form", method: "POST", path: "/api/decode", header: h("Content-Type", form),
			body: strings.NewReader("name=x&tags=a&tags=b"), status: 201, resp: `{"name":"x","tags":["a","b"]}`},
		{name: "decode text refused", method: "POST", path: "/api/decode", header: h("Content-Type", "text/plain"),
			body: strings.NewReader("x"), status: 400,
			resp: `{"error":"api: cannot decode a text/plain body into *api.decodeTarget: send Content-Type: application/json or application/x-www-form-urlencoded"}`},
		{name: "decode text to string", method: "POST", path: "/api/decode-string", header: h("Content-Type", "text/plain; charset=latin1"),
			body: strings.NewReader("caf\xe9"), status: 200, resp: "café|caf\xe9"},
		{name: "raw stream", method: "POST", path: "/api/raw", header: h("Content-Type", "application/json"),
			body: strings.NewReader(strings.Repeat("r", 2<<20)), status: 200, resp: `{"bytes":2097152,"parsed":false,"raw":false}`},
		{name: "raw decode", method: "POST", path: "/api/raw-decode", header: h("Content-Type", "application/json"),
			body: strings.NewReader(`{"name":"s"}`), status: 200, resp: `{"in":{"name":"s"},"raw":12}`},
		{name: "raw decode invalid", method: "POST", path: "/api/raw-decode", header: h("Content-Type", "application/json"),
			body: strings.NewReader(`{`), status: 400, resp: `{"error":"api: decode JSON body: unexpected end of JSON input"}`},
		{name: "raw decode bad charset", method: "POST", path: "/api/raw-decode", header: h("Content-Type", "application/json; charset=foo"),
			body: strings.NewReader(`{}`), status: 400, resp: `{"error":"api: unsupported charset \"foo\""}`},
	})
}

func TestBodyLimits(t *testing.T) {
	app := newTestApp(t)
	const mib = 1 << 20
	runCases(t, app, []httpCase{
		{name: "exactly 1mb", method: "POST", path: "/api/size", body: strings.NewReader(strings.Repeat("a", mib)), status: 200, resp: `{"bytes":1048576}`},
		{name: "exactly 1mb chunked", method: "POST", path: "/api/size", body: chunked{strings.NewReader(strings.Repeat("a", mib))}, status: 200, resp: `{"bytes":1048576}`},
		{name: "over 1mb chunked", method: "POST", path: "/api/size", body: chunked{strings.NewReader(strings.Repeat("a", mib+1))}, status: 413,
			resp: "Body exceeded 1mb limit", want: map[string]string{"Content-Type": none, "Content-Length": "23"}},
		{name: "json over 1mb chunked", method: "POST", path: "/api/parse", header: h("Content-Type", "application/json"),
			body: chunked{strings.NewReader(strings.Repeat(" ", mib+1))}, status: 413, resp: "Body exceeded 1mb limit"},
		{name: "exactly 500kb", method: "POST", path: "/api/size-500kb", body: strings.NewReader(strings.Repeat("a", 500<<10)), status: 200, resp: `{"bytes":512000}`},
		{name: "over 500kb chunked", method: "POST", path: "/api/size-500kb", body: chunked{strings.NewReader(strings.Repeat("a", 500<<10+1))}, status: 413, resp: "Body exceeded 500kb limit"},
		{name: "plain handler reads", method: "POST", path: "/api/plain-read", body: strings.NewReader("0123456789"), status: 200, resp: "read 10"},
		{name: "plain handler over the limit chunked", method: "POST", path: "/api/plain-read", body: chunked{strings.NewReader(strings.Repeat("a", mib+1))},
			status: 413, resp: "limit 1048576\n"},
		{name: "plain handler without limit", method: "POST", path: "/api/plain-unlimited", body: strings.NewReader(strings.Repeat("a", 2*mib)), status: 200, resp: "read 2097152 <nil>"},
	})

	// Content-Length over the limit is refused before any byte of the body
	// is read: the request below sends none.
	for _, tt := range []struct{ path, want string }{
		{"/api/size", "Body exceeded 1mb limit"},
		{"/api/size-500kb", "Body exceeded 500kb limit"},
		{"/api/parse", "Body exceeded 1mb limit"},
		{"/api/plain-read", "Body exceeded 1mb limit"},
	} {
		resp, body := rawRequest(t, app, "POST "+tt.path+" HTTP/1.1\r\nHost: x\r\nContent-Length: 2000000\r\n\r\n", false)
		if resp.StatusCode != 413 || body != tt.want || resp.Header["Content-Type"] != nil {
			t.Errorf("%s with Content-Length 2000000: %d %q %v", tt.path, resp.StatusCode, body, resp.Header)
		}
	}
	// A body shorter than its Content-Length is an invalid body.
	resp, body := rawRequest(t, app, "POST /api/parse HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nabcde", true)
	if resp.StatusCode != 400 || body != "Invalid body" {
		t.Errorf("short body: %d %q", resp.StatusCode, body)
	}
}

// rawRequest sends raw bytes on a new connection, optionally closing the
// write side, and reads one response.
func rawRequest(t *testing.T, app *testApp, raw string, closeWrite bool) (*http.Response, string) {
	t.Helper()
	conn, err := net.Dial("tcp", app.srv.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(20 * time.Second))
	if _, err := io.WriteString(conn, raw); err != nil {
		t.Fatal(err)
	}
	if closeWrite {
		conn.(*net.TCPConn).CloseWrite()
	}
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, string(b)
}

func TestFailures(t *testing.T) {
	app := newTestApp(t)
	warnNoResponse := func(url string) string {
		return "API resolved without sending a response for " + url + ", this may result in stalled requests."
	}
	runCases(t, app, []httpCase{
		{name: "panic", path: "/api/panic", status: 500, resp: "Internal Server Error",
			want: map[string]string{"Content-Type": none, "Content-Length": "21"}, logs: []string{"api: panic in pages/api/panic.go: something broke"}},
		{name: "panic keeps other headers", path: "/api/panic-headers", status: 500, resp: "Internal Server Error",
			want: map[string]string{"Content-Type": none, "X-Keep": "yes", "Content-Length": "21"}, logs: []string{"api: panic in pages/api/panic-headers.go: after headers"}},
		{name: "panic after a complete response", path: "/api/panic-after-json", status: 200, resp: `{"ok":true}`,
			logs: []string{"api: panic in pages/api/panic-after-json.go: too late"}},
		{name: "invalid status", path: "/api/invalid-status", status: 500, resp: "Internal Server Error",
			logs: []string{"api: panic in pages/api/invalid-status.go: api: invalid status code 1000"}},
		{name: "no response", path: "/api/noop", status: 200, resp: "", logs: []string{warnNoResponse("/api/noop")}},
		{name: "no response keeps status", path: "/api/noop-status?x=1", status: 404, resp: "", logs: []string{warnNoResponse("/api/noop-status?x=1")}},
		{name: "no response, external resolver", path: "/api/noop-external", status: 200, resp: ""},
		{name: "plain panic", path: "/api/plain-panic", status: 500, resp: "Internal Server Error",
			want: map[string]string{"Content-Type": none}, logs: []string{"api: panic in pages/api/plain-panic.go: plain broke"}},
		{name: "revalidate", path: "/api/revalidate?path=/blog/post-1", status: 200, resp: "ok"},
		{name: "revalidate bad path", path: "/api/revalidate?path=blog", status: 500,
			resp: "Invalid urlPath provided to revalidate(), must be a path e.g. /blog/post-1, received blog"},
		{name: "revalidate failure", path: "/api/revalidate?path=/fail", status: 500, resp: "Failed to revalidate /fail: boom"},
		{name: "revalidate without cache", path: "/api/revalidate-nocache", status: 500,
			resp: "Failed to revalidate /x: no cache is configured for this route (ErrNoCache: true)"},
	})
	if got := app.cache.paths; len(got) != 1 || got[0] != "/blog/post-1" {
		t.Errorf("revalidated %q, want [/blog/post-1]", got)
	}

	// The stack of a panic names the file and line of the handler.
	app.logs.take(t)
	resp, err := app.client().Get(app.srv.URL + "/api/panic")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	recs := app.logs.take(t)
	if len(recs) != 1 {
		t.Fatalf("logs: %v", recs)
	}
	stack, _ := recs[0]["stack"].(string)
	if !strings.Contains(stack, "handler_test.go:") || recs[0]["file"] != "pages/api/panic.go" || recs[0]["level"] != "ERROR" {
		t.Errorf("panic record lacks the file or the handler's frame: %v", recs[0])
	}

	// Panics once the response is under way abort the connection: the
	// client sees a truncated response, never a clean one.
	for _, path := range []string{"/api/panic-after-write", "/api/plain-panic-after-write", "/api/send/reader-fails", "/api/redirect-after-write", "/api/abort"} {
		app.logs.take(t)
		resp, err := app.client().Get(app.srv.URL + path)
		if err == nil {
			_, err = io.ReadAll(resp.Body)
			resp.Body.Close()
		}
		if err == nil {
			t.Errorf("%s: the response completed, want an aborted connection", path)
		}
		recs := app.logs.take(t)
		if path == "/api/abort" {
			if len(recs) != 0 {
				t.Errorf("%s: logged %v, want nothing", path, recs)
			}
		} else if len(recs) != 1 || recs[0]["level"] != "ERROR" {
			t.Errorf("%s: logs %v, want one error", path, recs)
		}
	}
}

func TestResponseLimit(t *testing.T) {
	app := newTestApp(t)
	warn := func(url, size string) string {
		return "API response for " + url + " exceeds " + size + ". API Routes are meant to respond quickly. https://nextjs.org/docs/messages/api-routes-response-size-limit"
	}
	runCases(t, app, []httpCase{
		{name: "under 4mb", path: "/api/large?n=4194303", status: 200, respLen: 4194303},
		{name: "4mb", path: "/api/large?n=4mb", status: 200, respLen: 4 << 20, logs: []string{warn("/api/large?n=4mb", "4MB")}},
		{name: "off", path: "/api/large-nolimit?n=6mb", status: 200, respLen: 6 << 20},
		{name: "5mb not reached", path: "/api/large-5mb?n=4mb", status: 200, respLen: 4 << 20},
		{name: "5mb reached", path: "/api/large-5mb?n=5.5mb", status: 200, respLen: 5767168, logs: []string{warn("/api/large-5mb?n=5.5mb", "5MB")}},
		{name: "plain handler", path: "/api/plain-large", status: 200, respLen: 4 << 20, logs: []string{warn("/api/plain-large", "4MB")}},
	})
	app.logs.take(t)
	resp, err := app.client().Get(app.srv.URL + "/api/large?n=4mb")
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	recs := app.logs.take(t)
	if len(recs) != 1 || recs[0]["level"] != "WARN" || recs[0]["file"] != "pages/api/large.go" || recs[0]["bytes"] != float64(4<<20) {
		t.Errorf("size warning record: %v", recs)
	}
}

func TestPlainHandler(t *testing.T) {
	app := newTestApp(t)
	runCases(t, app, []httpCase{
		{name: "get", path: "/api/plain", status: 200, resp: "plain GET", want: map[string]string{"Content-Type": "text/plain"}},
		{name: "options", method: "OPTIONS", path: "/api/plain", status: 200, resp: "plain OPTIONS"},
	})
}

func TestNewHandlerPanics(t *testing.T) {
	fn := func(*Request, *Response) {}
	tests := []struct {
		name string
		rt   Route
		want string
	}{
		{"neither", Route{File: "a.go"}, "api: route a.go sets neither Handler nor HTTP; set exactly one"},
		{"both", Route{File: "a.go", Handler: fn, HTTP: http.NotFoundHandler()}, "api: route a.go sets both Handler and HTTP; set exactly one"},
		{"bad size", Route{File: "a.go", Handler: fn, Config: Config{BodyParser: BodyParser{SizeLimit: "huge"}}}, "api: route a.go: invalid Config: BodyParser.SizeLimit: api: invalid size"},
		{"bad response limit", Route{File: "a.go", Handler: fn, Config: Config{ResponseLimit: "huge"}}, "api: route a.go: invalid Config: ResponseLimit: api: invalid size"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			defer func() {
				msg := fmt.Sprint(recover())
				if !strings.HasPrefix(msg, tt.want) {
					t.Errorf("panic %q, want it to start with %q", msg, tt.want)
				}
			}()
			NewHandler(tt.rt)
		})
	}
}

// TestResponseWriterSurface checks what the Response offers to code that
// treats it as a plain http.ResponseWriter.
func TestResponseWriterSurface(t *testing.T) {
	var got struct {
		status  int
		flusher bool
		unwrap  bool
	}
	hd := NewHandler(Route{File: "x.go", Handler: func(req *Request, res *Response) {
		var w http.ResponseWriter = res
		_, got.flusher = w.(http.Flusher)
		_, got.unwrap = w.(interface{ Unwrap() http.ResponseWriter })
		got.status = res.Status(203).StatusCode()
		http.SetCookie(w, &http.Cookie{Name: "visited", Value: "yes", Path: "/"})
		res.Send("ok")
	}})
	rec := httptest.NewRecorder()
	hd.ServeHTTP(rec, httptest.NewRequest("GET", "/x", nil))
	if rec.Code != 203 || rec.Body.String() != "ok" || rec.Header().Get("Set-Cookie") != "visited=yes; Path=/" || !got.flusher || !got.unwrap || got.status != 203 {
		t.Errorf("code %d body %q headers %v, %+v", rec.Code, rec.Body.String(), rec.Header(), got)
	}
}
