// Package stage writes an app's routes as legal Go packages, in a folder
// of the app (Dir) that the go command can build: each route's files
// behind //line directives naming the user's files, the middleware, the
// route tests, and the generated mains that targets render from the
// templates shared here (Templates, NewMain). Staging is a pure function
// of the app tree and the route table; Sync writes the result to disk,
// leaving unchanged files alone.
package stage

import (
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"

	"github.com/nextgo-dev/nextgo/bundler/internal/fsutil"
	"github.com/nextgo-dev/nextgo/bundler/routes"
	"github.com/nextgo-dev/nextgo/runtime/rules"
)

// Dir is the folder, inside the app, where nextgo stages the routes as
// legal Go packages. Its leading underscore makes `./...` skip it, and being
// inside the app's module keeps the app's internal/ packages importable and
// its go.mod in force.
const Dir = "_nextgo"

// The stages, folders of Dir: each command stages into its own, under
// a lock, so that commands running at once on one app never touch each
// other's files, and each keeps stable import paths (and so its build
// cache) from one run to the next.
const (
	Dev   = "dev"   // nextgo dev
	Build = "build" // nextgo build
	Test  = "test"  // nextgo test
	Check = "check" // nextgo check
)

// Files are staged files, keyed by their path relative to the stage directory.
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
	// Stage is the folder of Dir that staged files go to: Dev, Build, …
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

// RouteDir is the stage-relative folder of a route's package.
func RouteDir(r routes.Route) string { return "routes/" + r.Name }

// importPath is the import path of a stage-relative folder.
func (a App) importPath(dir string) string { return a.Module + "/" + path.Join(Dir, a.Stage, dir) }

// Path is the file path of a stage-relative file or folder.
func (a App) Path(p string) string {
	return filepath.Join(a.Dir, Dir, a.Stage, filepath.FromSlash(path.Clean(p)))
}

// Pattern is the go command pattern of a stage-relative folder, from the
// app's directory. Spelled out: "./_nextgo/..." matches nothing, as the go
// command skips folders whose names start with an underscore.
func (a App) Pattern(dir string) string { return "./" + path.Join(Dir, a.Stage, dir) }

// RoutePackage is the import path of route r's staged package.
func (a App) RoutePackage(r routes.Route) string { return a.importPath(RouteDir(r)) }

// Lock takes the lock of the app's stage folder, waiting while another
// nextgo process holds it, and returns its release.
func (a App) Lock() (unlock func(), err error) {
	return fsutil.Lock(filepath.Join(a.Dir, Dir, a.Stage+".lock"))
}

// Routes copies each route's files into its own package folder under the
// stage directory, each behind a //line directive naming the original file
// line 1, column 1. It is a pure function of the tree and the table.
func Routes(fsys fs.FS, app App, t *routes.Table) (Files, error) {
	files := Files{}
	for _, r := range t.Routes {
		for _, name := range r.Files {
			src, err := fs.ReadFile(fsys, name)
			if err != nil {
				return nil, fmt.Errorf("stage %s: %w", name, err)
			}
			base := path.Base(name)
			if r.Kind == routes.KindAPI {
				base = "route.go"
			}
			files[RouteDir(r)+"/"+base] = withLine(app, name, src)
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

// MaxDuration is the deadline a route runs with, in seconds: its Config's,
// else the project's; 0 for none (the local server then sets no deadline).
func (a App) MaxDuration(r routes.Route) int {
	if r.Config.MaxDuration > 0 {
		return r.Config.MaxDuration
	}
	return a.Defaults.MaxDuration
}

// Sync makes the stage folders dirs hold exactly files: changed files are
// written, others kept untouched, stale ones removed. With no dirs, it
// writes files and removes nothing.
func Sync(app App, dirs []string, files Files) error {
	for _, p := range files.Paths() {
		if err := fsutil.WriteIfChanged(app.Path(p), files[p]); err != nil {
			return fmt.Errorf("stage %s: %w", p, err)
		}
	}
	stageRoot := app.Path(".")
	for _, d := range dirs {
		root := app.Path(d)
		err := filepath.Walk(root, func(p string, info os.FileInfo, err error) error {
			if err != nil {
				if os.IsNotExist(err) {
					return nil
				}
				return err
			}
			rel, _ := filepath.Rel(stageRoot, p)
			rel = filepath.ToSlash(rel)
			if !info.IsDir() {
				if _, keep := files[rel]; !keep {
					return os.Remove(p)
				}
				return nil
			}
			if p != root && !hasPrefixDir(files, rel) {
				if err := os.RemoveAll(p); err != nil {
					return err
				}
				return filepath.SkipDir
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("clean stage: %w", err)
		}
	}
	return nil
}

func hasPrefixDir(files Files, dir string) bool {
	for p := range files {
		if strings.HasPrefix(p, dir+"/") {
			return true
		}
	}
	return false
}
