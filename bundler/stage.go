package bundler

import (
	"fmt"
	"io/fs"
	"path"
	"path/filepath"
	"sort"

	"github.com/nextgo-dev/nextgo/runtime/rules"
)

// StageDir is the folder, inside the app, where nextgo stages the routes as
// legal Go packages. Its leading underscore makes `./...` skip it, and being
// inside the app's module keeps the app's internal/ packages importable and
// its go.mod in force.
const StageDir = "_nextgo"

// The stages, folders of StageDir: each command stages into its own, under
// a lock, so that commands running at once on one app never touch each
// other's files, and each keeps stable import paths (and so its build
// cache) from one run to the next.
const (
	StageDev   = "dev"   // nextgo dev
	StageBuild = "build" // nextgo build
	StageTest  = "test"  // nextgo test
	StageCheck = "check" // nextgo check
)

// Staged files are keyed by their path relative to the stage directory.
type Files map[string][]byte

// App is what staging needs to know about the app besides its tree.
type App struct {
	// Module is the app's module path, from its go.mod.
	Module string
	// Dir is the app's absolute directory, used in //line directives so
	// that compiler errors and panics name the user's files.
	Dir string
	// Name is the app's name: nextgo.json "name", else the module path's
	// last element.
	Name string
	// Defaults are nextgo.json's route defaults.
	Defaults Defaults
	// Rules are nextgo.json's headers, redirects, rewrites, trailingSlash
	// and basePath; nil when it sets none.
	Rules *rules.Config
	// Stage is the folder of StageDir that staged files go to: StageDev,
	// StageBuild, …
	Stage string
}

// Defaults are the project-wide route settings of nextgo.json; zero fields
// are unset.
type Defaults struct {
	MaxDuration    int    // seconds
	Memory         int    // MB
	BodyLimit      string // as written: "2mb"
	BodyLimitBytes int64
}

// routePkg is the stage-relative folder of a route's package.
func routePkg(r Route) string { return "routes/" + r.Name }

// importPath is the import path of a stage-relative folder.
func (a App) importPath(dir string) string { return a.Module + "/" + path.Join(StageDir, a.Stage, dir) }

// stagePath is the file path of a stage-relative file or folder.
func (a App) stagePath(p string) string {
	return filepath.Join(a.Dir, StageDir, a.Stage, filepath.FromSlash(path.Clean(p)))
}

// stagePattern is the go command pattern of a stage-relative folder, from
// the app's directory. Spelled out: "./_nextgo/..." matches nothing, as the
// go command skips folders whose names start with an underscore.
func (a App) stagePattern(dir string) string { return "./" + path.Join(StageDir, a.Stage, dir) }

// RoutePackage is the import path of route r's staged package.
func (a App) RoutePackage(r Route) string { return a.importPath(routePkg(r)) }

// Stage copies each route's files into its own package folder under the
// stage directory, each behind a //line directive naming the original file
// line 1, column 1. It is a pure function of the tree and the table.
func Stage(fsys fs.FS, app App, t *Table) (Files, error) {
	files := Files{}
	for _, r := range t.Routes {
		for _, name := range r.Files {
			src, err := fs.ReadFile(fsys, name)
			if err != nil {
				return nil, fmt.Errorf("stage %s: %w", name, err)
			}
			base := path.Base(name)
			if r.Kind == KindAPI {
				base = "route.go"
			}
			files[routePkg(r)+"/"+base] = withLine(app, name, src)
		}
	}
	if mw := t.Middleware; mw != nil {
		src, err := fs.ReadFile(fsys, mw.File)
		if err != nil {
			return nil, fmt.Errorf("stage %s: %w", mw.File, err)
		}
		files["middleware/middleware.go"] = withLine(app, mw.File, src)
	}
	return files, nil
}

// withLine prefixes src with a //line directive for name.
func withLine(app App, name string, src []byte) []byte {
	file := path.Join(app.Dir, name)
	out := make([]byte, 0, len(src)+len(file)+16)
	out = append(out, "//line "...)
	out = append(out, file...)
	out = append(out, ":1:1\n"...)
	return append(out, src...)
}

// Paths returns the staged file paths, sorted.
func (f Files) Paths() []string {
	out := make([]string, 0, len(f))
	for p := range f {
		out = append(out, p)
	}
	sort.Strings(out)
	return out
}

// usesImports reports which runtime packages generated code for routes needs.
func usesImports(routes []Route) (api, server, nethttp bool) {
	for _, r := range routes {
		switch r.Kind {
		case KindAPI:
			api = true
			if r.Form != FormAPI {
				nethttp = true
			}
		case KindRoute:
			server = true
		}
	}
	return
}

// maxDuration is the deadline a route runs with, in seconds: its Config's,
// else the project's; 0 for none (the local server then sets no deadline).
func (a App) maxDuration(r Route) int {
	if r.Config.MaxDuration > 0 {
		return r.Config.MaxDuration
	}
	return a.Defaults.MaxDuration
}
