package cache

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"
)

// remote is a test-only Store shaped like a remote one: it copies what it
// is given, records every call, and fails on demand.
type remote struct {
	mu      sync.Mutex
	m       map[string]Entry
	calls   []string
	failGet error
	failPut error
	failDel error
}

func newRemote() *remote { return &remote{m: map[string]Entry{}} }

func (r *remote) Get(_ context.Context, key string) (Entry, bool, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.calls = append(r.calls, "get "+key)
	if r.failGet != nil {
		return Entry{}, false, r.failGet
	}
	e, ok := r.m[key]
	return e, ok, nil
}

func (r *remote) Put(_ context.Context, key string, e Entry) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.calls = append(r.calls, "put "+key)
	if r.failPut != nil {
		return r.failPut
	}
	e.Body = bytes.Clone(e.Body)
	e.Header = e.Header.Clone()
	r.m[key] = e
	return nil
}

func (r *remote) Revalidate(_ context.Context, key string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.calls = append(r.calls, "revalidate "+key)
	if r.failDel != nil {
		return r.failDel
	}
	delete(r.m, key)
	return nil
}

func (r *remote) log() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	s := strings.Join(r.calls, "; ")
	r.calls = nil
	return s
}

// Two Caches over one Store behave as two processes sharing it: a
// Revalidate through one is seen by the other.
func TestSharedStore(t *testing.T) {
	st := newRemote()
	clk := newClock()
	a, b := New(WithStore(st), WithClock(clk.now)), New(WithStore(st), WithClock(clk.now))
	var c counter
	expectGet := func(s *Cache, path, body string, state State) {
		t.Helper()
		got, gs := get(t, s, path, 0, c.gen)
		expect(t, got, gs, body, state)
	}
	expectGet(a, "/items/a", "v1", Miss)
	if got := st.log(); got != "get /items/a; put /items/a" {
		t.Errorf("calls: %s", got)
	}
	expectGet(b, "/items/a/", "v1", Hit)
	if err := b.Revalidate(context.Background(), "/items/a?x=1"); err != nil {
		t.Fatal(err)
	}
	expectGet(a, "/items/a", "v2", Miss)
	expectGet(b, "/items/a", "v2", Hit)
	if got := st.log(); got != "get /items/a; revalidate /items/a; get /items/a; put /items/a; get /items/a" {
		t.Errorf("calls: %s", got)
	}

	// Staleness is judged by the entry's Created time, whichever process
	// wrote it.
	if _, gs := get(t, b, "/items/a", time.Minute, c.gen); gs != Hit {
		t.Errorf("fresh: %s", gs)
	}
	clk.advance(2 * time.Minute)
	got, gs := get(t, b, "/items/a", time.Minute, c.gen)
	expect(t, got, gs, "v2", Stale)
	b.Wait()
	got, gs = get(t, a, "/items/a", time.Minute, c.gen)
	expect(t, got, gs, "v3", Hit)
}

// A failing store costs caching, not the response: reads and writes that
// fail are logged and the request is served as a Miss; a failed removal is
// the caller's error.
func TestStoreFailures(t *testing.T) {
	st := newRemote()
	var logs bytes.Buffer
	s := New(WithStore(st), WithLogger(slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{ReplaceAttr: dropTime}))))
	var c counter
	st.failGet = errors.New("read timeout")
	b, state := get(t, s, "/x", 0, c.gen)
	expect(t, b, state, "v1", Miss)
	st.failGet = nil
	b, state = get(t, s, "/x", 0, c.gen) // the failed read's generation was stored
	expect(t, b, state, "v1", Hit)
	if err := s.Revalidate(context.Background(), "/x"); err != nil {
		t.Fatal(err)
	}
	st.failPut = errors.New("throttled")
	b, state = get(t, s, "/x", 0, c.gen)
	expect(t, b, state, "v2", Miss)
	st.failPut = nil
	b, state = get(t, s, "/x", 0, c.gen) // v2 was not stored
	expect(t, b, state, "v3", Miss)
	b, state = get(t, s, "/x", 0, c.gen)
	expect(t, b, state, "v3", Hit)
	want := "level=ERROR msg=\"cache: reading /x: read timeout\" path=/x\n" +
		"level=ERROR msg=\"cache: storing /x: throttled\" path=/x\n"
	if logs.String() != want {
		t.Errorf("log:\n%s\nwant:\n%s", logs.String(), want)
	}
	st.failDel = errors.New("access denied")
	if err := s.Revalidate(context.Background(), "/x"); err == nil || err.Error() != "access denied" {
		t.Errorf("Revalidate: %v", err)
	}
}

func dropTime(_ []string, a slog.Attr) slog.Attr {
	if a.Key == slog.TimeKey {
		return slog.Attr{}
	}
	return a
}

// The memory budget counts keys and headers, so entries with long keys and
// empty bodies cannot grow the store past it, and an entry whose key alone
// exceeds it is not kept.
func TestMemoryCountsKeysAndHeaders(t *testing.T) {
	const budget = 64 << 10
	m := NewMemory(budget)
	ctx := context.Background()
	for i := range 200 {
		k := "/items/" + strings.Repeat(string(rune('a'+i%26)), 10<<10) + strings.Repeat("z", i)
		if err := m.Put(ctx, k, Entry{Status: 200, Header: map[string][]string{"Etag": {k}}}); err != nil {
			t.Fatal(err)
		}
		if m.Size() > budget {
			t.Fatalf("after %d entries: %d bytes accounted, budget %d", i+1, m.Size(), budget)
		}
	}
	if n := m.Len(); n != 3 { // 2*10 KB and more per entry: three fit in 64 KB
		t.Errorf("%d entries held, want 3", n)
	}
	huge := "/" + strings.Repeat("k", budget)
	_ = m.Put(ctx, huge, Entry{Status: 200})
	if _, ok, _ := m.Get(ctx, huge); ok {
		t.Error("an entry whose key exceeds the budget was kept")
	}
	want := int64(entryOverhead + len("/a") + len("Content-Type") + len("text/plain") + len("body"))
	m = NewMemory(budget)
	_ = m.Put(ctx, "/a", Entry{Status: 200, Header: map[string][]string{"Content-Type": {"text/plain"}}, Body: []byte("body")})
	if m.Size() != want {
		t.Errorf("charged %d, want %d", m.Size(), want)
	}
}

func TestOpen(t *testing.T) {
	env := func(kv ...string) func(string) string {
		return func(k string) string {
			for i := 0; i < len(kv); i += 2 {
				if kv[i] == k {
					return kv[i+1]
				}
			}
			return ""
		}
	}
	shared := newRemote()
	backend := Backend{Name: "remote", Open: func(getenv func(string) string) (Store, error) {
		if getenv("REMOTE_BUCKET") == "" {
			return nil, errors.New("REMOTE_BUCKET is not set")
		}
		return shared, nil
	}}
	tests := []struct {
		env     func(string) string
		want    string // the store's type, or the error
		maxSize int64
	}{
		{env(), "*cache.Memory", DefaultMaxBytes},
		{env(EnvStore, "memory", EnvMaxBytes, "1024"), "*cache.Memory", 1024},
		{env(EnvStore, "remote", "REMOTE_BUCKET", "b"), "*cache.remote", 0},
		{env(EnvStore, "remote"), "cache: opening the remote store: REMOTE_BUCKET is not set", 0},
		{env(EnvStore, "redis"), `cache: NEXTGO_RESPONSE_CACHE="redis": unknown store (known: memory, remote)`, 0},
		{env(EnvMaxBytes, "-1"), `cache: NEXTGO_RESPONSE_CACHE_MAX_BYTES="-1": want a positive number of bytes`, 0},
		{env(EnvMaxBytes, "1k"), `cache: NEXTGO_RESPONSE_CACHE_MAX_BYTES="1k": want a positive number of bytes`, 0},
	}
	for _, tt := range tests {
		c, err := Open(tt.env, backend)
		got := ""
		if err != nil {
			got = err.Error()
		} else {
			got = fmt.Sprintf("%T", c.Store())
			if m, ok := c.Store().(*Memory); ok && m.max != tt.maxSize {
				t.Errorf("%s: budget %d, want %d", got, m.max, tt.maxSize)
			}
		}
		if got != tt.want {
			t.Errorf("Open = %s, want %s", got, tt.want)
		}
	}
}
