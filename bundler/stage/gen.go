package stage

import (
	"bytes"
	_ "embed"
	"fmt"
	"go/format"
	"slices"
	"strconv"
	"strings"
	"text/template"

	"github.com/nextgo-dev/nextgo"
	"github.com/nextgo-dev/nextgo/bundler/routes"
)

//go:embed templates.go.tmpl
var sharedTemplates string

// shared are the templates every generated file uses.
var shared = template.Must(template.New("shared").Funcs(template.FuncMap{"quote": strconv.Quote}).Parse(sharedTemplates))

// Templates returns a copy of the templates that generated files share:
// "header", "imports" (of a Main), "route" (one route of a mux, with its
// handler and Config), "middleware", "options" (the mux's middleware and
// rules) and "imports-file" (ImportsFile). A target parses the templates
// of its mains into it.
func Templates() *template.Template { return template.Must(shared.Clone()) }

// Render executes the template name of tmpl with data and checks the
// result with go/format; file names the generated file in errors.
func Render(tmpl *template.Template, file, name string, data any) ([]byte, error) {
	var b bytes.Buffer
	if err := tmpl.ExecuteTemplate(&b, name, data); err != nil {
		return nil, fmt.Errorf("generate %s: %w", file, err)
	}
	out, err := format.Source(b.Bytes())
	if err != nil {
		return nil, fmt.Errorf("generate %s: %w\n%s", file, err, b.Bytes())
	}
	return out, nil
}

// Import is one import of a generated file: Name is its alias, if any.
type Import struct{ Name, Path string }

// Main is what the shared templates of a generated main read: the routes
// it mounts on one mux, behind the app's middleware and rules.
type Main struct {
	// Std and Pkgs are the standard library's imports and the others.
	Std, Pkgs []Import
	// Store is the expression of the process's response cache.
	Store string
	// Routes are the routes the main mounts.
	Routes []RouteData
	// Middleware is the app's middleware when the main links it.
	Middleware *MiddlewareData
	// Rules is nextgo.json's rules as a Go expression (goLiteral), ""
	// when the app has none.
	Rules         string
	TrailingSlash bool
}

// RouteData is one route of a generated main.
type RouteData struct {
	// Alias is the name its package is imported as ("r0").
	Alias         string
	Pattern, File string
	MaxDuration   int
	// Pkg is the runtime package of its kind: "api" or "server".
	Pkg     string
	Form    routes.Form
	Methods []routes.Method
	// ConfigSet: the route declares Config.
	ConfigSet bool
	// DefaultLimit is the project's body limit when it fills in for the
	// route's; LimitField is the Config field it sets.
	DefaultLimit, LimitField string
}

// MiddlewareData is the app's middleware in a generated main.
type MiddlewareData struct {
	File      string
	HasConfig bool
}

// Import paths of nextgo's runtime packages in generated code.
const (
	APIPkg    = nextgo.ModulePath + "/runtime/api"
	CachePkg  = nextgo.ModulePath + "/runtime/cache"
	MuxPkg    = nextgo.ModulePath + "/runtime/mux"
	RulesPkg  = nextgo.ModulePath + "/runtime/rules"
	ServerPkg = nextgo.ModulePath + "/runtime/server"
)

// Imports are the runtime packages NewMain may add to a main's imports.
var Imports = []string{APIPkg, RulesPkg, ServerPkg}

// NewMain describes a main mounting rs (with their packages imported as
// r0, r1, …) behind the middleware when withMW, under the app's rules;
// pkgs are the further packages it imports.
func NewMain(app App, t *routes.Table, rs []routes.Route, withMW bool, pkgs ...Import) (*Main, error) {
	d := &Main{Pkgs: pkgs}
	useAPI, useServer, useHTTP := usesImports(rs)
	if useHTTP {
		d.Std = append(d.Std, Import{Path: "net/http"})
	}
	if useAPI {
		d.Pkgs = append(d.Pkgs, Import{Path: APIPkg})
	}
	if useServer || withMW {
		d.Pkgs = append(d.Pkgs, Import{Path: ServerPkg})
	}
	if app.Rules != nil {
		lit, err := goLiteral(*app.Rules)
		if err != nil {
			return nil, err
		}
		d.Rules, d.TrailingSlash = lit, app.Rules.TrailingSlash
		d.Pkgs = append(d.Pkgs, Import{Path: RulesPkg})
	}
	if withMW {
		d.Middleware = &MiddlewareData{File: t.Middleware.File, HasConfig: t.Middleware.HasConfig}
		d.Pkgs = append(d.Pkgs, Import{Name: "mw", Path: app.importPath("middleware")})
	}
	for i, r := range rs {
		alias := "r" + strconv.Itoa(i)
		d.Pkgs = append(d.Pkgs, Import{Name: alias, Path: app.importPath(RouteDir(r))})
		d.Routes = append(d.Routes, newRouteData(app, r, alias))
	}
	slices.SortFunc(d.Pkgs, func(a, b Import) int { return strings.Compare(a.Path, b.Path) })
	return d, nil
}

// newRouteData describes route r, imported as alias. A project body limit
// fills in for a route that sets none.
func newRouteData(app App, r routes.Route, alias string) RouteData {
	d := RouteData{Alias: alias, Pattern: r.Pattern, File: r.File, MaxDuration: app.MaxDuration(r), Form: r.Form, Methods: r.Methods, ConfigSet: r.Config.Set}
	limit := app.Defaults.BodyLimit
	switch r.Kind {
	case routes.KindAPI:
		d.Pkg, d.LimitField = "api", "BodyParser.SizeLimit"
		if limit != "" && r.Config.SizeLimit == "" && !r.Config.BodyParserDisabled {
			d.DefaultLimit = limit
		}
	case routes.KindRoute:
		d.Pkg, d.LimitField = "server", "BodySizeLimit"
		if limit != "" && r.Config.BodySizeLimit == "" {
			d.DefaultLimit = limit
		}
	}
	return d
}

// usesImports reports which runtime packages generated code for rs needs.
func usesImports(rs []routes.Route) (api, server, nethttp bool) {
	for _, r := range rs {
		switch r.Kind {
		case routes.KindAPI:
			api = true
			if r.Form != routes.FormAPI {
				nethttp = true
			}
		case routes.KindRoute:
			server = true
		}
	}
	return
}
