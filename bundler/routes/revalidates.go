package routes

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path"
	"strconv"
	"strings"
)

// revalidateNames are the selectors that purge the response cache: api.Response's
// Revalidate method and server.RevalidatePath.
var revalidateNames = map[string]bool{"Revalidate": true, "RevalidatePath": true}

// Revalidates reports whether code compiled from files (slash paths relative
// to the app root) may purge the response cache: whether they, or a package
// of the app (module) that they import directly or not, name a Revalidate
// method or server.RevalidatePath. Like streams, it reads syntax alone and
// so errs towards yes: a Revalidate method of any type counts. Such a
// function is linked with the shared store and allowed to write to it.
func Revalidates(fsys fs.FS, module string, files []string) (bool, error) {
	seen := map[string]bool{}
	queue := append([]string(nil), files...)
	for len(queue) > 0 {
		name := queue[0]
		queue = queue[1:]
		src, err := fs.ReadFile(fsys, name)
		if err != nil {
			return false, fmt.Errorf("read %s: %w", name, err)
		}
		f, err := parser.ParseFile(token.NewFileSet(), name, src, parser.SkipObjectResolution)
		if err != nil {
			return false, err
		}
		found := false
		ast.Inspect(f, func(n ast.Node) bool {
			if sel, ok := n.(*ast.SelectorExpr); ok && revalidateNames[sel.Sel.Name] {
				found = true
			}
			return !found
		})
		if found {
			return true, nil
		}
		for _, imp := range f.Imports {
			ip, _ := strconv.Unquote(imp.Path.Value)
			dir, ok := strings.CutPrefix(ip, module+"/")
			if !ok || seen[dir] {
				continue
			}
			seen[dir] = true
			entries, err := fs.ReadDir(fsys, dir)
			if err != nil {
				continue // not a folder of the app: the go command reports it
			}
			for _, e := range entries {
				n := e.Name()
				if !e.IsDir() && strings.HasSuffix(n, ".go") && !strings.HasSuffix(n, "_test.go") {
					queue = append(queue, path.Join(dir, n))
				}
			}
		}
	}
	return false, nil
}
