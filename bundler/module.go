package bundler

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"go/version"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"

	"github.com/nextgo-dev/nextgo"
	"github.com/nextgo-dev/nextgo/bundler/gobuild"
	"github.com/nextgo-dev/nextgo/bundler/internal/fsutil"
)

// RuntimeDir is the folder, inside an app, that holds nextgo's runtime
// module: the source embedded in the CLI (nextgo.Source). The app's go.mod
// replaces ModulePath with it, so that the go command resolves nextgo,
// which no module proxy serves, from the app itself. nextgo writes it
// (`nextgo sync`, and every command that builds) and rewrites it when the
// CLI changes; it is not committed.
const RuntimeDir = ".nextgo/runtime"

// RuntimeReplace is RuntimeDir as the app's go.mod spells its replacement.
const RuntimeReplace = "./" + RuntimeDir

// RouteTrees are the app's folders that hold routes, as go.mod ignore
// paths: the go command skips them in ./... and all (bracketed names are
// not import paths; nextgo stages the routes), and nextgo compiles them.
var RouteTrees = []string{"./app", "./pages/api"}

// runtimeStampFile, inside RuntimeDir, records which CLI wrote it.
const runtimeStampFile = "nextgo.stamp"

// SourceHash identifies the embedded nextgo source: it changes whenever any
// runtime file does, and is part of every build's inputs. The embedded files
// are read-only, so it is computed once per process.
func SourceHash() (string, error) { return sourceHash() }

var sourceHash = sync.OnceValues(hashSource)

func hashSource() (string, error) {
	h := sha256.New()
	err := fs.WalkDir(nextgo.Source, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || skipSource(p) {
			return err
		}
		b, err := fs.ReadFile(nextgo.Source, p)
		if err != nil {
			return err
		}
		fmt.Fprintf(h, "%s %d\n", p, len(b))
		h.Write(b)
		return nil
	})
	if err != nil {
		return "", fmt.Errorf("hash embedded source: %w", err)
	}
	return hex.EncodeToString(h.Sum(nil))[:16], nil
}

// skipSource leaves tests and test data out of the materialised module.
func skipSource(p string) bool {
	return strings.HasSuffix(p, "_test.go") || strings.Contains("/"+p+"/", "/testdata/")
}

// runtimeStamp is the content of RuntimeDir's stamp for this CLI.
func runtimeStamp() (string, error) {
	sum, err := SourceHash()
	if err != nil {
		return "", err
	}
	return "nextgo v" + nextgo.Version + " " + sum + "\n", nil
}

// EnsureRuntime makes the app's RuntimeDir hold exactly the runtime
// embedded in this CLI. It writes nothing when the folder's stamp already
// names this CLI's source; otherwise it writes a new copy beside it and
// swaps it in, under a lock, so that concurrent nextgo commands agree.
func EnsureRuntime(appDir string) error {
	stamp, err := runtimeStamp()
	if err != nil {
		return err
	}
	dir := filepath.Join(appDir, filepath.FromSlash(RuntimeDir))
	current := func() bool {
		b, err := os.ReadFile(filepath.Join(dir, runtimeStampFile))
		return err == nil && string(b) == stamp
	}
	if current() {
		return nil
	}
	parent := filepath.Dir(dir)
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return fmt.Errorf("write nextgo's runtime: %w", err)
	}
	unlock, err := fsutil.Lock(filepath.Join(parent, "runtime.lock"))
	if err != nil {
		return err
	}
	defer unlock()
	if current() {
		return nil // another nextgo process wrote it meanwhile
	}
	tmp, err := os.MkdirTemp(parent, "runtime.tmp-")
	if err != nil {
		return fmt.Errorf("write nextgo's runtime: %w", err)
	}
	defer os.RemoveAll(tmp)
	err = fs.WalkDir(nextgo.Source, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || skipSource(p) {
			return err
		}
		b, err := fs.ReadFile(nextgo.Source, p)
		if err != nil {
			return err
		}
		dst := filepath.Join(tmp, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			return err
		}
		return os.WriteFile(dst, b, 0o644)
	})
	if err == nil {
		err = os.WriteFile(filepath.Join(tmp, runtimeStampFile), []byte(stamp), 0o644)
	}
	if err != nil {
		return fmt.Errorf("write nextgo's runtime: %w", err)
	}
	if _, err := os.Stat(dir); err == nil {
		old := tmp + ".old"
		if err := os.Rename(dir, old); err != nil {
			return fmt.Errorf("replace nextgo's runtime: %w", err)
		}
		defer os.RemoveAll(old)
	}
	if err := os.Rename(tmp, dir); err != nil {
		return fmt.Errorf("write nextgo's runtime: %w", err)
	}
	return nil
}

// GoMod is what nextgo reads from an app's go.mod (`go mod edit -json`).
type GoMod struct {
	Module  struct{ Path string }
	Go      string
	Require []struct {
		Path     string
		Version  string
		Indirect bool
	}
	Replace []struct {
		Old struct{ Path, Version string }
		New struct{ Path, Version string }
	}
	Ignore []struct{ Path string }
}

// ReadGoMod reads dir/go.mod.
func ReadGoMod(ctx context.Context, dir string) (*GoMod, error) {
	gomod := filepath.Join(dir, "go.mod")
	if _, err := os.Stat(gomod); err != nil {
		return nil, fmt.Errorf("%s: no go.mod: an app is a Go module (run `nextgo init`, or `go mod init` then `nextgo sync`)", dir)
	}
	out, err := gobuild.Run(ctx, dir, nil, "mod", "edit", "-json", gomod)
	if err != nil {
		return nil, err
	}
	var m GoMod
	if err := json.Unmarshal(out, &m); err != nil {
		return nil, fmt.Errorf("read %s: %w", gomod, err)
	}
	return &m, nil
}

// ReadModulePath returns the module path declared by dir/go.mod.
func ReadModulePath(ctx context.Context, dir string) (string, error) {
	m, err := ReadGoMod(ctx, dir)
	if err != nil {
		return "", err
	}
	return m.Module.Path, nil
}

// Problems lists what keeps the go.mod from building against this CLI's
// runtime: the requirement of nextgo at this CLI's version and the
// replacement by RuntimeReplace. `nextgo sync` fixes each.
func (m *GoMod) Problems() []string {
	var out []string
	want := "v" + nextgo.Version
	required := ""
	for _, r := range m.Require {
		if r.Path == nextgo.ModulePath {
			required = r.Version
		}
	}
	switch required {
	case want:
	case "":
		out = append(out, fmt.Sprintf("go.mod does not require %s", nextgo.ModulePath))
	default:
		out = append(out, fmt.Sprintf("go.mod requires %s %s, but this nextgo is %s", nextgo.ModulePath, required, want))
	}
	replaced := false
	for _, r := range m.Replace {
		if r.Old.Path == nextgo.ModulePath {
			if r.Old.Version != "" || filepath.ToSlash(filepath.Clean(r.New.Path)) != RuntimeDir {
				out = append(out, fmt.Sprintf("go.mod replaces %s with %s, not with %s (nextgo's runtime, written by this CLI)", nextgo.ModulePath, strings.TrimSpace(r.New.Path+" "+r.New.Version), RuntimeReplace))
			}
			replaced = true
		}
	}
	if !replaced {
		out = append(out, fmt.Sprintf("go.mod does not replace %s with %s (nextgo's runtime, written by this CLI)", nextgo.ModulePath, RuntimeReplace))
	}
	return out
}

// ModuleError is an app whose go.mod does not build against this CLI.
type ModuleError struct {
	Dir      string
	Problems []string
}

// Error lists the problems and says to run `nextgo sync`.
func (e *ModuleError) Error() string {
	return strings.Join(e.Problems, "; ") + ": run `nextgo sync` in " + e.Dir
}

// SyncOptions configure Sync.
type SyncOptions struct {
	// Tidy runs `go mod tidy` last, so that go.mod and go.sum record what
	// the routes and nextgo's runtime import.
	Tidy bool
}

// Sync sets the app in dir up for both nextgo and the go command: it writes
// this CLI's runtime into RuntimeDir, makes go.mod require nextgo at this
// CLI's version and replace it with RuntimeDir, ignore the route trees and
// declare at least nextgo's go version, writes ImportsFile, adds nextgo's
// own checksums to go.sum and, with opts.Tidy, runs `go mod tidy`. It is
// what a fresh clone of an app needs before the go command works on it,
// and what moves an app to a new nextgo.
func Sync(ctx context.Context, dir string, opts SyncOptions) error {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return err
	}
	m, err := ReadGoMod(ctx, abs)
	if err != nil {
		return err
	}
	if err := EnsureRuntime(abs); err != nil {
		return err
	}
	args := []string{"mod", "edit", "-require=" + nextgo.ModulePath + "@v" + nextgo.Version, "-replace=" + nextgo.ModulePath + "=" + RuntimeReplace}
	for _, r := range m.Replace {
		if r.Old.Path == nextgo.ModulePath && r.Old.Version != "" {
			args = append(args, "-dropreplace="+nextgo.ModulePath+"@"+r.Old.Version)
		}
	}
	ignored := map[string]bool{}
	for _, ig := range m.Ignore {
		ignored[ig.Path] = true
	}
	for _, t := range RouteTrees {
		if !ignored[t] {
			args = append(args, "-ignore="+t)
		}
	}
	own, err := OwnGoVersion()
	if err != nil {
		return err
	}
	if versionLess(m.Go, own) {
		args = append(args, "-go="+own)
	}
	if _, err := gobuild.Run(ctx, abs, nil, append(args, filepath.Join(abs, "go.mod"))...); err != nil {
		return err
	}
	if err := WriteImports(abs, m.Module.Path); err != nil {
		return err
	}
	ownSum, err := fs.ReadFile(nextgo.Source, "go.sum")
	if err != nil {
		return err
	}
	appSum, _ := os.ReadFile(filepath.Join(abs, "go.sum"))
	if err := fsutil.WriteIfChanged(filepath.Join(abs, "go.sum"), mergeSums(appSum, ownSum)); err != nil {
		return err
	}
	if opts.Tidy {
		if _, err := gobuild.Run(ctx, abs, nil, "mod", "tidy"); err != nil {
			return err
		}
	}
	return nil
}

// OwnGoVersion is the go version nextgo's own go.mod declares: an app needs
// at least that to build against it.
func OwnGoVersion() (string, error) {
	b, err := fs.ReadFile(nextgo.Source, "go.mod")
	if err != nil {
		return "", err
	}
	for _, l := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(strings.TrimSpace(l), "go "); ok {
			return strings.TrimSpace(v), nil
		}
	}
	return "", fmt.Errorf("nextgo's go.mod has no go directive")
}

// versionLess reports whether go version a (as go.mod spells it: 1.26,
// 1.26.0) is older than b; "1.26" is older than "1.26.0", as for the go
// command.
func versionLess(a, b string) bool {
	return version.Compare("go"+a, "go"+b) < 0
}

// mergeSums returns the union of go.sum files, sorted.
func mergeSums(sums ...[]byte) []byte {
	seen := map[string]bool{}
	var lines []string
	for _, s := range sums {
		for _, l := range strings.Split(string(s), "\n") {
			l = strings.TrimSpace(l)
			if l != "" && !seen[l] {
				seen[l] = true
				lines = append(lines, l)
			}
		}
	}
	sort.Strings(lines)
	return []byte(strings.Join(lines, "\n") + "\n")
}
