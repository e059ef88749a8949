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
	// GoMod is the app's go.mod as read by Load.
	GoMod *GoMod
}

// Load reads the app in dir: its module path and its route table. The
// project stages into StageDev until a method picks another stage.
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
	t, err := BuildTable(os.DirFS(abs))
	if err != nil {
		return nil, err
	}
	app := App{Module: mod, Dir: abs, Name: cfg.Name, Stage: StageDev}
	if app.Name == "" {
		app.Name = appName(mod)
	}
	if cfg.HasRules() {
		rc := cfg.Rules(t.Patterns())
		app.Rules = &rc
	}
	app.Defaults = Defaults{MaxDuration: cfg.MaxDuration, Memory: cfg.Memory, BodyLimit: cfg.BodyLimit, BodyLimitBytes: cfg.BodyLimitBytes}
	return &Project{App: app, Config: cfg, Table: t, GoMod: gomod}, nil
}

// lockStage takes the lock of the project's stage folder.
func (p *Project) lockStage() (unlock func(), err error) {
	return lockFile(filepath.Join(p.Dir, StageDir, p.Stage+".lock"))
}

// Prepare stages the project for compiling, under the stage's lock: the
// route packages, the middleware and the dev server's main. Stale staged files
// are removed. It returns the app's runtime directory (RuntimeDir).
func (p *Project) Prepare(ctx context.Context) (string, error) {
	unlock, err := p.lockStage()
	if err != nil {
		return "", err
	}
	defer unlock()
	return p.prepare(ctx)
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
	files, err := Stage(os.DirFS(p.Dir), p.App, p.Table)
	if err != nil {
		return "", err
	}
	dev, err := DevMain(p.App, p.Table)
	if err != nil {
		return "", err
	}
	files["dev/main.go"] = dev
	if err := syncDir(p.App, []string{"routes", "middleware", "dev"}, files); err != nil {
		return "", err
	}
	return filepath.Join(p.Dir, filepath.FromSlash(RuntimeDir)), nil
}

// syncDir makes the stage folders dirs hold exactly files: changed files are
// written, others kept untouched, stale ones removed.
func syncDir(app App, dirs []string, files Files) error {
	for _, p := range files.Paths() {
		if err := writeIfChanged(app.stagePath(p), files[p]); err != nil {
			return fmt.Errorf("stage %s: %w", p, err)
		}
	}
	stageRoot := app.stagePath(".")
	for _, d := range dirs {
		root := app.stagePath(d)
		err := filepath.Walk(root, func(p string, info os.FileInfo, err error) error {
			if err != nil {
				if os.IsNotExist(err) {
					return nil
				}
				return err
			}
			rel, _ := filepath.Rel(stageRoot, p)
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

// GoFlags are the go command flags of every build of the app.
func (p *Project) GoFlags() []string { return []string{"-buildvcs=false"} }

// GoEnv is the environment, on top of the user's, of every go command that
// builds the app: GOFLAGS without any -mod flag, so that the go command
// reads the app's own go.mod and go.sum read-only (or its vendor folder),
// and a missing requirement is its error and advice (go get …), never a
// silent choice.
func (p *Project) GoEnv() []string {
	var keep []string
	for _, f := range strings.Fields(os.Getenv("GOFLAGS")) {
		if f != "-mod" && !strings.HasPrefix(f, "-mod=") && !strings.HasPrefix(f, "--mod=") {
			keep = append(keep, f)
		}
	}
	return []string{"GOFLAGS=" + strings.Join(keep, " ")}
}

// BuildDev compiles the dev server binary to out, under the stage's lock.
// Compiler errors name the user's files, thanks to the staged //line
// directives.
func (p *Project) BuildDev(ctx context.Context, out string) error {
	unlock, err := p.lockStage()
	if err != nil {
		return err
	}
	defer unlock()
	args := append([]string{"build"}, p.GoFlags()...)
	args = append(args, "-ldflags=-s -w", "-o", out, p.stagePattern("dev"))
	return compileErr(goCmd(ctx, p.Dir, p.GoEnv(), args...))
}

// CompileError is the go command's report of a failed build, with file:line
// positions in the user's files.
type CompileError struct{ Output string }

func (e *CompileError) Error() string { return e.Output }

// runtimeNeedsSync reports whether the go command's report says that the
// runtime's own imports are missing from go.mod or go.sum.
func runtimeNeedsSync(out string) bool {
	return strings.Contains(out, "(imported by "+ModulePath+"/") && strings.Contains(out, "missing go.sum entry") ||
		strings.Contains(out, "updates to go.mod needed")
}

// compileErr turns a failed go build or vet into a CompileError.
func compileErr(_ []byte, err error) error {
	var ge *GoError
	if errors.As(err, &ge) {
		out := userAdvice(ge.Output)
		if runtimeNeedsSync(out) {
			out += "\nnextgo's runtime needs modules that go.mod and go.sum do not list yet (a new nextgo?): run `nextgo sync`"
		}
		return &CompileError{Output: out}
	}
	return err
}

// Effective returns route r's limits as its function gets them: Config,
// then nextgo.json's defaults, then nextgo's.
func (p *Project) Effective(r Route) (Effective, error) {
	eff, _, err := effective(p.App, r)
	return eff, err
}
