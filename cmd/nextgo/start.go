package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/nextgo-dev/nextgo/adapters/lambda/runtimeapi"
	"github.com/nextgo-dev/nextgo/bundler"
	"github.com/nextgo-dev/nextgo/runtime/devserver"
	"github.com/nextgo-dev/nextgo/runtime/mux"
	"github.com/nextgo-dev/nextgo/runtime/router"
	"github.com/spf13/cobra"
)

func newStartCmd() *cobra.Command {
	var port int
	var hostname string
	cmd := &cobra.Command{
		Use:   "start [dir]",
		Short: "Serve the built Lambda functions locally, one process per route",
		Long: `Build the app's functions for this machine's architecture (when needed) and
serve them behind one HTTP front that routes like API Gateway's HTTP API
(payload 2.0). Each function's real bootstrap runs as its own process under a
Lambda Runtime API emulator: started on its first request (the cold start is
logged with its duration), kept warm, one invocation at a time, more processes
under concurrency, restarted after a timeout or a crash — as on Lambda.`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			out := cmd.ErrOrStderr()
			fns, err := buildLocal(ctx, appDir(args), out)
			if err != nil {
				return err
			}
			logger := slog.New(slog.NewTextHandler(out, nil))
			var routes []runtimeapi.FrontRoute
			var pools []*runtimeapi.Pool
			defer func() {
				for _, p := range pools {
					p.Close()
				}
			}()
			frontOpts := runtimeapi.FrontOptions{Logger: logger}
			for _, f := range fns {
				pool := runtimeapi.NewPool(f.fn, runtimeapi.Options{Output: out, Logger: logger})
				pools = append(pools, pool)
				if f.fallback {
					// API Gateway's $default route: the paths no route serves.
					frontOpts.Fallback = pool
					continue
				}
				// A client has the route's maxDuration to send its body.
				routes = append(routes, runtimeapi.FrontRoute{Pattern: f.pattern, Pool: pool,
					BodyLimit: f.bodyLimit, BodyLimitText: f.limitText, BodyTimeout: f.fn.Timeout})
			}
			front, err := runtimeapi.NewFront(routes, frontOpts)
			if err != nil {
				return err
			}
			addr := net.JoinHostPort(hostname, strconv.Itoa(port))
			l, err := net.Listen("tcp", addr)
			if err != nil {
				return fmt.Errorf("listen on %s: %w", addr, err)
			}
			files, err := routeFiles(fns)
			if err != nil {
				return err
			}
			srv := &http.Server{Handler: logRequests(front, out, files), ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 2 * time.Minute}
			fmt.Fprintf(out, "  ▲ nextgo start (%d functions, %s)\n  - Local: http://%s\n\n", len(fns), runtime.GOARCH, addr)
			errc := make(chan error, 1)
			go func() { errc <- srv.Serve(l) }()
			select {
			case err := <-errc:
				if !errors.Is(err, http.ErrServerClosed) {
					return err
				}
			case <-ctx.Done():
				shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
				defer cancel()
				_ = srv.Shutdown(shutdown)
			}
			return nil
		},
	}
	cmd.Flags().IntVarP(&port, "port", "p", 3000, "port to listen on")
	cmd.Flags().StringVarP(&hostname, "hostname", "H", "127.0.0.1", "hostname to listen on")
	return cmd
}

// localFunction is a built function ready to run on this machine.
type localFunction struct {
	pattern   string
	file      string
	fallback  bool  // the function behind $default: no pattern
	bodyLimit int64 // bytes; <= 0: none
	limitText string
	fn        runtimeapi.Function
}

// buildLocal builds the app for this machine's architecture into
// <app>/.nextgo/local and unpacks each function's bootstrap.
func buildLocal(ctx context.Context, dir string, progress io.Writer) ([]localFunction, error) {
	p, err := bundler.Load(ctx, dir)
	if err != nil {
		return nil, err
	}
	out := filepath.Join(p.Dir, ".nextgo", "local")
	res, err := p.Build(ctx, bundler.BuildOptions{Arch: runtime.GOARCH, Out: out, Progress: progress, Live: isTerminal(progress)})
	if err != nil {
		return nil, err
	}
	var fns []localFunction
	for _, f := range res.Manifest.Functions {
		bin, err := bundler.ReadBootstrap(filepath.Join(out, filepath.FromSlash(f.Zip)))
		if err != nil {
			return nil, err
		}
		path := filepath.Join(out, "run", f.Name, bundler.BootstrapName)
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
		fns = append(fns, localFunction{pattern: f.Pattern, file: f.File, fallback: f.Kind == string(bundler.KindFallback),
			bodyLimit: f.BodyLimit, limitText: f.BodyLimitText, fn: runtimeapi.Function{
				Name: res.Manifest.App + "-" + f.Name, Bootstrap: path, Env: f.Environment,
				Timeout: time.Duration(f.MaxDuration) * time.Second, MemoryMB: f.Memory,
			}})
	}
	return fns, nil
}

// routeFiles returns a function naming the file that serves a path for the
// request log: the route file, else the fallback's (the app's middleware.go,
// or nextgo.json when the fallback only runs its rules), else "".
func routeFiles(fns []localFunction) (func(path string) string, error) {
	var routes []localFunction
	fallback := ""
	for _, f := range fns {
		if f.fallback {
			fallback = f.file
			if fallback == "" {
				fallback = "middleware"
			}
			continue
		}
		routes = append(routes, f)
	}
	patterns := make([]string, len(routes))
	for i, f := range routes {
		patterns[i] = f.pattern
	}
	m, err := router.NewMatcher(patterns)
	if err != nil {
		return nil, err
	}
	return func(path string) string {
		clean, _ := router.Normalize(path)
		i, _, err := m.Match(clean)
		if errors.Is(err, router.ErrMalformedEncoding) {
			// As the front: the route's function answers it.
			i, _, _ = m.Match(strings.ReplaceAll(clean, "%", "%25"))
		}
		if i >= 0 {
			return routes[i].file
		}
		return fallback
	}, nil
}

// logRequests writes one line per request, as nextgo dev does.
func logRequests(h http.Handler, out io.Writer, fileOf func(string) string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w}
		h.ServeHTTP(sw, r)
		if sw.status == 0 {
			sw.status = http.StatusOK
		}
		fmt.Fprintln(out, devserver.FormatEntry(mux.Entry{Method: r.Method, Path: r.RequestURI, Status: sw.status, File: fileOf(r.URL.EscapedPath()), Duration: time.Since(start)}))
	})
}

// statusWriter notes the status sent, keeping Flush for streamed answers.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (s *statusWriter) WriteHeader(code int) {
	if s.status == 0 {
		s.status = code
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusWriter) Write(p []byte) (int, error) {
	if s.status == 0 {
		s.status = http.StatusOK
	}
	return s.ResponseWriter.Write(p)
}

func (s *statusWriter) Flush() { http.NewResponseController(s.ResponseWriter).Flush() }

func (s *statusWriter) Unwrap() http.ResponseWriter { return s.ResponseWriter }
