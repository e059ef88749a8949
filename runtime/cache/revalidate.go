// Package cache holds the response cache that serves cached GET route
// handlers, and the interface through which any route purges it.
package cache

import "context"

// Revalidator purges cached responses. It is what `res.Revalidate(path)` in
// an API route and `server.RevalidatePath(ctx, path)` in a route handler call.
type Revalidator interface {
	// Revalidate drops every cached response stored for path, so that the
	// next GET regenerates it. path must start with "/".
	Revalidate(ctx context.Context, path string) error
}
