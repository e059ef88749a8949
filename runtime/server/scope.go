package server

import (
	"context"
	"errors"
	"net/http"

	"github.com/nextgo-dev/nextgo/runtime/cache"
)

// scope is the request-scoped state behind Cookies, Headers and
// RevalidatePath: what Next keeps in AsyncLocalStorage, carried here by the
// request's context.
type scope struct {
	file    string      // the route or middleware file, for messages
	header  http.Header // the request headers, never modified
	cookies *CookieStore
	cache   *cache.Cache // nil: caching is off
}

type scopeKey struct{}

func withScope(ctx context.Context, s *scope) context.Context {
	return context.WithValue(ctx, scopeKey{}, s)
}

// scopeFrom returns the scope of ctx, panicking with a clear message when
// ctx does not come from a request served by this package, as Next throws
// when `cookies()` is called outside a request.
func scopeFrom(ctx context.Context, fn string) *scope {
	if s, ok := ctx.Value(scopeKey{}).(*scope); ok {
		return s
	}
	panic("server." + fn + " was called outside a request scope: pass the context of a request served by a route handler or middleware")
}

// Cookies returns the cookies of the request that ctx belongs to: the
// request's own, plus those set while handling it. Cookies set or deleted
// through it are sent as Set-Cookie headers on whatever response the route
// or middleware returns, redirects and navigation responses included.
//
// ctx must come from a request served by a route handler or middleware
// (any context derived from it will do); otherwise Cookies panics.
func Cookies(ctx context.Context) *CookieStore {
	return scopeFrom(ctx, "Cookies").cookies
}

// Headers returns the headers of the request that ctx belongs to, read-only.
// Under ForceStatic they are empty. ctx must come from a request served by a
// route handler or middleware; otherwise Headers panics.
func Headers(ctx context.Context) ReadOnlyHeader {
	return ReadOnlyHeader{h: scopeFrom(ctx, "Headers").header}
}

// RevalidatePath purges the cached GET responses of path (e.g.
// "/api/items/a"), so that the next request regenerates them: Next's
// revalidatePath. It is a no-op when the process runs without a cache. ctx
// must come from a request served by a route handler or middleware.
func RevalidatePath(ctx context.Context, path string) error {
	s, ok := ctx.Value(scopeKey{}).(*scope)
	if !ok {
		return errors.New("server.RevalidatePath was called outside a request scope")
	}
	if s.cache == nil {
		return nil
	}
	return s.cache.Revalidate(ctx, path)
}

// ReadOnlyHeader is a read-only view of request headers, as Next's
// `headers()`.
type ReadOnlyHeader struct {
	h http.Header
}

// Get returns the first value of the header key (case-insensitive), or "".
func (r ReadOnlyHeader) Get(key string) string { return r.h.Get(key) }

// Values returns all values of the header key. The slice must not be
// modified.
func (r ReadOnlyHeader) Values(key string) []string { return r.h.Values(key) }

// Has reports whether the header key is present.
func (r ReadOnlyHeader) Has(key string) bool {
	_, ok := r.h[http.CanonicalHeaderKey(key)]
	return ok
}

// Clone returns a modifiable copy of the headers.
func (r ReadOnlyHeader) Clone() http.Header {
	c := r.h.Clone()
	if c == nil {
		c = http.Header{}
	}
	return c
}
