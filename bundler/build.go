package bundler

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/nextgo-dev/nextgo"
	"github.com/nextgo-dev/nextgo/bundler/dotenv"
	"github.com/nextgo-dev/nextgo/bundler/gobuild"
	"github.com/nextgo-dev/nextgo/bundler/internal/fsutil"
	"github.com/nextgo-dev/nextgo/bundler/manifest"
	"github.com/nextgo-dev/nextgo/bundler/stage"
	"github.com/nextgo-dev/nextgo/bundler/target"
)

// BuildOptions configure `nextgo build`.
type BuildOptions struct {
	// Target is the platform to build for; nil for Lambda (target.Lambda).
	Target target.Target
	// Arch is the GOARCH of the functions; "" for nextgo.json's
	// architecture, else the target's default (arm64 on Lambda).
	Arch string
	// Out is the output directory; default <app>/.nextgo/build.
	Out string
	// Env is the functions' environment; nil loads the production .env
	// set of the app (.env.production.local, .env.local,
	// .env.production, .env). The manifest records its names and digest,
	// never its values (see manifest.Function.Environ).
	Env map[string]string
	// Progress receives one line per step; nil for none.
	Progress io.Writer
	// Live, when Progress is a terminal, keeps the line of a long step
	// updated with its elapsed time.
	Live bool
}

// DefaultOut is the build output directory inside the app.
const DefaultOut = ".nextgo/build"

// BuildResult is what Build did.
type BuildResult struct {
	Manifest *manifest.Manifest
	// Built lists the functions compiled in this run; the others were
	// unchanged and kept.
	Built []string
	// Warnings name routes whose limits the target cannot honour.
	Warnings []string
	// Dir is the output directory.
	Dir string
}

// Build compiles the app's programs for the target, by default one Lambda
// function per route (a zip holding one `bootstrap`), and writes
// manifest.json. Programs whose inputs did not change since the last build
// are not re-linked. All changed programs compile in one `go build`
// invocation, sharing the build cache.
func (p *Project) Build(ctx context.Context, opts BuildOptions) (*BuildResult, error) {
	tgt := opts.Target
	if tgt == nil {
		tgt = target.Lambda{}
	}
	arch := opts.Arch
	if arch == "" {
		arch = p.Config.GOARCH()
	}
	if opts.Env == nil {
		env, _, err := dotenv.Load(p.Dir, dotenv.Production)
		if err != nil {
			return nil, err
		}
		opts.Env = env
	}
	arch, err := tgt.Arch(arch)
	if err != nil {
		return nil, err
	}
	out := opts.Out
	if out == "" {
		out = filepath.Join(p.Dir, filepath.FromSlash(DefaultOut))
	}
	out, err = filepath.Abs(out)
	if err != nil {
		return nil, err
	}
	progress := opts.Progress
	if progress == nil {
		progress = io.Discard
	}
	unlock, err := p.enter(ctx, stage.Build)
	if err != nil {
		return nil, err
	}
	defer unlock()
	res := &BuildResult{Dir: out}
	srcHash, err := SourceHash()
	if err != nil {
		return nil, err
	}
	shared, err := sharedInputs(p.Dir)
	if err != nil {
		return nil, err
	}
	mains := stage.Files{}
	progs, warnings, err := p.stageMains(tgt, mains)
	if err != nil {
		return nil, err
	}
	res.Warnings = warnings
	b := build{target: tgt, arch: arch, out: out}
	plans := make([]functionPlan, len(progs))
	for i, pr := range progs {
		plans[i] = functionPlan{Program: pr, inputs: p.inputsHash(pr, shared, srcHash, b)}
	}
	if err := stage.Sync(p.App, []string{tgt.Name()}, mains); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		return nil, err
	}
	var todo []functionPlan
	for _, pl := range plans {
		if !b.upToDate(pl) {
			todo = append(todo, pl)
		}
	}
	if len(todo) > 0 {
		msg := fmt.Sprintf(" ○ Compiling %d of %d functions (%s)...", len(todo), len(plans), arch)
		start := time.Now()
		stop := showProgress(progress, msg, opts.Live)
		err := p.compile(ctx, b, todo)
		stop()
		if err != nil {
			return nil, err
		}
		fmt.Fprintf(progress, " ✓ Compiled in %s\n", time.Since(start).Round(time.Millisecond))
	} else {
		fmt.Fprintf(progress, " ✓ %d functions up to date\n", len(plans))
	}
	for _, pl := range todo {
		res.Built = append(res.Built, pl.Name)
	}
	m := &manifest.Manifest{Version: manifest.Version, App: p.Name, Module: p.Module, Arch: arch, Nextgo: nextgo.Version}
	for _, pl := range plans {
		fn, err := b.describe(pl, opts.Env)
		if err != nil {
			return nil, err
		}
		m.Functions = append(m.Functions, fn)
	}
	js, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return nil, err
	}
	if err := fsutil.WriteIfChanged(filepath.Join(out, manifest.File), append(js, '\n')); err != nil {
		return nil, err
	}
	res.Manifest = m
	return res, nil
}

// showProgress prints msg; when live, it rewrites the line every second
// with the elapsed time until the returned stop is called.
func showProgress(w io.Writer, msg string, live bool) (stop func()) {
	if !live {
		fmt.Fprintln(w, msg)
		return func() {}
	}
	start := time.Now()
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		t := time.NewTicker(time.Second)
		defer t.Stop()
		for {
			fmt.Fprintf(w, "\r%s %ds", msg, int(time.Since(start).Seconds()))
			select {
			case <-done:
				fmt.Fprintln(w)
				return
			case <-t.C:
			}
		}
	}()
	return func() { close(done); <-finished }
}

// functionPlan is one program to build.
type functionPlan struct {
	target.Program
	inputs string // hash of everything that goes into the binary
}

// build is one run of Build: its target, architecture and output
// directory.
type build struct {
	target target.Target
	arch   string
	out    string
}

// sharedInputs hashes what every function may link besides its own route:
// the app's own packages (every .go file outside the route trees), go.mod
// and go.sum.
func sharedInputs(dir string) (string, error) {
	h := sha256.New()
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		rel = filepath.ToSlash(rel)
		if d.IsDir() {
			if rel == "pages" || rel == "app" || skippedDir(rel, d.Name()) {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(rel, ".go") && rel != "go.mod" && rel != "go.sum" {
			return nil
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		fmt.Fprintf(h, "%s %d\n", rel, len(b))
		h.Write(b)
		return nil
	})
	if err != nil {
		return "", fmt.Errorf("hash app packages: %w", err)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// inputsHash identifies a function's binary: its staged sources, its main,
// the app's shared inputs, nextgo's source, the toolchain, the
// architecture and the target's flags.
func (p *Project) inputsHash(pr target.Program, shared, srcHash string, b build) string {
	h := sha256.New()
	fmt.Fprintf(h, "nextgo %s %s\ngo %s\narch %s\nflags %s\nshared %s\n", nextgo.Version, srcHash, runtime.Version(), b.arch, strings.Join(b.target.BuildFlags(), " "), shared)
	h.Write(pr.Main)
	files := append([]string(nil), pr.Route.Files...)
	if p.Table.Middleware != nil {
		files = append(files, p.Table.Middleware.File)
	}
	sort.Strings(files)
	for _, f := range files {
		src, _ := os.ReadFile(filepath.Join(p.Dir, filepath.FromSlash(f)))
		fmt.Fprintf(h, "%s %d\n", f, len(src))
		h.Write(src)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// recordPath is the path of the record of a program's artifact inside the
// output directory.
func recordPath(name string) string { return "functions/" + name + ".json" }

// artifact records what a program's artifact was built from and what it
// holds, so that an unchanged program is neither re-linked nor re-read.
type artifact struct {
	Inputs     string `json:"inputs"`
	SHA256     string `json:"sha256"`
	Size       int64  `json:"size"`
	BinarySize int64  `json:"binarySize"`
	BinarySHA  string `json:"binarySha256"`
}

// readArtifact returns the record of a program whose artifact is in place.
func (b build) readArtifact(name string) (artifact, bool) {
	var a artifact
	rec, err := os.ReadFile(filepath.Join(b.out, filepath.FromSlash(recordPath(name))))
	if err != nil || json.Unmarshal(rec, &a) != nil {
		return a, false
	}
	info, err := os.Stat(filepath.Join(b.out, filepath.FromSlash(b.target.Artifact(name))))
	return a, err == nil && info.Size() == a.Size
}

// upToDate reports whether the program's artifact was built from the same
// inputs.
func (b build) upToDate(pl functionPlan) bool {
	a, ok := b.readArtifact(pl.Name)
	return ok && a.Inputs == pl.inputs
}

// compile builds the programs' mains in one go build invocation, then
// packages the binaries, one worker per CPU. The binaries stay in a folder
// of the stage directory between builds, so that the go command skips
// linking a binary that is already up to date (an edit that changes no
// code).
func (p *Project) compile(ctx context.Context, b build, todo []functionPlan) error {
	bin := p.Path("bin/" + b.target.Name() + "-" + b.arch)
	if err := os.MkdirAll(bin, 0o755); err != nil {
		return err
	}
	patterns := make([]string, len(todo))
	for i, pl := range todo {
		patterns[i] = p.Pattern(pl.Dir)
	}
	if err := gobuild.Build(ctx, p.Dir, b.target.GoEnv(b.arch), b.target.BuildFlags(), bin+string(filepath.Separator), patterns...); err != nil {
		return err
	}
	jobs := make(chan functionPlan)
	errs := make(chan error, len(todo))
	var wg sync.WaitGroup
	for range min(runtime.NumCPU(), len(todo)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for pl := range jobs {
				errs <- b.pack(bin, pl)
			}
		}()
	}
	for _, pl := range todo {
		jobs <- pl
	}
	close(jobs)
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// pack packages one built binary and records the artifact. A binary
// identical to the one already packaged keeps its artifact.
func (b build) pack(bin string, pl functionPlan) error {
	name := pl.Name
	exe, err := os.ReadFile(filepath.Join(bin, name))
	if err != nil {
		return fmt.Errorf("read the binary of %s: %w", pl.Route.File, err)
	}
	binSum := sha256.Sum256(exe)
	binSHA := hex.EncodeToString(binSum[:])
	if old, ok := b.readArtifact(name); ok && old.BinarySHA == binSHA {
		old.Inputs = pl.inputs
		rec, err := json.Marshal(old)
		if err != nil {
			return err
		}
		return fsutil.WriteAtomic(filepath.Join(b.out, filepath.FromSlash(recordPath(name))), rec)
	}
	data, err := b.target.Package(exe)
	if err != nil {
		return fmt.Errorf("zip %s: %w", pl.Route.File, err)
	}
	if err := fsutil.WriteAtomic(filepath.Join(b.out, filepath.FromSlash(b.target.Artifact(name))), data); err != nil {
		return fmt.Errorf("zip %s: %w", pl.Route.File, err)
	}
	sum := sha256.Sum256(data)
	rec, err := json.Marshal(artifact{Inputs: pl.inputs, SHA256: hex.EncodeToString(sum[:]), Size: int64(len(data)), BinarySize: int64(len(exe)), BinarySHA: binSHA})
	if err != nil {
		return err
	}
	return fsutil.WriteAtomic(filepath.Join(b.out, filepath.FromSlash(recordPath(name))), rec)
}

// describe turns a built program's record into its manifest entry, with
// the function's environment env.
func (b build) describe(pl functionPlan, env map[string]string) (manifest.Function, error) {
	r, eff := pl.Route, pl.Settings
	a, ok := b.readArtifact(pl.Name)
	if !ok {
		return manifest.Function{}, fmt.Errorf("%s: the build of %s is missing; build again", b.target.Artifact(pl.Name), r.File)
	}
	fn := manifest.Function{
		Name: pl.Name, Pattern: r.Pattern, File: r.File, Kind: string(r.Kind), Methods: r.MethodNames(),
		MaxDuration: eff.MaxDuration, Memory: eff.Memory, BodyLimit: eff.BodyLimit, BodyLimitText: eff.BodyLimitText, Cache: eff.Cache,
		Arch: b.arch, Zip: b.target.Artifact(pl.Name), SHA256: a.SHA256, Size: a.Size, BinarySize: a.BinarySize,
		Streaming: eff.Streaming, SharedCache: eff.SharedCache,
	}
	fn.SetEnv(env)
	return fn, nil
}

// appName is the module path's last element.
func appName(module string) string {
	return module[strings.LastIndex(module, "/")+1:]
}
