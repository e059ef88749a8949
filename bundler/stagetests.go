package bundler

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"path"
	"sort"
	"strings"

	"github.com/nextgo-dev/nextgo/bundler/stage"
)

// AppPackages returns the app's own Go packages as go command patterns
// ("." for the root, "./internal/store"): every folder with Go files outside
// the route trees (pages/api and app, which nextgo stages), the stage, and
// what the go command itself skips (folders starting with "." or "_",
// testdata, vendor and nested modules), and ImportsFile, which no build
// includes. They are what `go test ./...`
// would test if route folders were legal packages.
func AppPackages(fsys fs.FS) ([]string, error) {
	seen := map[string]bool{}
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if p == "." {
				return nil
			}
			name := d.Name()
			if p == "pages/api" || p == "app" || p == stage.Dir || strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_") ||
				name == "testdata" || name == "vendor" {
				return fs.SkipDir
			}
			if _, err := fs.Stat(fsys, path.Join(p, "go.mod")); err == nil {
				return fs.SkipDir // another module
			}
			return nil
		}
		if !strings.HasSuffix(p, ".go") || p == ImportsFile {
			return nil
		}
		dir := "./" + path.Dir(p)
		if path.Dir(p) == "." {
			dir = "."
		}
		seen[dir] = true
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("list the app's packages: %w", err)
	}
	out := make([]string, 0, len(seen))
	for d := range seen {
		out = append(out, d)
	}
	sort.Strings(out)
	return out, nil
}

// PrepareTests stages the project for `nextgo test`, in its own stage:
// everything Prepare stages, plus the route tests beside their routes. It
// returns the go test package patterns (the staged route packages that have
// tests, then the app's own packages; run them with GoFlags, from the app's
// directory) and the release of the stage's lock, which the caller holds
// until go test is done.
func (p *Project) PrepareTests(ctx context.Context) (pkgs []string, release func(), err error) {
	unlock, err := p.enter(ctx, stage.Test)
	if err != nil {
		return nil, nil, err
	}
	defer func() {
		if err != nil {
			unlock()
		}
	}()
	fsys := os.DirFS(p.Dir)
	files, routePkgs, err := stage.Tests(fsys, p.App, p.Table)
	if err != nil {
		return nil, nil, err
	}
	if err := stage.Sync(p.App, nil, files); err != nil {
		return nil, nil, err
	}
	own, err := AppPackages(fsys)
	if err != nil {
		return nil, nil, err
	}
	pkgs = make([]string, 0, len(routePkgs)+len(own))
	for _, rp := range routePkgs {
		pkgs = append(pkgs, p.Pattern(rp))
	}
	return append(pkgs, own...), unlock, nil
}
