package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"time"

	"github.com/nextgo-dev/nextgo/bundler"
	"github.com/nextgo-dev/nextgo/bundler/dotenv"
	"github.com/nextgo-dev/nextgo/runtime/devserver"
	"github.com/spf13/cobra"
)

func newDevCmd() *cobra.Command {
	var port int
	var hostname string
	var poll time.Duration
	cmd := &cobra.Command{
		Use:   "dev [dir]",
		Short: "Run the app locally, rebuilding on every change",
		Long: `Build every route of the app into one local server and run it, like next dev.
nextgo watches the route trees, the app's packages, go.mod, go.sum, nextgo.json
and .env files; on a change it rebuilds and swaps the server without dropping
the listening socket. A failed build prints the compiler's errors with your
file:line and the last good server keeps answering.`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			d := &devServer{dir: appDir(args), out: cmd.ErrOrStderr(), addr: net.JoinHostPort(hostname, strconv.Itoa(port)), poll: poll}
			return d.run(cmd.Context())
		},
	}
	cmd.Flags().IntVarP(&port, "port", "p", 3000, "port to listen on")
	cmd.Flags().StringVarP(&hostname, "hostname", "H", "127.0.0.1", "hostname to listen on")
	cmd.Flags().DurationVar(&poll, "poll", 50*time.Millisecond, "how often to look for changes")
	return cmd
}

// devServer holds the listening socket and runs one dev server process at a
// time on it, replacing it after each successful rebuild.
type devServer struct {
	dir  string
	addr string
	out  io.Writer
	poll time.Duration

	listener *os.File
	child    *exec.Cmd
	exited   chan struct{}
	builds   int
	env      map[string]string // the development .env set
	restarts int               // unexpected exits since the last build

	errorServer *http.Server // answers with the build error while no server runs
}

// maxRestarts is how many unexpected exits of one build dev restarts.
const maxRestarts = 3

func (d *devServer) run(ctx context.Context) error {
	abs, err := filepath.Abs(d.dir)
	if err != nil {
		return err
	}
	d.dir = abs
	l, err := net.Listen("tcp", d.addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", d.addr, err)
	}
	f, err := l.(*net.TCPListener).File()
	l.Close() // f holds a duplicate of the socket
	if err != nil {
		return err
	}
	d.listener = f
	defer f.Close()
	fmt.Fprintf(d.out, "  ▲ nextgo dev\n  - Local: http://%s\n\n", d.addr)
	if err := d.rebuild(ctx); err != nil {
		fmt.Fprintln(d.out, " ⨯ waiting for a change to retry")
	}
	changes := bundler.Watch(ctx, d.dir, d.poll)
	for {
		select {
		case <-ctx.Done():
			d.hideError()
			d.stop()
			return nil
		case _, ok := <-changes:
			if !ok {
				d.hideError()
				d.stop()
				return nil
			}
			_ = d.rebuild(ctx)
		case <-d.exitedChan():
			d.child = nil
			if d.restarts++; d.restarts > maxRestarts {
				fmt.Fprintln(d.out, " ⨯ the server keeps exiting; waiting for a change (see the error above)")
				d.showError(fmt.Errorf("the server exited %d times; see the output of nextgo dev", d.restarts))
				continue
			}
			fmt.Fprintln(d.out, " ⨯ the server exited; restarting it")
			time.Sleep(200 * time.Millisecond)
			if err := d.start(d.binary()); err != nil {
				fmt.Fprintln(d.out, " ⨯", err)
			}
		}
	}
}

func (d *devServer) binary() string { return filepath.Join(d.dir, bundler.StageDir, "bin", "dev") }

func (d *devServer) exitedChan() <-chan struct{} {
	if d.child == nil {
		return nil
	}
	return d.exited
}

// rebuild compiles the app; on success it swaps the running server.
func (d *devServer) rebuild(ctx context.Context) error {
	start := time.Now()
	d.builds++
	if d.builds > 1 {
		fmt.Fprintln(d.out, " ○ Compiling...")
	}
	p, err := bundler.Load(ctx, d.dir)
	if err == nil {
		_, err = p.Prepare(ctx)
	}
	if err == nil {
		d.env, _, err = dotenv.Load(d.dir, dotenv.Development)
	}
	next := d.binary() + ".next"
	if err == nil {
		err = p.BuildDev(ctx, next)
	}
	if err != nil {
		fmt.Fprintf(d.out, " ⨯ Failed to compile\n%s\n", err)
		if d.child == nil {
			// No good server to keep: answer with the error until one builds.
			d.showError(err)
		}
		return err
	}
	d.hideError()
	if err := os.Rename(next, d.binary()); err != nil {
		return err
	}
	fmt.Fprintf(d.out, " ✓ Compiled %d routes in %s\n", len(p.Table.Routes), time.Since(start).Round(time.Millisecond))
	d.restarts = 0
	old, oldExited := d.child, d.exited
	if err := d.start(d.binary()); err != nil {
		fmt.Fprintln(d.out, " ⨯", err)
		return err
	}
	if old != nil {
		// The new server already shares the socket; the old one stops
		// accepting at once and finishes its in-flight requests.
		_ = old.Process.Signal(syscall.SIGTERM)
		go func() {
			select {
			case <-oldExited:
			case <-time.After(10 * time.Second):
				_ = old.Process.Kill()
			}
		}()
	}
	return nil
}

// showError serves the build error on the shared socket, as 500s, while
// there is no server to answer: a request should not hang on a socket that
// nobody accepts on.
func (d *devServer) showError(buildErr error) {
	d.hideError()
	l, err := net.FileListener(d.listener) // a duplicate: closing it keeps d.listener
	if err != nil {
		return
	}
	msg := "Failed to compile\n\n" + buildErr.Error() + "\n"
	srv := &http.Server{ReadHeaderTimeout: 10 * time.Second, Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		w.WriteHeader(http.StatusInternalServerError)
		io.WriteString(w, msg)
	})}
	go func() { _ = srv.Serve(l) }()
	d.errorServer = srv
}

// hideError stops the error server, if one runs.
func (d *devServer) hideError() {
	if d.errorServer != nil {
		_ = d.errorServer.Close()
		d.errorServer = nil
	}
}

// start runs the dev server binary on the shared socket.
func (d *devServer) start(bin string) error {
	cmd := exec.Command(bin)
	cmd.Dir = d.dir
	cmd.Stdout, cmd.Stderr = d.out, d.out
	cmd.ExtraFiles = []*os.File{d.listener}
	cmd.Env = append(os.Environ(), devserver.ListenFDEnv+"=3")
	for k, v := range d.env { // real values already win (dotenv.Load)
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start the server: %w", err)
	}
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }()
	d.child, d.exited = cmd, exited
	return nil
}

// stop ends the running server gracefully.
func (d *devServer) stop() {
	if d.child == nil {
		return
	}
	_ = d.child.Process.Signal(syscall.SIGTERM)
	select {
	case <-d.exited:
	case <-time.After(6 * time.Second):
		_ = d.child.Process.Kill()
		<-d.exited
	}
}
