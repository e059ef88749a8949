package bundler

import (
	"fmt"
	"strings"
)

// Effective is a route's resolved settings for its function: its Config
// with the project's defaults applied.
type Effective struct {
	MaxDuration int   // seconds
	Memory      int   // MB
	BodyLimit   int64 // bytes; -1: no limit (body parser disabled)
	// BodyLimitText is the limit as configured ("1mb"), echoed in 413s.
	BodyLimitText string
	Cache         string
	Streaming     bool
	// SharedCache: the function caches GETs or revalidates, so it links
	// the shared store (adapters/lambda/s3cache), which its environment
	// may choose.
	SharedCache bool
}

// LambdaMain generates the main of route r's function: the route alone,
// behind the middleware when it may match, under the Lambda adapter.
func LambdaMain(app App, t *Table, r Route, eff Effective) ([]byte, error) {
	file := "lambda/" + r.Name + "/main.go"
	withMW := t.Middleware != nil && middlewareMayMatch(t.Middleware, r.Pattern)
	d, err := newMain(app, t, []Route{r}, withMW, lambdaImports(eff)...)
	if err != nil {
		return nil, fmt.Errorf("generate %s: %w", file, err)
	}
	d.Std = append(d.Std, importSpec{Path: "time"})
	d.Routes[0].MaxDuration = eff.MaxDuration
	d.Store = storeExpr(eff)
	d.Start = startData{MaxDuration: eff.MaxDuration, BodyLimit: max(eff.BodyLimit, 0), BodyLimitText: eff.BodyLimitText, Streaming: eff.Streaming, Route: r.Pattern, File: r.File}
	return render(file, "lambda", d)
}

// lambdaImports are the packages every function's main imports besides
// the routes' own: the adapter, the dispatcher and the response cache,
// with the shared store when the function uses it.
func lambdaImports(eff Effective) []importSpec {
	pkgs := []importSpec{{Name: "nglambda", Path: lambdaPkg}, {Path: cachePkg}, {Path: muxPkg}}
	if eff.SharedCache {
		pkgs = append(pkgs, importSpec{Path: s3cachePkg})
	}
	return pkgs
}

// middlewareMayMatch reports whether any path served by pattern could match
// the middleware's matcher. A middleware without a matcher runs everywhere,
// and a dynamic route always links it in; the runtime matcher decides per
// request.
func middlewareMayMatch(mw *Middleware, pattern string) bool {
	if len(mw.Matcher) == 0 {
		return true
	}
	if strings.Contains(pattern, "[") {
		return true // a dynamic route may serve any path the matcher names
	}
	for _, m := range mw.Matcher {
		if matcherMayMatch(m, pattern) {
			return true
		}
	}
	return false
}

// matcherMayMatch compares the static prefix of a matcher (up to its first
// parameter or pattern character) with the path: a conservative test.
func matcherMayMatch(matcher, path string) bool {
	prefix := matcher
	if i := strings.IndexAny(matcher, ":(*?+"); i >= 0 {
		prefix = matcher[:i]
	}
	prefix = strings.TrimSuffix(prefix, "/")
	if prefix == "" {
		return true
	}
	if prefix == matcher {
		return path == prefix
	}
	return path == prefix || strings.HasPrefix(path, prefix+"/")
}

// FallbackName is the name of the function that serves the paths no route
// serves (API Gateway's $default route).
const FallbackName = "_fallback"

// fallbackRoute describes the fallback function, which every app has: on
// Lambda, a request for a path that no route serves reaches no route's
// function, so this one runs the middleware and the rules for it, and
// otherwise answers as Next does: 308 for trailing and repeated slashes,
// Next's 404 for the rest. Its file is the middleware's, else
// nextgo.json when the app has rules, else none.
func (p *Project) fallbackRoute() (Route, bool) {
	file := ""
	switch {
	case p.Table.Middleware != nil:
		file = p.Table.Middleware.File
	case p.Rules != nil:
		file = "nextgo.json"
	}
	return Route{Source: Source{Kind: KindFallback, File: file}, Name: FallbackName}, true
}

// FallbackMain generates the fallback function's main: no route, the
// app's middleware and rules, under the Lambda adapter.
func FallbackMain(app App, t *Table, eff Effective) ([]byte, error) {
	file := "lambda/" + FallbackName + "/main.go"
	pkgs := []importSpec{{Name: "nglambda", Path: lambdaPkg}, {Path: muxPkg}}
	if t.Middleware != nil {
		pkgs = lambdaImports(eff)
	}
	d, err := newMain(app, t, nil, t.Middleware != nil, pkgs...)
	if err != nil {
		return nil, fmt.Errorf("generate %s: %w", file, err)
	}
	d.Std = append(d.Std, importSpec{Path: "time"})
	d.Store = storeExpr(eff)
	d.Start = startData{MaxDuration: eff.MaxDuration, Route: "$default", File: "nextgo.json"}
	if t.Middleware != nil {
		d.Start.File = t.Middleware.File
	}
	return render(file, "fallback", d)
}

// storeExpr is the generated expression of a function's response cache:
// the store its environment names, among the memory store and, for a
// function that caches or revalidates, the shared one. A function that
// does neither links no AWS client.
func storeExpr(eff Effective) string {
	if eff.SharedCache {
		return "cache.FromEnv(s3cache.Backend())"
	}
	return "cache.FromEnv()"
}
