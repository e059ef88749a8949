// Package cache holds the response cache that serves cached GET route
// handlers, and the interface through which any route purges it.
//
// Cache gives Next's semantics (MISS, HIT, STALE with one background
// regeneration, on-demand revalidation, concurrent misses sharing one
// generation); a Store holds the entries. Memory is the in-process Store;
// another Store (one shared by every function and instance of an app) plugs
// in through WithStore, and Open chooses the store a process uses from its
// configuration.
package cache

import "context"

// Revalidator purges cached responses. It is what `res.Revalidate(path)` in
// an API route and `server.RevalidatePath(ctx, path)` in a route handler call.
type Revalidator interface {
	// Revalidate drops every cached response stored for path, so that the
	// next GET regenerates it. path must start with "/".
	Revalidate(ctx context.Context, path string) error
}
