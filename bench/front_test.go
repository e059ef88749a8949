package bench

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nextgo-dev/nextgo/adapters/lambda/runtimeapi"
)

// The front benchmark measures, in one run, the request path of `nextgo
// start` (HTTP front → Runtime API → function process → back) against the
// same handler served in process by net/http, as `nextgo dev` serves it.
// Both are driven over loopback HTTP/1.1 with keep-alive by 64 concurrent
// clients.
//
// Run: go test ./bench -run '^$' -bench Front -benchtime 20000x
// Profile the front and Runtime API side with -cpuprofile; bench/
// throughput.sh measures the whole commands with wrk.

func BenchmarkFront(b *testing.B) {
	bins := buildColdStartMains(b, b.TempDir(), "nextgo")
	pool := runtimeapi.NewPool(runtimeapi.Function{Name: "front", Bootstrap: bins[0], Timeout: 10 * time.Second}, runtimeapi.Options{
		Output: io.Discard,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	defer pool.Close()
	front, err := runtimeapi.NewFront([]runtimeapi.FrontRoute{{Pattern: "/api/hello", Pool: pool}}, runtimeapi.FrontOptions{
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	if err != nil {
		b.Fatal(err)
	}
	direct := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Write([]byte("ok"))
	})
	run := func(b *testing.B, h http.Handler) {
		srv := httptest.NewServer(h)
		defer srv.Close()
		client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
		get := func() error {
			res, err := client.Get(srv.URL + "/api/hello")
			if err != nil {
				return err
			}
			body, err := io.ReadAll(res.Body)
			res.Body.Close()
			if err == nil && (res.StatusCode != 200 || string(body) != "ok") {
				b.Errorf("got %d %q", res.StatusCode, body)
			}
			return err
		}
		for i := 0; i < 64; i++ { // warm: processes started, connections open
			if err := get(); err != nil {
				b.Fatal(err)
			}
		}
		var failed atomic.Int64
		b.SetParallelism((64 + 1) / 2)
		b.ResetTimer()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				if get() != nil {
					failed.Add(1)
				}
			}
		})
		b.StopTimer()
		if n := failed.Load(); n > 0 {
			b.Errorf("%d requests failed", n)
		}
	}
	b.Run("direct", func(b *testing.B) { run(b, direct) })
	b.Run("start", func(b *testing.B) { run(b, front) })
}

// cannedInvoker answers every invocation with the same result, as a warm
// function answering at once would.
type cannedInvoker struct{ payload []byte }

func (c cannedInvoker) Invoke(_ context.Context, payload []byte) (*runtimeapi.Result, error) {
	return &runtimeapi.Result{RequestID: "00000000-0000-4000-8000-000000000000", Payload: c.payload, ContentType: "application/octet-stream"}, nil
}

// BenchmarkFrontInProcess measures the front's own work for one request,
// without the Runtime API and the function: match, the HTTP API event,
// reading the function's response and writing it, allocations included.
//
// Run: go test ./bench -run '^$' -bench FrontInProcess -benchmem
func BenchmarkFrontInProcess(b *testing.B) {
	answer := []byte(`{"statusCode":200,"headers":{"Content-Type":"application/json; charset=utf-8","Etag":"\"wjzyexk8pqj\"","Content-Length":"19"},"multiValueHeaders":{},"body":"{\"name\":\"John Doe\"}","isBase64Encoded":false}`)
	front, err := runtimeapi.NewFront([]runtimeapi.FrontRoute{{Pattern: "/api/user", Pool: cannedInvoker{answer}}}, runtimeapi.FrontOptions{
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	if err != nil {
		b.Fatal(err)
	}
	req := httptest.NewRequest("GET", "http://127.0.0.1:3000/api/user", nil)
	req.Header.Set("User-Agent", "wrk")
	req.Header.Set("Accept", "*/*")
	w := &discardWriter{h: make(http.Header, 8)}
	b.ReportAllocs()
	for b.Loop() {
		clear(w.h)
		front.ServeHTTP(w, req)
	}
}
