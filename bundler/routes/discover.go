package routes

import (
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"
)

// Kind says which router a route comes from.
type Kind string

// The route kinds.
const (
	KindAPI   Kind = "api"   // pages/api/**.go: func Handler(req, res)
	KindRoute Kind = "route" // app/**/route.go: exported GET, POST, …
	// KindFallback is the function nextgo build adds for the paths no route
	// serves, to run the middleware and nextgo.json rules on Lambda.
	KindFallback Kind = "fallback"
)

// Source is a route file found in the app tree, before analysis.
type Source struct {
	Kind Kind
	// File is the route file, slash-separated and relative to the app root:
	// "pages/api/post/[pid].go" or "app/items/[slug]/route.go".
	File string
	// Files are the Go files compiled as the route's package, relative to
	// the app root: the file itself for an API route; every non-test .go
	// file of the folder for a route handler.
	Files []string
	// Pattern is the URL pattern: "/api/post/[pid]".
	Pattern string
}

// Discover finds the routes of the app whose root is fsys: every .go file
// under pages/api (not *_test.go) and every app/**/route.go. It is a pure
// function of the tree; the result is sorted by file.
func Discover(fsys fs.FS) ([]Source, error) {
	var out []Source
	// pages/api: every .go file but tests is a route; index maps to its
	// folder.
	err := walkTree(fsys, "pages/api", func(p string, d fs.DirEntry) error {
		if d.IsDir() || !strings.HasSuffix(p, ".go") || strings.HasSuffix(p, "_test.go") {
			return nil
		}
		pattern := strings.TrimSuffix(strings.TrimPrefix(p, "pages"), ".go") // "/api/post/[pid]"
		pattern = strings.TrimSuffix(pattern, "/index")
		out = append(out, Source{Kind: KindAPI, File: p, Files: []string{p}, Pattern: pattern})
		return nil
	})
	if err != nil {
		return nil, err
	}
	// app: every folder with a route.go is a route; private folders are
	// never routed.
	err = walkTree(fsys, "app", func(p string, d fs.DirEntry) error {
		if d.IsDir() {
			if p != "app" && strings.HasPrefix(d.Name(), "_") {
				return fs.SkipDir
			}
			return nil
		}
		if d.Name() != "route.go" {
			return nil
		}
		dir := path.Dir(p)
		files, err := packageFiles(fsys, dir)
		if err != nil {
			return err
		}
		out = append(out, Source{Kind: KindRoute, File: p, Files: files, Pattern: appPattern(dir)})
		return nil
	})
	if err != nil {
		return nil, err
	}
	sort.Slice(out, func(i, j int) bool { return out[i].File < out[j].File })
	return out, nil
}

// walkTree walks the route tree root, when the app has one.
func walkTree(fsys fs.FS, root string, visit func(p string, d fs.DirEntry) error) error {
	if _, err := fs.Stat(fsys, root); err != nil {
		return nil
	}
	err := fs.WalkDir(fsys, root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		return visit(p, d)
	})
	if err != nil {
		return fmt.Errorf("discover %s: %w", root, err)
	}
	return nil
}

// packageFiles lists the non-test .go files of dir.
func packageFiles(fsys fs.FS, dir string) ([]string, error) {
	entries, err := fs.ReadDir(fsys, dir)
	if err != nil {
		return nil, err
	}
	var files []string
	for _, e := range entries {
		n := e.Name()
		if e.IsDir() || !strings.HasSuffix(n, ".go") || strings.HasSuffix(n, "_test.go") {
			continue
		}
		files = append(files, path.Join(dir, n))
	}
	return files, nil
}

// appPattern turns a folder under app/ into its URL: route groups "(x)" are
// dropped, and a leading "%5F" stands for a literal underscore.
func appPattern(dir string) string {
	var segs []string
	for _, s := range strings.Split(dir, "/")[1:] {
		if strings.HasPrefix(s, "(") && strings.HasSuffix(s, ")") {
			continue
		}
		if strings.HasPrefix(s, "%5F") || strings.HasPrefix(s, "%5f") {
			s = "_" + s[3:]
		}
		segs = append(segs, s)
	}
	return "/" + strings.Join(segs, "/")
}
