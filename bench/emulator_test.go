package bench

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"

	"github.com/nextgo-dev/nextgo/runtime/api"
	"github.com/nextgo-dev/nextgo/runtime/mux"
)

// The emulator benchmarks compare a request routed by the emulator's mux to
// an API route answering res.Status(200).JSON(v) with a bare net/http
// handler writing the same bytes and headers (its ETag precomputed).

type user struct {
	Name string `json:"name"`
}

var johnDoe = user{Name: "John Doe"}

// etagJohnDoe is Next's ETag of {"name":"John Doe"}.
const etagJohnDoe = `"wjzyexk8pqj"`

func bareUser(w http.ResponseWriter, r *http.Request) {
	b, _ := json.Marshal(johnDoe)
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("Etag", etagJohnDoe)
	h.Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(http.StatusOK)
	w.Write(b)
}

// emulatorApp is a 20-route table like a small app's, /api/user among them.
func emulatorApp(b *testing.B) http.Handler {
	userRoute := api.NewHandler(api.Route{File: "pages/api/user.go", Handler: func(req *api.Request, res *api.Response) {
		res.Status(http.StatusOK).JSON(johnDoe)
	}})
	var routes []mux.Route
	for _, p := range []string{"/api", "/api/cookies", "/api/greet", "/api/optional/[[...slug]]", "/api/panic", "/api/parse",
		"/api/parse-500kb", "/api/plain", "/api/post/create", "/api/post/[pid]", "/api/post/[...slug]", "/api/raw",
		"/api/redirect", "/api/slow", "/api/status204", "/api/[post]/comments", "/api/[post]/[comment]", "/api/a/b/c", "/api/z"} {
		routes = append(routes, mux.Route{Pattern: p, File: p, Handler: userRoute})
	}
	routes = append(routes, mux.Route{Pattern: "/api/user", File: "pages/api/user.go", Handler: userRoute})
	mx, err := mux.New(routes, mux.Options{})
	if err != nil {
		b.Fatal(err)
	}
	return mx
}

type discardWriter struct{ h http.Header }

func (d *discardWriter) Header() http.Header         { return d.h }
func (d *discardWriter) Write(p []byte) (int, error) { return len(p), nil }
func (d *discardWriter) WriteHeader(int)             {}

// BenchmarkEmulatorInProcess measures routing and dispatch alone.
func BenchmarkEmulatorInProcess(b *testing.B) {
	for _, bc := range []struct {
		name string
		h    http.Handler
		path string
	}{
		{"bare", http.HandlerFunc(bareUser), "/api/user"},
		{"static", emulatorApp(b), "/api/user"},
		{"dynamic", emulatorApp(b), "/api/post-1/comment-1"},
	} {
		b.Run(bc.name, func(b *testing.B) {
			req := httptest.NewRequest("GET", bc.path, nil)
			w := &discardWriter{h: make(http.Header, 4)}
			b.ReportAllocs()
			for b.Loop() {
				clear(w.h)
				bc.h.ServeHTTP(w, req)
			}
		})
	}
}

// BenchmarkEmulatorHTTP measures throughput over real HTTP on loopback,
// keep-alive, one connection: what a client of `nextgo dev` sees.
func BenchmarkEmulatorHTTP(b *testing.B) {
	for _, bc := range []struct {
		name string
		h    http.Handler
	}{{"bare", http.HandlerFunc(bareUser)}, {"static", emulatorApp(b)}} {
		b.Run(bc.name, func(b *testing.B) {
			srv := httptest.NewServer(bc.h)
			defer srv.Close()
			client := srv.Client()
			url := srv.URL + "/api/user"
			b.ReportAllocs()
			for b.Loop() {
				resp, err := client.Get(url)
				if err != nil {
					b.Fatal(err)
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode != 200 {
					b.Fatalf("status %d", resp.StatusCode)
				}
			}
		})
	}
}
