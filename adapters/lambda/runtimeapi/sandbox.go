package runtimeapi

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"time"
)

// sandbox is one execution environment: a runtime process and its own
// Runtime API endpoint.
type sandbox struct {
	srv   *runtimeServer
	cmd   *exec.Cmd
	out   *lineWriter
	pid   int
	start time.Time

	startErr error         // the process could not be started
	exited   chan struct{} // closed when the process has exited and been reaped
	exitErr  error         // cmd.Wait's error, valid once exited is closed

	// Owned by the supervisor of the environment's current invocation.
	cold   bool
	initAt time.Duration // process start to first /next

	dead      bool        // guarded by Pool.mu
	idleSince time.Time   // guarded by Pool.mu: when it last went idle
	idleTimer *time.Timer // retires it after the pool's IdleTimeout idle
}

// startSandbox starts fn's bootstrap with its own Runtime API endpoint. A
// sandbox whose process could not start has startErr set and exited closed.
func (p *Pool) startSandbox() (*sandbox, error) {
	srv, err := newRuntimeServer(p.arn)
	if err != nil {
		return nil, err
	}
	sb := &sandbox{
		srv:    srv,
		exited: make(chan struct{}),
		cold:   true,
		out:    &lineWriter{dst: p.out, prefix: []byte("[" + p.fn.Name + "] ")},
	}
	bootstrap, err := filepath.Abs(p.fn.Bootstrap)
	if err != nil {
		bootstrap = p.fn.Bootstrap
	}
	cmd := exec.Command(bootstrap)
	cmd.Dir = filepath.Dir(bootstrap)
	cmd.Env = p.environ(srv.Addr(), cmd.Dir)
	cmd.Stdout = sb.out
	cmd.Stderr = sb.out
	cmd.WaitDelay = time.Second
	setProcessGroup(cmd)
	sb.cmd = cmd
	sb.start = time.Now()
	if err := cmd.Start(); err != nil {
		sb.startErr = err
		srv.close()
		close(sb.exited)
		return sb, nil
	}
	sb.pid = cmd.Process.Pid
	go func() {
		sb.exitErr = cmd.Wait()
		sb.out.Close()
		srv.stop()
		close(sb.exited)
	}()
	return sb, nil
}

// kill discards the environment; exited is closed once it is gone.
func (sb *sandbox) kill() {
	if sb.startErr == nil {
		killProcessGroup(sb.cmd)
	}
	sb.srv.close()
}

// environ is the environment of a runtime process: the function's own
// variables, then the ones Lambda reserves, which the function cannot
// override.
func (p *Pool) environ(runtimeAPI, taskRoot string) []string {
	fn := p.fn
	reserved := map[string]string{
		"AWS_LAMBDA_RUNTIME_API":          runtimeAPI,
		"AWS_LAMBDA_FUNCTION_NAME":        fn.Name,
		"AWS_LAMBDA_FUNCTION_MEMORY_SIZE": fmt.Sprint(fn.MemoryMB),
		"AWS_LAMBDA_FUNCTION_VERSION":     fn.Version,
		"AWS_LAMBDA_INITIALIZATION_TYPE":  "on-demand",
		"AWS_LAMBDA_LOG_GROUP_NAME":       "/aws/lambda/" + fn.Name,
		"AWS_LAMBDA_LOG_STREAM_NAME":      time.Now().UTC().Format("2006/01/02") + "/[" + fn.Version + "]" + newRequestID()[:8],
		"AWS_REGION":                      p.opts.Region,
		"AWS_DEFAULT_REGION":              p.opts.Region,
		"_HANDLER":                        "bootstrap",
		"LAMBDA_TASK_ROOT":                taskRoot,
		"LAMBDA_RUNTIME_DIR":              taskRoot,
		"TZ":                              ":UTC",
		"LANG":                            "en_US.UTF-8",
	}
	env := make([]string, 0, len(fn.Env)+len(reserved)+2)
	if path, ok := os.LookupEnv("PATH"); ok {
		if _, set := fn.Env["PATH"]; !set {
			env = append(env, "PATH="+path)
		}
	}
	if _, set := fn.Env["GOMAXPROCS"]; !set {
		env = append(env, "GOMAXPROCS="+strconv.Itoa(vCPUs(fn.MemoryMB, runtime.NumCPU())))
	}
	for _, kv := range sortedEnv(fn.Env) {
		if _, r := reserved[kv[0]]; !r {
			env = append(env, kv[0]+"="+kv[1])
		}
	}
	for _, kv := range sortedEnv(reserved) {
		env = append(env, kv[0]+"="+kv[1])
	}
	return env
}

// memoryPerVCPU is the memory, in MB, that buys a function the equivalent of
// one vCPU: "Lambda allocates CPU power in proportion to the amount of
// memory configured. [...] At 1,769 MB, a function has the equivalent of one
// vCPU" (AWS Lambda Developer Guide, "Configure Lambda function memory").
const memoryPerVCPU = 1769

// vCPUs is the CPU a function of memoryMB is given, in whole processors:
// its share of vCPU rounded up, at least one and at most the machine's cpus.
// A runtime process gets it as GOMAXPROCS (unless the function sets its
// own): the processes of every environment share this machine's cores,
// each serving one invocation at a time, and a Go runtime that schedules
// over every core in each of them spends the cores on handing goroutines
// between threads instead of on the invocations.
func vCPUs(memoryMB, cpus int) int {
	n := (memoryMB + memoryPerVCPU - 1) / memoryPerVCPU
	return max(1, min(n, cpus))
}

func sortedEnv(m map[string]string) [][2]string {
	kvs := make([][2]string, 0, len(m))
	for k, v := range m {
		kvs = append(kvs, [2]string{k, v})
	}
	sort.Slice(kvs, func(i, j int) bool { return kvs[i][0] < kvs[j][0] })
	return kvs
}
