package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"strconv"
	"syscall"
	"time"
)

// errNoRoutes is the answer of the commands that need at least one route.
var errNoRoutes = errors.New("the app has no routes yet: add pages/api/hello.go or app/api/hello/route.go (nextgo dev runs an app without routes)")

// portTries is how many ports past a busy one listen tries.
const portTries = 20

// listen listens on host:port or, when that port is in use, on the next
// free one, with a warning as next dev gives. It runs before any compile.
func listen(host string, port int, warn io.Writer, color bool) (net.Listener, error) {
	for i := 0; ; i++ {
		addr := net.JoinHostPort(host, strconv.Itoa(port+i))
		l, err := net.Listen("tcp", addr)
		if err == nil {
			if i > 0 {
				mark := "⚠"
				if color {
					mark = "\x1b[33m⚠\x1b[0m"
				}
				fmt.Fprintf(warn, " %s Port %d is in use, using %d instead.\n", mark, port, port+i)
			}
			return l, nil
		}
		if !errors.Is(err, syscall.EADDRINUSE) || i == portTries || port == 0 {
			return nil, fmt.Errorf("listen on %s: %w", addr, err)
		}
	}
}

// serve serves h on l while run runs, until ctx is done; then it drains
// in-flight requests for up to five seconds and waits for run to end.
func serve(ctx context.Context, l net.Listener, h http.Handler, run func(context.Context) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 2 * time.Minute,
		ErrorLog: log.New(io.Discard, "", 0), // a client that hung up is no news
		// Cancelled first on the way out: it ends the dashboard's event streams.
		BaseContext: func(net.Listener) context.Context { return ctx }}
	served, ran := make(chan error, 1), make(chan error, 1)
	go func() { served <- srv.Serve(l) }()
	go func() { ran <- run(ctx) }()
	var err error
	select {
	case err = <-served:
	case err = <-ran:
		ran <- err
	case <-ctx.Done():
	}
	cancel()
	shutdown, stop := context.WithTimeout(context.Background(), 5*time.Second)
	defer stop()
	_ = srv.Shutdown(shutdown)
	if runErr := <-ran; err == nil {
		err = runErr
	}
	if errors.Is(err, http.ErrServerClosed) {
		err = nil
	}
	return err
}
