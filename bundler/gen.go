package bundler

import (
	"bytes"
	_ "embed"
	"fmt"
	"go/format"
	"slices"
	"strconv"
	"strings"
	"text/template"

	"github.com/nextgo-dev/nextgo/internal/lambdalimit"
)

// DefaultMaxDuration is a route's Lambda timeout, in seconds, when neither
// its Config nor nextgo.json sets maxDuration: API Gateway's own cap on an
// integration.
const DefaultMaxDuration = lambdalimit.MaxIntegrationTimeout

// DefaultMemory is a route's Lambda memory, in MB, when unset.
const DefaultMemory = 1024

//go:embed main.go.tmpl
var mainTemplates string

// mains are the templates of the generated files.
var mains = template.Must(template.New("mains").Funcs(template.FuncMap{"quote": strconv.Quote}).Parse(mainTemplates))

// render executes the template name with data and checks the result with
// go/format; file names the generated file in errors.
func render(file, name string, data any) ([]byte, error) {
	var b bytes.Buffer
	if err := mains.ExecuteTemplate(&b, name, data); err != nil {
		return nil, fmt.Errorf("generate %s: %w", file, err)
	}
	out, err := format.Source(b.Bytes())
	if err != nil {
		return nil, fmt.Errorf("generate %s: %w\n%s", file, err, b.Bytes())
	}
	return out, nil
}

// importSpec is one import of a generated file: Name is its alias, if any.
type importSpec struct{ Name, Path string }

// mainData is what the templates of a generated main read.
type mainData struct {
	// Std and Pkgs are the standard library's imports and the others.
	Std, Pkgs []importSpec
	// Store is the expression of the process's response cache.
	Store string
	// Routes are the routes the main mounts.
	Routes []routeData
	// Middleware is the app's middleware when the main links it.
	Middleware *middlewareData
	// Rules is nextgo.json's rules as a Go expression (goLiteral), ""
	// when the app has none.
	Rules         string
	TrailingSlash bool
	// Start are the settings of the function's entry point.
	Start startData
}

// routeData is one route of a generated main.
type routeData struct {
	// Alias is the name its package is imported as ("r0").
	Alias         string
	Pattern, File string
	MaxDuration   int
	// Pkg is the runtime package of its kind: "api" or "server".
	Pkg     string
	Form    Form
	Methods []Method
	// ConfigSet: the route declares Config.
	ConfigSet bool
	// DefaultLimit is the project's body limit when it fills in for the
	// route's; LimitField is the Config field it sets.
	DefaultLimit, LimitField string
}

// middlewareData is the app's middleware in a generated main.
type middlewareData struct {
	File      string
	HasConfig bool
}

// startData are the settings a generated main passes to the adapter.
type startData struct {
	MaxDuration   int
	BodyLimit     int64
	BodyLimitText string
	Streaming     bool
	Route, File   string
}

// Import paths of nextgo's packages in generated code.
const (
	lambdaPkg    = ModulePath + "/adapters/lambda"
	s3cachePkg   = ModulePath + "/adapters/lambda/s3cache"
	apiPkg       = ModulePath + "/runtime/api"
	cachePkg     = ModulePath + "/runtime/cache"
	devserverPkg = ModulePath + "/runtime/devserver"
	muxPkg       = ModulePath + "/runtime/mux"
	rulesPkg     = ModulePath + "/runtime/rules"
	serverPkg    = ModulePath + "/runtime/server"
)

// newMain describes a main mounting routes (with their packages imported
// as r0, r1, …) behind the middleware when withMW, under the app's rules;
// pkgs are the further packages it imports.
func newMain(app App, t *Table, routes []Route, withMW bool, pkgs ...importSpec) (*mainData, error) {
	d := &mainData{Pkgs: pkgs}
	useAPI, useServer, useHTTP := usesImports(routes)
	if useHTTP {
		d.Std = append(d.Std, importSpec{Path: "net/http"})
	}
	if useAPI {
		d.Pkgs = append(d.Pkgs, importSpec{Path: apiPkg})
	}
	if useServer || withMW {
		d.Pkgs = append(d.Pkgs, importSpec{Path: serverPkg})
	}
	if app.Rules != nil {
		lit, err := goLiteral(*app.Rules)
		if err != nil {
			return nil, err
		}
		d.Rules, d.TrailingSlash = lit, app.Rules.TrailingSlash
		d.Pkgs = append(d.Pkgs, importSpec{Path: rulesPkg})
	}
	if withMW {
		d.Middleware = &middlewareData{File: t.Middleware.File, HasConfig: t.Middleware.HasConfig}
		d.Pkgs = append(d.Pkgs, importSpec{Name: "mw", Path: app.importPath("middleware")})
	}
	for i, r := range routes {
		alias := "r" + strconv.Itoa(i)
		d.Pkgs = append(d.Pkgs, importSpec{Name: alias, Path: app.importPath(routePkg(r))})
		d.Routes = append(d.Routes, newRouteData(app, r, alias))
	}
	slices.SortFunc(d.Pkgs, func(a, b importSpec) int { return strings.Compare(a.Path, b.Path) })
	return d, nil
}

// newRouteData describes route r, imported as alias. A project body limit
// fills in for a route that sets none.
func newRouteData(app App, r Route, alias string) routeData {
	d := routeData{Alias: alias, Pattern: r.Pattern, File: r.File, MaxDuration: app.maxDuration(r), Form: r.Form, Methods: r.Methods, ConfigSet: r.Config.Set}
	limit := app.Defaults.BodyLimit
	switch r.Kind {
	case KindAPI:
		d.Pkg, d.LimitField = "api", "BodyParser.SizeLimit"
		if limit != "" && r.Config.SizeLimit == "" && !r.Config.BodyParserDisabled {
			d.DefaultLimit = limit
		}
	case KindRoute:
		d.Pkg, d.LimitField = "server", "BodySizeLimit"
		if limit != "" && r.Config.BodySizeLimit == "" {
			d.DefaultLimit = limit
		}
	}
	return d
}

// DevMain generates the dev server's main: every route mounted on one mux,
// sharing one cache store, behind the app's middleware.
func DevMain(app App, t *Table) ([]byte, error) {
	d, err := newMain(app, t, t.Routes, t.Middleware != nil,
		importSpec{Path: cachePkg}, importSpec{Path: devserverPkg}, importSpec{Path: muxPkg})
	if err != nil {
		return nil, fmt.Errorf("generate dev/main.go: %w", err)
	}
	if len(t.Routes) > 0 {
		d.Std = append(d.Std, importSpec{Path: "time"})
	}
	d.Store = "cache.FromEnv()"
	return render("dev/main.go", "dev", d)
}
