// Package devserver is the local server behind `nextgo dev`: one net/http
// server that serves a whole route table through runtime/mux, logs one line
// per request and shuts down gracefully.
//
// The generated main of `nextgo dev` calls Main. The CLI hands the process
// its listening socket (NEXTGO_LISTEN_FD) so that a rebuilt server takes
// over the port without a moment of refused connections.
package devserver

import (
	"cmp"
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
	"github.com/nextgo-dev/nextgo/runtime/requestid"
)

// ListenFDEnv names the environment variable through which the CLI passes
// an inherited listening socket's file descriptor.
const ListenFDEnv = "NEXTGO_LISTEN_FD"

// ReportFDEnv names the environment variable through which the CLI passes
// the file descriptor of a pipe that receives one JSON Report per line.
const ReportFDEnv = "NEXTGO_REPORT_FD"

// ColorEnv names the environment variable that, set to 1, colours the
// request log (the CLI sets it when its own output is a terminal).
const ColorEnv = "NEXTGO_COLOR"

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
	// Report, when set, receives one Report per request and per log record
	// made with a request's context.
	Report *Reporter
	// Color colours the request log's status codes.
	Color bool
}

// NewServer returns the dev server's HTTP server for routes, with sane
// timeouts: slow headers are cut off, a request body must arrive within the
// longest maxDuration of the routes (so no route's legitimate upload is cut),
// idle connections are closed, and there is no write timeout so that
// streamed responses can run as long as their route allows. A
// transfer-coded request closes its connection (see httpguard).
func NewServer(routes []mux.Route, opts Options) (*http.Server, error) {
	out := newOutput(cmp.Or[io.Writer](opts.Out, os.Stderr))
	logger := log.New(out, "", 0)
	mo := opts.Mux
	mo.Log = func(e mux.Entry) {
		out.entry(e, opts.Color)
		opts.Report.Request(e)
	}
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
		Handler:           httpguard.Handler(fromFront(requestid.Middleware(mx)), bodyTimeout),
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    1 << 20,
		ErrorLog:          logger,
	}, nil
}

// DefaultBodyTimeout bounds the time to send a request body when no route
// has a maxDuration.
const DefaultBodyTimeout = 10 * time.Second

// RemoteAddrHeader carries the client's address from the `nextgo dev` front
// to the dev server behind it.
const RemoteAddrHeader = "X-Nextgo-Remote-Addr"

// fromFront restores the client's address the front passed on, and hides
// the header from the app.
func fromFront(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if a := r.Header.Get(RemoteAddrHeader); a != "" {
			r.RemoteAddr = a
			r.Header.Del(RemoteAddrHeader)
		}
		next.ServeHTTP(w, r)
	})
}

// FormatEntry renders one request log line: method, path, status,
// duration, who answered (the route file, a nextgo.json rule, the
// middleware; "-" for nobody), then the cache status and the request id
// when known.
func FormatEntry(e mux.Entry) string { return formatEntry(e, false) }

// FormatEntryColor is FormatEntry with the status coloured for a terminal
// (ANSI: 2xx green, 3xx cyan, 4xx yellow, 5xx red) and the details dimmed.
func FormatEntryColor(e mux.Entry) string { return formatEntry(e, true) }

func formatEntry(e mux.Entry, color bool) string { return string(appendEntry(nil, e, color)) }

// appendEntry appends the request log line of e to b.
func appendEntry(b []byte, e mux.Entry, color bool) []byte {
	file := e.File
	if file == "" {
		file = "-"
	}
	b = append(append(append(append(b, ' '), e.Method...), ' '), e.Path...)
	b = append(b, ' ')
	if color {
		b = append(b, StatusColor(e.Status)...)
	}
	b = strconv.AppendInt(b, int64(e.Status), 10)
	if color {
		b = append(b, "\x1b[0m"...)
	}
	b = appendDuration(append(b, " in "...), e.Duration)
	b = append(b, ' ')
	if color {
		b = append(b, "\x1b[2m"...)
	}
	b = append(append(append(b, '('), file...), ')')
	if e.Cache != "" {
		b = append(append(b, " cache="...), e.Cache...)
	}
	if e.RequestID != "" {
		b = append(append(b, " id="...), e.RequestID...)
	}
	if color {
		b = append(b, "\x1b[0m"...)
	}
	return b
}

// StatusColor returns the ANSI colour sequence of an HTTP status class.
func StatusColor(status int) string {
	switch {
	case status >= 500:
		return "\x1b[31m"
	case status >= 400:
		return "\x1b[33m"
	case status >= 300:
		return "\x1b[36m"
	}
	return "\x1b[32m"
}

func appendDuration(b []byte, d time.Duration) []byte {
	switch {
	case d < time.Millisecond:
		return append(strconv.AppendFloat(b, float64(d)/float64(time.Millisecond), 'f', 2, 64), "ms"...)
	case d < time.Second:
		return append(strconv.AppendFloat(b, float64(d)/float64(time.Millisecond), 'f', 0, 64), "ms"...)
	}
	return append(strconv.AppendFloat(b, d.Seconds(), 'f', 1, 64), 's')
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
	tuneGC()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	out := newOutput(cmp.Or[io.Writer](opts.Out, os.Stderr))
	opts.Out = out
	if fd := os.Getenv(ReportFDEnv); fd != "" && opts.Report == nil {
		if n, err := strconv.Atoi(fd); err == nil {
			opts.Report = NewReporter(os.NewFile(uintptr(n), "report"))
		}
	}
	opts.Color = opts.Color || os.Getenv(ColorEnv) == "1"
	// The process's default logger is the routes' (runtime/api and
	// runtime/server log panics and warnings through it): make it readable,
	// and tie records made with a request's context to the request.
	slog.SetDefault(slog.New(newDevLogHandler(out, opts.Report)))
	err := Serve(ctx, routes, opts, addr)
	opts.Report.Flush()
	if err != nil {
		fmt.Fprintln(os.Stderr, "nextgo:", err)
		os.Exit(1)
	}
}

// Serve listens (or takes the inherited socket) and serves routes until ctx
// is done.
func Serve(ctx context.Context, routes []mux.Route, opts Options, addr string) error {
	out := newOutput(cmp.Or[io.Writer](opts.Out, os.Stderr))
	defer out.Flush()
	opts.Out = out
	srv, err := NewServer(routes, opts)
	if err != nil {
		return err
	}
	l, err := Listen(addr)
	if err != nil {
		return err
	}
	h, err := newHandoff()
	if err != nil {
		l.Close()
		return fmt.Errorf("connections from the CLI: %w", err)
	}
	errc := make(chan error, 2)
	drained := make(chan struct{})
	var leanShutdown func(context.Context) error
	if h != nil {
		// Connections handed by the CLI, beside the socket of its front.
		srv.Handler = h.handed(srv.Handler)
		srv.ConnContext = connContext
		leanShutdown = h.serveItself(srv)
		h.drain = func() {
			// Every connection goes back to the CLI between two requests;
			// then the process ends.
			shutdown, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			_ = errors.Join(leanShutdown(shutdown), srv.Shutdown(shutdown))
			close(drained)
		}
		go func() { errc <- srv.Serve(h) }()
	} else {
		close(drained)
	}
	go func() { errc <- srv.Serve(l) }()
	select {
	case err := <-errc:
		if errors.Is(err, http.ErrServerClosed) {
			<-drained
			return nil
		}
		return err
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if leanShutdown != nil {
		go leanShutdown(shutdown) //nolint:errcheck // net/http's Shutdown below bounds the wait
	}
	return srv.Shutdown(shutdown)
}
