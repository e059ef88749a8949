package bundler

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/nextgo-dev/nextgo/bundler/projectconfig"
)

// Project is an app loaded from disk: its module, its nextgo.json and its
// route table.
type Project struct {
	App
	Config *projectconfig.Config
	Table  *Table
}

// Load reads the app in dir: its module path and its route table.
func Load(ctx context.Context, dir string) (*Project, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	mod, err := ReadModulePath(ctx, abs)
	if err != nil {
		return nil, err
	}
	cfg, err := projectconfig.Load(abs)
	if err != nil {
		return nil, err
	}
	t, err := BuildTable(os.DirFS(abs))
	if err != nil {
		return nil, err
	}
	app := App{Module: mod, Dir: abs, Name: cfg.Name}
	if app.Name == "" {
		app.Name = appName(mod)
	}
	if cfg.HasRules() {
		rc := cfg.Rules(t.Patterns())
		app.Rules = &rc
	}
	app.Defaults = Defaults{MaxDuration: cfg.MaxDuration, Memory: cfg.Memory, BodyLimit: cfg.BodyLimit, BodyLimitBytes: cfg.BodyLimitBytes}
	return &Project{App: app, Config: cfg, Table: t}, nil
}

// Prepare stages the project for compiling: the route packages, the
// middleware, the modfile and the dev server's main. Stale staged files are
// removed. It returns the materialised nextgo source directory.
func (p *Project) Prepare(ctx context.Context) (string, error) {
	cache, err := DefaultCacheDir()
	if err != nil {
		return "", err
	}
	src, err := Materialize(cache)
	if err != nil {
		return "", err
	}
	if err := WriteModfile(ctx, p.Dir, src); err != nil {
		return "", err
	}
	files, err := Stage(os.DirFS(p.Dir), p.App, p.Table)
	if err != nil {
		return "", err
	}
	dev, err := DevMain(p.App, p.Table)
	if err != nil {
		return "", err
	}
	files["dev/main.go"] = dev
	if err := syncDir(p.Dir, []string{"routes", "middleware", "dev"}, files); err != nil {
		return "", err
	}
	return src, nil
}

// syncDir makes the stage folders dirs hold exactly files: changed files are
// written, others kept untouched, stale ones removed.
func syncDir(appDir string, dirs []string, files Files) error {
	for _, p := range files.Paths() {
		if err := writeIfChanged(stagePath(appDir, p), files[p]); err != nil {
			return fmt.Errorf("stage %s: %w", p, err)
		}
	}
	for _, d := range dirs {
		root := stagePath(appDir, d)
		err := filepath.Walk(root, func(p string, info os.FileInfo, err error) error {
			if err != nil {
				if os.IsNotExist(err) {
					return nil
				}
				return err
			}
			rel, _ := filepath.Rel(filepath.Join(appDir, StageDir), p)
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

// GoFlags are the go command flags of every build of the app: the stage's
// modfile and module-mode updates confined to it.
func (p *Project) GoFlags() []string {
	return []string{"-mod=mod", "-buildvcs=false", "-modfile=" + filepath.Join(p.Dir, StageDir, modfileName)}
}

// BuildDev compiles the dev server binary to out. Compiler errors name the
// user's files, thanks to the staged //line directives.
func (p *Project) BuildDev(ctx context.Context, out string) error {
	args := append([]string{"build"}, p.GoFlags()...)
	args = append(args, "-ldflags=-s -w", "-o", out, "./"+StageDir+"/dev")
	return compileErr(goCmd(ctx, p.Dir, nil, args...))
}

// Check type-checks every staged route as it will be compiled (go vet).
func (p *Project) Check(ctx context.Context) error {
	args := append([]string{"vet"}, p.GoFlags()...)
	// Spelled out: "./_nextgo/..." would match nothing, as the go command
	// skips folders whose names start with an underscore.
	for _, r := range p.Table.Routes {
		args = append(args, "./"+StageDir+"/"+routePkg(r))
	}
	if p.Table.Middleware != nil {
		args = append(args, "./"+StageDir+"/middleware")
	}
	args = append(args, "./"+StageDir+"/dev")
	return compileErr(goCmd(ctx, p.Dir, nil, args...))
}

// CompileError is the go command's report of a failed build, with file:line
// positions in the user's files.
type CompileError struct{ Output string }

func (e *CompileError) Error() string { return e.Output }

// compileErr turns a failed go build or vet into a CompileError.
func compileErr(_ []byte, err error) error {
	var ge *GoError
	if errors.As(err, &ge) {
		return &CompileError{Output: ge.Output}
	}
	return err
}

// Effective returns route r's limits as its function gets them: Config,
// then nextgo.json's defaults, then nextgo's.
func (p *Project) Effective(r Route) (Effective, error) {
	eff, _, err := effective(p.App, r)
	return eff, err
}
