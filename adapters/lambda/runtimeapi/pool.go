package runtimeapi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"time"

	"github.com/nextgo-dev/nextgo/internal/lambdalimit"
)

// Defaults applied by NewPool to zero fields.
const (
	DefaultTimeout        = lambdalimit.DefaultTimeout * time.Second // Lambda's default function timeout
	DefaultMemoryMB       = lambdalimit.DefaultMemory                // Lambda's default memory size
	DefaultMaxConcurrency = 10
	DefaultInitTimeout    = 10 * time.Second // Lambda's limit on the init phase
	DefaultRegion         = "us-east-1"
	DefaultAccountID      = "000000000000"
	DefaultVersion        = "$LATEST"
)

// ErrInvalidRequestContent is returned by Invoke for an event that is not
// JSON; Lambda's Invoke API rejects it with InvalidRequestContentException.
var ErrInvalidRequestContent = errors.New("runtimeapi: could not parse request body into json")

// Function is one Lambda function as nextgo builds it: a bootstrap
// executable and its configuration.
type Function struct {
	// Name is the function name (AWS_LAMBDA_FUNCTION_NAME); by default the
	// name of the folder holding the bootstrap.
	Name string
	// Bootstrap is the path of the executable (provided.al2023's bootstrap).
	// It runs in its own folder, which is also LAMBDA_TASK_ROOT.
	Bootstrap string
	// Env is the function's environment. Variables Lambda reserves
	// (AWS_LAMBDA_*, AWS_REGION, _HANDLER, LAMBDA_TASK_ROOT, TZ, ...) cannot
	// be overridden. PATH is inherited unless Env sets it; nothing else of
	// the calling process's environment is passed on. GOMAXPROCS, unless
	// Env sets it, is the CPU that MemoryMB buys on Lambda (one vCPU per
	// 1,769 MB, rounded up, at most this machine's processors).
	Env map[string]string
	// Timeout is the function timeout (default 3 s). An invocation still
	// running at its deadline fails with Sandbox.Timedout and its execution
	// environment is discarded.
	Timeout time.Duration
	// MemoryMB is the configured memory (default 128), passed on in
	// AWS_LAMBDA_FUNCTION_MEMORY_SIZE and sets the runtime's GOMAXPROCS (see
	// Env); it is not enforced.
	MemoryMB int
	// MaxConcurrency bounds the number of execution environments, that is
	// of concurrent invocations (default 10). Invocations beyond it wait for
	// a free environment.
	MaxConcurrency int
	// Version is AWS_LAMBDA_FUNCTION_VERSION (default "$LATEST").
	Version string
}

// Options configure a Pool.
type Options struct {
	// Region is AWS_REGION and part of the function ARN (default us-east-1).
	Region string
	// AccountID is part of the function ARN (default 000000000000).
	AccountID string
	// Output receives the runtime processes' stdout and stderr, line by
	// line, each line prefixed with "[<function name>] " (default os.Stderr).
	Output io.Writer
	// Logger receives the emulator's own events: cold starts with their
	// duration, timeouts, crashes, init failures (default: text on Output).
	Logger *slog.Logger
	// InitTimeout bounds a cold start, from process start to the runtime's
	// first request for work (default 10 s, as Lambda).
	InitTimeout time.Duration
	// IdleTimeout, when positive, retires an execution environment that
	// has had no invocation for that long: its process is stopped, as
	// Lambda reclaims idle environments, and the next invocation starts
	// cold. Zero keeps environments until Close.
	IdleTimeout time.Duration
}

// Pool runs the execution environments of one function: it starts a
// process on demand, keeps it warm, gives it one invocation at a time,
// starts more under concurrency up to Function.MaxConcurrency, and replaces
// a process after a timeout or a crash. A Pool is safe for concurrent use.
type Pool struct {
	fn   Function
	opts Options
	arn  string
	out  *syncWriter
	log  *slog.Logger

	mu        sync.Mutex
	idle      []*sandbox            // waiting in /next, most recently used last
	live      map[*sandbox]struct{} // every environment not yet reaped
	starting  int                   // environments being started
	finishing int                   // answered, not yet back in /next
	waiters   []*waiter             // invocations waiting for an environment, first come first
	closed    bool
	done      chan struct{}  // closed by Close
	wg        sync.WaitGroup // supervisors and exit watchers
}

// NewPool returns a pool for fn. No process starts before the first Invoke.
func NewPool(fn Function, opts Options) *Pool {
	if fn.Name == "" {
		fn.Name = filepath.Base(filepath.Dir(fn.Bootstrap))
	}
	if fn.Timeout <= 0 {
		fn.Timeout = DefaultTimeout
	}
	if fn.MemoryMB <= 0 {
		fn.MemoryMB = DefaultMemoryMB
	}
	if fn.MaxConcurrency <= 0 {
		fn.MaxConcurrency = DefaultMaxConcurrency
	}
	if fn.Version == "" {
		fn.Version = DefaultVersion
	}
	if opts.Region == "" {
		opts.Region = DefaultRegion
	}
	if opts.AccountID == "" {
		opts.AccountID = DefaultAccountID
	}
	if opts.Output == nil {
		opts.Output = os.Stderr
	}
	if opts.InitTimeout <= 0 {
		opts.InitTimeout = DefaultInitTimeout
	}
	out := &syncWriter{w: opts.Output}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.NewTextHandler(writerFunc(out.write), nil))
	}
	return &Pool{
		fn:   fn,
		opts: opts,
		arn:  fmt.Sprintf("arn:aws:lambda:%s:%s:function:%s", opts.Region, opts.AccountID, fn.Name),
		out:  out,
		log:  opts.Logger.With("function", fn.Name),
		live: make(map[*sandbox]struct{}),
		done: make(chan struct{}),
	}
}

// writerFunc adapts a function to io.Writer.
type writerFunc func([]byte)

func (f writerFunc) Write(p []byte) (int, error) { f(p); return len(p), nil }

// Function returns the pool's function, defaults applied.
func (p *Pool) Function() Function { return p.fn }

// Environments returns how many execution environments (processes) are
// live: warm, busy or starting.
func (p *Pool) Environments() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.live) + p.starting
}

// ARN returns the function ARN sent to the runtime.
func (p *Pool) ARN() string { return p.arn }

// outcome is what Invoke hands back to its caller.
type outcome struct {
	res *Result
	err error
}

// Invoke runs one synchronous invocation of the function with payload as
// the event, as Lambda's Invoke API with InvocationType RequestResponse.
//
// A function error, a timeout and a crash are not Go errors: they come back
// as a Result with FunctionError set and Lambda's error document in
// Payload. The error is non-nil only when the invocation could not be made
// (ErrPayloadTooLarge, ErrInvalidRequestContent, ErrClosed, ctx's error).
// When ctx ends first, Invoke returns at once while the function, as on
// Lambda, runs on until it answers or times out.
func (p *Pool) Invoke(ctx context.Context, payload []byte) (*Result, error) {
	if len(payload) > MaxRequestPayload {
		return nil, ErrPayloadTooLarge
	}
	if len(payload) > 0 && !json.Valid(payload) {
		return nil, ErrInvalidRequestContent
	}
	inv := newInvocation(payload, p.fn.Timeout)
	out := make(chan outcome, 1)
	abandoned := make(chan struct{})
	deliver := func(res *Result, err error) {
		out <- outcome{res, err}
		select {
		case <-abandoned:
			drop(out)
		default:
		}
	}
	if err := p.dispatch(ctx, inv, deliver); err != nil {
		return nil, err
	}
	select {
	case o := <-out:
		return o.res, o.err
	case <-ctx.Done():
		close(abandoned)
		drop(out)
		return nil, ctx.Err()
	}
}

// drop discards an outcome nobody will read, closing its stream.
func drop(out chan outcome) {
	select {
	case o := <-out:
		if o.res != nil && o.res.Stream != nil {
			o.res.Stream.Close()
		}
	default:
	}
}

// waiter is an invocation waiting for an environment.
type waiter struct {
	inv     *invocation
	deliver func(*Result, error)
	// taken receives true when an environment took the invocation (its
	// supervisor runs), false when the waiter is to look again: capacity
	// freed up, or the pool closed.
	taken chan bool
}

// dispatch gives inv to an idle environment, or starts one, waiting while
// the function is at its concurrency limit, and runs the invocation's
// supervisor, which delivers its outcome. An environment that has answered
// and is about to ask for its next invocation is waited for rather than a
// new process started, so that back-to-back invocations find it warm, as
// they do on Lambda. Waiting invocations are served first come, first
// served: a returning environment takes the first of them (see release).
// Once dispatch returns nil the invocation runs, even if ctx ends.
func (p *Pool) dispatch(ctx context.Context, inv *invocation, deliver func(*Result, error)) error {
	for {
		p.mu.Lock()
		if p.closed {
			p.mu.Unlock()
			return ErrClosed
		}
		if n := len(p.idle); n > 0 {
			sb := p.idle[n-1]
			p.idle = p.idle[:n-1]
			select {
			case <-sb.exited: // exited while idle; its watcher is about to reap it
				p.mu.Unlock()
				continue
			default:
			}
			p.wg.Add(1)
			p.mu.Unlock()
			p.run(sb, inv, deliver)
			return nil
		}
		// Every finishing environment is already promised to a waiter.
		if p.finishing <= len(p.waiters) && len(p.live)+p.starting < p.fn.MaxConcurrency {
			p.starting++
			p.wg.Add(2) // its supervisor and its exit watcher
			p.mu.Unlock()
			sb, err := p.launch()
			if err != nil {
				return err
			}
			p.run(sb, inv, deliver)
			return nil
		}
		w := &waiter{inv: inv, deliver: deliver, taken: make(chan bool, 1)}
		p.waiters = append(p.waiters, w)
		p.mu.Unlock()
		select {
		case taken := <-w.taken:
			if taken {
				return nil
			}
			// Woken to look again.
		case <-ctx.Done():
			p.mu.Lock()
			waiting := p.removeWaiter(w)
			p.mu.Unlock()
			if !waiting && <-w.taken {
				return nil // taken meanwhile: it runs, as dispatched
			}
			return ctx.Err()
		}
	}
}

// run hands inv to sb's runtime and supervises it on a goroutine of its
// own. p.wg counts the supervisor already.
func (p *Pool) run(sb *sandbox, inv *invocation, deliver func(*Result, error)) {
	sb.srv.enqueue(inv)
	go p.supervise(sb, inv, deliver)
}

// removeWaiter drops w from the waiters and reports whether it was still
// there. p.mu is held.
func (p *Pool) removeWaiter(w *waiter) bool {
	i := slices.Index(p.waiters, w)
	if i < 0 {
		return false
	}
	p.waiters = slices.Delete(p.waiters, i, i+1)
	return true
}

// wake tells the waiters that can now start an environment of their own to
// look again: as many as there is room for beyond the environments about to
// come back. p.mu is held.
func (p *Pool) wake() {
	n := min(p.fn.MaxConcurrency-len(p.live)-p.starting, len(p.waiters)-p.finishing)
	if p.closed {
		n = len(p.waiters)
	}
	for ; n > 0; n-- {
		p.waiters[0].taken <- false
		p.waiters = p.waiters[1:]
	}
}

// launch starts an environment for a slot reserved by dispatch.
func (p *Pool) launch() (*sandbox, error) {
	sb, err := p.startSandbox()
	p.mu.Lock()
	p.starting--
	if err != nil {
		p.wake()
		p.mu.Unlock()
		p.wg.Add(-2)
		return nil, err
	}
	p.live[sb] = struct{}{}
	closed := p.closed
	p.mu.Unlock()
	go p.watch(sb)
	if closed {
		sb.kill()
		p.wg.Done()
		return nil, ErrClosed
	}
	return sb, nil
}

// watch reaps an environment when its process exits.
func (p *Pool) watch(sb *sandbox) {
	defer p.wg.Done()
	<-sb.exited
	p.mu.Lock()
	sb.dead = true
	delete(p.live, sb)
	for i, s := range p.idle {
		if s == sb {
			p.idle = append(p.idle[:i], p.idle[i+1:]...)
			p.log.Warn("runtime exited while idle; execution environment discarded", "pid", sb.pid, "error", exitReason(sb.exitErr))
			break
		}
	}
	p.wake()
	p.mu.Unlock()

	// Requests the runtime made before it exited are read to their end;
	// Close cuts them short.
	select {
	case <-sb.srv.quiet:
	case <-p.done:
	}
	sb.srv.close()
}

// release hands an environment whose runtime waits in /next to the first
// waiting invocation, or returns it to the idle list. It runs on the /next
// call's goroutine (see supervise), which then finds the invocation at once.
func (p *Pool) release(sb *sandbox) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if sb.dead || p.closed {
		return
	}
	if len(p.waiters) > 0 {
		w := p.waiters[0]
		p.waiters = p.waiters[1:]
		p.wg.Add(1) // the invocation's supervisor
		p.run(sb, w.inv, w.deliver)
		w.taken <- true
		return
	}
	p.idle = append(p.idle, sb)
	if d := p.opts.IdleTimeout; d > 0 {
		// One timer per environment, pushed back at each release.
		sb.idleSince = time.Now()
		if sb.idleTimer == nil {
			sb.idleTimer = time.AfterFunc(d, func() { p.retire(sb) })
		} else {
			sb.idleTimer.Reset(d)
		}
	}
}

// retire stops an environment idle for the pool's IdleTimeout, as Lambda
// reclaims an idle execution environment. An environment in use, or idle
// for less (it was used since the timer was set), is left alone.
func (p *Pool) retire(sb *sandbox) {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return
	}
	i := slices.Index(p.idle, sb)
	if i < 0 {
		p.mu.Unlock()
		return
	}
	if left := p.opts.IdleTimeout - time.Since(sb.idleSince); left > 0 {
		sb.idleTimer.Reset(left)
		p.mu.Unlock()
		return
	}
	p.idle = slices.Delete(p.idle, i, i+1)
	p.mu.Unlock()
	p.log.Info("idle execution environment retired", "pid", sb.pid, "idle", p.opts.IdleTimeout)
	sb.kill()
}

// setFinishing counts environments between their answer and their next
// request for work. One fewer may let a waiter start an environment.
func (p *Pool) setFinishing(delta int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.finishing += delta
	if delta < 0 {
		p.wake()
	}
}

func (p *Pool) isClosed() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.closed
}

// supervise runs inv, already handed to sb's runtime, and delivers its
// outcome once. It owns sb until the runtime asks for more work (sb goes back to the idle list) or sb is
// discarded.
func (p *Pool) supervise(sb *sandbox, inv *invocation, deliver func(*Result, error)) {
	defer p.wg.Done()
	var settleErr error
	defer func() { inv.settle(settleErr) }()

	fail := func(e *InvokeError, pid int) {
		settleErr = e
		inv.abort(e)
		if p.isClosed() {
			deliver(nil, ErrClosed)
			return
		}
		res := errorResult(inv.id, e)
		res.PID = pid
		res.ColdStart = sb.cold
		deliver(res, nil)
	}

	if sb.startErr != nil {
		p.log.Error("cannot start function", "bootstrap", p.fn.Bootstrap, "error", sb.startErr)
		fail(sandboxError(ErrorTypeInvalidEntry, inv.id, sb.startErr.Error()), 0)
		return
	}

	// Between its answer and its next request for work the environment is
	// "finishing" (see dispatch).
	inv.onAnswered = func() { p.setFinishing(+1) }
	defer func() {
		if inv.end() {
			p.setFinishing(-1)
		}
	}()

	cold := sb.cold

	// The runtime takes the invocation: at once when warm, after its init
	// when cold.
	var initTimeout <-chan time.Time
	if cold {
		t := time.NewTimer(p.opts.InitTimeout)
		defer t.Stop()
		initTimeout = t.C
	}
	select {
	case <-inv.dispatched:
		if cold {
			sb.initAt = time.Since(sb.start)
		}
	case f := <-sb.srv.initErr:
		p.initFailed(sb, inv, f, deliver, &settleErr)
		return
	case <-sb.exited:
		// An init error posted just before the exit stands.
		select {
		case <-sb.srv.quiet:
		case <-p.done:
		}
		select {
		case f := <-sb.srv.initErr:
			p.initFailed(sb, inv, f, deliver, &settleErr)
			return
		default:
		}
		if cold {
			p.log.Error("init failed: runtime exited", "pid", sb.pid, "error", exitReason(sb.exitErr), "after", time.Since(sb.start))
		}
		fail(exitError(inv.id, sb.exitErr), sb.pid)
		return
	case <-initTimeout:
		sb.kill()
		p.log.Error("init timed out; execution environment discarded", "pid", sb.pid, "timeout", p.opts.InitTimeout)
		fail(sandboxError(ErrorTypeTimeout, inv.id, fmt.Sprintf("Init timed out after %.2f seconds", p.opts.InitTimeout.Seconds())), sb.pid)
		return
	}

	// The function runs until it answers or its deadline passes.
	timer := time.NewTimer(time.Until(inv.deadline))
	defer timer.Stop()
	var res *Result
	select {
	case res = <-inv.answer:
	case <-sb.exited:
		// An answer posted before the exit stands: aws-lambda-go reports a
		// panic, then exits; a stream may have started before a crash.
		if res = inv.lastAnswer(sb.srv); res == nil {
			p.log.Warn("runtime exited during an invocation; execution environment discarded", "pid", sb.pid, "requestId", inv.id, "error", exitReason(sb.exitErr))
			fail(exitError(inv.id, sb.exitErr), sb.pid)
			return
		}
	case <-timer.C:
		sb.kill()
		p.log.Warn("invocation timed out; execution environment discarded", "pid", sb.pid, "requestId", inv.id, "timeout", p.fn.Timeout)
		fail(timeoutError(inv.id, inv.timeout), sb.pid)
		return
	}
	sb.cold = false
	res.PID = sb.pid
	if cold {
		res.ColdStart = true
		res.InitDuration = sb.initAt
		p.log.Info("cold start", "pid", sb.pid, "duration", time.Since(sb.start), "init", sb.initAt)
	}
	streamed := res.Stream != nil
	if !streamed {
		inv.markAnswered()
	}
	deliver(res, nil) // res belongs to the caller from here on

	// A streamed body keeps the invocation running until its end.
	if streamed {
		select {
		case <-inv.streamDone:
		case <-sb.exited:
			p.log.Warn("runtime exited while streaming a response; execution environment discarded", "pid", sb.pid, "requestId", inv.id, "error", exitReason(sb.exitErr))
			settleErr = exitError(inv.id, sb.exitErr)
			// What the runtime sent before it died still reaches the
			// caller, then the exit error.
			select {
			case <-inv.streamDone:
			case <-timer.C:
				inv.abort(settleErr)
			case <-p.done:
				inv.abort(settleErr)
			}
			return
		case <-timer.C:
			sb.kill()
			p.log.Warn("invocation timed out while streaming; execution environment discarded", "pid", sb.pid, "requestId", inv.id, "timeout", p.fn.Timeout)
			settleErr = timeoutError(inv.id, inv.timeout)
			inv.abort(settleErr)
			return
		}
	}

	// The environment is free again once its runtime asks for more work,
	// still within the deadline: the /next call itself releases it.
	released := make(chan struct{})
	sb.srv.whenNext(func() {
		p.release(sb)
		close(released)
	})
	select {
	case <-released:
	case <-sb.exited:
		sb.srv.cancelNext()
		settleErr = exitError(inv.id, sb.exitErr)
	case <-timer.C:
		if !sb.srv.cancelNext() { // released just now
			<-released
			return
		}
		sb.kill()
		p.log.Warn("runtime did not ask for the next invocation before the deadline; execution environment discarded", "pid", sb.pid, "requestId", inv.id)
		settleErr = timeoutError(inv.id, inv.timeout)
	}
}

// initFailed reports an error the runtime posted to /runtime/init/error and
// discards the environment, as Lambda does.
func (p *Pool) initFailed(sb *sandbox, inv *invocation, f *initFailure, deliver func(*Result, error), settleErr *error) {
	sb.kill()
	res := functionErrorResult(inv.id, f.errorType, f.body, "application/json")
	res.PID = sb.pid
	res.ColdStart = true
	*settleErr = res.Err()
	p.log.Error("init failed", "pid", sb.pid, "errorType", res.ErrorType, "after", time.Since(sb.start))
	if p.isClosed() {
		deliver(nil, ErrClosed)
		return
	}
	deliver(res, nil)
}

// exitReason describes a process exit for a log line.
func exitReason(err error) string {
	if err == nil {
		return "exit status 0"
	}
	return err.Error()
}

// Close stops every execution environment, killing their process groups,
// and waits until they are reaped. Invocations in flight fail with
// ErrClosed. Close is idempotent.
func (p *Pool) Close() error {
	p.mu.Lock()
	if !p.closed {
		p.closed = true
		close(p.done)
		p.wake()
	}
	live := make([]*sandbox, 0, len(p.live))
	for sb := range p.live {
		live = append(live, sb)
	}
	p.idle = nil
	p.mu.Unlock()
	for _, sb := range live {
		sb.kill()
	}
	p.wg.Wait()
	return nil
}

// Invoke runs a single invocation of fn in a pool of its own, for `nextgo
// invoke`: the process starts cold, answers and is stopped. A streamed
// Result's Stream stops it when closed.
func Invoke(ctx context.Context, fn Function, payload []byte, opts Options) (*Result, error) {
	p := NewPool(fn, opts)
	res, err := p.Invoke(ctx, payload)
	if err != nil || res.Stream == nil {
		p.Close()
		return res, err
	}
	res.Stream = &poolStream{ReadCloser: res.Stream, pool: p}
	return res, nil
}

// poolStream closes its pool with the stream.
type poolStream struct {
	io.ReadCloser
	pool *Pool
}

func (s *poolStream) Close() error {
	err := s.ReadCloser.Close()
	s.pool.Close()
	return err
}
