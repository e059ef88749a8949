package bench

import (
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/nextgo-dev/nextgo/runtime/api"
	"github.com/nextgo-dev/nextgo/runtime/devserver"
	"github.com/nextgo-dev/nextgo/runtime/mux"
)

// BenchmarkDevServe measures what a load generator sees of the dev server
// (runtime/devserver's HTTP server: request log, request ids, body guard,
// dispatcher, API route) answering GET /api/user of the hello example,
// paired in one run with a bare net/http server answering the same JSON:
// 32 keep-alive connections over loopback, like `wrk -c 32`. Report the
// ratio of the two ns/op (bare / dev is the dev server's share of bare
// throughput):
//
//	go test ./bench -run '^$' -bench DevServe -cpu 2
func BenchmarkDevServe(b *testing.B) {
	for _, name := range []string{"bare", "dev"} {
		b.Run(name, func(b *testing.B) {
			srv := httptest.NewUnstartedServer(http.HandlerFunc(bareUser))
			if name == "dev" {
				srv.Config = helloDevServer(b) // a new one: Close shuts it down
			}
			srv.Start()
			defer srv.Close()
			tr := &http.Transport{MaxIdleConnsPerHost: 32, MaxConnsPerHost: 32}
			defer tr.CloseIdleConnections()
			client := &http.Client{Transport: tr}
			url := srv.URL + "/api/user"
			b.SetParallelism(16) // 32 client goroutines on 2 CPUs
			b.ReportAllocs()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					resp, err := client.Get(url)
					if err != nil {
						b.Error(err)
						return
					}
					io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					if resp.StatusCode != 200 {
						b.Errorf("status %d", resp.StatusCode)
						return
					}
				}
			})
		})
	}
}

// BenchmarkDevServeInProcess is BenchmarkDevServe without the sockets: the
// dev server's handler chain against the bare handler on the same request,
// each writing to a discarding ResponseWriter. The difference is the dev
// server's own cost per request; the loopback benchmark adds what both pay
// for HTTP.
func BenchmarkDevServeInProcess(b *testing.B) {
	dev := helloDevServer(b)
	for _, bc := range []struct {
		name string
		h    http.Handler
	}{{"bare", http.HandlerFunc(bareUser)}, {"dev", dev.Handler}} {
		b.Run(bc.name, func(b *testing.B) {
			req := httptest.NewRequest("GET", "/api/user", nil)
			req.RequestURI = "/api/user"
			w := &discardWriter{h: make(http.Header, 4)}
			b.ReportAllocs()
			for b.Loop() {
				clear(w.h)
				bc.h.ServeHTTP(w, req)
			}
		})
	}
}

// helloDevServer is the dev server of the hello example's two API routes,
// its request log discarded.
func helloDevServer(b *testing.B) *http.Server {
	user := api.NewHandler(api.Route{File: "pages/api/user.go", Handler: func(req *api.Request, res *api.Response) {
		res.Status(http.StatusOK).JSON(johnDoe)
	}})
	dev, err := devserver.NewServer([]mux.Route{
		{Pattern: "/api/hello", File: "pages/api/hello.go", Handler: user},
		{Pattern: "/api/user", File: "pages/api/user.go", Handler: user},
	}, devserver.Options{Out: io.Discard})
	if err != nil {
		b.Fatal(err)
	}
	return dev
}
