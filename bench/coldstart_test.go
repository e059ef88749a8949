package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"testing"
	"time"

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
// The two are interleaved, so machine drift affects both alike; the
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

// coldStartEvent is a small HTTP API GET.
const coldStartEvent = `{"version":"2.0","routeKey":"ANY /api/hello","rawPath":"/api/hello","rawQueryString":"","headers":{"host":"127.0.0.1:3000","user-agent":"bench"},"requestContext":{"accountId":"000000000000","apiId":"nextgolocal","domainName":"127.0.0.1","domainPrefix":"127","http":{"method":"GET","path":"/api/hello","protocol":"HTTP/1.1","sourceIp":"127.0.0.1","userAgent":"bench"},"requestId":"bench","routeKey":"ANY /api/hello","stage":"$default","time":"12/Mar/2025:19:03:58 +0000","timeEpoch":1741806238000},"isBase64Encoded":false}`

// buildColdStartMains builds the two mains into dir and returns their paths
// (bare first).
func buildColdStartMains(b *testing.B, dir string) [2]string {
	b.Helper()
	wd, err := os.Getwd()
	if err != nil {
		b.Fatal(err)
	}
	replace := map[string]string{}
	for name, src := range map[string]string{"bare": coldStartBare, "nextgo": coldStartNextgo} {
		file := filepath.Join(dir, name+".go")
		if err := os.WriteFile(file, []byte(src), 0o644); err != nil {
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
	out := filepath.Join(dir, "bin") + string(filepath.Separator)
	cmd := exec.Command(filepath.Join(runtime.GOROOT(), "bin", "go"), "build",
		"-overlay", overlayFile, "-tags", "lambda.norpc", "-trimpath", "-ldflags=-s -w",
		"-o", out, "./_coldstart/bare", "./_coldstart/nextgo")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if msg, err := cmd.CombinedOutput(); err != nil {
		b.Fatalf("go build: %v\n%s", err, msg)
	}
	return [2]string{filepath.Join(out, "bare"), filepath.Join(out, "nextgo")}
}

// coldStart starts bootstrap in a fresh pool and returns the time from
// process start to its first response.
func coldStart(b *testing.B, bootstrap string) time.Duration {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	p := runtimeapi.NewPool(runtimeapi.Function{Name: "coldstart", Bootstrap: bootstrap}, runtimeapi.Options{
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

func BenchmarkColdStart(b *testing.B) {
	bins := buildColdStartMains(b, b.TempDir())
	samples := [2][]time.Duration{make([]time.Duration, 0, b.N), make([]time.Duration, 0, b.N)}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		// Alternate which goes first, so neither always follows the other.
		for j := 0; j < 2; j++ {
			k := (i + j) % 2
			samples[k] = append(samples[k], coldStart(b, bins[k]))
		}
	}
	b.StopTimer()
	// Medians: a start that another process on the machine delayed does
	// not skew them.
	bare, nextgo := medianDuration(samples[0]), medianDuration(samples[1])
	b.ReportMetric(float64(bare.Nanoseconds()), "bare-ns/start")
	b.ReportMetric(float64(nextgo.Nanoseconds()), "nextgo-ns/start")
	b.ReportMetric(float64(nextgo)/float64(bare), "nextgo/bare")
	for k, name := range []string{"bare", "nextgo"} {
		if fi, err := os.Stat(bins[k]); err == nil {
			b.ReportMetric(float64(fi.Size()), fmt.Sprintf("%s-bytes", name))
		}
	}
}

func medianDuration(ds []time.Duration) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[len(s)/2]
}
