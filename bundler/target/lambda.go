package target

import (
	_ "embed"
	"fmt"
	"os"
	"text/template"

	"github.com/nextgo-dev/nextgo"
	"github.com/nextgo-dev/nextgo/bundler/routes"
	"github.com/nextgo-dev/nextgo/bundler/stage"
	"github.com/nextgo-dev/nextgo/internal/lambdalimit"
	"github.com/nextgo-dev/nextgo/runtime/api"
)

// Lambda is the AWS Lambda target: one function per route, and a
// fallback function (FallbackName) that serves the paths no route serves
// behind API Gateway's $default route. Each is built for linux with
// CGO_ENABLED=0 and the lambda.norpc tag, runs under the Lambda adapter
// (adapters/lambda.Start) and is packaged as a deterministic zip holding
// one executable, bootstrap, for the provided.al2023 runtime.
type Lambda struct{}

// DefaultMaxDuration is a route's Lambda timeout, in seconds, when neither
// its Config nor nextgo.json sets maxDuration: API Gateway's own cap on an
// integration.
const DefaultMaxDuration = lambdalimit.MaxIntegrationTimeout

// DefaultMemory is a route's Lambda memory, in MB, when unset.
const DefaultMemory = 1024

// FallbackName is the name of the function that serves the paths no route
// serves (API Gateway's $default route).
const FallbackName = "_fallback"

// Import paths of the Lambda adapter and the shared response cache in
// generated code.
const (
	lambdaPkg  = nextgo.ModulePath + "/adapters/lambda"
	s3cachePkg = nextgo.ModulePath + "/adapters/lambda/s3cache"
)

//go:embed lambda.go.tmpl
var lambdaTemplates string

// lambdaMains are the templates of the functions' mains.
var lambdaMains = template.Must(stage.Templates().Parse(lambdaTemplates))

// Name is "lambda".
func (Lambda) Name() string { return "lambda" }

// Arch returns arch, arm64 when unset; Lambda runs arm64 and amd64.
func (Lambda) Arch(arch string) (string, error) {
	if arch == "" {
		arch = "arm64"
	}
	if _, ok := lambdalimit.Architectures[arch]; !ok {
		return "", fmt.Errorf("--arch %q: Lambda runs arm64 or amd64", arch)
	}
	return arch, nil
}

// GoEnv builds static linux binaries for arch.
func (Lambda) GoEnv(arch string) []string {
	return []string{"GOOS=linux", "GOARCH=" + arch, "CGO_ENABLED=0"}
}

// BuildFlags are the go build flags of every function: without the RPC
// mode of aws-lambda-go (lambda.norpc), stripped, with reproducible paths.
func (Lambda) BuildFlags() []string {
	return []string{"-trimpath", "-buildvcs=false", "-tags=lambda.norpc", "-ldflags=-s -w"}
}

// Artifact is functions/<name>.zip.
func (Lambda) Artifact(name string) string { return "functions/" + name + ".zip" }

// Package zips the binary as bootstrap (see ReadBootstrap).
func (Lambda) Package(bin []byte) ([]byte, error) { return zipBootstrap(bin) }

// Imports are the Lambda adapter, the shared response cache, the response
// cache and the dispatcher, and what NewMain adds.
func (Lambda) Imports() []string {
	return append([]string{lambdaPkg, s3cachePkg, stage.CachePkg, stage.MuxPkg}, stage.Imports...)
}

// Programs returns one function per route of the table, with its settings
// (Settings) and whether it links the shared response cache, then the
// fallback function.
func (l Lambda) Programs(app stage.App, t *routes.Table) ([]Program, []string, error) {
	var progs []Program
	var warnings []string
	for _, r := range t.Routes {
		eff, w, err := l.Settings(app, r)
		if err != nil {
			return nil, nil, err
		}
		if eff.SharedCache, err = sharedCache(app, t, r, eff); err != nil {
			return nil, nil, err
		}
		warnings = append(warnings, w...)
		main, err := LambdaMain(app, t, r, eff)
		if err != nil {
			return nil, nil, err
		}
		progs = append(progs, Program{Name: r.Name, Dir: "lambda/" + r.Name, Main: main, Route: r, Settings: eff})
	}
	if fb, ok := fallbackRoute(app, t); ok {
		eff := Effective{MaxDuration: app.Defaults.MaxDuration, Memory: app.Defaults.Memory, BodyLimit: -1, Cache: "none"}
		if eff.MaxDuration == 0 {
			eff.MaxDuration = DefaultMaxDuration
		}
		if eff.Memory == 0 {
			eff.Memory = DefaultMemory
		}
		var err error
		if eff.SharedCache, err = sharedCache(app, t, fb, eff); err != nil {
			return nil, nil, err
		}
		main, err := FallbackMain(app, t, eff)
		if err != nil {
			return nil, nil, err
		}
		progs = append(progs, Program{Name: fb.Name, Dir: "lambda/" + fb.Name, Main: main, Route: fb, Settings: eff})
	}
	return progs, warnings, nil
}

// lambdaMain is what the templates of a function's main read.
type lambdaMain struct {
	*stage.Main
	// Start are the settings of the function's entry point.
	Start startData
}

// startData are the settings a generated main passes to the adapter.
type startData struct {
	MaxDuration   int
	BodyLimit     int64
	BodyLimitText string
	Streaming     bool
	Route, File   string
}

// LambdaMain generates the main of route r's function: the route alone,
// behind the middleware when it may match, under the Lambda adapter.
func LambdaMain(app stage.App, t *routes.Table, r routes.Route, eff Effective) ([]byte, error) {
	file := "lambda/" + r.Name + "/main.go"
	withMW := t.Middleware != nil && routes.MiddlewareMayMatch(t.Middleware, r.Pattern)
	m, err := stage.NewMain(app, t, []routes.Route{r}, withMW, lambdaImports(eff)...)
	if err != nil {
		return nil, fmt.Errorf("generate %s: %w", file, err)
	}
	m.Std = append(m.Std, stage.Import{Path: "time"})
	m.Routes[0].MaxDuration = eff.MaxDuration
	m.Store = storeExpr(eff)
	d := lambdaMain{Main: m}
	d.Start = startData{MaxDuration: eff.MaxDuration, BodyLimit: max(eff.BodyLimit, 0), BodyLimitText: eff.BodyLimitText, Streaming: eff.Streaming, Route: r.Pattern, File: r.File}
	return stage.Render(lambdaMains, file, "lambda", d)
}

// lambdaImports are the packages every function's main imports besides
// the routes' own: the adapter, the dispatcher and the response cache,
// with the shared store when the function uses it.
func lambdaImports(eff Effective) []stage.Import {
	pkgs := []stage.Import{{Name: "nglambda", Path: lambdaPkg}, {Path: stage.CachePkg}, {Path: stage.MuxPkg}}
	if eff.SharedCache {
		pkgs = append(pkgs, stage.Import{Path: s3cachePkg})
	}
	return pkgs
}

// fallbackRoute describes the fallback function, which every app has: on
// Lambda, a request for a path that no route serves reaches no route's
// function, so this one runs the middleware and the rules for it, and
// otherwise answers as Next does: 308 for trailing and repeated slashes,
// Next's 404 for the rest. Its file is the middleware's, else
// nextgo.json when the app has rules, else none.
func fallbackRoute(app stage.App, t *routes.Table) (routes.Route, bool) {
	file := ""
	switch {
	case t.Middleware != nil:
		file = t.Middleware.File
	case app.Rules != nil:
		file = "nextgo.json"
	}
	return routes.Route{Source: routes.Source{Kind: routes.KindFallback, File: file}, Name: FallbackName}, true
}

// FallbackMain generates the fallback function's main: no route, the
// app's middleware and rules, under the Lambda adapter.
func FallbackMain(app stage.App, t *routes.Table, eff Effective) ([]byte, error) {
	file := "lambda/" + FallbackName + "/main.go"
	pkgs := []stage.Import{{Name: "nglambda", Path: lambdaPkg}, {Path: stage.MuxPkg}}
	if t.Middleware != nil {
		pkgs = lambdaImports(eff)
	}
	m, err := stage.NewMain(app, t, nil, t.Middleware != nil, pkgs...)
	if err != nil {
		return nil, fmt.Errorf("generate %s: %w", file, err)
	}
	m.Std = append(m.Std, stage.Import{Path: "time"})
	m.Store = storeExpr(eff)
	d := lambdaMain{Main: m}
	d.Start = startData{MaxDuration: eff.MaxDuration, Route: "$default", File: "nextgo.json"}
	if t.Middleware != nil {
		d.Start.File = t.Middleware.File
	}
	return stage.Render(lambdaMains, file, "fallback", d)
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

// Settings returns route r's settings as its function gets them (its
// Config, then nextgo.json's defaults, then nextgo's) and warnings for a
// body limit that Lambda's payload limit overrides.
func (Lambda) Settings(app stage.App, r routes.Route) (Effective, []string, error) {
	c := r.Config
	eff := Effective{MaxDuration: app.MaxDuration(r), Memory: c.Memory, Cache: "none", Streaming: r.Streams}
	if eff.MaxDuration == 0 {
		eff.MaxDuration = DefaultMaxDuration
	}
	if eff.Memory == 0 {
		eff.Memory = app.Defaults.Memory
	}
	if eff.Memory == 0 {
		eff.Memory = DefaultMemory
	}
	var warnings []string
	limit := c.SizeLimit
	if r.Kind == routes.KindRoute {
		limit = c.BodySizeLimit
	}
	if limit == "" {
		limit = app.Defaults.BodyLimit
	}
	switch {
	case r.Kind == routes.KindAPI && c.BodyParserDisabled:
		eff.BodyLimit = -1
	case limit == "" && r.Kind == routes.KindAPI:
		eff.BodyLimit, eff.BodyLimitText = 1<<20, api.DefaultSizeLimit
	case limit == "":
		eff.BodyLimit = -1
	default:
		n, err := api.ParseSize(limit)
		if err != nil {
			return eff, nil, &routes.PosError{File: r.File, Line: c.Line, Msg: err.Error()}
		}
		eff.BodyLimit, eff.BodyLimitText = n, limit
	}
	if eff.BodyLimit > lambdalimit.MaxBinaryBody {
		warnings = append(warnings, fmt.Sprintf("%s: body limit %s is above what Lambda can carry (6 MB buffered, about 4.5 MB for a base64-encoded binary body); larger requests fail at the platform", r.File, limit))
	}
	if eff.BodyLimit < 0 && r.Kind == routes.KindAPI {
		warnings = append(warnings, fmt.Sprintf("%s: body parser disabled: Lambda still caps request bodies at 6 MB buffered (about 4.5 MB for binary bodies)", r.File))
	}
	if r.Kind == routes.KindRoute {
		eff.Cache = cacheMode(r)
	}
	return eff, warnings, nil
}

// cacheMode is how a route handler's GETs are cached, by the runtime's own
// rule (server.Config.Cached, Next 15+).
func cacheMode(r routes.Route) string {
	c := routes.ServerConfig(r.Config)
	if !c.Cached(r.MethodNames()...) {
		return "none"
	}
	if c.Revalidate > 0 {
		return fmt.Sprintf("revalidate=%d", c.Revalidate)
	}
	return "static"
}

// sharedCache reports whether route r's function (or the fallback's) uses
// the app's shared response cache: it caches GETs, or it or the
// middleware compiled into it may revalidate.
func sharedCache(app stage.App, t *routes.Table, r routes.Route, eff Effective) (bool, error) {
	if eff.Cache != "none" {
		return true, nil
	}
	fsys := os.DirFS(app.Dir)
	files := r.Files
	if r.Kind == routes.KindFallback {
		files = nil
	}
	if mw := t.Middleware; mw != nil && (r.Kind == routes.KindFallback || routes.MiddlewareMayMatch(mw, r.Pattern)) {
		files = append(append([]string(nil), files...), mw.File)
	}
	return routes.Revalidates(fsys, app.Module, files)
}
