// Package rules applies an app's routing rules — the `headers`,
// `redirects`, `rewrites`, `trailingSlash` and `basePath` of nextgo.json —
// with the semantics of Next.js's next.config.js, in front of the
// dispatcher (runtime/mux), alike in `nextgo dev`, `nextgo start` and on
// Lambda.
//
// For each request, in Next's order:
//
//  1. Headers: every rule whose source matches adds its headers to the
//     response (a later rule wins for the same key; Set-Cookie adds). They
//     are set before the route runs: an API route can still overwrite
//     them, a route handler's own headers do not (as in Next).
//  2. Redirects: Next's internal trailing-slash redirects first, then the
//     app's; the first match answers 307 (Permanent: false), 308
//     (Permanent: true, with a Refresh header as Next's router sends) or
//     StatusCode, with the destination as Location and as the body. The
//     request's query is kept, the destination's own query winning by key.
//  3. The base path is removed; a path outside it is 404 (unless a rule
//     with NoBasePath takes it).
//  4. The app's middleware (see Rules.Middleware).
//  5. Rewrites: BeforeFiles in turn; then, unless a static route serves the
//     path, AfterFiles (the plain-array form of next.config.js), each
//     ending the rewriting when a route serves its destination; then,
//     unless a dynamic route serves the path, Fallback. A rewrite to an
//     absolute URL proxies the request there.
//
// Sources are path-to-regexp patterns as in Next (compiled by
// runtime/internal/pathmatch): `:slug`, `:slug?`, `:path*`, `:path+`,
// `:id(\\d+)`, unnamed groups `(.*)`, matched case-insensitively against the
// escaped path, with an optional trailing slash. Parameters are used in
// destinations (path, host, query) and header values as they appear in the
// path, still escaped. `has` and `missing` conditions test headers,
// cookies, query parameters and the host, and their named groups become
// parameters too.
//
// Differences from Next, on purpose: a Location that would carry a control
// character (from a decoded query parameter) is refused with 400; a "?"
// right after a parameter in a destination (":tab?") is its modifier, not
// the start of the query; rewrites need Config.Routes to tell static,
// dynamic and missing routes apart, and without it every matching rewrite
// applies in turn.
package rules
