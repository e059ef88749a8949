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
	"github.com/nextgo-dev/nextgo/internal/lambdalimit"
	"github.com/nextgo-dev/nextgo/runtime/api"
)

// BuildOptions configure `nextgo build`.
type BuildOptions struct {
	// Arch is the GOARCH of the functions: "arm64" (default) or "amd64".
	Arch string
	// Out is the output directory; default <app>/.nextgo/build.
	Out string
	// Env is the functions' environment; nil loads the production .env
	// set of the app (.env.production.local, .env.local,
	// .env.production, .env). The manifest records its names and digest,
	// never its values (see Function.Environ).
	Env map[string]string
	// Progress receives one line per step; nil for none.
	Progress io.Writer
	// Live, when Progress is a terminal, keeps the line of a long step
	// updated with its elapsed time.
	Live bool
}

// BuildFlags are the go build flags of every function.
var BuildFlags = []string{"-trimpath", "-buildvcs=false", "-tags=lambda.norpc", "-ldflags=-s -w"}

// DefaultOut is the build output directory inside the app.
const DefaultOut = ".nextgo/build"

// BuildResult is what Build did.
type BuildResult struct {
	Manifest *Manifest
	// Built lists the functions compiled in this run; the others were
	// unchanged and kept.
	Built []string
	// Warnings name routes whose limits Lambda cannot honour.
	Warnings []string
	// Dir is the output directory.
	Dir string
}

// Build compiles every route into its own Lambda function: a zip holding one
// `bootstrap` per route, and manifest.json. Routes whose inputs did not
// change since the last build are not re-linked. All changed routes compile
// in one `go build` invocation, sharing the build cache.
func (p *Project) Build(ctx context.Context, opts BuildOptions) (*BuildResult, error) {
	if opts.Arch == "" {
		opts.Arch = p.Config.GOARCH()
	}
	if opts.Arch == "" {
		opts.Arch = "arm64"
	}
	if opts.Env == nil {
		env, _, err := dotenv.Load(p.Dir, dotenv.Production)
		if err != nil {
			return nil, err
		}
		opts.Env = env
	}
	if opts.Arch != "arm64" && opts.Arch != "amd64" {
		return nil, fmt.Errorf("--arch %q: Lambda runs arm64 or amd64", opts.Arch)
	}
	out := opts.Out
	if out == "" {
		out = filepath.Join(p.Dir, filepath.FromSlash(DefaultOut))
	}
	out, err := filepath.Abs(out)
	if err != nil {
		return nil, err
	}
	progress := opts.Progress
	if progress == nil {
		progress = io.Discard
	}
	p.Stage = StageBuild
	unlock, err := p.lockStage()
	if err != nil {
		return nil, err
	}
	defer unlock()
	if _, err := p.prepare(ctx); err != nil {
		return nil, err
	}
	res := &BuildResult{Dir: out}
	srcHash, err := SourceHash()
	if err != nil {
		return nil, err
	}
	shared, err := sharedInputs(p.Dir)
	if err != nil {
		return nil, err
	}
	mains := Files{}
	plans := make([]functionPlan, len(p.Table.Routes))
	for i, r := range p.Table.Routes {
		eff, warnings, err := effective(p.App, r)
		if err != nil {
			return nil, err
		}
		if eff.SharedCache, err = p.sharedCache(r, eff); err != nil {
			return nil, err
		}
		res.Warnings = append(res.Warnings, warnings...)
		main, err := LambdaMain(p.App, p.Table, r, eff)
		if err != nil {
			return nil, err
		}
		mains["lambda/"+r.Name+"/main.go"] = main
		plans[i] = functionPlan{route: r, eff: eff, inputs: p.inputsHash(r, main, shared, srcHash, opts)}
	}
	if fb, ok := p.fallbackRoute(); ok {
		eff := Effective{MaxDuration: p.Defaults.MaxDuration, Memory: p.Defaults.Memory, BodyLimit: -1, Cache: "none"}
		if eff.MaxDuration == 0 {
			eff.MaxDuration = DefaultMaxDuration
		}
		if eff.Memory == 0 {
			eff.Memory = DefaultMemory
		}
		if eff.SharedCache, err = p.sharedCache(fb, eff); err != nil {
			return nil, err
		}
		main, err := FallbackMain(p.App, p.Table, eff)
		if err != nil {
			return nil, err
		}
		mains["lambda/"+fb.Name+"/main.go"] = main
		plans = append(plans, functionPlan{route: fb, eff: eff, inputs: p.inputsHash(fb, main, shared, srcHash, opts)})
	}
	if err := syncDir(p.App, []string{"lambda"}, mains); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(filepath.Join(out, "functions"), 0o755); err != nil {
		return nil, err
	}
	var todo []functionPlan
	for _, pl := range plans {
		if !upToDate(out, pl) {
			todo = append(todo, pl)
		}
	}
	if len(todo) > 0 {
		msg := fmt.Sprintf(" ○ Compiling %d of %d functions (%s)...", len(todo), len(plans), opts.Arch)
		start := time.Now()
		stop := showProgress(progress, msg, opts.Live)
		err := p.compile(ctx, out, opts.Arch, todo)
		stop()
		if err != nil {
			return nil, err
		}
		fmt.Fprintf(progress, " ✓ Compiled in %s\n", time.Since(start).Round(time.Millisecond))
	} else {
		fmt.Fprintf(progress, " ✓ %d functions up to date\n", len(plans))
	}
	for _, pl := range todo {
		res.Built = append(res.Built, pl.route.Name)
	}
	m := &Manifest{Version: ManifestVersion, App: p.Name, Module: p.Module, Arch: opts.Arch, Nextgo: nextgo.Version}
	for _, pl := range plans {
		fn, err := describe(out, pl, opts)
		if err != nil {
			return nil, err
		}
		m.Functions = append(m.Functions, fn)
	}
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return nil, err
	}
	if err := writeIfChanged(filepath.Join(out, "manifest.json"), append(b, '\n')); err != nil {
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

// functionPlan is one route's function to build.
type functionPlan struct {
	route  Route
	eff    Effective
	inputs string // hash of everything that goes into the binary
}

// effective applies defaults and checks the route against Lambda's limits.
func effective(app App, r Route) (Effective, []string, error) {
	c := r.Config
	eff := Effective{MaxDuration: app.maxDuration(r), Memory: c.Memory, Cache: "none", Streaming: r.Streams}
	if eff.MaxDuration == 0 {
		eff.MaxDuration = DefaultMaxDuration
	}
	if eff.Memory == 0 {
		eff.Memory = app.Defaults.Memory
	}
	if eff.Memory == 0 {
		eff.Memory = DefaultMemory
	}
	var warnings []string
	limit := c.SizeLimit
	if r.Kind == KindRoute {
		limit = c.BodySizeLimit
	}
	if limit == "" {
		limit = app.Defaults.BodyLimit
	}
	switch {
	case r.Kind == KindAPI && c.BodyParserDisabled:
		eff.BodyLimit = -1
	case limit == "" && r.Kind == KindAPI:
		eff.BodyLimit, eff.BodyLimitText = 1<<20, api.DefaultSizeLimit
	case limit == "":
		eff.BodyLimit = -1
	default:
		n, err := api.ParseSize(limit)
		if err != nil {
			return eff, nil, &PosError{File: r.File, Line: c.Line, Msg: err.Error()}
		}
		eff.BodyLimit, eff.BodyLimitText = n, limit
	}
	if eff.BodyLimit > lambdalimit.MaxBinaryBody {
		warnings = append(warnings, fmt.Sprintf("%s: body limit %s is above what Lambda can carry (6 MB buffered, about 4.5 MB for a base64-encoded binary body); larger requests fail at the platform", r.File, limit))
	}
	if eff.BodyLimit < 0 && r.Kind == KindAPI {
		warnings = append(warnings, fmt.Sprintf("%s: body parser disabled: Lambda still caps request bodies at 6 MB buffered (about 4.5 MB for binary bodies)", r.File))
	}
	if r.Kind == KindRoute {
		eff.Cache = cacheMode(r)
	}
	return eff, warnings, nil
}

// cacheMode is how a route handler's GETs are cached, by the runtime's own
// rule (server.Config.Cached, Next 15+).
func cacheMode(r Route) string {
	c := serverConfig(r.Config)
	if !c.Cached(r.MethodNames()...) {
		return "none"
	}
	if c.Revalidate > 0 {
		return fmt.Sprintf("revalidate=%d", c.Revalidate)
	}
	return "static"
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
// the app's shared inputs, nextgo's source, the toolchain and the flags.
func (p *Project) inputsHash(r Route, main []byte, shared, srcHash string, opts BuildOptions) string {
	h := sha256.New()
	fmt.Fprintf(h, "nextgo %s %s\ngo %s\narch %s\nflags %s\nshared %s\n", nextgo.Version, srcHash, runtime.Version(), opts.Arch, strings.Join(BuildFlags, " "), shared)
	h.Write(main)
	files := append([]string(nil), r.Files...)
	if p.Table.Middleware != nil {
		files = append(files, p.Table.Middleware.File)
	}
	sort.Strings(files)
	for _, f := range files {
		b, _ := os.ReadFile(filepath.Join(p.Dir, filepath.FromSlash(f)))
		fmt.Fprintf(h, "%s %d\n", f, len(b))
		h.Write(b)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// Paths of one function's artifacts inside the output directory.
func zipPath(name string) string    { return "functions/" + name + ".zip" }
func recordPath(name string) string { return "functions/" + name + ".json" }

// artifact records what a function's zip was built from and what it holds,
// so that an unchanged function is neither re-linked nor re-read.
type artifact struct {
	Inputs     string `json:"inputs"`
	SHA256     string `json:"sha256"`
	Size       int64  `json:"size"`
	BinarySize int64  `json:"binarySize"`
	BinarySHA  string `json:"binarySha256"`
}

// readArtifact returns the record of a function whose zip is in place.
func readArtifact(out, name string) (artifact, bool) {
	var a artifact
	b, err := os.ReadFile(filepath.Join(out, filepath.FromSlash(recordPath(name))))
	if err != nil || json.Unmarshal(b, &a) != nil {
		return a, false
	}
	info, err := os.Stat(filepath.Join(out, filepath.FromSlash(zipPath(name))))
	return a, err == nil && info.Size() == a.Size
}

// upToDate reports whether the function's zip was built from the same
// inputs.
func upToDate(out string, pl functionPlan) bool {
	a, ok := readArtifact(out, pl.route.Name)
	return ok && a.Inputs == pl.inputs
}

// compile builds the functions' mains in one go build invocation, then zips
// the binaries, one worker per CPU. The binaries stay in a folder of the
// stage directory between builds, so that the go command skips linking a
// binary that is already up to date (an edit that changes no code).
func (p *Project) compile(ctx context.Context, out, arch string, todo []functionPlan) error {
	bin := p.stagePath("bin/lambda-" + arch)
	if err := os.MkdirAll(bin, 0o755); err != nil {
		return err
	}
	args := append([]string{"build"}, p.GoFlags()...)
	args = append(args, BuildFlags...)
	args = append(args, "-o", bin+string(filepath.Separator))
	for _, pl := range todo {
		args = append(args, p.stagePattern("lambda/"+pl.route.Name))
	}
	env := append(p.GoEnv(), "GOOS=linux", "GOARCH="+arch, "CGO_ENABLED=0")
	if err := compileErr(goCmd(ctx, p.Dir, env, args...)); err != nil {
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
				errs <- packageFunction(out, bin, pl)
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

// packageFunction zips one built binary and records the artifact. A binary
// identical to the one already zipped keeps its zip.
func packageFunction(out, bin string, pl functionPlan) error {
	name := pl.route.Name
	b, err := os.ReadFile(filepath.Join(bin, name))
	if err != nil {
		return fmt.Errorf("read the binary of %s: %w", pl.route.File, err)
	}
	binSum := sha256.Sum256(b)
	binSHA := hex.EncodeToString(binSum[:])
	if old, ok := readArtifact(out, name); ok && old.BinarySHA == binSHA {
		old.Inputs = pl.inputs
		rec, err := json.Marshal(old)
		if err != nil {
			return err
		}
		return writeAtomic(filepath.Join(out, filepath.FromSlash(recordPath(name))), rec)
	}
	zb, err := zipBootstrap(b)
	if err != nil {
		return fmt.Errorf("zip %s: %w", pl.route.File, err)
	}
	if err := writeAtomic(filepath.Join(out, filepath.FromSlash(zipPath(name))), zb); err != nil {
		return fmt.Errorf("zip %s: %w", pl.route.File, err)
	}
	sum := sha256.Sum256(zb)
	rec, err := json.Marshal(artifact{Inputs: pl.inputs, SHA256: hex.EncodeToString(sum[:]), Size: int64(len(zb)), BinarySize: int64(len(b)), BinarySHA: binSHA})
	if err != nil {
		return err
	}
	return writeAtomic(filepath.Join(out, filepath.FromSlash(recordPath(name))), rec)
}

// describe turns a built function's record into its manifest entry.
func describe(out string, pl functionPlan, opts BuildOptions) (Function, error) {
	r := pl.route
	a, ok := readArtifact(out, r.Name)
	if !ok {
		return Function{}, fmt.Errorf("%s: the build of %s is missing; build again", zipPath(r.Name), r.File)
	}
	fn := Function{
		Name: r.Name, Pattern: r.Pattern, File: r.File, Kind: string(r.Kind), Methods: r.MethodNames(),
		MaxDuration: pl.eff.MaxDuration, Memory: pl.eff.Memory, BodyLimit: pl.eff.BodyLimit, BodyLimitText: pl.eff.BodyLimitText, Cache: pl.eff.Cache,
		Arch: opts.Arch, Zip: zipPath(r.Name), SHA256: a.SHA256, Size: a.Size, BinarySize: a.BinarySize,
		Streaming: pl.eff.Streaming, SharedCache: pl.eff.SharedCache,
	}
	fn.SetEnv(opts.Env)
	return fn, nil
}

// appName is the module path's last element.
func appName(module string) string {
	return module[strings.LastIndex(module, "/")+1:]
}
