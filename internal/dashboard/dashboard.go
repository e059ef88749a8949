package dashboard

import (
	"context"
	"sync"
	"time"
)

// DefaultKeep is how many requests the log keeps.
const DefaultKeep = 500

// Options configure a Dashboard.
type Options struct {
	// Mode is "dev" or "start": the page shows the start-only parts (cold
	// starts, the event composer) under start.
	Mode string
	// Keep is how many requests the log keeps (default DefaultKeep).
	Keep int
	// Invoke, when set, runs the event composer's invocations.
	Invoke func(ctx context.Context, req InvokeRequest) (*InvokeResult, error)
	// Log, when set, is called once per request after its response, with
	// the entry as recorded (for the terminal's request log).
	Log func(Entry)
	// Watch, when set, is told when the page starts (true) and stops
	// (false) being open somewhere.
	Watch func(watching bool)
	// Sync, when set, is called before the dashboard answers with what it
	// holds (its state, a request, the page's first snapshot), to bring in
	// what was reported elsewhere and not yet added.
	Sync func()
}

// Dashboard holds what the page shows and serves it. It is safe for
// concurrent use.
type Dashboard struct {
	opts Options

	mu      sync.Mutex
	routes  []Route
	build   Build
	entries []*Entry // oldest first, at most opts.Keep
	byID    map[string]*Entry
	subs    map[chan event]struct{}

	flogs functionLogs
}

// event is one server-sent event.
type event struct {
	name string
	data any
}

// New returns an empty dashboard.
func New(opts Options) *Dashboard {
	if opts.Keep <= 0 {
		opts.Keep = DefaultKeep
	}
	if opts.Mode == "" {
		opts.Mode = "dev"
	}
	return &Dashboard{opts: opts, byID: map[string]*Entry{}, subs: map[chan event]struct{}{}, build: Build{Phase: Compiling, At: time.Now()}}
}

// SetRoutes replaces the route table.
func (d *Dashboard) SetRoutes(routes []Route) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.routes = append([]Route(nil), routes...)
	d.publish(event{"routes", append([]Route(nil), d.routes...)})
}

// UpdateRoute changes the row of pattern in place (live function counts).
func (d *Dashboard) UpdateRoute(pattern string, update func(*Route)) {
	d.mu.Lock()
	defer d.mu.Unlock()
	for i := range d.routes {
		if d.routes[i].Pattern == pattern {
			update(&d.routes[i])
			d.publish(event{"route", d.routes[i]})
			return
		}
	}
}

// SetBuild records the build state.
func (d *Dashboard) SetBuild(b Build) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if b.At.IsZero() {
		b.At = time.Now()
	}
	d.build = b
	d.publish(event{"build", b})
}

// BuildState returns the build state.
func (d *Dashboard) BuildState() Build {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.build
}

// Annotate changes the entry of request id, if the log still holds it,
// and reports whether it did.
func (d *Dashboard) Annotate(id string, update func(*Entry)) bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	e := d.byID[id]
	if e == nil {
		return false
	}
	update(e)
	if e.Status != 0 {
		d.publishEntry(e)
	}
	return true
}

// AddLog appends a handler's log line to the entry of request id.
func (d *Dashboard) AddLog(id string, l LogLine) {
	d.Annotate(id, func(e *Entry) { e.Logs = append(e.Logs, l) })
}

// Entry returns a copy of the entry of request id.
func (d *Dashboard) Entry(id string) (Entry, bool) {
	d.sync()
	d.mu.Lock()
	defer d.mu.Unlock()
	e := d.byID[id]
	if e == nil {
		return Entry{}, false
	}
	c := *e
	c.Logs = append([]LogLine(nil), e.Logs...)
	return c, true
}

// Entries returns summaries of the log, oldest first.
func (d *Dashboard) Entries() []Entry {
	d.sync()
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.summaries()
}

func (d *Dashboard) summaries() []Entry {
	out := make([]Entry, 0, len(d.entries))
	for _, e := range d.entries {
		if e.Status != 0 {
			out = append(out, e.summary())
		}
	}
	return out
}

// begin adds an in-flight entry.
func (d *Dashboard) begin(e *Entry) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.beginLocked(e)
}

func (d *Dashboard) beginLocked(e *Entry) {
	if len(d.entries) >= d.opts.Keep {
		old := d.entries[0]
		delete(d.byID, old.ID)
		d.entries = d.entries[1:]
	}
	d.entries = append(d.entries, e)
	d.byID[e.ID] = e
}

// finish publishes a completed entry; fill runs under the lock.
func (d *Dashboard) finish(e *Entry, fill func(*Entry)) Entry {
	d.mu.Lock()
	defer d.mu.Unlock()
	fill(e)
	d.publishEntry(e)
	return *e
}

// subscribe returns a channel of events, starting with a snapshot.
func (d *Dashboard) subscribe() (chan event, func()) {
	d.sync()
	ch := make(chan event, 256)
	d.mu.Lock()
	ch <- event{"snapshot", map[string]any{"mode": d.opts.Mode, "routes": append([]Route(nil), d.routes...), "build": d.build, "entries": d.summaries()}}
	d.subs[ch] = struct{}{}
	first := len(d.subs) == 1
	d.mu.Unlock()
	if first && d.opts.Watch != nil {
		d.opts.Watch(true)
	}
	return ch, func() {
		d.mu.Lock()
		delete(d.subs, ch)
		last := len(d.subs) == 0
		d.mu.Unlock()
		if last && d.opts.Watch != nil {
			d.opts.Watch(false)
		}
	}
}

// sync calls Options.Sync.
func (d *Dashboard) sync() {
	if d.opts.Sync != nil {
		d.opts.Sync()
	}
}

// Add logs a request served elsewhere, known by its summary only (no
// headers or bodies): nextgo dev's dev server serves most requests itself
// and reports them.
func (d *Dashboard) Add(e Entry) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.beginLocked(&e)
	d.publishEntry(&e)
}

// publishEntry publishes e's summary, made only when a page listens (the
// dev server's reports come once per request). d.mu is held.
func (d *Dashboard) publishEntry(e *Entry) {
	if len(d.subs) > 0 {
		d.publish(event{"entry", e.summary()})
	}
}

// publish sends ev to every subscriber; a subscriber too slow to keep up
// loses the event (the page reloads its state when it reconnects). d.mu
// is held.
func (d *Dashboard) publish(ev event) {
	for ch := range d.subs {
		select {
		case ch <- ev:
		default:
		}
	}
}
