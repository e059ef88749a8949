// Package routes reads an app's route tree into its route table, as Next.js
// does: it discovers the API routes (pages/api/**.go) and route handlers
// (app/**/route.go), orders them by Next's precedence and refuses the
// conflicts Next refuses, parses each route's files to detect its handler
// form (or its exported methods) and reads its Config statically,
// checking it against the runtime's own rules and Lambda's limits. It also
// reads middleware.go, and tells from syntax alone whether code streams
// its responses or may revalidate the response cache. Errors name the
// user's file and line.
package routes

import (
	"errors"
	"fmt"
	"io/fs"
	"sort"
	"strings"

	"github.com/nextgo-dev/nextgo/runtime/router"
)

// Route is one analysed route of the table.
type Route struct {
	Source
	// Name is the route's stable, unique name: the Lambda function name
	// within the app and the staged package's folder ("api-post-_pid").
	Name string `json:"name"`
	// Package is the Go package name the route's files declare.
	Package string `json:"package"`
	// Form is the handler form of an API route ("" for route handlers).
	Form Form `json:"form,omitempty"`
	// Methods are the methods a route handler exports (nil for API routes,
	// which receive every method).
	Methods []Method `json:"methods,omitempty"`
	// Config is the statically read Config.
	Config RouteConfig `json:"config"`
	// Streams reports whether the route streams its responses: a route
	// handler that uses server.Stream, or an API route that flushes. Its
	// function then answers Function URL invocations with a response
	// stream.
	Streams bool `json:"streams,omitempty"`
}

// Table is an app's route table in Next's precedence order.
type Table struct {
	Routes []Route
	// Middleware is the app's middleware.go, when it has one.
	Middleware *Middleware
}

// BuildTable discovers, analyses and orders the routes of the app rooted at
// fsys. It returns every build error it finds in the files (joined), or the
// first route-table error, each naming the files involved.
func BuildTable(fsys fs.FS) (*Table, error) {
	sources, err := Discover(fsys)
	if err != nil {
		return nil, err
	}
	if err := checkDuplicates(sources); err != nil {
		return nil, err
	}
	byPattern := map[string]int{}
	patterns := make([]string, len(sources))
	for i, s := range sources {
		byPattern[s.Pattern] = i
		patterns[i] = s.Pattern
	}
	sorted, err := router.Sort(patterns)
	if err != nil {
		return nil, tableError(err, sources, byPattern)
	}
	t := &Table{}
	var errs []error
	names := map[string]string{}
	for _, p := range sorted {
		r, err := analyze(fsys, sources[byPattern[p]])
		if err != nil {
			errs = append(errs, err)
			continue
		}
		r.Name = uniqueName(r.Pattern, names)
		t.Routes = append(t.Routes, r)
	}
	mw, err := readMiddleware(fsys)
	if err != nil {
		errs = append(errs, err)
	}
	t.Middleware = mw
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return t, nil
}

// checkDuplicates reports routes that resolve to the same URL, in Next's
// words for each case.
func checkDuplicates(sources []Source) error {
	groups := map[string][]Source{}
	var order []string
	for _, s := range sources {
		if _, ok := groups[s.Pattern]; !ok {
			order = append(order, s.Pattern)
		}
		groups[s.Pattern] = append(groups[s.Pattern], s)
	}
	var pairs []string
	var errs []error
	for _, p := range order {
		g := groups[p]
		if len(g) < 2 {
			continue
		}
		var api, app []string
		for _, s := range g {
			if s.Kind == KindAPI {
				api = append(api, s.File)
			} else {
				app = append(app, s.File)
			}
		}
		switch {
		case len(api) > 0 && len(app) > 0:
			for _, a := range api {
				for _, b := range app {
					pairs = append(pairs, fmt.Sprintf("  %q - %q", a, b))
				}
			}
		case len(api) > 1:
			errs = append(errs, fmt.Errorf("Duplicate page detected. %s both resolve to %s.", strings.Join(api, " and "), p))
		default:
			errs = append(errs, fmt.Errorf("You cannot have two parallel pages that resolve to the same path. Please check %s. Route groups do not change the URL: %s", strings.Join(app, " and "), p))
		}
	}
	if len(pairs) > 0 {
		errs = append([]error{fmt.Errorf("Conflicting app and page files were found, please remove the conflicting files to continue:\n%s", strings.Join(pairs, "\n"))}, errs...)
	}
	return errors.Join(errs...)
}

// tableError names the files behind a router error.
func tableError(err error, sources []Source, byPattern map[string]int) error {
	var ce *router.ConflictError
	if !errors.As(err, &ce) {
		return err
	}
	var files []string
	for _, p := range ce.Paths {
		if i, ok := byPattern[p]; ok {
			files = append(files, sources[i].File)
		}
	}
	if len(files) == 0 {
		return err
	}
	return fmt.Errorf("%s: %s", strings.Join(files, ", "), ce.Msg)
}

// analyze parses a route's files and reads its handler and Config.
func analyze(fsys fs.FS, s Source) (Route, error) {
	r := Route{Source: s}
	var files []*parsed
	for _, name := range s.Files {
		p, err := parseFile(fsys, name)
		if err != nil {
			return r, err
		}
		files = append(files, p)
	}
	var main *parsed
	for _, p := range files {
		if p.name == s.File {
			main = p
		}
		if r.Package == "" {
			r.Package = p.file.Name.Name
		}
	}
	switch s.Kind {
	case KindAPI:
		form, err := main.apiHandler()
		if err != nil {
			return r, err
		}
		r.Form = form
	case KindRoute:
		methods, err := routeMethods(files)
		if err != nil {
			return r, err
		}
		if len(methods) == 0 {
			return r, &PosError{File: s.File, Msg: fmt.Sprintf("No HTTP methods exported in '%s'. Export a named export for each HTTP method.", s.File)}
		}
		r.Methods = methods
	}
	// Config may live in any file of a route handler's package.
	for _, p := range files {
		rc, err := p.readConfig(s.Kind)
		if err != nil {
			return r, err
		}
		if rc.Set {
			r.Config = rc
		}
	}
	if err := validateConfig(r); err != nil {
		return r, err
	}
	for _, p := range files {
		r.Streams = r.Streams || p.streams()
	}
	return r, nil
}

// uniqueName derives a stable name from a pattern: segments joined with
// "-", "_x" for [x], "__x" for [...x], "___x" for [[...x]], other characters
// replaced; a clash gets a numeric suffix.
func uniqueName(pattern string, taken map[string]string) string {
	pat, _ := router.ParsePattern(pattern)
	var parts []string
	for _, s := range pat.Segments {
		prefix := map[router.Kind]string{router.Static: "", router.Dynamic: "_", router.CatchAll: "__", router.OptionalCatchAll: "___"}[s.Kind]
		parts = append(parts, prefix+sanitize(s.Name))
	}
	name := strings.Join(parts, "-")
	if name == "" {
		name = "index"
	}
	if len(name) > 48 {
		name = name[:48]
	}
	base := name
	for n := 2; taken[name] != "" && taken[name] != pattern; n++ {
		name = fmt.Sprintf("%s-%d", base, n)
	}
	taken[name] = pattern
	return name
}

func sanitize(s string) string {
	var b strings.Builder
	for _, c := range s {
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '_', c == '-':
			b.WriteRune(c)
		default:
			b.WriteByte('_')
		}
	}
	return b.String()
}

// Patterns returns the table's patterns in order.
func (t *Table) Patterns() []string {
	out := make([]string, len(t.Routes))
	for i, r := range t.Routes {
		out[i] = r.Pattern
	}
	return out
}

// MethodNames returns a route handler's exported methods, sorted; ["*"] for
// an API route and the fallback.
func (r Route) MethodNames() []string {
	if r.Kind != KindRoute {
		return []string{"*"}
	}
	var out []string
	for _, m := range r.Methods {
		out = append(out, m.Name)
	}
	sort.Strings(out)
	return out
}
