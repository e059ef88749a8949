package s3cache

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"
	"github.com/nextgo-dev/nextgo/adapters/lambda/internal/awsreq"
	"github.com/nextgo-dev/nextgo/runtime/cache"
)

// s3 is gofakes3 on loopback, recording each request's method, status and
// conditional headers.
type s3 struct {
	URL string
	mu  sync.Mutex
	log []string
}

func newS3(t *testing.T, buckets ...string) *s3 {
	t.Helper()
	backend := s3mem.New()
	for _, b := range buckets {
		if err := backend.CreateBucket(b); err != nil {
			t.Fatal(err)
		}
	}
	fake := gofakes3.New(backend, gofakes3.WithTimeSkewLimit(0)).Server()
	s := &s3{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec := &status{ResponseWriter: w, code: 200}
		fake.ServeHTTP(rec, r)
		line := r.Method
		for _, h := range []string{"If-Match", "If-None-Match"} {
			if v := r.Header.Get(h); v != "" {
				line += " " + h
			}
		}
		s.mu.Lock()
		s.log = append(s.log, fmt.Sprintf("%s %d", line, rec.code))
		s.mu.Unlock()
	}))
	t.Cleanup(srv.Close)
	s.URL = srv.URL
	return s
}

// calls returns and forgets the requests recorded so far.
func (s *s3) calls() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := strings.Join(s.log, "; ")
	s.log = nil
	return out
}

type status struct {
	http.ResponseWriter
	code int
}

func (s *status) WriteHeader(code int) {
	s.code = code
	s.ResponseWriter.WriteHeader(code)
}

func client(endpoint, service string) *awsreq.Client {
	return &awsreq.Client{
		Service: service, Region: "us-east-1", Endpoint: endpoint, Custom: true,
		Credentials: aws.Credentials{AccessKeyID: "AKIDEXAMPLE", SecretAccessKey: "secret"},
	}
}

func TestStore(t *testing.T) {
	fake := newS3(t, "app-cache")
	s := New(client(fake.URL, "s3"), "app-cache", Options{})
	ctx := context.Background()

	e, ok, err := s.Get(ctx, "/a")
	if err != nil || ok || e.Version != absent {
		t.Fatalf("Get of nothing: %+v %v %v, want a miss at version %q", e, ok, err, absent)
	}
	created := time.Date(2025, 3, 1, 12, 0, 0, 123, time.UTC)
	put := cache.Entry{Status: 201, Header: http.Header{"Content-Type": {"text/plain"}, "Set-Cookie": {"a=1", "b=2"}}, Body: []byte("one\ntwo"), Created: created, Version: absent}
	if err := s.Put(ctx, "/a", put); err != nil {
		t.Fatal(err)
	}
	e, ok, err = s.Get(ctx, "/a")
	if err != nil || !ok {
		t.Fatalf("Get: %v %v", ok, err)
	}
	if e.Status != 201 || string(e.Body) != "one\ntwo" || !e.Created.Equal(created) ||
		fmt.Sprint(e.Header) != fmt.Sprint(put.Header) || !strings.HasPrefix(e.Version, `"`) {
		t.Fatalf("Get returned %+v", e)
	}
	v1 := e.Version

	// A Put from "nothing stored" loses to the entry stored meanwhile.
	put.Body = []byte("late")
	if err := s.Put(ctx, "/a", put); err != nil {
		t.Fatal(err)
	}
	if e, _, _ := s.Get(ctx, "/a"); string(e.Body) != "one\ntwo" {
		t.Fatalf("a Put from a superseded version overwrote the entry: %q", e.Body)
	}

	// Revalidate: a miss at the tombstone's version; a generation that
	// started before it cannot store its result, one that started after
	// it can.
	if err := s.Revalidate(ctx, "/a"); err != nil {
		t.Fatal(err)
	}
	e, ok, err = s.Get(ctx, "/a")
	if err != nil || ok || e.Version == v1 || e.Version == absent || e.Version == "" {
		t.Fatalf("Get after Revalidate: %+v %v %v", e, ok, err)
	}
	tomb := e.Version
	put.Body, put.Version = []byte("before the purge"), v1
	if err := s.Put(ctx, "/a", put); err != nil {
		t.Fatal(err)
	}
	if _, ok, _ := s.Get(ctx, "/a"); ok {
		t.Fatal("a generation overtaken by Revalidate was stored")
	}
	put.Body, put.Version = []byte("after the purge"), tomb
	if err := s.Put(ctx, "/a", put); err != nil {
		t.Fatal(err)
	}
	if e, ok, _ := s.Get(ctx, "/a"); !ok || string(e.Body) != "after the purge" {
		t.Fatalf("Get: %q %v", e.Body, ok)
	}

	// Two revalidations in a row leave two versions: each one overtakes
	// the generations before it.
	s.Revalidate(ctx, "/a")
	e1, _, _ := s.Get(ctx, "/a")
	s.Revalidate(ctx, "/a")
	e2, _, _ := s.Get(ctx, "/a")
	if e1.Version == e2.Version {
		t.Fatal("two tombstones share a version")
	}

	// An entry whose read failed has no version: not stored.
	put.Version = ""
	if err := s.Put(ctx, "/b", put); err != nil {
		t.Fatal(err)
	}
	if e, ok, _ := s.Get(ctx, "/b"); ok || e.Version != absent {
		t.Fatal("an entry without a version was stored")
	}
}

func TestStoreErrors(t *testing.T) {
	fake := newS3(t, "app-cache")
	ctx := context.Background()
	s := New(client(fake.URL, "s3"), "no-such-bucket", Options{})
	_, _, err := s.Get(ctx, "/a")
	if err == nil || !strings.Contains(err.Error(), "404 NoSuchBucket") {
		t.Fatalf("Get from a missing bucket: %v", err)
	}
	if err := s.Put(ctx, "/a", cache.Entry{Status: 200, Version: absent}); err == nil || !strings.Contains(err.Error(), "NoSuchBucket") {
		t.Fatalf("Put to a missing bucket: %v", err)
	}
	if err := s.Revalidate(ctx, "/a"); err == nil || !strings.Contains(err.Error(), "purging /a in bucket no-such-bucket") {
		t.Fatalf("Revalidate in a missing bucket: %v", err)
	}
	down := New(client("http://127.0.0.1:1", "s3"), "app-cache", Options{})
	if _, _, err := down.Get(ctx, "/a"); err == nil {
		t.Fatal("Get from an endpoint that is down: no error")
	}

	// An object that is not the store's own is an error, and a miss.
	good := New(client(fake.URL, "s3"), "app-cache", Options{})
	res, err := good.s3.Do(ctx, http.MethodPut, good.url(objectKey("/x")), nil, []byte("garbage"))
	if err != nil || res.StatusCode != 200 {
		t.Fatal(err, res)
	}
	res.Body.Close()
	if e, ok, err := good.Get(ctx, "/x"); ok || err == nil || e.Version == "" {
		t.Fatalf("Get of a malformed object: %+v %v %v", e, ok, err)
	}
}

// The per-process layer saves the body transfer (304) and never serves an
// entry that another process purged.
func TestLocalLayer(t *testing.T) {
	fake := newS3(t, "app-cache")
	ctx := context.Background()
	a := New(client(fake.URL, "s3"), "app-cache", Options{LocalBytes: 1 << 20})
	b := New(client(fake.URL, "s3"), "app-cache", Options{LocalBytes: 1 << 20})

	a.Get(ctx, "/p")
	a.Put(ctx, "/p", cache.Entry{Status: 200, Body: []byte("v1"), Version: absent})
	fake.calls()
	for i := 0; i < 2; i++ {
		if e, ok, err := a.Get(ctx, "/p"); !ok || err != nil || string(e.Body) != "v1" {
			t.Fatalf("Get: %q %v %v", e.Body, ok, err)
		}
	}
	if got := fake.calls(); got != "GET If-None-Match 304; GET If-None-Match 304" {
		t.Fatalf("requests: %s", got)
	}
	if err := b.Revalidate(ctx, "/p"); err != nil {
		t.Fatal(err)
	}
	if e, ok, _ := a.Get(ctx, "/p"); ok {
		t.Fatalf("the local layer served a purged entry: %q", e.Body)
	}
	if a.Local().Len() != 0 {
		t.Fatal("the purged entry stays in the local layer")
	}
	if got := fake.calls(); got != "PUT 200; GET If-None-Match 200" {
		t.Fatalf("requests: %s", got)
	}
}

// Two Caches over two Stores on one bucket behave as two functions of an
// app: a revalidation through one is seen by the other, whose next request
// is a miss with a new body, then a hit; and a generation that the
// revalidation overtook is not stored.
func TestSharedAcrossProcesses(t *testing.T) {
	fake := newS3(t, "app-cache")
	ctx := context.Background()
	a := cache.New(cache.WithStore(New(client(fake.URL, "s3"), "app-cache", Options{LocalBytes: 1 << 20})))
	b := cache.New(cache.WithStore(New(client(fake.URL, "s3"), "app-cache", Options{LocalBytes: 1 << 20})))
	n := 0
	gen := func(context.Context) (cache.Entry, error) {
		n++
		return cache.Entry{Status: 200, Body: fmt.Appendf(nil, "v%d", n)}, nil
	}
	expect := func(c *cache.Cache, body string, state cache.State) {
		t.Helper()
		e, st, err := c.Get(ctx, "/items", 0, gen)
		if err != nil || string(e.Body) != body || st != state {
			t.Fatalf("got %s %s %v, want %s %s", e.Body, st, err, body, state)
		}
	}
	expect(a, "v1", cache.Miss)
	expect(b, "v1", cache.Hit)
	expect(a, "v1", cache.Hit)
	if err := b.Revalidate(ctx, "/items/"); err != nil {
		t.Fatal(err)
	}
	expect(a, "v2", cache.Miss)
	expect(b, "v2", cache.Hit)
	expect(a, "v2", cache.Hit)

	started, release, done := make(chan struct{}), make(chan struct{}), make(chan struct{})
	go func() {
		defer close(done)
		a.Revalidate(ctx, "/items")
		a.Get(ctx, "/items", 0, func(context.Context) (cache.Entry, error) {
			close(started)
			<-release
			return cache.Entry{Status: 200, Body: []byte("overtaken")}, nil
		})
	}()
	<-started
	if err := b.Revalidate(ctx, "/items"); err != nil {
		t.Fatal(err)
	}
	close(release)
	<-done
	expect(b, "v3", cache.Miss)
	expect(a, "v3", cache.Hit)
}

// Keys of any length are stored under a fixed-size object key, and the
// per-process layer stays within its budget however long the keys are.
func TestLargeKeys(t *testing.T) {
	fake := newS3(t, "app-cache")
	ctx := context.Background()
	const budget = 64 << 10
	st := New(client(fake.URL, "s3"), "app-cache", Options{LocalBytes: budget})
	c := cache.New(cache.WithStore(st))
	slug := strings.Repeat("x", 500<<10)
	for i := 0; i < 40; i++ {
		path := fmt.Sprintf("/api/items/%s%d", slug, i)
		e, state, err := c.Get(ctx, path, 0, func(context.Context) (cache.Entry, error) {
			return cache.Entry{Status: 200, Header: http.Header{"Content-Type": {"text/plain"}}, Body: []byte(strings.Repeat("b", 4<<10))}, nil
		})
		if err != nil || state != cache.Miss || len(e.Body) != 4<<10 {
			t.Fatalf("Get #%d: %s %v", i, state, err)
		}
		if e, state, _ := c.Get(ctx, path, 0, nil); state != cache.Hit || len(e.Body) != 4<<10 {
			t.Fatalf("second Get #%d: %s", i, state)
		}
		if n := st.Local().Size(); n > budget {
			t.Fatalf("after %d entries the local layer holds %d bytes, over its %d budget", i+1, n, budget)
		}
	}
	if n := st.Local().Len(); n == 0 || n >= 40 {
		t.Fatalf("local layer holds %d entries: want some, evicted down to the budget", n)
	}
	// An entry larger than the whole budget is served and stored in S3,
	// but not kept in the process.
	big := cache.Entry{Status: 200, Body: make([]byte, budget+1)}
	path := "/big"
	if _, state, err := c.Get(ctx, path, 0, func(context.Context) (cache.Entry, error) { return big, nil }); err != nil || state != cache.Miss {
		t.Fatal(state, err)
	}
	if e, state, _ := c.Get(ctx, path, 0, nil); state != cache.Hit || len(e.Body) != budget+1 {
		t.Fatal(state)
	}
	if _, ok, _ := st.Local().Get(ctx, objectKey(path)); ok {
		t.Fatal("an entry over the budget is kept in the process")
	}
}
