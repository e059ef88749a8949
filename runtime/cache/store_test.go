package cache

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// clock is a settable time source.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)} }

func (c *clock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// counter is a generator whose bodies count its calls: "v1", "v2", ...
type counter struct{ n atomic.Int32 }

func (c *counter) gen(context.Context) (Entry, error) {
	n := c.n.Add(1)
	return Entry{Status: 200, Header: http.Header{"Content-Type": {"text/plain"}}, Body: fmt.Appendf(nil, "v%d", n)}, nil
}

// get calls s.Get and fails the test on error.
func get(t *testing.T, s *Cache, path string, revalidate time.Duration, gen Generator) (string, State) {
	t.Helper()
	e, st, err := s.Get(context.Background(), path, revalidate, gen)
	if err != nil {
		t.Fatalf("Get(%s): %v", path, err)
	}
	return string(e.Body), st
}

func expect(t *testing.T, gotBody string, gotState State, wantBody string, wantState State) {
	t.Helper()
	if gotBody != wantBody || gotState != wantState {
		t.Fatalf("got %s %s, want %s %s", gotBody, gotState, wantBody, wantState)
	}
}

func TestMissThenHit(t *testing.T) {
	clk := newClock()
	s := New(WithClock(clk.now))
	var c counter
	b, st := get(t, s, "/api/a", 0, c.gen)
	expect(t, b, st, "v1", Miss)
	b, st = get(t, s, "/api/a", 0, c.gen)
	expect(t, b, st, "v1", Hit)
	clk.advance(365 * 24 * time.Hour)
	b, st = get(t, s, "/api/a", 0, c.gen) // revalidate 0: never stale
	expect(t, b, st, "v1", Hit)
	b, st = get(t, s, "/api/b", 0, c.gen) // another key
	expect(t, b, st, "v2", Miss)
	e, _, _ := s.Get(context.Background(), "/api/a", 0, c.gen)
	if e.Status != 200 || e.Header.Get("Content-Type") != "text/plain" {
		t.Errorf("entry = %d %v", e.Status, e.Header)
	}
}

func TestStaleWhileRevalidate(t *testing.T) {
	clk := newClock()
	s := New(WithClock(clk.now))
	var c counter
	b, st := get(t, s, "/x", time.Minute, c.gen)
	expect(t, b, st, "v1", Miss)
	clk.advance(time.Minute) // exactly at the limit: still fresh, as Next (stale only after)
	b, st = get(t, s, "/x", time.Minute, c.gen)
	expect(t, b, st, "v1", Hit)
	clk.advance(time.Nanosecond)

	// The regeneration blocks until released, so that further stale
	// requests arrive while it runs.
	release := make(chan struct{})
	started := make(chan struct{}, 4)
	blocking := func(ctx context.Context) (Entry, error) {
		started <- struct{}{}
		<-release
		return c.gen(ctx)
	}
	b, st = get(t, s, "/x", time.Minute, blocking)
	expect(t, b, st, "v1", Stale)
	<-started
	for range 3 {
		b, st = get(t, s, "/x", time.Minute, blocking)
		expect(t, b, st, "v1", Stale)
	}
	close(release)
	s.Wait()
	if len(started) != 0 {
		t.Fatalf("%d extra regenerations started", len(started))
	}
	b, st = get(t, s, "/x", time.Minute, c.gen)
	expect(t, b, st, "v2", Hit)
}

func TestBackgroundFailureKeepsEntry(t *testing.T) {
	clk := newClock()
	s := New(WithClock(clk.now))
	var c counter
	get(t, s, "/x", time.Second, c.gen)
	clk.advance(2 * time.Second)
	var fails atomic.Int32
	failing := func(context.Context) (Entry, error) {
		fails.Add(1)
		return Entry{}, errors.New("backend down")
	}
	b, st := get(t, s, "/x", time.Second, failing)
	expect(t, b, st, "v1", Stale)
	s.Wait()
	b, st = get(t, s, "/x", time.Second, func(context.Context) (Entry, error) { panic("boom") })
	expect(t, b, st, "v1", Stale) // still the old entry; a new regeneration (which panics) starts
	s.Wait()
	b, st = get(t, s, "/x", time.Second, c.gen)
	expect(t, b, st, "v1", Stale)
	s.Wait()
	b, st = get(t, s, "/x", time.Second, c.gen)
	expect(t, b, st, "v2", Hit)
	if fails.Load() != 1 {
		t.Errorf("failing generator ran %d times", fails.Load())
	}
}

func TestBackgroundRegenerationOutlivesRequest(t *testing.T) {
	clk := newClock()
	s := New(WithClock(clk.now))
	var c counter
	get(t, s, "/x", time.Second, c.gen)
	clk.advance(2 * time.Second)
	ctx, cancel := context.WithCancel(context.Background())
	release := make(chan struct{})
	gen := func(ctx context.Context) (Entry, error) {
		<-release
		if err := ctx.Err(); err != nil {
			return Entry{}, err
		}
		return c.gen(ctx)
	}
	if _, st, err := s.Get(ctx, "/x", time.Second, gen); err != nil || st != Stale {
		t.Fatalf("Get = %s, %v", st, err)
	}
	cancel() // the request is over
	close(release)
	s.Wait()
	b, st := get(t, s, "/x", time.Second, c.gen)
	expect(t, b, st, "v2", Hit)
}

func TestRevalidate(t *testing.T) {
	s := New()
	var c counter
	get(t, s, "/api/items/a", 0, c.gen)
	if err := s.Revalidate(context.Background(), "/api/items/a"); err != nil {
		t.Fatal(err)
	}
	b, st := get(t, s, "/api/items/a", 0, c.gen)
	expect(t, b, st, "v2", Miss) // Next 16: a fresh MISS, then HIT
	b, st = get(t, s, "/api/items/a", 0, c.gen)
	expect(t, b, st, "v2", Hit)

	// Forms of the same path purge the same entry.
	for _, p := range []string{"/api/items/a/", "/api/items/a?x=1", "//api/items/%61"} {
		if err := s.Revalidate(context.Background(), p); err != nil {
			t.Fatal(err)
		}
		_, st = get(t, s, "/api/items/a", 0, c.gen)
		if st != Miss {
			t.Errorf("after Revalidate(%q): %s", p, st)
		}
	}

	// A path never cached: nothing to purge, the next request is a plain miss.
	if err := s.Revalidate(context.Background(), "/never"); err != nil {
		t.Fatal(err)
	}
	_, st = get(t, s, "/never", 0, c.gen)
	if st != Miss {
		t.Errorf("never-cached path after Revalidate: %s", st)
	}
	if n := s.store.(*Memory).Len(); n != 2 || len(s.flights) != 0 {
		t.Errorf("%d entries and %d flights, want 2 and 0", n, len(s.flights))
	}
}

func TestRevalidateInvalidPath(t *testing.T) {
	s := New()
	for _, p := range []string{"", "api/x", "https://example.com/x"} {
		err := s.Revalidate(context.Background(), p)
		want := "Invalid urlPath provided to revalidate(), must be a path e.g. /blog/post-1, received " + p
		if err == nil || err.Error() != want {
			t.Errorf("Revalidate(%q) = %v, want %q", p, err, want)
		}
	}
}

func TestRevalidateDuringGeneration(t *testing.T) {
	s := New()
	var c counter
	inGen := make(chan struct{})
	release := make(chan struct{})
	done := make(chan State)
	go func() {
		_, st, _ := s.Get(context.Background(), "/x", 0, func(ctx context.Context) (Entry, error) {
			close(inGen)
			<-release
			return c.gen(ctx)
		})
		done <- st
	}()
	<-inGen
	if err := s.Revalidate(context.Background(), "/x"); err != nil {
		t.Fatal(err)
	}
	close(release)
	if st := <-done; st != Miss {
		t.Errorf("in-flight generation reported %s", st)
	}
	b, st := get(t, s, "/x", 0, c.gen) // the purged result was not stored
	expect(t, b, st, "v2", Miss)
}

func TestConcurrentMissesShareOneGeneration(t *testing.T) {
	s := New()
	var c counter
	inGen := make(chan struct{})
	release := make(chan struct{})
	gen := func(ctx context.Context) (Entry, error) {
		close(inGen)
		<-release
		return c.gen(ctx)
	}
	type result struct {
		body  string
		state State
	}
	results := make(chan result, 3)
	parked := make(chan struct{}, 2)
	s.waitHook = func() { parked <- struct{}{} }
	go func() {
		e, st, _ := s.Get(context.Background(), "/x", 0, gen)
		results <- result{string(e.Body), st}
	}()
	<-inGen
	var waiting sync.WaitGroup
	for range 2 {
		waiting.Add(1)
		go func() {
			defer waiting.Done()
			e, st, _ := s.Get(context.Background(), "/x", 0, gen) // would panic (close of closed channel) if run
			results <- result{string(e.Body), st}
		}()
	}
	<-parked
	<-parked
	close(release)
	waiting.Wait()
	for range 3 {
		if r := <-results; r.body != "v1" || r.state != Miss {
			t.Errorf("got %+v", r)
		}
	}
	if c.n.Load() != 1 {
		t.Errorf("generator ran %d times", c.n.Load())
	}
}

func TestWaiterContextCancelled(t *testing.T) {
	s := New()
	inGen := make(chan struct{})
	release := make(chan struct{})
	go func() {
		_, _, _ = s.Get(context.Background(), "/x", 0, func(context.Context) (Entry, error) {
			close(inGen)
			<-release
			return Entry{Status: 200}, nil
		})
	}()
	<-inGen
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, _, err := s.Get(ctx, "/x", 0, nil)
	if !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want context.Canceled", err)
	}
	close(release)
}

func TestGenerationErrors(t *testing.T) {
	s := New()
	_, _, err := s.Get(context.Background(), "/x", 0, func(context.Context) (Entry, error) {
		return Entry{}, errors.New("db down")
	})
	if err == nil || err.Error() != "db down" {
		t.Fatalf("err = %v", err)
	}
	_, _, err = s.Get(context.Background(), "/x", 0, func(context.Context) (Entry, error) { panic("kaboom") })
	if err == nil || !strings.HasPrefix(err.Error(), "cache: generating /x: panic: kaboom") {
		t.Fatalf("err = %v", err)
	}
	if size := s.store.(*Memory).Size(); len(s.flights) != 0 || size != 0 {
		t.Errorf("failed generations left %d flights, %d bytes", len(s.flights), size)
	}
	var c counter
	b, st := get(t, s, "/x", 0, c.gen)
	expect(t, b, st, "v1", Miss)
}

func TestEviction(t *testing.T) {
	// Each entry costs its overhead, its key (2 bytes) and its body (4).
	const per = entryOverhead + 2 + 4
	s := New(WithMaxBytes(2*per + 1))
	mem := s.store.(*Memory)
	body := func(b string) Generator {
		return func(context.Context) (Entry, error) { return Entry{Status: 200, Body: []byte(b)}, nil }
	}
	get(t, s, "/a", 0, body("aaaa"))
	get(t, s, "/b", 0, body("bbbb"))
	get(t, s, "/a", 0, body("new"))  // hit: /a becomes the most recent
	get(t, s, "/c", 0, body("cccc")) // a third entry does not fit: evicts /b, the least recent
	if mem.Size() != 2*per {
		t.Errorf("size = %d, want %d", mem.Size(), 2*per)
	}
	_, st := get(t, s, "/a", 0, body("new"))
	if st != Hit {
		t.Errorf("/a: %s, want HIT", st)
	}
	b, st := get(t, s, "/b", 0, body("BBBB"))
	expect(t, b, st, "BBBB", Miss) // was evicted (and now evicts /c)

	// A response larger than the bound is served, never stored.
	big := strings.Repeat("x", 2*per)
	b, st = get(t, s, "/big", 0, body(big))
	expect(t, b, st, big, Miss)
	_, st = get(t, s, "/big", 0, body(big))
	if st != Miss {
		t.Errorf("oversized entry: %s, want MISS", st)
	}
	if _, ok, _ := mem.Get(context.Background(), "/big"); ok || len(s.flights) != 0 {
		t.Error("oversized entry was kept")
	}
	if mem.Size() > 2*per+1 {
		t.Errorf("size = %d over the bound", mem.Size())
	}
}

func TestKey(t *testing.T) {
	tests := []struct{ in, want string }{
		{"/", "/"},
		{"", "/"},
		{"/api/x", "/api/x"},
		{"/api/x/", "/api/x"},
		{"//api///x", "/api/x"},
		{"/api/x?q=1#f", "/api/x"},
		{"/a%20b", "/a%20b"},
		{"/a b", "/a%20b"},
		{"/%61", "/a"},
		{"/a%2Fb", "/a%2Fb"},
		{"/a%2fb", "/a%2Fb"},
		{"/ünï", "/%C3%BCn%C3%AF"},
		{"/%C3%BCn%C3%AF", "/%C3%BCn%C3%AF"},
		{"/bad%zz", "/bad%zz"},
		{"/a:b@c", "/a:b@c"},
	}
	for _, tt := range tests {
		if got := key(tt.in); got != tt.want {
			t.Errorf("key(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func BenchmarkGetHit(b *testing.B) {
	s := New()
	var c counter
	if _, _, err := s.Get(context.Background(), "/api/items/a", time.Hour, c.gen); err != nil {
		b.Fatal(err)
	}
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			_, _, _ = s.Get(context.Background(), "/api/items/a", time.Hour, c.gen)
		}
	})
}
