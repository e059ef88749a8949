// Package server is the runtime of route handlers (app/**/route.go), the
// App Router model of Next.js, and of the app's middleware.
//
// A route exports functions named after HTTP methods:
//
//	func GET(req *server.Request) (*server.Response, error) {
//		return server.JSON(map[string]string{"slug": req.Param("slug")}), nil
//	}
//
// (or `func GET(w http.ResponseWriter, r *http.Request)`), and optionally a
// Config. The generated code turns a route into an http.Handler with
// NewHandler, and middleware.go into a wrapper with NewMiddleware.
//
// # Dispatch
//
// GET, HEAD, OPTIONS, POST, PUT, DELETE and PATCH are served as Next does: a
// method the route does not export is 405 with an empty body and an Allow
// header (Next omits Allow; RFC 9110 requires it); any other method is 400;
// HEAD runs GET (with req.Method "HEAD") and drops the body; OPTIONS answers
// 204 with Allow. An error or a panic is a 500 with an empty body, logged
// with the route file; so is a nil *Response.
//
// # Request-scoped helpers
//
// Cookies(ctx), Headers(ctx) and RevalidatePath(ctx, path) work from any
// depth of a request's call tree, given its context; navigation.Redirect,
// navigation.PermanentRedirect and navigation.NotFound end the request from
// anywhere (307, 308 – 303 for a form POST – and 404, empty bodies). Cookies
// set during the request go out as Set-Cookie on whatever response is
// returned, redirects and 404s included, but not on a 500.
//
// # Caching
//
// As in Next 15+, GET responses are cached only when the Config asks for
// static generation (Dynamic ForceStatic or Error, or Revalidate > 0
// without ForceDynamic) and the route exports no POST, PUT, DELETE, PATCH
// or OPTIONS. A cached route:
//
//   - sends Cache-Control `s-maxage=N, stale-while-revalidate=<31536000−N>`
//     (or `s-maxage=31536000` when it never revalidates) unless its
//     handler set one, so a CDN in front of Lambda caches it;
//   - is generated from a request reduced to its path: no query, headers,
//     cookies or body, whatever the mode (Next generates it at build time or
//     in a revalidation, where request data is refused or empty); the cache
//     key is the path;
//   - with a Route.Cache, is kept in its store with its status, headers
//     (Set-Cookie included) and body, streamed bodies buffered, and
//     reports x-nextjs-cache: MISS when this request generated it (also the
//     first request after RevalidatePath, or res.Revalidate in an API route,
//     purged it, as in Next 16), HIT when fresh, and STALE when served past
//     its Revalidate time while one background regeneration runs.
//
// ForceStatic also hands every method's handler a request stripped of its
// query, headers and cookies.
//
// # Streaming
//
// An io.Reader body (NewResponse) and a Stream body reach the client as they
// are produced: every chunk is flushed. When the client goes away the
// request's context is cancelled, a Stream's writes fail and an
// io.ReadCloser body is closed.
package server
