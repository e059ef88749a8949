// Package bundler turns an app tree into builds: it loads the app (its
// go.mod, nextgo.json and route table, read by package routes), keeps its
// module set up for nextgo (the runtime under RuntimeDir, ImportsFile),
// stages it (package stage), and builds it for a target (package target:
// Lambda for `nextgo build`, the dev server for `nextgo dev`), compiling
// every changed program in one go build (package compile) and recording
// the build in manifest.json (package manifest). It also type-checks and
// vets the app (`nextgo check`) and stages its route tests (`nextgo
// test`).
package bundler

import (
	"context"
	"os"
	"path/filepath"
	"runtime"

	"github.com/nextgo-dev/nextgo/bundler/gobuild"
	"github.com/nextgo-dev/nextgo/bundler/projectconfig"
	"github.com/nextgo-dev/nextgo/bundler/routes"
	"github.com/nextgo-dev/nextgo/bundler/stage"
	"github.com/nextgo-dev/nextgo/bundler/target"
)

// Project is an app loaded from disk: its module, its nextgo.json and its
// route table.
type Project struct {
	stage.App
	Config *projectconfig.Config
	Table  *routes.Table
	// GoMod is the app's go.mod as read by Load.
	GoMod *GoMod
}

// Load reads the app in dir: its module path and its route table. The
// project stages into stage.Dev until a method picks another stage.
func Load(ctx context.Context, dir string) (*Project, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	gomod, err := ReadGoMod(ctx, abs)
	if err != nil {
		return nil, err
	}
	mod := gomod.Module.Path
	cfg, err := projectconfig.Load(abs)
	if err != nil {
		return nil, err
	}
	t, err := routes.BuildTable(os.DirFS(abs))
	if err != nil {
		return nil, err
	}
	app := stage.App{Module: mod, Dir: abs, Name: cfg.Name, Stage: stage.Dev}
	if app.Name == "" {
		app.Name = appName(mod)
	}
	if cfg.HasRules() {
		rc := cfg.Rules(t.Patterns())
		app.Rules = &rc
	}
	app.Defaults = stage.Defaults{MaxDuration: cfg.MaxDuration, Memory: cfg.Memory, BodyLimit: cfg.BodyLimit, BodyLimitBytes: cfg.BodyLimitBytes}
	return &Project{App: app, Config: cfg, Table: t, GoMod: gomod}, nil
}

// Prepare stages the project for compiling, under the stage's lock: the
// route packages, the middleware and the dev server's main. Stale staged files
// are removed. It returns the app's runtime directory (RuntimeDir).
func (p *Project) Prepare(ctx context.Context) (string, error) {
	unlock, err := p.Lock()
	if err != nil {
		return "", err
	}
	defer unlock()
	return p.prepare(ctx)
}

// enter makes name the project's stage and prepares it under its lock, as
// Prepare does, and returns the release of the lock, which the caller
// holds while it uses the stage.
func (p *Project) enter(ctx context.Context, name string) (unlock func(), err error) {
	p.Stage = name
	if unlock, err = p.Lock(); err != nil {
		return nil, err
	}
	if _, err := p.prepare(ctx); err != nil {
		unlock()
		return nil, err
	}
	return unlock, nil
}

// prepare is Prepare with the stage already locked. It checks that go.mod
// builds against this CLI's runtime, refreshes the runtime and ImportsFile,
// then stages.
func (p *Project) prepare(ctx context.Context) (string, error) {
	if problems := p.GoMod.Problems(); len(problems) > 0 {
		return "", &ModuleError{Dir: p.Dir, Problems: problems}
	}
	if err := EnsureRuntime(p.Dir); err != nil {
		return "", err
	}
	if err := WriteImports(p.Dir, p.Module); err != nil {
		return "", err
	}
	files, err := stage.Routes(os.DirFS(p.Dir), p.App, p.Table)
	if err != nil {
		return "", err
	}
	dev := target.Dev{}
	if _, _, err := p.stageMains(dev, files); err != nil {
		return "", err
	}
	if err := stage.Sync(p.App, []string{"routes", "middleware", dev.Name()}, files); err != nil {
		return "", err
	}
	return filepath.Join(p.Dir, filepath.FromSlash(RuntimeDir)), nil
}

// BuildDev compiles the dev server binary to out, under the stage's lock.
// Compiler errors name the user's files, thanks to the staged //line
// directives.
func (p *Project) BuildDev(ctx context.Context, out string) error {
	unlock, err := p.Lock()
	if err != nil {
		return err
	}
	defer unlock()
	dev := target.Dev{}
	return gobuild.Build(ctx, p.Dir, dev.GoEnv(runtime.GOARCH), dev.BuildFlags(), out, p.Pattern(dev.Name()))
}

// stageMains adds to files the generated mains of tgt's programs, and
// returns the programs and the warnings of the target.
func (p *Project) stageMains(tgt target.Target, files stage.Files) ([]target.Program, []string, error) {
	progs, warnings, err := tgt.Programs(p.App, p.Table)
	if err != nil {
		return nil, nil, err
	}
	for _, pr := range progs {
		files[pr.Dir+"/main.go"] = pr.Main
	}
	return progs, warnings, nil
}

// GoFlags are the go command flags of every build of the app
// (gobuild.Flags).
func (p *Project) GoFlags() []string { return gobuild.Flags() }

// GoEnv is the environment, on top of the user's, of every go command that
// builds the app (gobuild.Env).
func (p *Project) GoEnv() []string { return gobuild.Env() }

// Effective returns route r's limits as its Lambda function gets them:
// Config, then nextgo.json's defaults, then nextgo's.
func (p *Project) Effective(r routes.Route) (target.Effective, error) {
	eff, _, err := target.Lambda{}.Settings(p.App, r)
	return eff, err
}
