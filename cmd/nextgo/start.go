package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"os"
	"path/filepath"
	"runtime"
	"time"

	"github.com/nextgo-dev/nextgo/adapters/lambda/localaws"
	"github.com/nextgo-dev/nextgo/adapters/lambda/runtimeapi"
	"github.com/nextgo-dev/nextgo/bundler"
	"github.com/nextgo-dev/nextgo/bundler/dotenv"
	"github.com/nextgo-dev/nextgo/bundler/manifest"
	"github.com/nextgo-dev/nextgo/bundler/routes"
	"github.com/nextgo-dev/nextgo/bundler/target"
	"github.com/nextgo-dev/nextgo/internal/dashboard"
	"github.com/nextgo-dev/nextgo/internal/linebatch"
	"github.com/spf13/cobra"
)

func newStartCmd() *cobra.Command {
	var port int
	var hostname string
	var idle time.Duration
	cmd := &cobra.Command{
		Use:   "start [dir]",
		Short: "Serve the built Lambda functions locally, one process per route",
		Long: `Build the app's functions for this machine's architecture (when needed) and
serve them behind one HTTP front that models the API Gateway API nextgo deploy
creates: an HTTP API (payload 2.0), or, when a route streams, a REST API whose
streaming routes stream (responseTransferMode STREAM) and whose other routes
are buffered. Each function's real bootstrap runs as its own process under a
Lambda Runtime API emulator: started on its first request (the cold start is
logged with its duration), kept warm, one invocation at a time, more processes
under concurrency, restarted after a timeout or a crash, and stopped after
--idle-timeout without a request (the next request starts cold) — as on
Lambda. The dashboard at /_nextgo/ shows the functions, the requests (cold or
warm) and composes v1, v2, ALB and Function URL events for one function. A
busy port moves to the next free one.`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			out := cmd.ErrOrStderr()
			color := useColor(out)
			l, err := listen(hostname, port, out, color) // before compiling: a busy port is known at once
			if err != nil {
				return err
			}
			defer l.Close()
			fns, err := buildLocal(ctx, appDir(args), out)
			if err != nil {
				return err
			}
			// From here on the output is the request log's batch: the lines
			// of a burst of requests go out together, everything else at
			// once and in order.
			term := linebatch.New(out, linebatch.RequestLogDelay)
			defer term.Flush()
			logger := slog.New(slog.NewTextHandler(term, nil))
			localAWS, err := localaws.Start()
			if err != nil {
				return err
			}
			defer localAWS.Close()
			st := &startServer{fns: fns, pools: map[string]*runtimeapi.Pool{}, color: color, log: term}
			st.dash = dashboard.New(dashboard.Options{Mode: "start", Invoke: st.invoke, Log: st.logLine})
			var routes []runtimeapi.FrontRoute
			defer st.close()
			frontOpts := runtimeapi.FrontOptions{Logger: logger, Observe: st.observe}
			output := st.dash.FunctionOutput(term)
			// The front nextgo deploy creates: a REST API when a route
			// streams, else an HTTP API.
			frontOpts.Gateway = frontGateway(fns)
			for _, f := range fns {
				if f.manifest.SharedCache {
					f.fn.Env = withEnv(f.fn.Env, localAWS.Env())
				}
				pool := runtimeapi.NewPool(f.fn, runtimeapi.Options{Output: output, Logger: logger, IdleTimeout: idle})
				st.pools[f.fn.Name] = pool
				localAWS.Register(f.fn.Name, pool)
				if f.fallback {
					// API Gateway's $default route: the paths no route serves.
					frontOpts.Fallback = pool
					continue
				}
				// A client has the route's maxDuration to send its body.
				routes = append(routes, runtimeapi.FrontRoute{Pattern: f.pattern, Pool: pool,
					BodyLimit: f.bodyLimit, BodyLimitText: f.limitText, BodyTimeout: f.fn.Timeout, Stream: f.stream})
			}
			front, err := runtimeapi.NewFront(routes, frontOpts)
			if err != nil {
				return err
			}
			if _, set := os.LookupEnv("GOMAXPROCS"); !set {
				runtime.GOMAXPROCS(frontProcs(runtime.NumCPU()))
			}
			st.dash.SetRoutes(st.rows())
			st.dash.SetBuild(dashboard.Build{Phase: dashboard.Ready, Routes: len(routes)})
			fmt.Fprintf(term, "  ▲ nextgo start (%d functions, %s)\n  - Local:     http://%s\n  - Dashboard: http://%s%s\n\n", len(fns), runtime.GOARCH, l.Addr(), l.Addr(), dashboard.Prefix)
			return serve(ctx, l, st.dash.Handler(front), func(ctx context.Context) error { <-ctx.Done(); return nil })
		},
	}
	cmd.Flags().IntVarP(&port, "port", "p", 3000, "port to listen on (the next free one when it is in use)")
	cmd.Flags().StringVarP(&hostname, "hostname", "H", "127.0.0.1", "hostname to listen on")
	cmd.Flags().DurationVar(&idle, "idle-timeout", DefaultIdleTimeout, "stop a function process after this long without a request, as Lambda reclaims idle environments (0: never)")
	return cmd
}

// frontProcs is the GOMAXPROCS of nextgo start's own process (the front)
// on a machine of cpus processors, unless GOMAXPROCS is set: half of them.
// Each request costs the front and the function process serving it about
// the same CPU, and the function processes take the other half. A Go
// runtime scheduling over more processors than the CPU it gets spends it on
// handing goroutines between threads and waking them on other cores, which
// costs most on a small, virtualised machine: on 2 cores, the front's
// CPU time per request is about a third lower with 1 than with 2
// (bench/startcpu.sh).
func frontProcs(cpus int) int { return max(1, cpus/2) }

// DefaultIdleTimeout is how long nextgo start keeps an idle function
// process. Lambda reclaims idle execution environments after some minutes
// (it does not say how many).
const DefaultIdleTimeout = 5 * time.Minute

// localFunction is a built function ready to run on this machine.
type localFunction struct {
	pattern   string
	file      string
	fallback  bool  // the function behind $default: no pattern
	stream    bool  // the route streams its responses
	bodyLimit int64 // bytes; <= 0: none
	limitText string
	manifest  manifest.Function
	fn        runtimeapi.Function
}

// buildLocal builds the app for this machine's architecture into
// <app>/.nextgo/local and unpacks each function's bootstrap.
func buildLocal(ctx context.Context, dir string, progress io.Writer) ([]localFunction, error) {
	p, err := bundler.Load(ctx, dir)
	if err != nil {
		return nil, err
	}
	// The environment's values are read here and handed to the processes;
	// the build records only their names.
	env, _, err := dotenv.Load(p.Dir, dotenv.Production)
	if err != nil {
		return nil, err
	}
	out := filepath.Join(p.Dir, ".nextgo", "local")
	res, err := p.Build(ctx, bundler.BuildOptions{Arch: runtime.GOARCH, Out: out, Env: env, Progress: progress, Live: isTerminal(progress)})
	if err != nil {
		return nil, err
	}
	var fns []localFunction
	for _, f := range res.Manifest.Functions {
		fnEnv, err := f.Environ(env)
		if err != nil {
			return nil, err
		}
		bin, err := target.ReadBootstrap(filepath.Join(out, filepath.FromSlash(f.Zip)))
		if err != nil {
			return nil, err
		}
		path := filepath.Join(out, "run", f.Name, target.BootstrapName)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return nil, err
		}
		// Write beside and rename: a running process may hold the old file.
		if err := os.WriteFile(path+".new", bin, 0o755); err != nil {
			return nil, err
		}
		if err := os.Rename(path+".new", path); err != nil {
			return nil, err
		}
		fns = append(fns, localFunction{pattern: f.Pattern, file: f.File, fallback: f.Kind == string(routes.KindFallback), stream: f.Streaming,
			bodyLimit: f.BodyLimit, limitText: f.BodyLimitText, manifest: f, fn: runtimeapi.Function{
				Name: res.Manifest.App + "-" + f.Name, Bootstrap: path, Env: fnEnv,
				Timeout: time.Duration(f.MaxDuration) * time.Second, MemoryMB: f.Memory,
			}})
	}
	return fns, nil
}

// withEnv returns env with add's variables added (add wins).
func withEnv(env, add map[string]string) map[string]string {
	out := make(map[string]string, len(env)+len(add))
	maps.Copy(out, env)
	maps.Copy(out, add)
	return out
}

// frontGateway is the API Gateway API nextgo deploy puts in front of the
// functions: a REST API, with STREAM integrations for streaming routes,
// when a route streams (HTTP APIs cannot stream), else an HTTP API.
func frontGateway(fns []localFunction) runtimeapi.Gateway {
	for _, f := range fns {
		if f.stream {
			return runtimeapi.GatewayREST
		}
	}
	return runtimeapi.GatewayHTTP
}
