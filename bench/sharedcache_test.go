package bench

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/nextgo-dev/nextgo/adapters/lambda/localaws"
	"github.com/nextgo-dev/nextgo/adapters/lambda/runtimeapi"
)

// BenchmarkStartCacheHit compares, in one run, a cached route's HIT under
// nextgo start (the front, the function's process, a conditional read of
// the shared entry from the local endpoint's S3 answered 304, the body
// from the per-process layer) with an uncached route handler answering
// the same text, each in its own warm function behind the same front.
//
// Run: go test ./bench -run '^$' -bench StartCacheHit -benchtime 2000x
// Requests alternate between the two; hit/plain is the ratio of their
// median latencies.
func BenchmarkStartCacheHit(b *testing.B) {
	bins := buildColdStartMains(b, b.TempDir(), "cached", "plain")
	local, err := localaws.Start()
	if err != nil {
		b.Fatal(err)
	}
	defer local.Close()
	quiet := runtimeapi.Options{Output: io.Discard, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
	cached := runtimeapi.NewPool(runtimeapi.Function{Name: "cached", Bootstrap: bins[0], Env: local.Env(), Timeout: 30 * time.Second}, quiet)
	defer cached.Close()
	plain := runtimeapi.NewPool(runtimeapi.Function{Name: "plain", Bootstrap: bins[1], Timeout: 30 * time.Second}, quiet)
	defer plain.Close()
	front, err := runtimeapi.NewFront([]runtimeapi.FrontRoute{{Pattern: "/api/hello", Pool: cached}, {Pattern: "/api/plain", Pool: plain}}, runtimeapi.FrontOptions{Logger: quiet.Logger})
	if err != nil {
		b.Fatal(err)
	}
	srv := httptest.NewServer(front)
	defer srv.Close()
	get := func(path, wantCache string) time.Duration {
		start := time.Now()
		res, err := http.Get(srv.URL + path)
		if err != nil {
			b.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		d := time.Since(start)
		if res.StatusCode != 200 || string(body) != "ok" || res.Header.Get("X-Nextjs-Cache") != wantCache {
			b.Fatalf("GET %s: %d %q cache %q, want 200 ok %q", path, res.StatusCode, body, res.Header.Get("X-Nextjs-Cache"), wantCache)
		}
		return d
	}
	get("/api/hello", "MISS")
	get("/api/hello", "HIT")
	get("/api/plain", "")
	hit, unc := make([]time.Duration, 0, b.N), make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if i%2 == 0 {
			hit = append(hit, get("/api/hello", "HIT"))
			unc = append(unc, get("/api/plain", ""))
		} else {
			unc = append(unc, get("/api/plain", ""))
			hit = append(hit, get("/api/hello", "HIT"))
		}
	}
	b.StopTimer()
	h, p := medianDuration(hit), medianDuration(unc)
	b.ReportMetric(float64(h.Nanoseconds()), "hit-ns/req")
	b.ReportMetric(float64(p.Nanoseconds()), "plain-ns/req")
	b.ReportMetric(float64(h)/float64(p), "hit/plain")
}
