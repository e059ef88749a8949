package bundler

import (
	"fmt"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/nextgo-dev/nextgo/bundler/internal/fsutil"
	"github.com/nextgo-dev/nextgo/bundler/stage"
	"github.com/nextgo-dev/nextgo/bundler/target"
)

// ImportsFile is the file, at the app's root, that lists what nextgo's
// builds import from outside the app and the standard library: every import
// of the route trees (which go.mod ignores) and of the code nextgo
// generates. Its build constraint keeps it out of every build, but `go mod
// tidy` reads it, so go.mod and go.sum keep recording the modules the routes
// need. nextgo rewrites it whenever the routes' imports change; commit it.
const ImportsFile = "nextgo_imports.go"

// ImportsTag is the build tag that keeps ImportsFile out of builds.
const ImportsTag = "nextgo"

// targets are the targets nextgo builds apps for: the dev server and
// Lambda.
var targets = []target.Target{target.Dev{}, target.Lambda{}}

// generatedImports are the packages that nextgo's generated mains import,
// for every target, sorted.
var generatedImports = func() []string {
	var all []string
	for _, t := range targets {
		all = append(all, t.Imports()...)
	}
	slices.Sort(all)
	return slices.Compact(all)
}()

// RouteImports returns, sorted, the packages that the Go files of the app's
// route trees (routes, their tests and private folders) import from
// outside the module and the standard library, plus generatedImports.
func RouteImports(fsys fs.FS, module string) ([]string, error) {
	seen := map[string]bool{}
	for _, p := range generatedImports {
		seen[p] = true
	}
	for _, root := range RouteTrees {
		root = strings.TrimPrefix(root, "./")
		if _, err := fs.Stat(fsys, root); err != nil {
			continue
		}
		err := fs.WalkDir(fsys, root, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() {
				if p != root && (strings.HasPrefix(d.Name(), ".") || d.Name() == "testdata") {
					return fs.SkipDir
				}
				if _, err := fs.Stat(fsys, path.Join(p, "go.mod")); err == nil && p != root {
					return fs.SkipDir // another module
				}
				return nil
			}
			if !strings.HasSuffix(p, ".go") {
				return nil
			}
			src, err := fs.ReadFile(fsys, p)
			if err != nil {
				return err
			}
			f, _ := parser.ParseFile(token.NewFileSet(), p, src, parser.ImportsOnly)
			if f == nil {
				return nil
			}
			for _, imp := range f.Imports {
				ip, err := strconv.Unquote(imp.Path.Value)
				if err == nil && !isStd(ip) && ip != module && !strings.HasPrefix(ip, module+"/") {
					seen[ip] = true
				}
			}
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("read the routes' imports: %w", err)
		}
	}
	out := make([]string, 0, len(seen))
	for p := range seen {
		out = append(out, p)
	}
	sort.Strings(out)
	return out, nil
}

// isStd reports whether an import path is the standard library's (its
// first element has no dot), or cgo's "C".
func isStd(ip string) bool {
	first, _, _ := strings.Cut(ip, "/")
	return !strings.Contains(first, ".")
}

// ImportsSource renders ImportsFile for the given imports, in package pkg,
// which must be a Go identifier (a package clause's name); the import
// paths are quoted. It panics when pkg is not an identifier.
func ImportsSource(pkg string, imports []string) []byte {
	src, err := stage.Render(stage.Templates(), ImportsFile, "imports-file", struct {
		Tag, Package string
		Imports      []string
	}{ImportsTag, pkg, imports})
	if err != nil {
		panic(err) // only a package name that is not an identifier fails to format
	}
	return src
}

// WriteImports writes the app's ImportsFile, unless it is up to date. Its
// package clause is that of the app's root package, if any.
func WriteImports(dir, module string) error {
	fsys := os.DirFS(dir)
	imports, err := RouteImports(fsys, module)
	if err != nil {
		return err
	}
	return fsutil.WriteIfChanged(filepath.Join(dir, ImportsFile), ImportsSource(rootPackage(fsys), imports))
}

// rootPackage is the package name of the app's root Go files, "nextgo"
// when there are none.
func rootPackage(fsys fs.FS) string {
	entries, _ := fs.ReadDir(fsys, ".")
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || name == ImportsFile || !strings.HasSuffix(name, ".go") || strings.HasSuffix(name, "_test.go") {
			continue
		}
		src, err := fs.ReadFile(fsys, name)
		if err != nil {
			continue
		}
		if f, err := parser.ParseFile(token.NewFileSet(), name, src, parser.PackageClauseOnly); err == nil {
			return f.Name.Name
		}
	}
	return "nextgo"
}
