package bench

import (
	"context"
	"io"
	"log/slog"
	"net/http/httptest"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/nextgo-dev/nextgo/adapters/lambda/runtimeapi"
)

// The preemption benchmark checks what nextgo's runtime loop leaves to the
// Go runtime's monitor thread (sysmon), which it no longer wakes at every
// invocation: a handler that keeps its processor (GOMAXPROCS=1, as a
// function of up to 1,769 MB runs) spinning until a goroutine it started
// has run, which takes the monitor's preemption. Invocations come after
// pauses of 0 to 30 ms, so that the monitor is asleep at some of them.
//
// Run: go test ./bench -run '^$' -bench Preempt -benchtime 40x
// It reports the wait's median and maximum in microseconds (about 10 ms
// and at most about 40 ms; a monitor left asleep would make it the spin's
// bound, 2 s).

// preemptSpin is a function whose handler spins until a goroutine it
// started has run, at most 2 s, and answers how long that took in µs.
const preemptSpin = `package main

import (
	"net/http"
	"strconv"
	"sync/atomic"
	"time"

	nglambda "github.com/nextgo-dev/nextgo/adapters/lambda"
)

func main() {
	nglambda.Start(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var ran atomic.Bool
		start := time.Now()
		go ran.Store(true)
		for !ran.Load() && time.Since(start) < 2*time.Second {
		}
		w.Write([]byte(strconv.FormatInt(time.Since(start).Microseconds(), 10)))
	}), nglambda.Options{})
}
`

func BenchmarkPreempt(b *testing.B) {
	bins := buildColdStartMains(b, b.TempDir(), "spin")
	pool := runtimeapi.NewPool(runtimeapi.Function{Name: "spin", Bootstrap: bins[0], Timeout: 10 * time.Second}, runtimeapi.Options{
		Output: io.Discard,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	defer pool.Close()
	var waits []float64
	i := 0
	for b.Loop() {
		res, err := pool.Invoke(context.Background(), []byte(coldStartEvent))
		if err != nil {
			b.Fatal(err)
		}
		rec := httptest.NewRecorder()
		if err := runtimeapi.WriteGatewayResponse(rec, res); err != nil {
			b.Fatal(err)
		}
		us, err := strconv.ParseFloat(rec.Body.String(), 64)
		if err != nil {
			b.Fatalf("answer %q: %v", rec.Body, err)
		}
		waits = append(waits, us)
		time.Sleep(time.Duration(i%4) * 10 * time.Millisecond)
		i++
	}
	slices.Sort(waits)
	b.ReportMetric(waits[len(waits)/2], "p50-us")
	b.ReportMetric(waits[len(waits)-1], "max-us")
}
