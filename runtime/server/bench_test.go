package server

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/nextgo-dev/nextgo/runtime/cache"
	"github.com/nextgo-dev/nextgo/runtime/router"
)

// BenchmarkHandler measures what the route-handler runtime costs over a
// plain net/http handler doing the same work (baseline).
func BenchmarkHandler(b *testing.B) {
	payload := map[string]string{"hello": "world"}
	ps := router.Params{{Name: "slug", Values: []string{"shoe"}}}
	get := Func(func(req *Request) (*Response, error) {
		return JSON(map[string]string{"hello": payload["hello"], "slug": req.Param("slug")}), nil
	})
	cases := []struct {
		name string
		h    http.Handler
	}{
		{"baseline", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			b, _ := json.Marshal(map[string]string{"hello": payload["hello"], "slug": router.ParamsFrom(r.Context()).Get("slug")})
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write(b)
		})},
		{"func", NewHandler(Route{File: "app/b/route.go", GET: get})},
		{"http", NewHandler(Route{File: "app/b/route.go", GET: HTTP(func(w http.ResponseWriter, r *http.Request) {
			b, _ := json.Marshal(map[string]string{"hello": payload["hello"], "slug": r.PathValue("slug")})
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write(b)
		})})},
		{"cached-hit", NewHandler(Route{File: "app/b/route.go", Config: Config{Dynamic: ForceStatic}, GET: get, Cache: cache.New()})},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			r := httptest.NewRequest("GET", "/api/items/shoe", nil)
			r = r.WithContext(router.WithParams(r.Context(), ps))
			b.ReportAllocs()
			for b.Loop() {
				rec := httptest.NewRecorder()
				c.h.ServeHTTP(rec, r)
				if rec.Code != 200 {
					b.Fatal(rec.Code)
				}
			}
		})
	}
}

// BenchmarkMiddleware measures a matching middleware that continues.
func BenchmarkMiddleware(b *testing.B) {
	final := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(204) })
	for _, c := range []struct {
		name string
		h    http.Handler
	}{
		{"baseline", final},
		{"next", NewMiddleware(MiddlewareRoute{File: "middleware.go", Func: func(*Request) (*Response, error) { return Next(), nil },
			Config: MiddlewareConfig{Matcher: []string{"/api/:path*"}}}).Wrap(final)},
		{"not-matched", NewMiddleware(MiddlewareRoute{File: "middleware.go", Func: func(*Request) (*Response, error) { return Next(), nil },
			Config: MiddlewareConfig{Matcher: []string{"/admin/:path*"}}}).Wrap(final)},
	} {
		b.Run(c.name, func(b *testing.B) {
			r := httptest.NewRequest("GET", "/api/items/shoe", nil)
			b.ReportAllocs()
			for b.Loop() {
				rec := httptest.NewRecorder()
				c.h.ServeHTTP(rec, r)
			}
		})
	}
}
