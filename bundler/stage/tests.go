package stage

import (
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"

	"github.com/nextgo-dev/nextgo/bundler/routes"
)

// Tests returns the *_test.go files placed next to routes, staged
// beside their routes' files (each behind a //line directive naming the
// original file, as Routes does), and the stage-relative folders of the
// routes that have tests, in table order.
//
// A test file under pages/api belongs to the route file of the same stem
// (user_test.go tests user.go, [pid]_test.go tests [pid].go) and is staged
// as route_test.go beside route.go. A test file under app/ belongs to the
// route of its folder and keeps its name. A test file that belongs to no
// route is an error naming it: it would otherwise never run.
func Tests(fsys fs.FS, app App, t *routes.Table) (Files, []string, error) {
	byFile := map[string]routes.Route{} // API route file → route
	byDir := map[string]routes.Route{}  // route handler folder → route
	for _, r := range t.Routes {
		if r.Kind == routes.KindAPI {
			byFile[r.File] = r
		} else {
			byDir[path.Dir(r.File)] = r
		}
	}
	files := Files{}
	tested := map[string]bool{}
	var problems []string
	walk := func(root string, own func(p string) (routes.Route, string, bool, string)) error {
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
			files[RouteDir(r)+"/"+base] = withLine(app, p, src)
			tested[r.Name] = true
			return nil
		})
	}
	err := walk("pages/api", func(p string) (routes.Route, string, bool, string) {
		file := strings.TrimSuffix(p, "_test.go") + ".go"
		r, ok := byFile[file]
		if !ok {
			return routes.Route{}, "", false, fmt.Sprintf("no route %s for this test file (a test next to API routes is named after its route: user.go, user_test.go)", file)
		}
		return r, "route_test.go", true, ""
	})
	if err == nil {
		err = walk("app", func(p string) (routes.Route, string, bool, string) {
			r, ok := byDir[path.Dir(p)]
			if !ok {
				return routes.Route{}, "", false, fmt.Sprintf("no route.go in %s for this test file", path.Dir(p))
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
			pkgs = append(pkgs, RouteDir(r))
		}
	}
	return files, pkgs, nil
}
