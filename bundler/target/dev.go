package target

import (
	_ "embed"
	"fmt"
	"runtime"
	"text/template"

	"github.com/nextgo-dev/nextgo"
	"github.com/nextgo-dev/nextgo/bundler/routes"
	"github.com/nextgo-dev/nextgo/bundler/stage"
)

// Dev is the target of `nextgo dev`: one program for this machine that
// serves every route on one mux (runtime/devserver), sharing one response
// cache, behind the app's middleware and rules.
type Dev struct{}

// devserverPkg is the import path of the dev server in generated code.
const devserverPkg = nextgo.ModulePath + "/runtime/devserver"

//go:embed dev.go.tmpl
var devTemplates string

// devMains is the template of the dev server's main.
var devMains = template.Must(stage.Templates().Parse(devTemplates))

// Name is "dev".
func (Dev) Name() string { return "dev" }

// Arch is this machine's GOARCH, the only one the dev server runs on.
func (Dev) Arch(arch string) (string, error) {
	if arch != "" && arch != runtime.GOARCH {
		return "", fmt.Errorf("--arch %q: the dev server runs on this machine (%s)", arch, runtime.GOARCH)
	}
	return runtime.GOARCH, nil
}

// GoEnv is empty: the dev server is built for this machine.
func (Dev) GoEnv(string) []string { return nil }

// BuildFlags strip the binary.
func (Dev) BuildFlags() []string { return []string{"-ldflags=-s -w"} }

// Artifact is bin/<name>.
func (Dev) Artifact(name string) string { return "bin/" + name }

// Package returns the binary as it is: the dev server runs it in place.
func (Dev) Package(bin []byte) ([]byte, error) { return bin, nil }

// Imports are the response cache, the dev server and the dispatcher, and
// what NewMain adds.
func (Dev) Imports() []string {
	return append([]string{stage.CachePkg, devserverPkg, stage.MuxPkg}, stage.Imports...)
}

// Programs returns the one program, "dev", whose main is DevMain's.
func (Dev) Programs(app stage.App, t *routes.Table) ([]Program, []string, error) {
	main, err := DevMain(app, t)
	if err != nil {
		return nil, nil, err
	}
	return []Program{{Name: "dev", Dir: "dev", Main: main}}, nil, nil
}

// DevMain generates the dev server's main: every route mounted on one mux,
// sharing one cache store, behind the app's middleware.
func DevMain(app stage.App, t *routes.Table) ([]byte, error) {
	d, err := stage.NewMain(app, t, t.Routes, t.Middleware != nil,
		stage.Import{Path: stage.CachePkg}, stage.Import{Path: devserverPkg}, stage.Import{Path: stage.MuxPkg})
	if err != nil {
		return nil, fmt.Errorf("generate dev/main.go: %w", err)
	}
	if len(t.Routes) > 0 {
		d.Std = append(d.Std, stage.Import{Path: "time"})
	}
	d.Store = "cache.FromEnv()"
	return stage.Render(devMains, "dev/main.go", "dev", d)
}
