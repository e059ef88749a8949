package api

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"

	"github.com/nextgo-dev/nextgo/runtime/router"
)

// discard is a ResponseWriter that costs nothing, so that the benchmarks
// measure the handlers alone.
type discard struct{ h http.Header }

func (d *discard) Header() http.Header         { return d.h }
func (d *discard) Write(p []byte) (int, error) { return len(p), nil }
func (d *discard) WriteHeader(int)             {}

type benchUser struct {
	Name string `json:"name"`
}

var benchValue = benchUser{Name: "John Doe"}

// benchETag is the ETag of {"name":"John Doe"}, computed once so that the
// bare handler pays nothing for it.
var benchETag = func() string {
	e := newETagHash()
	hashText(&e, `{"name":"John Doe"}`)
	return string(e.appendETag(nil))
}()

// bare writes exactly the bytes and headers of the API handler below
// with net/http alone.
func bare(w http.ResponseWriter, r *http.Request) {
	b, _ := json.Marshal(benchValue)
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("Etag", benchETag)
	h.Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(http.StatusOK)
	w.Write(b)
}

func benchServe(b *testing.B, h http.Handler, r *http.Request) {
	w := &discard{h: make(http.Header, 4)}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		clear(w.h)
		h.ServeHTTP(w, r)
	}
}

// BenchmarkHandler compares a GET on an API route that answers
// res.Status(200).JSON(v) with a bare net/http handler writing the same
// response.
func BenchmarkHandler(b *testing.B) {
	api := NewHandler(Route{File: "pages/api/user.go", Handler: func(req *Request, res *Response) {
		res.Status(http.StatusOK).JSON(benchValue)
	}})
	get := httptest.NewRequest(http.MethodGet, "/api/user", nil)
	b.Run("bare", func(b *testing.B) { benchServe(b, http.HandlerFunc(bare), get) })
	b.Run("api", func(b *testing.B) { benchServe(b, api, get) })

	// With a dynamic parameter and a query string, for scale.
	withParams := httptest.NewRequest(http.MethodGet, "/api/post/abc?x=1", nil)
	withParams = withParams.WithContext(router.WithParams(withParams.Context(),
		router.Params{{Name: "pid", Values: []string{"abc"}}}))
	b.Run("api-params-query", func(b *testing.B) { benchServe(b, api, withParams) })
}

// BenchmarkHandlerHTTP is BenchmarkHandler over real HTTP on loopback, one
// keep-alive connection per benchmark goroutine.
func BenchmarkHandlerHTTP(b *testing.B) {
	api := NewHandler(Route{File: "pages/api/user.go", Handler: func(req *Request, res *Response) {
		res.Status(http.StatusOK).JSON(benchValue)
	}})
	for _, bc := range []struct {
		name string
		h    http.Handler
	}{{"bare", http.HandlerFunc(bare)}, {"api", api}} {
		b.Run(bc.name, func(b *testing.B) {
			srv := httptest.NewServer(bc.h)
			defer srv.Close()
			client := srv.Client()
			b.ReportAllocs()
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					resp, err := client.Get(srv.URL + "/api/user")
					if err != nil {
						b.Error(err)
						return
					}
					io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
				}
			})
		})
	}
}
