// Package devserver is the local server behind `nextgo dev`: one net/http
// server that serves a whole route table through runtime/mux, logs one line
// per request and shuts down gracefully.
//
// The generated main of `nextgo dev` calls Main. The CLI hands the process
// its listening socket (NEXTGO_LISTEN_FD) so that a rebuilt server takes
// over the port without a moment of refused connections.
package devserver

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"syscall"
	"time"

	"github.com/nextgo-dev/nextgo/runtime/httpguard"
	"github.com/nextgo-dev/nextgo/runtime/mux"
)

// ListenFDEnv names the environment variable through which the CLI passes
// an inherited listening socket's file descriptor.
const ListenFDEnv = "NEXTGO_LISTEN_FD"

// Options configure the dev server.
type Options struct {
	// Mux configures dispatch: the app's middleware and nextgo.json rules,
	// and trailing-slash handling. Its Log and Errorf are the dev server's.
	Mux mux.Options
	// Addr is the address to listen on when no socket is inherited;
	// default "127.0.0.1:3000", overridden by the -addr flag in Main.
	Addr string
	// Out receives the request log and error reports; default os.Stderr.
	Out io.Writer
}

// NewServer returns the dev server's HTTP server for routes, with sane
// timeouts: slow headers are cut off, a request body must arrive within the
// longest maxDuration of the routes (so no route's legitimate upload is cut),
// idle connections are closed, and there is no write timeout so that
// streamed responses can run as long as their route allows. A
// transfer-coded request closes its connection (see httpguard).
func NewServer(routes []mux.Route, opts Options) (*http.Server, error) {
	out := opts.Out
	if out == nil {
		out = os.Stderr
	}
	logger := log.New(out, "", 0)
	mo := opts.Mux
	mo.Log = func(e mux.Entry) { logger.Print(FormatEntry(e)) }
	mo.Errorf = func(format string, args ...any) { logger.Printf(" ⨯ "+format, args...) }
	mx, err := mux.New(routes, mo)
	if err != nil {
		return nil, err
	}
	var bodyTimeout time.Duration
	for _, r := range routes {
		bodyTimeout = max(bodyTimeout, r.MaxDuration)
	}
	if bodyTimeout <= 0 {
		bodyTimeout = DefaultBodyTimeout
	}
	return &http.Server{
		Handler:           httpguard.Handler(mx, bodyTimeout),
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    1 << 20,
		ErrorLog:          logger,
	}, nil
}

// DefaultBodyTimeout bounds the time to send a request body when no route
// has a maxDuration.
const DefaultBodyTimeout = 10 * time.Second

// FormatEntry renders one request log line: method, path, status, duration
// and route file.
func FormatEntry(e mux.Entry) string {
	file := e.File
	if file == "" {
		file = "-"
	}
	return fmt.Sprintf(" %s %s %d in %s (%s)", e.Method, e.Path, e.Status, formatDuration(e.Duration), file)
}

func formatDuration(d time.Duration) string {
	switch {
	case d < time.Millisecond:
		return strconv.FormatFloat(float64(d)/float64(time.Millisecond), 'f', 2, 64) + "ms"
	case d < time.Second:
		return strconv.FormatFloat(float64(d)/float64(time.Millisecond), 'f', 0, 64) + "ms"
	}
	return strconv.FormatFloat(d.Seconds(), 'f', 1, 64) + "s"
}

// Listen returns the inherited socket when NEXTGO_LISTEN_FD is set, or a new
// listener on addr.
func Listen(addr string) (net.Listener, error) {
	if fd := os.Getenv(ListenFDEnv); fd != "" {
		n, err := strconv.Atoi(fd)
		if err != nil {
			return nil, fmt.Errorf("%s=%q: %w", ListenFDEnv, fd, err)
		}
		f := os.NewFile(uintptr(n), "listener")
		defer f.Close()
		l, err := net.FileListener(f)
		if err != nil {
			return nil, fmt.Errorf("inherited listener: %w", err)
		}
		return l, nil
	}
	return net.Listen("tcp", addr)
}

// Main serves routes until SIGINT or SIGTERM, then drains in-flight requests
// for up to five seconds. It exits the process with status 1 on failure.
func Main(routes []mux.Route, opts Options) {
	addr := opts.Addr
	if addr == "" {
		addr = "127.0.0.1:3000"
	}
	fs := flag.NewFlagSet(os.Args[0], flag.ExitOnError)
	fs.StringVar(&addr, "addr", addr, "address to listen on")
	_ = fs.Parse(os.Args[1:])
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	out := opts.Out
	if out == nil {
		out = os.Stderr
	}
	// The process's default logger is the routes' (runtime/api and
	// runtime/server log panics and warnings through it): make it readable.
	slog.SetDefault(slog.New(newDevLogHandler(out)))
	if err := Serve(ctx, routes, opts, addr); err != nil {
		fmt.Fprintln(os.Stderr, "nextgo:", err)
		os.Exit(1)
	}
}

// Serve listens (or takes the inherited socket) and serves routes until ctx
// is done.
func Serve(ctx context.Context, routes []mux.Route, opts Options, addr string) error {
	srv, err := NewServer(routes, opts)
	if err != nil {
		return err
	}
	l, err := Listen(addr)
	if err != nil {
		return err
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(l) }()
	select {
	case err := <-errc:
		if errors.Is(err, http.ErrServerClosed) {
			return nil
		}
		return err
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return srv.Shutdown(shutdown)
}
