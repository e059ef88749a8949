// Package templates holds the project templates of `nextgo init`, embedded
// in the CLI. Each is a small, real app with its own README and route
// tests (run them with `nextgo test`):
//
//	api-routes      the default: API routes (pages/api), dynamic and catch-all
//	route-handlers  route handlers (app/**/route.go): methods, params, cookies, redirect, streaming
//	rest            a CRUD resource with index and [id] routes, and validation
//	cors            the CORS helper, on a route handler and an API route, with preflight
//	middleware      auth-style middleware.go with a matcher
//	webhook         a raw body (body parser disabled) with an HMAC signature check
//
// The templates' sources live under _apps (a folder the go command skips:
// they are apps, not packages of this module). Their imports of their own
// packages use the module path example.com/nextgo-template, replaced by the
// new app's when rendered.
package templates

import (
	"bytes"
	"embed"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"

	"github.com/nextgo-dev/nextgo"
	"github.com/nextgo-dev/nextgo/bundler"
)

//go:embed all:_apps
var apps embed.FS

// Default is the template of `nextgo init` without --template.
const Default = "api-routes"

// placeholder is the module path the templates' sources are written with.
const placeholder = "example.com/nextgo-template"

// Template is one project template.
type Template struct {
	Name    string
	Summary string
}

// List returns the templates, the default first.
func List() []Template {
	return []Template{
		{"api-routes", "API routes (pages/api): the docs' user route, a dynamic [pid] and a catch-all"},
		{"route-handlers", "route handlers (app/**/route.go): GET/POST, params, cookies, redirect, streaming"},
		{"rest", "a CRUD resource with index and [id] routes, and validation"},
		{"cors", "the CORS helper on a route handler and an API route, with preflight"},
		{"middleware", "auth-style middleware.go with a matcher"},
		{"webhook", "a raw body (body parser disabled) with an HMAC signature check"},
	}
}

// File is one file of a rendered template.
type File struct {
	// Path is slash-separated, relative to the app's root.
	Path string
	Data []byte
}

// Render returns the files of the named template for an app whose module
// path is module, sorted by path: the template's sources with module in
// place of the placeholder, a go.mod that requires this nextgo (replaced by
// the runtime nextgo writes into the app) with nextgo's own go.sum, a
// .gitignore for nextgo's folders and VS Code settings for its packages
// driver. The app is ready once `nextgo sync` has run in it (nextgo init
// does).
func Render(name, module string) ([]File, error) {
	if !known(name) {
		return nil, fmt.Errorf("unknown template %q (templates: %s)", name, strings.Join(Names(), ", "))
	}
	if module == "" {
		return nil, fmt.Errorf("a module path is required")
	}
	root := "_apps/" + name
	var out []File
	err := fs.WalkDir(apps, root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := apps.ReadFile(p)
		if err != nil {
			return err
		}
		if strings.HasSuffix(p, ".go") || strings.HasSuffix(p, ".md") {
			b = bytes.ReplaceAll(b, []byte(placeholder), []byte(module))
		}
		out = append(out, File{Path: strings.TrimPrefix(p, root+"/"), Data: b})
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("template %s: %w", name, err)
	}
	goVersion, err := bundler.OwnGoVersion()
	if err != nil {
		return nil, err
	}
	ownSum, err := fs.ReadFile(nextgo.Source, "go.sum")
	if err != nil {
		return nil, err
	}
	out = append(out,
		File{Path: "go.mod", Data: goMod(module, goVersion)},
		// nextgo's own checksums: go mod tidy keeps those the app needs.
		File{Path: "go.sum", Data: ownSum},
		File{Path: ".gitignore", Data: []byte("# nextgo's runtime, packages driver, staged routes and build output\n.nextgo/\n_nextgo/\n\n# local environment files: secrets\n.env*.local\n")},
		File{Path: ".vscode/settings.json", Data: []byte(VSCodeSettings)},
	)
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out, nil
}

// VSCodeSettings are the editor settings `nextgo init` writes: the Go
// extension's tools (gopls among them) load packages through nextgo's
// packages driver, which the app's .nextgo folder holds.
const VSCodeSettings = `{
  "go.toolsEnvVars": {
    "GOPACKAGESDRIVER": "${workspaceFolder}/.nextgo/bin/nextgo-packages-driver"
  }
}
`

// goMod is a new app's go.mod: it requires this nextgo, replaced by the
// runtime that nextgo writes into the app, and has the go command skip the
// route trees, which nextgo compiles.
func goMod(module, goVersion string) []byte {
	return fmt.Appendf(nil, `module %s

go %s

require github.com/nextgo-dev/nextgo v%s

// nextgo's runtime is the copy embedded in the nextgo CLI: `+"`nextgo sync`"+`
// (and every nextgo command) writes it to .nextgo/runtime.
replace github.com/nextgo-dev/nextgo => ./.nextgo/runtime

// nextgo compiles each route on its own (bracketed names are not import
// paths); nextgo_imports.go lists the routes' imports for go mod tidy.
ignore (
	./app
	./pages/api
)
`, module, goVersion, nextgo.Version)
}

// Names returns the template names.
func Names() []string {
	var names []string
	for _, t := range List() {
		names = append(names, t.Name)
	}
	return names
}

func known(name string) bool {
	for _, t := range List() {
		if t.Name == name {
			return true
		}
	}
	return false
}

// paths lists a template's files (for tests).
func paths(files []File) []string {
	out := make([]string, len(files))
	for i, f := range files {
		out[i] = path.Clean(f.Path)
	}
	return out
}
