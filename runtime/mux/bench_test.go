package mux

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

// discard is a ResponseWriter that costs nothing, so the benchmarks measure
// the dispatch and the handler only.
type discard struct{ h http.Header }

func (d *discard) Header() http.Header         { return d.h }
func (d *discard) Write(p []byte) (int, error) { return len(p), nil }
func (d *discard) WriteHeader(int)             {}

var body = []byte(`{"name":"John Doe"}`)

func handler(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(200)
	w.Write(body)
}

func benchmark(b *testing.B, h http.Handler, path string) {
	req := httptest.NewRequest("GET", path, nil)
	w := &discard{h: make(http.Header, 4)}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		clear(w.h)
		h.ServeHTTP(w, req)
	}
}

func benchRoutes() []Route {
	var routes []Route
	for _, p := range []string{"/api/user", "/api/post/create", "/api/post/[pid]", "/api/post/[pid]/[...slug]",
		"/api/[post]/comments", "/api/[post]/[comment]", "/api/users", "/api/users/[...slug]", "/api/opt/[[...slug]]"} {
		routes = append(routes, Route{Pattern: p, File: p, Handler: http.HandlerFunc(handler)})
	}
	return routes
}

// BenchmarkBare is the baseline: the same handler called directly.
func BenchmarkBare(b *testing.B) { benchmark(b, http.HandlerFunc(handler), "/api/user") }

// BenchmarkStatic routes a static path through the Mux to the same handler.
func BenchmarkStatic(b *testing.B) {
	mx, err := New(benchRoutes(), Options{})
	if err != nil {
		b.Fatal(err)
	}
	benchmark(b, mx, "/api/user")
}

// BenchmarkDynamic routes a path with a parameter.
func BenchmarkDynamic(b *testing.B) {
	mx, err := New(benchRoutes(), Options{})
	if err != nil {
		b.Fatal(err)
	}
	benchmark(b, mx, "/api/post-1/comment-1")
}
