package bench

import (
	"bufio"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/nextgo-dev/nextgo/adapters/lambda/runtimeapi"
	"github.com/nextgo-dev/nextgo/runtime/mux"
	"github.com/nextgo-dev/nextgo/runtime/server"
)

// BenchmarkStreamFirstByte compares, in one run, the time to the first
// chunk of a streaming route handler under nextgo start (the REST API
// front, a STREAM integration, the function's own process answering in
// API Gateway's streaming format through the Runtime API) with the same
// handler under nextgo dev's server (one in-process mux behind net/http).
//
// The handler writes "first\n" (a Stream body flushes each write), then
// "second\n" 20 ms later; the time is
// from sending the request to reading the first line. Requests alternate
// between the two; start/dev is the ratio of their medians.
//
// Run: go test ./bench -run '^$' -bench StreamFirstByte -benchtime 500x
func BenchmarkStreamFirstByte(b *testing.B) {
	bins := buildColdStartMains(b, b.TempDir(), "stream")
	quiet := runtimeapi.Options{Output: io.Discard, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
	pool := runtimeapi.NewPool(runtimeapi.Function{Name: "stream", Bootstrap: bins[0], Timeout: 30 * time.Second}, quiet)
	defer pool.Close()
	front, err := runtimeapi.NewFront([]runtimeapi.FrontRoute{{Pattern: "/api/stream", Pool: pool, Stream: true}},
		runtimeapi.FrontOptions{Logger: quiet.Logger, Gateway: runtimeapi.GatewayREST})
	if err != nil {
		b.Fatal(err)
	}
	start := httptest.NewServer(front)
	defer start.Close()
	mx, err := mux.New([]mux.Route{{Pattern: "/api/stream", File: "app/api/stream/route.go", MaxDuration: 30 * time.Second,
		Handler: server.NewHandler(server.Route{File: "app/api/stream/route.go", GET: server.Func(streamGET)})}}, mux.Options{})
	if err != nil {
		b.Fatal(err)
	}
	dev := httptest.NewServer(mx)
	defer dev.Close()

	firstByte := func(base string) time.Duration {
		t0 := time.Now()
		res, err := http.Get(base + "/api/stream")
		if err != nil {
			b.Fatal(err)
		}
		defer res.Body.Close()
		br := bufio.NewReader(res.Body)
		first, err := br.ReadString('\n')
		d := time.Since(t0)
		rest, _ := io.ReadAll(br)
		if res.StatusCode != 200 || first != "first\n" || string(rest) != "second\n" {
			b.Fatalf("%s: %d %q %q", base, res.StatusCode, first, rest)
		}
		return d
	}
	firstByte(start.URL) // the cold start
	firstByte(dev.URL)
	s, d := make([]time.Duration, 0, b.N), make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if i%2 == 0 {
			s = append(s, firstByte(start.URL))
			d = append(d, firstByte(dev.URL))
		} else {
			d = append(d, firstByte(dev.URL))
			s = append(s, firstByte(start.URL))
		}
	}
	b.StopTimer()
	sm, dm := medianDuration(s), medianDuration(d)
	b.ReportMetric(float64(sm.Nanoseconds()), "start-ns/first-byte")
	b.ReportMetric(float64(dm.Nanoseconds()), "dev-ns/first-byte")
	b.ReportMetric(float64(sm)/float64(dm), "start/dev")
}

// streamGET is the benchmark's streaming route handler, the same code as
// coldStartStream's.
func streamGET(req *server.Request) (*server.Response, error) {
	return server.Stream(func(w io.Writer) error {
		if _, err := io.WriteString(w, "first\n"); err != nil {
			return err
		}
		time.Sleep(20 * time.Millisecond)
		_, err := io.WriteString(w, "second\n")
		return err
	}), nil
}

// coldStartStream is a streaming route handler's function as the bundler
// generates it (Streaming: true), with streamGET's code.
const coldStartStream = `package main

import (
	"io"
	"time"

	nglambda "github.com/nextgo-dev/nextgo/adapters/lambda"
	"github.com/nextgo-dev/nextgo/runtime/mux"
	"github.com/nextgo-dev/nextgo/runtime/server"
)

func GET(req *server.Request) (*server.Response, error) {
	return server.Stream(func(w io.Writer) error {
		if _, err := io.WriteString(w, "first\n"); err != nil {
			return err
		}
		time.Sleep(20 * time.Millisecond)
		_, err := io.WriteString(w, "second\n")
		return err
	}), nil
}

func main() {
	routes := []mux.Route{{Pattern: "/api/stream", File: "app/api/stream/route.go", MaxDuration: 30 * time.Second, Handler: server.NewHandler(server.Route{File: "app/api/stream/route.go", GET: server.Func(GET)})}}
	mx, err := mux.New(routes, mux.Options{})
	if err != nil {
		panic(err)
	}
	nglambda.Start(mx, nglambda.Options{MaxDuration: 30 * time.Second, Streaming: true, Route: "/api/stream", File: "app/api/stream/route.go"})
}
`

func init() { coldStartMains["stream"] = coldStartStream }
