// Package localaws runs on loopback the AWS services that an app's
// functions call while they serve requests, so that `nextgo start` runs
// the functions' own AWS client code against real implementations of
// those services' APIs:
//
//   - S3, github.com/johannesboyne/gofakes3 with its in-memory backend, in
//     process, holding the bucket of the app's shared response cache;
//   - Lambda's Invoke API over the local function pools (runtimeapi), for
//     the asynchronous invocations with which a function regenerates a
//     stale cache entry.
//
// Env is the environment that points a function at it.
package localaws

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"
	"github.com/nextgo-dev/nextgo/adapters/lambda/runtimeapi"
	"github.com/nextgo-dev/nextgo/adapters/lambda/s3cache"
	"github.com/nextgo-dev/nextgo/runtime/cache"
)

// Bucket is the cache bucket's name under nextgo start.
const Bucket = "nextgo-local-cache"

// Endpoint is the local AWS endpoint. Create it with Start.
type Endpoint struct {
	// URL is the endpoint, for AWS_ENDPOINT_URL: "http://127.0.0.1:<port>".
	URL string

	s3  http.Handler
	srv *http.Server

	mu      sync.Mutex
	pools   map[string]*runtimeapi.Pool // by function name
	pending int                         // asynchronous invocations queued or running
	closed  bool
	async   sync.WaitGroup
	stop    context.CancelFunc
	ctx     context.Context
}

// Start serves a new endpoint on 127.0.0.1 with an empty cache bucket.
func Start() (*Endpoint, error) {
	backend := s3mem.New()
	if err := backend.CreateBucket(Bucket); err != nil {
		return nil, fmt.Errorf("localaws: %w", err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("localaws: %w", err)
	}
	ctx, stop := context.WithCancel(context.Background())
	e := &Endpoint{
		URL:   "http://" + ln.Addr().String(),
		s3:    gofakes3.New(backend, gofakes3.WithAutoBucket(false), gofakes3.WithTimeSkewLimit(0), gofakes3.WithLogger(gofakes3.DiscardLog())).Server(),
		pools: map[string]*runtimeapi.Pool{},
		ctx:   ctx,
		stop:  stop,
	}
	e.srv = &http.Server{Handler: e, ReadHeaderTimeout: 10 * time.Second}
	go e.srv.Serve(ln)
	return e, nil
}

// Env is the environment of a function that uses the shared response
// cache: the store, its bucket, this endpoint for S3 and Lambda, and
// credentials (which the endpoint accepts without checking them, as a
// function's own, given by Lambda, would be).
func (e *Endpoint) Env() map[string]string {
	return map[string]string{
		cache.EnvStore:          s3cache.Name,
		s3cache.EnvBucket:       Bucket,
		"AWS_ENDPOINT_URL":      e.URL,
		"AWS_ACCESS_KEY_ID":     "ASIANEXTGOLOCAL00000",
		"AWS_SECRET_ACCESS_KEY": "nextgo-start-local-secret",
		"AWS_SESSION_TOKEN":     "nextgo-start-local-session",
	}
}

// Register makes pool's function invocable through the endpoint by name.
func (e *Endpoint) Register(name string, pool *runtimeapi.Pool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.pools[name] = pool
}

// ServeHTTP answers an S3 request (path-style) or a Lambda Invoke request.
func (e *Endpoint) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if strings.HasPrefix(r.URL.Path, "/2015-03-31/functions/") {
		e.serveInvoke(w, r)
		return
	}
	e.s3.ServeHTTP(w, r)
}

// Close stops the endpoint and waits for the asynchronous invocations in
// flight, which end with the pools (close those first, or at once).
func (e *Endpoint) Close() error {
	e.mu.Lock()
	e.closed = true
	e.mu.Unlock()
	e.stop()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	err := e.srv.Shutdown(ctx)
	e.async.Wait()
	if errors.Is(err, http.ErrServerClosed) {
		err = nil
	}
	return err
}
