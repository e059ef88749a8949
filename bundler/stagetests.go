package bundler

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"path"
	"sort"
	"strings"
)

// StageTests returns the *_test.go files placed next to routes, staged
// beside their routes' files (each behind a //line directive naming the
// original file, as Stage does), and the stage-relative folders of the
// routes that have tests, in table order.
//
// A test file under pages/api belongs to the route file of the same stem
// (user_test.go tests user.go, [pid]_test.go tests [pid].go) and is staged
// as route_test.go beside route.go. A test file under app/ belongs to the
// route of its folder and keeps its name. A test file that belongs to no
// route is an error naming it: it would otherwise never run.
func StageTests(fsys fs.FS, app App, t *Table) (Files, []string, error) {
	byFile := map[string]Route{} // API route file → route
	byDir := map[string]Route{}  // route handler folder → route
	for _, r := range t.Routes {
		if r.Kind == KindAPI {
			byFile[r.File] = r
		} else {
			byDir[path.Dir(r.File)] = r
		}
	}
	files := Files{}
	tested := map[string]bool{}
	var problems []string
	walk := func(root string, own func(p string) (Route, string, bool, string)) error {
		if _, err := fs.Stat(fsys, root); err != nil {
			return nil
		}
		return fs.WalkDir(fsys, root, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() {
				if p != root && root == "app" && strings.HasPrefix(d.Name(), "_") {
					return fs.SkipDir // private folders are not routed
				}
				return nil
			}
			if !strings.HasSuffix(p, "_test.go") {
				return nil
			}
			r, base, ok, why := own(p)
			if !ok {
				problems = append(problems, p+": "+why)
				return nil
			}
			src, err := fs.ReadFile(fsys, p)
			if err != nil {
				return fmt.Errorf("stage %s: %w", p, err)
			}
			files[routePkg(r)+"/"+base] = withLine(app, p, src)
			tested[r.Name] = true
			return nil
		})
	}
	err := walk("pages/api", func(p string) (Route, string, bool, string) {
		file := strings.TrimSuffix(p, "_test.go") + ".go"
		r, ok := byFile[file]
		if !ok {
			return Route{}, "", false, fmt.Sprintf("no route %s for this test file (a test next to API routes is named after its route: user.go, user_test.go)", file)
		}
		return r, "route_test.go", true, ""
	})
	if err == nil {
		err = walk("app", func(p string) (Route, string, bool, string) {
			r, ok := byDir[path.Dir(p)]
			if !ok {
				return Route{}, "", false, fmt.Sprintf("no route.go in %s for this test file", path.Dir(p))
			}
			return r, path.Base(p), true, ""
		})
	}
	if err != nil {
		return nil, nil, err
	}
	if len(problems) > 0 {
		sort.Strings(problems)
		return nil, nil, fmt.Errorf("%s", strings.Join(problems, "; "))
	}
	var pkgs []string
	for _, r := range t.Routes {
		if tested[r.Name] {
			pkgs = append(pkgs, routePkg(r))
		}
	}
	return files, pkgs, nil
}

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
			if p == "pages/api" || p == "app" || p == StageDir || strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_") ||
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
	p.Stage = StageTest
	unlock, err := p.lockStage()
	if err != nil {
		return nil, nil, err
	}
	defer func() {
		if err != nil {
			unlock()
		}
	}()
	if _, err := p.prepare(ctx); err != nil {
		return nil, nil, err
	}
	fsys := os.DirFS(p.Dir)
	files, routePkgs, err := StageTests(fsys, p.App, p.Table)
	if err != nil {
		return nil, nil, err
	}
	for _, name := range files.Paths() {
		if err := writeIfChanged(p.stagePath(name), files[name]); err != nil {
			return nil, nil, fmt.Errorf("stage %s: %w", name, err)
		}
	}
	own, err := AppPackages(fsys)
	if err != nil {
		return nil, nil, err
	}
	pkgs = make([]string, 0, len(routePkgs)+len(own))
	for _, rp := range routePkgs {
		pkgs = append(pkgs, p.stagePattern(rp))
	}
	return append(pkgs, own...), unlock, nil
}
