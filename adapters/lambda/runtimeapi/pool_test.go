package runtimeapi

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// described is what the fixture's describe answers.
type described struct {
	PID        int               `json:"pid"`
	Event      json.RawMessage   `json:"event"`
	RequestID  string            `json:"requestId"`
	ARN        string            `json:"arn"`
	DeadlineMs int64             `json:"deadlineMs"`
	TraceID    string            `json:"traceId"`
	Env        map[string]string `json:"env"`
	WD         string            `json:"wd"`
}

func invoke(t *testing.T, ctx context.Context, p *Pool, event string) *Result {
	t.Helper()
	res, err := p.Invoke(ctx, []byte(event))
	if err != nil {
		t.Fatalf("Invoke(%s): %v", event, err)
	}
	return res
}

func decodeDescribed(t *testing.T, res *Result) described {
	t.Helper()
	if res.FunctionError != "" {
		t.Fatalf("function error %s: %s", res.ErrorType, res.Payload)
	}
	var d described
	if err := json.Unmarshal(res.Payload, &d); err != nil {
		t.Fatalf("decoding %s: %v", res.Payload, err)
	}
	return d
}

// errorDoc decodes a function error document.
func errorDoc(t *testing.T, res *Result) InvokeError {
	t.Helper()
	if res.FunctionError != FunctionErrorUnhandled {
		t.Fatalf("FunctionError = %q, want %q (payload %s)", res.FunctionError, FunctionErrorUnhandled, res.Payload)
	}
	var e InvokeError
	if err := json.Unmarshal(res.Payload, &e); err != nil {
		t.Fatalf("error document %s: %v", res.Payload, err)
	}
	if res.ErrorType != e.Type {
		t.Errorf("ErrorType = %q, document errorType = %q", res.ErrorType, e.Type)
	}
	return e
}

// checkErrorDoc checks the error document of a failed invocation: its
// errorType, and its errorMessage, where a %s stands for the request id.
func checkErrorDoc(t *testing.T, res *Result, errorType, message string) {
	t.Helper()
	e := errorDoc(t, res)
	if e.Type != errorType {
		t.Errorf("errorType = %q, want %q", e.Type, errorType)
	}
	if strings.Contains(message, "%s") {
		message = fmt.Sprintf(message, res.RequestID)
	}
	if e.Message != message {
		t.Errorf("errorMessage = %q, want %q", e.Message, message)
	}
}

// alive reports whether a process exists and has not exited (a zombie
// waiting to be reaped counts as exited).
func alive(pid int) bool {
	if syscall.Kill(pid, 0) != nil {
		return false
	}
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return true // no procfs: existence is all we know
	}
	// pid (comm) state ...: the state follows the last ')'.
	i := bytes.LastIndexByte(stat, ')')
	return i < 0 || i+2 >= len(stat) || stat[i+2] != 'Z'
}

func TestPoolWarmReuseAndInvocationContext(t *testing.T) {
	ctx := testContext(t)
	p := newTestPool(t, Function{
		Name:     "warm",
		Timeout:  7 * time.Second,
		MemoryMB: 512,
		Env: map[string]string{
			"APP_SETTING":            "on",
			"AWS_LAMBDA_RUNTIME_API": "127.0.0.1:1", // reserved: cannot be overridden
		},
	}, nil)
	t.Setenv("NEXTGO_TEST_HOST_ONLY", "host")

	first := invoke(t, ctx, p, `{"do":"echo","n":1}`)
	second := invoke(t, ctx, p, `{"do":"echo","n":2}`)
	d1, d2 := decodeDescribed(t, first), decodeDescribed(t, second)

	if !first.ColdStart || second.ColdStart {
		t.Errorf("ColdStart = %v, %v; want true, false", first.ColdStart, second.ColdStart)
	}
	if first.InitDuration <= 0 || second.InitDuration != 0 {
		t.Errorf("InitDuration = %v, %v; want > 0, 0", first.InitDuration, second.InitDuration)
	}
	if d1.PID != d2.PID || first.PID != d1.PID || second.PID != d2.PID {
		t.Errorf("PIDs: results %d, %d; processes %d, %d; want one warm process", first.PID, second.PID, d1.PID, d2.PID)
	}
	if string(d2.Event) != `{"do":"echo","n":2}` {
		t.Errorf("event = %s", d2.Event)
	}
	if d1.RequestID != first.RequestID || d2.RequestID != second.RequestID || d1.RequestID == d2.RequestID {
		t.Errorf("request ids: function saw %q, %q; results %q, %q", d1.RequestID, d2.RequestID, first.RequestID, second.RequestID)
	}
	if want := "arn:aws:lambda:eu-west-3:123456789012:function:warm"; d1.ARN != want || p.ARN() != want {
		t.Errorf("ARN = %q (pool %q), want %q", d1.ARN, p.ARN(), want)
	}
	if !strings.HasPrefix(d1.TraceID, "Root=1-") || !strings.Contains(d1.TraceID, ";Parent=") {
		t.Errorf("trace id = %q", d1.TraceID)
	}
	if d1.DeadlineMs <= 0 {
		t.Errorf("deadline = %d", d1.DeadlineMs)
	}
	if first.ContentType != "application/json" {
		t.Errorf("ContentType = %q", first.ContentType)
	}

	env := d1.Env
	taskRoot := filepath.Dir(fixtureBootstrap)
	for k, want := range map[string]string{
		"AWS_LAMBDA_FUNCTION_NAME":        "warm",
		"AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "512",
		"AWS_LAMBDA_FUNCTION_VERSION":     "$LATEST",
		"AWS_LAMBDA_INITIALIZATION_TYPE":  "on-demand",
		"AWS_LAMBDA_LOG_GROUP_NAME":       "/aws/lambda/warm",
		"AWS_REGION":                      "eu-west-3",
		"AWS_DEFAULT_REGION":              "eu-west-3",
		"_HANDLER":                        "bootstrap",
		"LAMBDA_TASK_ROOT":                taskRoot,
		"TZ":                              ":UTC",
		"APP_SETTING":                     "on",
	} {
		if env[k] != want {
			t.Errorf("env %s = %q, want %q", k, env[k], want)
		}
	}
	if api := env["AWS_LAMBDA_RUNTIME_API"]; !strings.HasPrefix(api, "127.0.0.1:") || api == "127.0.0.1:1" {
		t.Errorf("AWS_LAMBDA_RUNTIME_API = %q", api)
	}
	if _, ok := env["NEXTGO_TEST_HOST_ONLY"]; ok {
		t.Error("the host environment leaked into the function")
	}
	if d1.WD != taskRoot {
		t.Errorf("working directory = %q, want %q", d1.WD, taskRoot)
	}
}

func TestPoolConcurrencyStartsMoreProcesses(t *testing.T) {
	ctx := testContext(t)
	p := newTestPool(t, Function{}, nil)
	g := newGate(t)

	busy := make(chan *Result, 1)
	go func() {
		res, err := p.Invoke(ctx, []byte(`{"do":"wait","gate":"`+g.URL+`"}`))
		if err != nil {
			t.Error(err)
		}
		busy <- res
	}()
	g.wait(t, ctx) // the first process is now inside an invocation

	other := decodeDescribed(t, invoke(t, ctx, p, `{"do":"echo"}`))
	g.open()
	var first described
	select {
	case res := <-busy:
		first = decodeDescribed(t, res)
	case <-ctx.Done():
		t.Fatal("the first invocation never finished")
	}
	if first.PID == other.PID {
		t.Fatalf("both concurrent invocations ran in process %d", first.PID)
	}
	// Both are warm now: two more invocations reuse them.
	again := decodeDescribed(t, invoke(t, ctx, p, `{"do":"echo"}`))
	if again.PID != first.PID && again.PID != other.PID {
		t.Errorf("a third process %d started for a sequential invocation", again.PID)
	}
}

func TestPoolMaxConcurrencyBoundsProcesses(t *testing.T) {
	ctx := testContext(t)
	p := newTestPool(t, Function{MaxConcurrency: 1}, nil)
	g := newGate(t)

	var wg sync.WaitGroup
	pids := make([]int, 3)
	for i := range pids {
		wg.Add(1)
		go func() {
			defer wg.Done()
			res, err := p.Invoke(ctx, []byte(`{"do":"wait","gate":"`+g.URL+`"}`))
			if err != nil {
				t.Error(err)
				return
			}
			pids[i] = decodeDescribed(t, res).PID
		}()
	}
	g.wait(t, ctx)
	g.open()
	wg.Wait()
	if pids[0] == 0 || pids[0] != pids[1] || pids[1] != pids[2] {
		t.Errorf("PIDs = %v, want one process serving all three in turn", pids)
	}
}

func TestPoolFailures(t *testing.T) {
	tests := []struct {
		name      string
		fn        Function
		event     string
		errorType string
		message   string // exact, with %s for the request id
		prefix    string // or a prefix of it
		replaced  bool   // the process is gone afterwards
	}{
		{
			name:      "handled error keeps the process",
			event:     `{"do":"error"}`,
			errorType: "errorString",
			message:   "handled failure",
		},
		{
			name:      "panic is reported, then the runtime exits",
			event:     `{"do":"panic"}`,
			errorType: "string",
			message:   "fixture panic",
			replaced:  true,
		},
		{
			name:      "exit during an invocation",
			event:     `{"do":"exit"}`,
			errorType: ErrorTypeExit,
			message:   "RequestId: %s Error: Runtime exited with error: exit status 3",
			replaced:  true,
		},
		{
			name:      "timeout",
			fn:        Function{Timeout: time.Second},
			event:     `{"do":"sleep"}`,
			errorType: ErrorTypeTimeout,
			message:   "RequestId: %s Error: Task timed out after 1.00 seconds",
			replaced:  true,
		},
		{
			name:      "response over 6 MB",
			event:     `{"do":"big"}`,
			errorType: ErrorTypeResponseTooLarge,
			message:   "Response payload size exceeded maximum allowed payload size (6291556 bytes).",
			replaced:  true, // aws-lambda-go exits when the Runtime API refuses its response
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := testContext(t)
			p := newTestPool(t, tt.fn, nil)
			warm := decodeDescribed(t, invoke(t, ctx, p, `{"do":"echo"}`))

			res := invoke(t, ctx, p, tt.event)
			checkErrorDoc(t, res, tt.errorType, tt.message)
			if res.PID != warm.PID || res.ColdStart {
				t.Errorf("failed invocation ran in %d (cold %v), want warm process %d", res.PID, res.ColdStart, warm.PID)
			}

			after := decodeDescribed(t, invoke(t, ctx, p, `{"do":"echo"}`))
			if tt.replaced && after.PID == warm.PID {
				t.Errorf("process %d served again after the failure", warm.PID)
			}
			if !tt.replaced && after.PID != warm.PID {
				t.Errorf("process %d was replaced by %d after a handled error", warm.PID, after.PID)
			}
		})
	}
}

func TestPoolInitFailures(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "nothing", "bootstrap")
	tests := []struct {
		name      string
		fn        Function
		opts      func(*Options)
		errorType string
		message   string
		payload   string // exact payload, when the function reported it
		output    string
		pid       bool
	}{
		{
			name:      "runtime exits during init",
			fn:        Function{Env: map[string]string{"FIXTURE_INIT": "exit"}},
			errorType: ErrorTypeExit,
			message:   "RequestId: %s Error: Runtime exited with error: exit status 4",
			output:    "[fixture] fixture: cannot initialise\n",
			pid:       true,
		},
		{
			name:      "runtime posts an init error",
			fn:        Function{Env: map[string]string{"FIXTURE_INIT": "post-error"}},
			errorType: "Fixture.InitError",
			message:   "missing configuration",
			payload:   `{"errorMessage":"missing configuration","errorType":"Fixture.InitError"}`,
			pid:       true,
		},
		{
			name:      "init timeout",
			fn:        Function{Env: map[string]string{"FIXTURE_INIT": "hang"}},
			opts:      func(o *Options) { o.InitTimeout = 300 * time.Millisecond },
			errorType: ErrorTypeTimeout,
			message:   "RequestId: %s Error: Init timed out after 0.30 seconds",
			pid:       true,
		},
		{
			name:      "bootstrap missing",
			fn:        Function{Bootstrap: missing},
			errorType: ErrorTypeInvalidEntry,
			message:   "RequestId: %s Error: fork/exec " + missing + ": no such file or directory",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := testContext(t)
			out := &lockedBuffer{}
			fn := tt.fn
			if fn.Bootstrap == "" {
				fn.Bootstrap = fixtureBootstrap
			}
			fn.Name = "fixture"
			opts := Options{Output: out}
			if tt.opts != nil {
				tt.opts(&opts)
			}
			p := NewPool(fn, opts)
			defer p.Close()

			res := invoke(t, ctx, p, `{"do":"echo"}`)
			checkErrorDoc(t, res, tt.errorType, tt.message)
			if tt.payload != "" && string(res.Payload) != tt.payload {
				t.Errorf("payload = %s, want %s", res.Payload, tt.payload)
			}
			if !res.ColdStart || (res.PID != 0) != tt.pid {
				t.Errorf("ColdStart = %v, PID = %d", res.ColdStart, res.PID)
			}
			p.Close()
			if res.PID != 0 && alive(res.PID) {
				t.Errorf("process %d survived its failed init", res.PID)
			}
			if tt.output != "" && !strings.Contains(out.String(), tt.output) {
				t.Errorf("output %q does not contain %q", out.String(), tt.output)
			}
			if !strings.Contains(out.String(), "function=fixture") {
				t.Errorf("the failure was not logged: %q", out.String())
			}
		})
	}
}

func TestPoolStreamsChunkByChunk(t *testing.T) {
	ctx := testContext(t)
	p := newTestPool(t, Function{}, nil)
	g := newGate(t)

	res := invoke(t, ctx, p, `{"do":"stream","gate":"`+g.URL+`"}`)
	if res.Stream == nil {
		t.Fatalf("not streamed: %+v", res)
	}
	defer res.Stream.Close()
	if res.Payload != nil || res.FunctionError != "" {
		t.Errorf("Payload = %q, FunctionError = %q", res.Payload, res.FunctionError)
	}
	if res.ContentType != contentTypeStreamed {
		t.Errorf("ContentType = %q", res.ContentType)
	}
	want := &StreamPrelude{
		StatusCode: 201,
		Headers:    map[string]string{"Content-Type": "text/plain; charset=utf-8", "X-Fixture": "stream"},
		Cookies:    []string{"a=1; Path=/", "b=2"},
	}
	if fmt.Sprint(res.Prelude) != fmt.Sprint(want) {
		t.Errorf("Prelude = %+v, want %+v", res.Prelude, want)
	}

	// The first chunk arrives while the function is still held at the gate,
	// before it has written the second.
	buf := make([]byte, 64)
	n, err := io.ReadAtLeast(res.Stream, buf, len("first chunk\n"))
	if err != nil || string(buf[:n]) != "first chunk\n" {
		t.Fatalf("first read = %q, %v", buf[:n], err)
	}
	g.wait(t, ctx)
	g.open()
	rest, err := io.ReadAll(res.Stream)
	if err != nil || string(rest) != "second chunk\n" {
		t.Fatalf("rest = %q, %v", rest, err)
	}
	res.Stream.Close()

	// The environment is warm again for the next invocation.
	if d := decodeDescribed(t, invoke(t, ctx, p, `{"do":"echo"}`)); d.PID != res.PID {
		t.Errorf("next invocation ran in %d, want %d", d.PID, res.PID)
	}
}

func TestPoolStreamErrorTrailer(t *testing.T) {
	ctx := testContext(t)
	p := newTestPool(t, Function{}, nil)

	res := invoke(t, ctx, p, `{"do":"stream-fail"}`)
	if res.Stream == nil {
		t.Fatalf("not streamed: %+v", res)
	}
	defer res.Stream.Close()
	got, err := io.ReadAll(res.Stream)
	if string(got) != "first chunk\n" {
		t.Errorf("body = %q", got)
	}
	var e *InvokeError
	if !errors.As(err, &e) || e.Type != "errorString" || e.Message != "stream broke" {
		t.Fatalf("stream error = %#v, want errorString: stream broke", err)
	}
	// A reported stream error leaves the process serving.
	if d := decodeDescribed(t, invoke(t, ctx, p, `{"do":"echo"}`)); d.PID != res.PID {
		t.Errorf("next invocation ran in %d, want %d", d.PID, res.PID)
	}
}

func TestPoolStreamBrokenByTheRuntime(t *testing.T) {
	tests := []struct {
		event   string
		timeout time.Duration
		want    string // with %s for the request id
	}{
		{`{"do":"stream-exit"}`, 0, "Runtime.ExitError: RequestId: %s Error: Runtime exited with error: exit status 5"},
		{`{"do":"stream-hang"}`, time.Second, "Sandbox.Timedout: RequestId: %s Error: Task timed out after 1.00 seconds"},
	}
	for _, tt := range tests {
		t.Run(tt.event, func(t *testing.T) {
			ctx := testContext(t)
			p := newTestPool(t, Function{Timeout: tt.timeout}, nil)
			res := invoke(t, ctx, p, tt.event)
			if res.Stream == nil {
				t.Fatalf("not streamed: %+v", res)
			}
			defer res.Stream.Close()
			got, err := io.ReadAll(res.Stream)
			var e *InvokeError
			if string(got) != "first chunk\n" || !errors.As(err, &e) || e.Error() != fmt.Sprintf(tt.want, res.RequestID) {
				t.Fatalf("stream = %q, %v; want the first chunk, then %s", got, err, fmt.Sprintf(tt.want, res.RequestID))
			}
			if d := decodeDescribed(t, invoke(t, ctx, p, `{"do":"echo"}`)); d.PID == res.PID {
				t.Errorf("process %d served again", d.PID)
			}
		})
	}
}

func TestPoolStreamClosedEarlyKeepsProcess(t *testing.T) {
	ctx := testContext(t)
	p := newTestPool(t, Function{}, nil)
	res := invoke(t, ctx, p, `{"do":"stream"}`)
	if res.Stream == nil {
		t.Fatal("not streamed")
	}
	res.Stream.Close() // the caller goes away; the runtime finishes anyway
	if d := decodeDescribed(t, invoke(t, ctx, p, `{"do":"echo"}`)); d.PID != res.PID {
		t.Errorf("next invocation ran in %d, want %d", d.PID, res.PID)
	}
}

func TestPoolOutputAndClose(t *testing.T) {
	ctx := testContext(t)
	out := &lockedBuffer{}
	p := newTestPool(t, Function{Name: "printer"}, out)
	d := decodeDescribed(t, invoke(t, ctx, p, `{"do":"print"}`))
	if !alive(d.PID) {
		t.Fatalf("process %d is not running", d.PID)
	}
	if err := p.Close(); err != nil {
		t.Fatal(err)
	}
	if alive(d.PID) {
		t.Errorf("process %d still runs after Close", d.PID)
	}
	log := out.String()
	for _, want := range []string{
		"[printer] hello from fixture\n",
		"[printer] no newline at the end\n",
		`msg="cold start" function=printer pid=` + fmt.Sprint(d.PID) + " duration=",
	} {
		if !strings.Contains(log, want) {
			t.Errorf("output does not contain %q:\n%s", want, log)
		}
	}
	if _, err := p.Invoke(ctx, []byte(`{}`)); !errors.Is(err, ErrClosed) {
		t.Errorf("Invoke after Close: %v, want ErrClosed", err)
	}
	if err := p.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
}

func TestPoolRejectsBadEvents(t *testing.T) {
	p := NewPool(Function{Bootstrap: fixtureBootstrap}, Options{Output: io.Discard})
	defer p.Close()
	ctx := context.Background()
	tests := []struct {
		name    string
		payload []byte
		want    error
	}{
		{"over 6 MB", []byte(`"` + strings.Repeat("x", MaxRequestPayload) + `"`), ErrPayloadTooLarge},
		{"not JSON", []byte(`{"do":`), ErrInvalidRequestContent},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := p.Invoke(ctx, tt.payload); !errors.Is(err, tt.want) {
				t.Errorf("Invoke: %v, want %v", err, tt.want)
			}
		})
	}
}

func TestPoolInvokeWaitsForCapacityUntilContextEnds(t *testing.T) {
	ctx := testContext(t)
	p := newTestPool(t, Function{MaxConcurrency: 1}, nil)
	g := newGate(t)
	done := make(chan error, 1)
	go func() {
		_, err := p.Invoke(ctx, []byte(`{"do":"wait","gate":"`+g.URL+`"}`))
		done <- err
	}()
	g.wait(t, ctx) // the only environment is busy

	canceled, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := p.Invoke(canceled, []byte(`{"do":"echo"}`)); !errors.Is(err, context.Canceled) {
		t.Errorf("Invoke while at capacity with a canceled context: %v, want context.Canceled", err)
	}
	g.open()
	if err := <-done; err != nil {
		t.Errorf("first invocation: %v", err)
	}
}

func TestInvokeSingle(t *testing.T) {
	ctx := testContext(t)
	res, err := Invoke(ctx, Function{Bootstrap: fixtureBootstrap}, []byte(`{"do":"echo"}`), Options{Output: io.Discard})
	if err != nil {
		t.Fatal(err)
	}
	d := decodeDescribed(t, res)
	if !res.ColdStart || d.Env["AWS_LAMBDA_FUNCTION_NAME"] != "fixture" {
		t.Errorf("ColdStart = %v, name = %q", res.ColdStart, d.Env["AWS_LAMBDA_FUNCTION_NAME"])
	}
	if alive(d.PID) {
		t.Errorf("process %d still runs after a single Invoke", d.PID)
	}

	res, err = Invoke(ctx, Function{Bootstrap: fixtureBootstrap}, []byte(`{"do":"stream"}`), Options{Output: io.Discard})
	if err != nil || res.Stream == nil {
		t.Fatalf("Invoke stream: %+v, %v", res, err)
	}
	body, err := io.ReadAll(res.Stream)
	if err != nil || string(body) != "first chunk\nsecond chunk\n" {
		t.Errorf("stream = %q, %v", body, err)
	}
	res.Stream.Close()
	if alive(res.PID) {
		t.Errorf("process %d still runs after its stream was closed", res.PID)
	}
}

// TestPoolRetiresIdleEnvironments: an environment idle for IdleTimeout is
// stopped and logged; the next invocation starts cold in a new process.
func TestPoolRetiresIdleEnvironments(t *testing.T) {
	ctx := testContext(t)
	out := &lockedBuffer{}
	p := NewPool(Function{Name: "idler", Bootstrap: fixtureBootstrap}, Options{Output: out, IdleTimeout: 50 * time.Millisecond})
	t.Cleanup(func() { p.Close() })

	first := invoke(t, ctx, p, `{"do":"echo"}`)
	if !first.ColdStart {
		t.Fatal("first invocation: not a cold start")
	}
	retired := `msg="idle execution environment retired" function=idler pid=` + fmt.Sprint(first.PID) + " idle=50ms"
	for !strings.Contains(out.String(), retired) {
		select {
		case <-ctx.Done():
			t.Fatalf("no retirement logged:\n%s", out.String())
		case <-time.After(10 * time.Millisecond):
		}
	}
	for alive(first.PID) {
		select {
		case <-ctx.Done():
			t.Fatalf("process %d still runs after its retirement", first.PID)
		case <-time.After(10 * time.Millisecond):
		}
	}
	second := invoke(t, ctx, p, `{"do":"echo"}`)
	if !second.ColdStart || second.PID == first.PID {
		t.Errorf("after retirement: cold start %v, pid %d (first %d); want a cold start in a new process", second.ColdStart, second.PID, first.PID)
	}
	if n := strings.Count(out.String(), `msg="cold start" function=idler`); n != 2 {
		t.Errorf("%d cold starts logged, want 2:\n%s", n, out.String())
	}
}

// TestVCPUs: a function's GOMAXPROCS is the CPU its memory buys on Lambda,
// one vCPU per 1,769 MB rounded up, within the machine's processors.
func TestVCPUs(t *testing.T) {
	for _, tc := range []struct{ memoryMB, cpus, want int }{
		{128, 8, 1},
		{1769, 8, 1},
		{1770, 8, 2},
		{3008, 8, 2},
		{10240, 8, 6},
		{10240, 2, 2},
		{128, 1, 1},
		{0, 4, 1},
	} {
		if got := vCPUs(tc.memoryMB, tc.cpus); got != tc.want {
			t.Errorf("vCPUs(%d MB, %d cpus) = %d, want %d", tc.memoryMB, tc.cpus, got, tc.want)
		}
	}
}

// TestEnvironGOMAXPROCS: a runtime process gets GOMAXPROCS from its memory,
// unless the function's environment sets its own.
func TestEnvironGOMAXPROCS(t *testing.T) {
	for _, tc := range []struct {
		name string
		fn   Function
		want []string
	}{
		{"default memory", Function{Bootstrap: "/fn/bootstrap"}, []string{"GOMAXPROCS=1"}},
		{"10 GB", Function{Bootstrap: "/fn/bootstrap", MemoryMB: 10240}, []string{fmt.Sprintf("GOMAXPROCS=%d", min(6, runtime.NumCPU()))}},
		{"set by the function", Function{Bootstrap: "/fn/bootstrap", Env: map[string]string{"GOMAXPROCS": "3"}}, []string{"GOMAXPROCS=3"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := NewPool(tc.fn, Options{Output: io.Discard})
			var got []string
			for _, kv := range p.environ("127.0.0.1:9001", "/fn") {
				if strings.HasPrefix(kv, "GOMAXPROCS=") {
					got = append(got, kv)
				}
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("GOMAXPROCS in the environment: %q, want %q", got, tc.want)
			}
		})
	}
}
