// Package devloop is `nextgo dev`: it builds the app into one dev server
// process (runtime/devserver), runs it on a private socket behind an HTTP
// front, and rebuilds on every change, so that no request is answered by
// stale code:
//
//   - a request that arrives while a build runs waits for it (bounded by
//     Options.Hold, then it is answered with the build state);
//   - after a broken edit, the broken routes answer 500 with their compile
//     errors (a page with code frames for a browser, text otherwise) while
//     every other route serves its new code;
//   - a server that exits on its own is restarted with a backoff over a
//     time window, and the request that crashed it is answered 500 naming
//     the route.
package devloop

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"maps"
	"net"
	"net/http"
	"net/http/httputil"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/nextgo-dev/nextgo/bundler"
	"github.com/nextgo-dev/nextgo/bundler/routes"
	"github.com/nextgo-dev/nextgo/bundler/stage"
	"github.com/nextgo-dev/nextgo/bundler/target"
	"github.com/nextgo-dev/nextgo/internal/dashboard"
	"github.com/nextgo-dev/nextgo/runtime/devserver"
	"github.com/nextgo-dev/nextgo/runtime/httpguard"
	"github.com/nextgo-dev/nextgo/runtime/mux"
	"github.com/nextgo-dev/nextgo/runtime/requestid"
	"github.com/nextgo-dev/nextgo/runtime/router"
)

// Defaults of Options.
const (
	DefaultPoll = 50 * time.Millisecond
	DefaultHold = 60 * time.Second
)

// Options configure a Loop.
type Options struct {
	// Dir is the app's directory.
	Dir string
	// Out receives the terminal output: build progress, errors, and the
	// dev server's own output (its request log).
	Out io.Writer
	// Poll is how often the app's files are checked for changes (default
	// DefaultPoll). A request also checks them before it is served.
	Poll time.Duration
	// Hold bounds how long a request waits for a build or a restart
	// (default DefaultHold).
	Hold time.Duration
	// Color colours the output; Live rewrites the progress line in place
	// (both for a terminal).
	Color, Live bool
	// Dashboard, when set, is kept up to date with the build state, the
	// route table and what the dev server reports about each request.
	Dashboard *dashboard.Dashboard
}

// phases of the loop.
const (
	phaseBuilding   = "building"
	phaseReady      = "ready"
	phaseFailed     = "failed"
	phaseRestarting = "restarting"
)

// Loop is the dev loop. Its ServeHTTP is the front of the app.
type Loop struct {
	opts  Options
	bin   string
	proxy *httputil.ReverseProxy
	tr    *http.Transport

	mu       sync.Mutex
	changed  chan struct{} // closed and replaced when the phase changes
	phase    string
	proc     *process
	res      *result
	matcher  *router.Matcher // the full route table
	routes   []routes.Route
	print    uint64    // fingerprint of the inputs of the current build
	scanned  time.Time // when the inputs were last checked
	scanning sync.Mutex
	scanBusy atomic.Bool
	notify   *devserver.Notifier // nil: polling only
	kick     chan struct{}
	backoff  *backoff

	front    string        // the front's unix socket, for the dev server's forwards
	slow     *connListener // client connections the front serves itself
	watching atomic.Bool   // the dashboard is open: every request goes through the front
	reports  *reportLog    // what the dev server processes report, read when needed
}

// New returns a loop for the app in opts.Dir. Run builds and serves it.
func New(opts Options) (*Loop, error) {
	dir, err := filepath.Abs(opts.Dir)
	if err != nil {
		return nil, err
	}
	opts.Dir = dir
	if opts.Out == nil {
		opts.Out = os.Stderr
	}
	if opts.Poll <= 0 {
		opts.Poll = DefaultPoll
	}
	if opts.Hold <= 0 {
		opts.Hold = DefaultHold
	}
	l := &Loop{
		opts:    opts,
		bin:     filepath.Join(dir, stage.Dir, "bin", "dev"),
		changed: make(chan struct{}),
		phase:   phaseBuilding,
		kick:    make(chan struct{}, 1),
		backoff: newBackoff(),
		notify:  devserver.NewNotifier(dir),
	}
	l.reports = newReportLog(l.onReport)
	var d net.Dialer
	l.tr = &http.Transport{
		// The host names the process: "p3" dials its private socket.
		DialContext: func(ctx context.Context, _, addr string) (net.Conn, error) {
			host, _, _ := net.SplitHostPort(addr)
			return d.DialContext(ctx, "unix", socketName(host))
		},
		MaxIdleConns:        512,
		MaxIdleConnsPerHost: 512,
		IdleConnTimeout:     90 * time.Second,
		DisableCompression:  true,
	}
	l.proxy = &httputil.ReverseProxy{
		Director:  l.direct,
		Transport: l.tr,
		// FlushInterval 0: a response of unknown length (streamed) or an
		// event stream is flushed as it is written, others are buffered.
		ErrorHandler:   l.proxyError,
		ModifyResponse: passClose,
		BufferPool:     &bufferPool{},
	}
	return l, nil
}

// socketName maps a process's host name to its socket address.
func socketName(host string) string {
	return privateSocket(fmt.Sprintf("nextgo-dev-%d-%s", os.Getpid(), strings.TrimPrefix(host, "p")))
}

// hostOf is the host name under which the front reaches p.
func hostOf(p *process) string {
	return "p" + p.addr[strings.LastIndexByte(p.addr, '-')+1:]
}

// Serve serves the app on l until ctx is done: it builds the app, hands
// each client connection to the dev server (which serves it directly),
// serves through site (the front: the dashboard around the Loop) the
// connections the dev server cannot take and the requests it forwards, and
// rebuilds on change.
func (l *Loop) Serve(ctx context.Context, public net.Listener, site http.Handler) error {
	front, err := listenPrivate(privateSocket(fmt.Sprintf("nextgo-front-%d", os.Getpid())))
	if err != nil {
		return fmt.Errorf("listen on the front's socket: %w", err)
	}
	l.front = front.Addr().String()
	l.slow = newConnListener(public.Addr())
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	srv := &http.Server{Handler: fromDevServer(site), ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 2 * time.Minute,
		ErrorLog: log.New(io.Discard, "", 0), BaseContext: func(net.Listener) context.Context { return ctx }}
	go func() { _ = srv.Serve(front) }()
	go func() { _ = srv.Serve(l.slow) }()
	go l.accept(public)
	err = l.run(ctx)
	public.Close()
	cancel()
	shutdown, stop := context.WithTimeout(context.Background(), 5*time.Second)
	defer stop()
	_ = srv.Shutdown(shutdown)
	return err
}

// accept dispatches the clients' connections until the listener closes.
func (l *Loop) accept(public net.Listener) {
	for {
		c, err := public.Accept()
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return
			}
			time.Sleep(10 * time.Millisecond) // too many open files: let some close
			continue
		}
		go l.dispatch(c)
	}
}

// dispatch hands a client connection to the dev server when it can serve
// it directly: the build is ready and whole. While a build runs the
// connection waits for it (bounded by Hold); otherwise the front serves it.
func (l *Loop) dispatch(c net.Conn) {
	l.fresh()
	timeout := time.NewTimer(l.opts.Hold)
	defer timeout.Stop()
	for {
		l.mu.Lock()
		phase, changed, p, res := l.phase, l.changed, l.proc, l.res
		l.mu.Unlock()
		if phase == phaseReady && res.failed == nil && len(res.broken) == 0 && p != nil && p.hand != nil {
			if p.hand.pass(c) == nil {
				return
			}
		}
		if phase == phaseReady || phase == phaseFailed {
			l.slow.deliver(c)
			return
		}
		select {
		case <-changed:
		case <-timeout.C:
			l.slow.deliver(c)
			return
		}
	}
}

// reap settles the connections a dev server still held when it ended:
// one whose request crashed the server gets a 500 naming the route; one
// between requests is dispatched again; others are closed.
func (l *Loop) reap(p *process) {
	<-p.exited
	if p.hand == nil {
		return
	}
	defer p.hand.close()
	crashed := p.crashed()
	for _, hc := range p.hand.held() {
		switch {
		case hc.state == devserver.SlotIdle:
			c, err := net.FileConn(hc.f)
			if err == nil {
				go l.dispatch(c)
			}
		case hc.state == devserver.SlotRequest && crashed:
			method, target, _ := strings.Cut(hc.line, " ")
			body := l.crashMessage(p, method, target) + "\n"
			fmt.Fprintf(hc.f, "HTTP/1.1 500 Internal Server Error\r\nContent-Type: text/plain; charset=utf-8\r\nCache-Control: no-store\r\nConnection: close\r\nContent-Length: %d\r\n\r\n%s", len(body), body)
		}
		hc.f.Close()
	}
}

// run builds, watches and restarts until ctx is done.
func (l *Loop) run(ctx context.Context) error {
	l.requestBuild()
	t := time.NewTicker(l.opts.Poll)
	defer t.Stop()
	defer l.stopAll()
	if l.notify != nil {
		defer l.notify.Close()
	}
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-l.kick:
			l.rebuild(ctx)
		case <-t.C:
			if l.notify != nil {
				l.fresh()
			} else {
				l.checkInputs(0)
			}
		case <-l.exited():
			l.restart(ctx)
		}
	}
}

// Watching tells the loop whether the dashboard is open: while it is,
// every request goes through the front, which records it in detail.
func (l *Loop) Watching(on bool) {
	l.watching.Store(on)
	l.reports.setLive(on)
	l.mu.Lock()
	p := l.proc
	l.mu.Unlock()
	if p != nil && p.hand != nil {
		_ = p.hand.send(forwardMsg(on))
	}
}

// SyncReports brings the dashboard up to date with what the dev server
// processes reported: while no dashboard page is open, their reports wait
// unread until the dashboard is asked for what it holds.
func (l *Loop) SyncReports() { l.reports.deliverAll() }

func forwardMsg(on bool) string {
	if on {
		return "F1"
	}
	return "F0"
}

// requestBuild asks Run for a build; requests wait from now on.
func (l *Loop) requestBuild() {
	l.mu.Lock()
	l.setPhase(phaseBuilding)
	l.mu.Unlock()
	select {
	case l.kick <- struct{}{}:
	default:
	}
}

// setPhase changes the phase and wakes the waiting requests. l.mu is held.
func (l *Loop) setPhase(p string) {
	l.phase = p
	close(l.changed)
	l.changed = make(chan struct{})
}

// fresh makes sure a request is served by code built from the files as
// they are now: a change saved before the request arrived starts a build
// that the request then waits for. With inotify this costs one system
// call while nothing changes.
func (l *Loop) fresh() {
	if l.notify == nil {
		l.checkInputs(10 * time.Millisecond)
		return
	}
	if !l.notify.Pending() && !l.scanBusy.Load() {
		return
	}
	// Events are consumed and acted on under the lock, which a request
	// that finds none pending still waits for while scanBusy is set.
	l.scanning.Lock()
	defer l.scanning.Unlock()
	l.scanBusy.Store(true)
	defer l.scanBusy.Store(false)
	if l.notify.Drain() {
		l.scan()
	}
}

// checkInputs fingerprints the app's files if the last check is older
// than maxAge, and asks for a build when they changed since the current
// build started.
func (l *Loop) checkInputs(maxAge time.Duration) {
	l.scanning.Lock()
	defer l.scanning.Unlock()
	l.mu.Lock()
	fresh := maxAge > 0 && time.Since(l.scanned) < maxAge
	l.mu.Unlock()
	if !fresh {
		l.scan()
	}
}

// scan compares the inputs to those of the current build; l.scanning is
// held.
func (l *Loop) scan() {
	l.mu.Lock()
	building := l.phase == phaseBuilding
	l.mu.Unlock()
	if building {
		return // the build checks the inputs again when it ends
	}
	fp := bundler.Fingerprint(l.opts.Dir)
	l.mu.Lock()
	l.scanned = time.Now()
	changed := fp != l.print
	l.mu.Unlock()
	if changed {
		l.requestBuild()
	}
}

func (l *Loop) exited() <-chan struct{} {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.proc == nil {
		return nil
	}
	return l.proc.exited
}

// rebuild compiles the app and swaps the server.
func (l *Loop) rebuild(ctx context.Context) {
	start := time.Now()
	fp := bundler.Fingerprint(l.opts.Dir)
	l.mu.Lock()
	l.print = fp
	l.scanned = start
	old := l.proc
	l.proc = nil // no connection goes to stale code; its own come back
	l.mu.Unlock()
	if old != nil {
		go old.drain(30 * time.Second)
	}
	l.dash(func(d *dashboard.Dashboard) { d.SetBuild(dashboard.Build{Phase: dashboard.Compiling}) })
	stopProgress := l.progress(start)
	next := l.bin + ".next"
	res := compile(ctx, l.opts.Dir, next)
	stopProgress()
	if ctx.Err() != nil {
		return
	}
	if bundler.Fingerprint(l.opts.Dir) != fp {
		// Saved again while compiling: this build is already stale.
		l.requestBuild()
		return
	}
	took := time.Since(start)
	var table []routes.Route
	var matcher *router.Matcher
	if res.project != nil {
		table = res.project.Table.Routes
		patterns := make([]string, len(table))
		for i, r := range table {
			patterns[i] = r.Pattern
		}
		matcher, _ = router.NewMatcher(patterns) // the table was checked by Load
	}
	var proc *process
	if res.failed == nil {
		err := os.Rename(next, l.bin)
		if err == nil {
			proc, err = l.start(res)
		}
		if err != nil {
			res.failed = &failure{Output: err.Error()}
		}
	}
	l.mu.Lock()
	l.proc, l.res, l.routes, l.matcher = proc, res, table, matcher
	if res.failed != nil {
		l.setPhase(phaseFailed)
	} else {
		l.setPhase(phaseReady)
	}
	l.backoff.reset()
	l.mu.Unlock()
	l.tr.CloseIdleConnections()
	l.report(res, took)
}

// report prints a build's outcome and updates the dashboard.
func (l *Loop) report(res *result, took time.Duration) {
	b := dashboard.Build{Phase: dashboard.Ready, DurationMs: float64(took.Milliseconds())}
	if res.project != nil {
		b.Routes = len(res.project.Table.Routes)
	}
	if res.failed != nil {
		b.Phase, b.Error, b.Frames = dashboard.Failed, res.failed.Output, res.failed.Frames
		fmt.Fprintf(l.opts.Out, " %s Failed to compile\n%s\n", l.mark("⨯", red), res.failed.Output)
	} else {
		fmt.Fprintf(l.opts.Out, " %s Compiled %d routes in %s\n", l.mark("✓", green), b.Routes, took.Round(time.Millisecond))
		for _, file := range sortedKeys(res.broken) {
			f := res.broken[file]
			b.Broken = append(b.Broken, file)
			b.Frames = append(b.Frames, f.Frames...)
			b.Error += f.Output + "\n"
			fmt.Fprintf(l.opts.Out, " %s Failed to compile %s (it answers 500 until fixed; the other routes serve)\n%s\n", l.mark("⨯", red), file, f.Output)
		}
		if b.Routes == 0 {
			fmt.Fprintf(l.opts.Out, " %s No routes yet: add pages/api/hello.go or app/api/hello/route.go\n", l.mark("⚠", yellow))
		}
	}
	l.dash(func(d *dashboard.Dashboard) {
		d.SetBuild(b)
		if res.project != nil {
			d.SetRoutes(routeRows(res.project, res.broken))
		}
	})
}

// routeRows is the dashboard's route table.
func routeRows(p *bundler.Project, broken map[string]*failure) []dashboard.Route {
	var rows []dashboard.Route
	for _, r := range p.Table.Routes {
		row := dashboard.Route{Pattern: r.Pattern, File: r.File, Kind: string(r.Kind), Methods: r.MethodNames(), Cache: "none"}
		if eff, err := p.Effective(r); err == nil {
			row.MaxDuration, row.Memory, row.BodyLimit, row.Cache = eff.MaxDuration, eff.Memory, eff.BodyLimitText, eff.Cache
			if eff.BodyLimit < 0 {
				row.BodyLimit = "none"
			}
		}
		_, row.Broken = broken[r.File]
		rows = append(rows, row)
	}
	return rows
}

// start runs the dev server of res.
func (l *Loop) start(res *result) (*process, error) {
	env := res.env
	if l.opts.Color {
		env = append(env, devserver.ColorEnv+"=1")
	}
	p, err := startProcess(l.bin, l.opts.Dir, env, l.opts.Out, l.reports, l.front)
	if err != nil {
		return nil, err
	}
	if p.hand != nil {
		go p.hand.receive(func(c net.Conn) { go l.dispatch(c) })
		if l.watching.Load() {
			_ = p.hand.send(forwardMsg(true))
		}
	}
	go l.reap(p)
	return p, nil
}

// onReport passes what the dev server reports to the dashboard.
func (l *Loop) onReport(rep devserver.Report) {
	l.dash(func(d *dashboard.Dashboard) {
		switch rep.Type {
		case "request":
			if d.Annotate(rep.RequestID, func(e *dashboard.Entry) { e.By, e.Cache = rep.File, rep.Cache }) {
				return // recorded by the front
			}
			d.Add(dashboard.Entry{ID: rep.RequestID, Time: rep.Time.Add(-time.Duration(rep.DurationMs * float64(time.Millisecond))),
				Method: rep.Method, Path: rep.Path, Status: rep.Status, DurationMs: rep.DurationMs, By: rep.File, Cache: rep.Cache})
		case "log":
			d.AddLog(rep.RequestID, dashboard.LogLine{Time: rep.Time, Level: rep.Level, Message: rep.Message})
		}
	})
}

// restart starts the server again after it exited on its own, after the
// backoff's delay; requests wait meanwhile.
func (l *Loop) restart(ctx context.Context) {
	l.mu.Lock()
	p, res := l.proc, l.res
	if p == nil || !p.crashed() {
		l.mu.Unlock()
		return
	}
	delay, n := l.backoff.next(time.Now())
	l.proc = nil
	l.setPhase(phaseRestarting)
	l.mu.Unlock()
	fmt.Fprintf(l.opts.Out, " %s The dev server exited (%s); restarting it in %s (%d exits in the last %s)\n",
		l.mark("⨯", red), p.exitReason(), delay, n, RestartWindow)
	select {
	case <-ctx.Done():
		return
	case <-time.After(delay):
	}
	proc, err := l.start(res)
	l.mu.Lock()
	defer l.mu.Unlock()
	if err != nil {
		l.res = &result{project: res.project, failed: &failure{Output: err.Error()}}
		l.setPhase(phaseFailed)
		return
	}
	l.proc = proc
	l.setPhase(phaseReady)
}

func (l *Loop) stopAll() {
	l.mu.Lock()
	p := l.proc
	l.proc = nil
	l.mu.Unlock()
	if p != nil {
		p.stop(5 * time.Second)
	}
	l.tr.CloseIdleConnections()
}

// snapshot is what a request is served with.
type snapshot struct {
	proc    *process
	res     *result
	matcher *router.Matcher
	routes  []routes.Route
}

// await waits until the loop can serve: a server runs or the build
// failed. It returns false when the wait exceeded Options.Hold or ctx
// ended, with the phase it was in.
func (l *Loop) await(ctx context.Context) (snapshot, string, bool) {
	timeout := time.NewTimer(l.opts.Hold)
	defer timeout.Stop()
	for {
		l.mu.Lock()
		phase, changed := l.phase, l.changed
		s := snapshot{proc: l.proc, res: l.res, matcher: l.matcher, routes: l.routes}
		l.mu.Unlock()
		if phase == phaseReady || phase == phaseFailed {
			return s, phase, true
		}
		select {
		case <-changed:
		case <-timeout.C:
			return s, phase, false
		case <-ctx.Done():
			return s, phase, false
		}
	}
}

// match returns the route serving r's path, if any.
func (s snapshot) match(r *http.Request) (routes.Route, bool) {
	if s.matcher == nil {
		return routes.Route{}, false
	}
	clean, _ := router.Normalize(r.URL.EscapedPath())
	i, _, err := s.matcher.Match(clean)
	if err != nil || i < 0 {
		return routes.Route{}, false
	}
	return s.routes[i], true
}

type procKey struct{}

// ServeHTTP serves a request with the current code: it waits for a
// running build, answers a failed one with its errors, and otherwise
// passes the request to the dev server.
func (l *Loop) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	l.fresh()
	s, phase, ok := l.await(r.Context())
	if !ok {
		if r.Context().Err() != nil {
			return
		}
		msg := "nextgo dev: still compiling after " + l.opts.Hold.String() + "; the request was not served"
		if phase == phaseRestarting {
			msg = "nextgo dev: the dev server keeps exiting; see the output of nextgo dev"
		}
		w.Header().Set("Retry-After", "1")
		writeText(w, http.StatusServiceUnavailable, msg)
		l.logFront(r, start, http.StatusServiceUnavailable, "-")
		return
	}
	if s.res.failed != nil {
		writeFailure(w, r, "Failed to compile", s.res.failed)
		l.logFront(r, start, http.StatusInternalServerError, "build error")
		return
	}
	if len(s.res.broken) > 0 {
		if rt, ok := s.match(r); ok {
			if f := s.res.broken[rt.File]; f != nil {
				writeFailure(w, r, "Failed to compile "+rt.File, f)
				l.dash(func(d *dashboard.Dashboard) {
					d.Annotate(requestid.From(r.Context()), func(e *dashboard.Entry) { e.By = rt.File })
				})
				l.logFront(r, start, http.StatusInternalServerError, rt.File+": compile error")
				return
			}
		}
	}
	// What the dev server does for its clients, the front does for its
	// own: bound the time to send a body, close after a transfer-coded
	// request, and close after an early answer the server closes on.
	httpguard.CloseAfterTransferCoded(w, r)
	defer httpguard.RestoreBody(r, r.Body)
	r.Body = httpguard.ReadBodyWithin(w, r.Body, s.bodyTimeout())
	ctx := context.WithValue(r.Context(), procKey{}, s)
	ctx = context.WithValue(ctx, writerKey{}, w)
	l.proxy.ServeHTTP(w, r.WithContext(ctx))
}

type writerKey struct{}

// bufferPool reuses the proxy's copy buffers.
type bufferPool struct{ p sync.Pool }

func (b *bufferPool) Get() []byte {
	if v, ok := b.p.Get().(*[]byte); ok {
		return *v
	}
	return make([]byte, 32<<10)
}

func (b *bufferPool) Put(buf []byte) { b.p.Put(&buf) }

// passClose makes the client's connection close when the dev server closed
// its own after the response (an early 413 that left the body unread).
func passClose(resp *http.Response) error {
	if resp.Close {
		if w, ok := resp.Request.Context().Value(writerKey{}).(http.ResponseWriter); ok {
			httpguard.CloseEarly(w)
		}
	}
	return nil
}

// bodyTimeout bounds the time to send a request body: the longest
// maxDuration of the routes, as the dev server bounds it.
func (s snapshot) bodyTimeout() time.Duration {
	var d time.Duration
	for _, r := range s.routes {
		secs := r.Config.MaxDuration
		if secs == 0 {
			secs = target.DefaultMaxDuration
		}
		d = max(d, time.Duration(secs)*time.Second)
	}
	if d <= 0 {
		d = devserver.DefaultBodyTimeout
	}
	return d
}

// logFront logs a request the front answered itself, as the dev server
// logs the others.
func (l *Loop) logFront(r *http.Request, start time.Time, status int, by string) {
	e := mux.Entry{Method: r.Method, Path: r.URL.RequestURI(), Status: status, File: by, Duration: time.Since(start), RequestID: requestid.From(r.Context())}
	if l.opts.Color {
		fmt.Fprintln(l.opts.Out, devserver.FormatEntryColor(e))
	} else {
		fmt.Fprintln(l.opts.Out, devserver.FormatEntry(e))
	}
}

// direct points the proxied request at the snapshot's process and hands
// over the request id and the client's address.
func (l *Loop) direct(out *http.Request) {
	s := out.Context().Value(procKey{}).(snapshot)
	out.URL.Scheme = "http"
	out.URL.Host = hostOf(s.proc)
	if _, ok := out.Header["X-Forwarded-For"]; !ok {
		out.Header["X-Forwarded-For"] = nil // the app sees the client's headers as sent
	}
	if id := requestid.From(out.Context()); id != "" {
		out.Header.Set(requestid.Header, id)
	}
	out.Header.Set(devserver.RemoteAddrHeader, out.RemoteAddr)
}

// crashWait bounds how long a failed request waits to learn whether the
// server exited.
const crashWait = 2 * time.Second

// proxyError answers a request the dev server did not answer: 500 naming
// the route when the server crashed on it, 502 otherwise.
func (l *Loop) proxyError(w http.ResponseWriter, r *http.Request, err error) {
	if r.Context().Err() != nil {
		return // the client went away
	}
	s := r.Context().Value(procKey{}).(snapshot)
	select {
	case <-s.proc.exited:
	case <-time.After(crashWait):
	}
	if !s.proc.crashed() {
		writeText(w, http.StatusBadGateway, "nextgo dev: the dev server did not answer: "+err.Error())
		return
	}
	l.dash(func(d *dashboard.Dashboard) {
		if rt, ok := s.match(r); ok {
			d.Annotate(requestid.From(r.Context()), func(e *dashboard.Entry) { e.By = rt.File })
		}
	})
	writeText(w, http.StatusInternalServerError, l.crashMessage(s.proc, r.Method, r.URL.RequestURI()))
}

// crashMessage says that p crashed while answering a request, naming the
// route.
func (l *Loop) crashMessage(p *process, method, target string) string {
	l.mu.Lock()
	s := snapshot{matcher: l.matcher, routes: l.routes}
	l.mu.Unlock()
	route := "no route"
	if r, err := http.NewRequest(method, target, nil); err == nil {
		if rt, ok := s.match(r); ok {
			route = rt.Pattern + " (" + rt.File + ")"
		}
	}
	return fmt.Sprintf("nextgo dev: the server crashed (%s) while answering %s %s, route %s; nextgo dev restarts it",
		p.exitReason(), method, target, route)
}

func (l *Loop) dash(f func(*dashboard.Dashboard)) {
	if l.opts.Dashboard != nil {
		f(l.opts.Dashboard)
	}
}

func sortedKeys(m map[string]*failure) []string { return slices.Sorted(maps.Keys(m)) }
