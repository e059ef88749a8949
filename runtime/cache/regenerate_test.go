package cache

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"sync"
	"testing"
	"time"
)

// versioned is a test-only shared Store with conditional writes, shaped
// like S3's: every write gets a new version, a miss reports the version of
// the absent key ("0"), and a Put whose Version is not the key's current
// one is dropped.
type versioned struct {
	mu    sync.Mutex
	n     int
	m     map[string]Entry // Version set
	vers  map[string]string
	drops int
}

func newVersioned() *versioned {
	return &versioned{m: map[string]Entry{}, vers: map[string]string{}}
}

func (s *versioned) cur(key string) string {
	if v, ok := s.vers[key]; ok {
		return v
	}
	return "0"
}

func (s *versioned) bump(key string) string {
	s.n++
	v := strconv.Itoa(s.n)
	s.vers[key] = v
	return v
}

func (s *versioned) Get(_ context.Context, key string) (Entry, bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.m[key]
	if !ok {
		return Entry{Version: s.cur(key)}, false, nil
	}
	return e, true, nil
}

func (s *versioned) Put(_ context.Context, key string, e Entry) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if e.Version != s.cur(key) {
		s.drops++
		return nil
	}
	e.Version = s.bump(key)
	s.m[key] = e
	return nil
}

func (s *versioned) Revalidate(_ context.Context, key string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.m, key)
	s.bump(key)
	return nil
}

// A generation that a Revalidate by another process overtook is not
// stored: the Put names the version the generation started from.
func TestRevalidateByAnotherProcessDuringGeneration(t *testing.T) {
	st := newVersioned()
	a, b := New(WithStore(st)), New(WithStore(st))
	started, release := make(chan struct{}), make(chan struct{})
	done := make(chan string)
	go func() {
		e, state, err := a.Get(context.Background(), "/p", 0, func(context.Context) (Entry, error) {
			close(started)
			<-release
			return Entry{Status: 200, Body: []byte("before")}, nil
		})
		if err != nil {
			t.Error(err)
		}
		done <- string(e.Body) + " " + string(state)
	}()
	<-started
	if err := b.Revalidate(context.Background(), "/p"); err != nil {
		t.Fatal(err)
	}
	close(release)
	if got := <-done; got != "before MISS" {
		t.Fatalf("generating request got %q", got)
	}
	if st.drops != 1 {
		t.Fatalf("%d Puts dropped, want 1", st.drops)
	}
	var c counter
	body, state := get(t, b, "/p", 0, c.gen)
	expect(t, body, state, "v1", Miss)
	body, state = get(t, a, "/p", 0, c.gen)
	expect(t, body, state, "v1", Hit)
}

// regenerator records the regenerations it is asked for, and fails when
// told to.
type regenerator struct {
	mu    sync.Mutex
	calls []string
	fail  error
}

func (r *regenerator) Regenerate(_ context.Context, path, version string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.calls = append(r.calls, path+"@"+version)
	return r.fail
}

func (r *regenerator) log() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := r.calls
	r.calls = nil
	return out
}

func TestRegenerator(t *testing.T) {
	st := newVersioned()
	clk := newClock()
	rg := &regenerator{}
	c := New(WithStore(st), WithRegenerator(rg), WithClock(clk.now))
	var n counter
	body, state := get(t, c, "/a/", time.Minute, n.gen)
	expect(t, body, state, "v1", Miss)
	clk.advance(2 * time.Minute)

	// Stale: answered at once; the Regenerator, not this process, is to
	// regenerate it.
	body, state = get(t, c, "/a", time.Minute, n.gen)
	expect(t, body, state, "v1", Stale)
	c.Wait()
	if got := rg.log(); fmt.Sprint(got) != "[/a@1]" {
		t.Fatalf("Regenerate calls %q, want [/a@1]", got)
	}
	if n.n.Load() != 1 {
		t.Fatalf("generated %d times in process, want 1", n.n.Load())
	}

	// A request naming another version is an ordinary one: still stale.
	for _, v := range []string{"0", "2", "1x"} {
		e, st, err := c.Get(Regenerating(context.Background(), v), "/a", time.Minute, n.gen)
		if err != nil || string(e.Body) != "v1" || st != Stale {
			t.Fatalf("Regenerating(%q): got %s %s %v, want v1 STALE", v, e.Body, st, err)
		}
	}
	rg.log()

	// The regeneration request: generated now, stored from version 1.
	e, state, err := c.Get(Regenerating(context.Background(), "1"), "/a", time.Minute, n.gen)
	if err != nil {
		t.Fatal(err)
	}
	expect(t, string(e.Body), state, "v2", Miss)
	body, state = get(t, c, "/a", time.Minute, n.gen)
	expect(t, body, state, "v2", Hit)

	// Once regenerated, the old version regenerates nothing.
	clk.advance(30 * time.Second)
	e, state, _ = c.Get(Regenerating(context.Background(), "1"), "/a", time.Minute, n.gen)
	expect(t, string(e.Body), state, "v2", Hit)
	if got := rg.log(); len(got) != 0 {
		t.Fatalf("Regenerate calls %q, want none", got)
	}
}

// When the Regenerator fails, the process regenerates the entry itself.
func TestRegeneratorFailureFallsBack(t *testing.T) {
	st := newVersioned()
	clk := newClock()
	rg := &regenerator{fail: errors.New("invoke: AccessDenied")}
	var logs bytes.Buffer
	c := New(WithStore(st), WithRegenerator(rg), WithClock(clk.now), WithLogger(slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{ReplaceAttr: dropTime}))))
	var n counter
	get(t, c, "/a", time.Minute, n.gen)
	clk.advance(2 * time.Minute)
	body, state := get(t, c, "/a", time.Minute, n.gen)
	expect(t, body, state, "v1", Stale)
	c.Wait()
	body, state = get(t, c, "/a", time.Minute, n.gen)
	expect(t, body, state, "v2", Hit)
	if want := "level=ERROR msg=\"cache: regenerating /a: invoke: AccessDenied\" path=/a\n"; logs.String() != want {
		t.Errorf("log:\n%s\nwant:\n%s", logs.String(), want)
	}
}

// Open uses a Store that is also a Regenerator as both.
func TestOpenRegeneratingStore(t *testing.T) {
	rs := &regeneratingStore{versioned: newVersioned()}
	c, err := Open(func(k string) string { return map[string]string{EnvStore: "shared"}[k] },
		Backend{Name: "shared", Open: func(func(string) string) (Store, error) { return rs, nil }})
	if err != nil {
		t.Fatal(err)
	}
	if c.regen != Regenerator(rs) {
		t.Fatal("the store is not the Cache's Regenerator")
	}
}

type regeneratingStore struct {
	*versioned
	regenerator
}
