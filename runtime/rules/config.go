package rules

import "fmt"

// Config is an app's routing rules: the `headers`, `redirects`, `rewrites`,
// `trailingSlash` and `basePath` of nextgo.json, with the meaning they have
// in Next's next.config.js. It is a plain value so that generated code can
// spell it as a composite literal.
type Config struct {
	// BasePath, when set ("/docs"), is the path prefix the app is served
	// under: sources and internal destinations are prefixed with it (except
	// in rules with NoBasePath), it is removed before the route is looked
	// up, and a path outside it is 404.
	BasePath string
	// TrailingSlash is Next's `trailingSlash: true`: a path whose last
	// segment has no dot is redirected (308) to the same path with a
	// trailing slash, a file-like path (/a/b.txt/) to the same path
	// without it; /.well-known paths are left alone. When false (the
	// default) the dispatcher itself redirects /a/ to /a.
	TrailingSlash bool
	// Headers add response headers to every request whose path matches.
	Headers []Header
	// Redirects answer a matching request with a redirect; the first match
	// wins.
	Redirects []Redirect
	// Rewrites serve a matching request from another path, or proxy it to
	// an external URL.
	Rewrites Rewrites
	// Routes are the app's route patterns ("/api/post/[pid]"), in any
	// order. Rewrites consult them as Next consults its file system:
	// AfterFiles rewrites are skipped for a path a static route serves, and
	// a rewrite whose destination a route serves ends the rewriting.
	Routes []string
}

// Header is one entry of `headers`.
type Header struct {
	// Source is the path pattern, in path-to-regexp syntax ("/api/:path*").
	Source string
	// Headers are set on the response, in order; a later value for the
	// same key replaces an earlier one, except Set-Cookie, which adds. Keys
	// and values may use the source's parameters (":slug").
	Headers []KeyValue
	// Has and Missing further condition the match.
	Has, Missing []Condition
	// NoBasePath is Next's `basePath: false`: Source is not prefixed with
	// the base path.
	NoBasePath bool
}

// KeyValue is a header to set.
type KeyValue struct {
	Key, Value string
}

// Redirect is one entry of `redirects`.
type Redirect struct {
	// Source is the path pattern ("/blog/:slug").
	Source string
	// Destination is where to go: a path ("/news/:slug") or an absolute
	// URL ("https://example.com/:slug"), with the source's parameters.
	// The request's query is kept, merged under the destination's own.
	Destination string
	// Permanent answers 308 when true, 307 when false.
	Permanent bool
	// StatusCode, when set, is used instead: 301, 302, 303, 307 or 308.
	StatusCode int
	// Has and Missing further condition the match.
	Has, Missing []Condition
	// NoBasePath is Next's `basePath: false`.
	NoBasePath bool
}

// Rewrites are the three lists of Next's `rewrites`. The plain array form
// of next.config.js is AfterFiles.
type Rewrites struct {
	// BeforeFiles are applied after the redirects and the middleware,
	// before any route is looked up, one after another.
	BeforeFiles []Rewrite
	// AfterFiles are applied when no static route serves the path, before
	// the dynamic routes are tried.
	AfterFiles []Rewrite
	// Fallback are applied when no route at all serves the path.
	Fallback []Rewrite
}

// Rewrite is one rewrite rule.
type Rewrite struct {
	// Source is the path pattern.
	Source string
	// Destination is the path that serves the request ("/api/:path*"), or
	// an absolute http(s) URL the request is proxied to. Parameters of the
	// source that the destination does not use are added to its query.
	Destination string
	// Has and Missing further condition the match.
	Has, Missing []Condition
	// NoBasePath is Next's `basePath: false`.
	NoBasePath bool
}

// Condition is one entry of `has` or `missing`.
type Condition struct {
	// Type is "header", "cookie", "query" or "host".
	Type string
	// Key is the header, cookie or query parameter name (not used for
	// host).
	Key string
	// Value, when set, is a regular expression (JavaScript syntax) the
	// whole value must match; its named groups become parameters. Unset,
	// any non-empty value matches and becomes a parameter named after Key
	// (letters only).
	Value string
}

// Error is a rule that cannot be compiled. Rule names the rule as in
// nextgo.json ("redirects[2]", "rewrites.afterFiles[0]"), Field the
// offending field ("source", "destination", "has[0].value").
type Error struct {
	Rule  string
	Field string
	Err   error
}

func (e *Error) Error() string {
	if e.Field == "" {
		return fmt.Sprintf("%s: %v", e.Rule, e.Err)
	}
	return fmt.Sprintf("%s.%s: %v", e.Rule, e.Field, e.Err)
}

func (e *Error) Unwrap() error { return e.Err }
