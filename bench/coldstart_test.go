package bench

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"testing"
	"time"

	"github.com/nextgo-dev/nextgo/adapters/lambda/localaws"
	"github.com/nextgo-dev/nextgo/adapters/lambda/runtimeapi"
)

// The cold-start benchmark compares, in one run, the cold start of a
// function whose main is adapters/lambda.Start with a bare aws-lambda-go
// handler answering the same HTTP API event. A cold start is measured from
// process start to the first response through the Runtime API, as
// `nextgo start` runs the function: a fresh runtimeapi.Pool per start, so
// every invocation starts a new process.
//
// Both mains are built as nextgo builds a route (CGO_ENABLED=0, -trimpath,
// -tags lambda.norpc, -ldflags=-s -w) for this machine, in one go build.
// Their sources are handed to the go command with -overlay: nothing is
// written into the module.
//
// Run: go test ./bench -run '^$' -bench ColdStart -benchtime 300x
// They are interleaved, so machine drift affects them alike; the
// nextgo/bare metric is the ratio of their median cold starts, reported
// with each median (bare-ns/start, nextgo-ns/start) and each binary's size.

const coldStartBare = `package main

import (
	"context"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
)

func main() {
	lambda.Start(func(ctx context.Context, ev events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
		return events.APIGatewayV2HTTPResponse{
			StatusCode: 200,
			Headers:    map[string]string{"Content-Type": "text/plain; charset=utf-8"},
			Body:       "ok",
		}, nil
	})
}
`

const coldStartNextgo = `package main

import (
	"net/http"

	"github.com/nextgo-dev/nextgo/adapters/lambda"
)

func main() {
	lambda.Start(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Write([]byte("ok"))
	}), lambda.Options{})
}
`

// coldStartCached is a cached route handler's function as the bundler
// generates it: the shared store chosen by the environment
// (adapters/lambda/s3cache), a ForceStatic GET, the mux and the adapter.
const coldStartCached = `package main

import (
	"time"

	nglambda "github.com/nextgo-dev/nextgo/adapters/lambda"
	"github.com/nextgo-dev/nextgo/adapters/lambda/s3cache"
	"github.com/nextgo-dev/nextgo/runtime/cache"
	"github.com/nextgo-dev/nextgo/runtime/mux"
	"github.com/nextgo-dev/nextgo/runtime/server"
)

func GET(req *server.Request) (*server.Response, error) { return server.Text("ok"), nil }

func main() {
	store := cache.FromEnv(s3cache.Backend())
	routes := []mux.Route{{Pattern: "/api/hello", File: "app/api/hello/route.go", MaxDuration: 30 * time.Second, Handler: server.NewHandler(server.Route{File: "app/api/hello/route.go", Config: server.Config{Dynamic: server.ForceStatic}, GET: server.Func(GET), Cache: store})}}
	mx, err := mux.New(routes, mux.Options{})
	if err != nil {
		panic(err)
	}
	nglambda.Start(mx, nglambda.Options{MaxDuration: 30 * time.Second, Route: "/api/hello", File: "app/api/hello/route.go"})
}
`

// coldStartPlain is an uncached route handler's function as the bundler
// generates it: the memory store only, no AWS client linked.
const coldStartPlain = `package main

import (
	"time"

	nglambda "github.com/nextgo-dev/nextgo/adapters/lambda"
	"github.com/nextgo-dev/nextgo/runtime/cache"
	"github.com/nextgo-dev/nextgo/runtime/mux"
	"github.com/nextgo-dev/nextgo/runtime/server"
)

func GET(req *server.Request) (*server.Response, error) { return server.Text("ok"), nil }

func main() {
	store := cache.FromEnv()
	routes := []mux.Route{{Pattern: "/api/plain", File: "app/api/plain/route.go", MaxDuration: 30 * time.Second, Handler: server.NewHandler(server.Route{File: "app/api/plain/route.go", GET: server.Func(GET), Cache: store})}}
	mx, err := mux.New(routes, mux.Options{})
	if err != nil {
		panic(err)
	}
	nglambda.Start(mx, nglambda.Options{MaxDuration: 30 * time.Second, Route: "/api/plain", File: "app/api/plain/route.go"})
}
`

// coldStartEvent is a small HTTP API GET.
const coldStartEvent = `{"version":"2.0","routeKey":"ANY /api/hello","rawPath":"/api/hello","rawQueryString":"","headers":{"host":"127.0.0.1:3000","user-agent":"bench"},"requestContext":{"accountId":"000000000000","apiId":"nextgolocal","domainName":"127.0.0.1","domainPrefix":"127","http":{"method":"GET","path":"/api/hello","protocol":"HTTP/1.1","sourceIp":"127.0.0.1","userAgent":"bench"},"requestId":"bench","routeKey":"ANY /api/hello","stage":"$default","time":"12/Mar/2025:19:03:58 +0000","timeEpoch":1741806238000},"isBase64Encoded":false}`

// coldStartMains are the mains the benchmarks build, by name.
var coldStartMains = map[string]string{"bare": coldStartBare, "nextgo": coldStartNextgo, "cached": coldStartCached, "plain": coldStartPlain, "spin": preemptSpin}

// buildColdStartMains builds the mains named into dir, in one go build,
// and returns their paths in the same order.
func buildColdStartMains(b *testing.B, dir string, names ...string) []string {
	b.Helper()
	wd, err := os.Getwd()
	if err != nil {
		b.Fatal(err)
	}
	replace := map[string]string{}
	pkgs := make([]string, len(names))
	bins := make([]string, len(names))
	out := filepath.Join(dir, "bin") + string(filepath.Separator)
	for i, name := range names {
		pkgs[i], bins[i] = "./_coldstart/"+name, filepath.Join(out, name)
		file := filepath.Join(dir, name+".go")
		if err := os.WriteFile(file, []byte(coldStartMains[name]), 0o644); err != nil {
			b.Fatal(err)
		}
		replace[filepath.Join(wd, "_coldstart", name, "main.go")] = file
	}
	overlay, err := json.Marshal(map[string]any{"Replace": replace})
	if err != nil {
		b.Fatal(err)
	}
	overlayFile := filepath.Join(dir, "overlay.json")
	if err := os.WriteFile(overlayFile, overlay, 0o644); err != nil {
		b.Fatal(err)
	}
	cmd := exec.Command(filepath.Join(runtime.GOROOT(), "bin", "go"), append([]string{"build",
		"-overlay", overlayFile, "-tags", "lambda.norpc", "-trimpath", "-ldflags=-s -w",
		"-o", out}, pkgs...)...)
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if msg, err := cmd.CombinedOutput(); err != nil {
		b.Fatalf("go build: %v\n%s", err, msg)
	}
	return bins
}

// coldStart starts bootstrap with env in a fresh pool and returns the
// time from process start to its first response.
func coldStart(b *testing.B, bootstrap string, env map[string]string) time.Duration {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	p := runtimeapi.NewPool(runtimeapi.Function{Name: "coldstart", Bootstrap: bootstrap, Env: env}, runtimeapi.Options{
		Output: io.Discard,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	defer p.Close()
	start := time.Now()
	res, err := p.Invoke(ctx, []byte(coldStartEvent))
	d := time.Since(start)
	if err != nil {
		b.Fatal(err)
	}
	var resp struct {
		StatusCode int    `json:"statusCode"`
		Body       string `json:"body"`
	}
	if err := res.Err(); err != nil {
		b.Fatalf("%s: %v", bootstrap, err)
	}
	if err := json.Unmarshal(res.Payload, &resp); err != nil || resp.StatusCode != 200 || resp.Body != "ok" || !res.ColdStart {
		b.Fatalf("%s answered %s (cold %v)", bootstrap, res.Payload, res.ColdStart)
	}
	return d
}

// BenchmarkColdStart also starts, in the same rotation, a cached route's
// function (the shared store on the S3 of a local AWS endpoint, as under
// nextgo start): its cold start runs to its first response, a HIT read
// from S3 once the first start has stored the entry. It reports
// cached/bare for the start and for the binary's size.
func BenchmarkColdStart(b *testing.B) {
	names := []string{"bare", "nextgo", "cached"}
	bins := buildColdStartMains(b, b.TempDir(), names...)
	local, err := localaws.Start()
	if err != nil {
		b.Fatal(err)
	}
	defer local.Close()
	env := []map[string]string{nil, nil, local.Env()}
	samples := make([][]time.Duration, len(names))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		// Rotate which goes first, so none always follows another.
		for j := range names {
			k := (i + j) % len(names)
			samples[k] = append(samples[k], coldStart(b, bins[k], env[k]))
		}
	}
	b.StopTimer()
	// Medians: a start that another process on the machine delayed does
	// not skew them.
	med := make([]time.Duration, len(names))
	for k, name := range names {
		med[k] = medianDuration(samples[k])
		b.ReportMetric(float64(med[k].Nanoseconds()), name+"-ns/start")
	}
	b.ReportMetric(float64(med[1])/float64(med[0]), "nextgo/bare")
	b.ReportMetric(float64(med[2])/float64(med[0]), "cached/bare")
	sizes := make([]float64, len(names))
	for k, name := range names {
		if fi, err := os.Stat(bins[k]); err == nil {
			sizes[k] = float64(fi.Size())
			b.ReportMetric(sizes[k], name+"-bytes")
		}
	}
	b.ReportMetric(sizes[2]/sizes[0], "cached-size/bare")
}

func medianDuration(ds []time.Duration) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[len(s)/2]
}
