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
	var b strings.Builder
	b.WriteString(genHeader + "package main\n\nimport (\n")
	useAPI, useServer, useHTTP := usesImports([]Route{r})
	withMW := t.Middleware != nil && middlewareMayMatch(t.Middleware, r.Pattern)
	if useHTTP {
		b.WriteString("\t\"net/http\"\n")
	}
	b.WriteString("\t\"time\"\n\n")
	b.WriteString("\tnglambda \"github.com/nextgo-dev/nextgo/adapters/lambda\"\n")
	if useAPI {
		b.WriteString("\t\"github.com/nextgo-dev/nextgo/runtime/api\"\n")
	}
	if eff.SharedCache {
		b.WriteString("\t\"github.com/nextgo-dev/nextgo/adapters/lambda/s3cache\"\n")
	}
	b.WriteString("\t\"github.com/nextgo-dev/nextgo/runtime/cache\"\n")
	b.WriteString("\t\"github.com/nextgo-dev/nextgo/runtime/mux\"\n")
	if useServer || withMW {
		b.WriteString("\t\"github.com/nextgo-dev/nextgo/runtime/server\"\n")
	}
	if app.Rules != nil {
		b.WriteString("\t\"github.com/nextgo-dev/nextgo/runtime/rules\"\n")
	}
	if withMW {
		fmt.Fprintf(&b, "\tmw %s\n", goString(app.importPath("middleware")))
	}
	fmt.Fprintf(&b, "\tr0 %s\n)\n\n", goString(app.importPath(routePkg(r))))
	fmt.Fprintf(&b, "func main() {\n\tstore := %s\n", storeExpr(eff))
	fmt.Fprintf(&b, "\troutes := []mux.Route{{Pattern: %s, File: %s, MaxDuration: %d * time.Second, Handler: %s}}\n",
		goString(r.Pattern), goString(r.File), eff.MaxDuration, handlerExpr(app, r, "r0"))
	if withMW {
		b.WriteString(middlewareExpr(t.Middleware))
	}
	b.WriteString(optionsExpr(app, withMW))
	b.WriteString("\tmx, err := mux.New(routes, opts)\n\tif err != nil {\n\t\tpanic(err)\n\t}\n")
	fmt.Fprintf(&b, "\tnglambda.Start(mx, nglambda.Options{MaxDuration: %d * time.Second, BodyLimit: %d, BodyLimitText: %s, Streaming: %v, Route: %s, File: %s})\n}\n",
		eff.MaxDuration, max(eff.BodyLimit, 0), goString(eff.BodyLimitText), eff.Streaming, goString(r.Pattern), goString(r.File))
	return formatGo("lambda/"+r.Name+"/main.go", b.String())
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
	var b strings.Builder
	b.WriteString(genHeader + "package main\n\nimport (\n\t\"time\"\n\n")
	b.WriteString("\tnglambda \"github.com/nextgo-dev/nextgo/adapters/lambda\"\n")
	b.WriteString("\t\"github.com/nextgo-dev/nextgo/runtime/mux\"\n")
	if t.Middleware != nil {
		if eff.SharedCache {
			b.WriteString("\t\"github.com/nextgo-dev/nextgo/adapters/lambda/s3cache\"\n")
		}
		b.WriteString("\t\"github.com/nextgo-dev/nextgo/runtime/cache\"\n")
		b.WriteString("\t\"github.com/nextgo-dev/nextgo/runtime/server\"\n")
		fmt.Fprintf(&b, "\tmw %s\n", goString(app.importPath("middleware")))
	}
	if app.Rules != nil {
		b.WriteString("\t\"github.com/nextgo-dev/nextgo/runtime/rules\"\n")
	}
	b.WriteString(")\n\nfunc main() {\n")
	if t.Middleware != nil {
		fmt.Fprintf(&b, "\tstore := %s\n", storeExpr(eff))
		b.WriteString(middlewareExpr(t.Middleware))
	}
	b.WriteString(optionsExpr(app, t.Middleware != nil))
	b.WriteString("\tmx, err := mux.New(nil, opts)\n\tif err != nil {\n\t\tpanic(err)\n\t}\n")
	file := "nextgo.json"
	if t.Middleware != nil {
		file = t.Middleware.File
	}
	fmt.Fprintf(&b, "\tnglambda.Start(mx, nglambda.Options{MaxDuration: %d * time.Second, Route: \"$default\", File: %s})\n}\n", eff.MaxDuration, goString(file))
	return formatGo("lambda/"+FallbackName+"/main.go", b.String())
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
