package bundler

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"sync"

	"github.com/nextgo-dev/nextgo"
)

// ModulePath is nextgo's own module path.
const ModulePath = "github.com/nextgo-dev/nextgo"

// Modfile names, inside the stage directory. They are not called go.mod so
// that the stage directory stays part of the app's module.
const (
	modfileName = "nextgo.mod"
	sumfileName = "nextgo.sum"
)

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

// Materialize writes the nextgo source embedded in this binary under
// cacheDir (once per source hash) and returns the module's directory. Apps
// are built against it through a replace directive, so nextgo needs no
// published module and no network.
func Materialize(cacheDir string) (string, error) {
	sum, err := SourceHash()
	if err != nil {
		return "", err
	}
	dir := filepath.Join(cacheDir, "src", nextgo.Version+"-"+sum)
	if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
		return dir, nil
	}
	if err := os.MkdirAll(filepath.Dir(dir), 0o755); err != nil {
		return "", fmt.Errorf("materialise nextgo source: %w", err)
	}
	tmp, err := os.MkdirTemp(filepath.Dir(dir), ".tmp-")
	if err != nil {
		return "", fmt.Errorf("materialise nextgo source: %w", err)
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
	if err != nil {
		return "", fmt.Errorf("materialise nextgo source: %w", err)
	}
	if err := os.Rename(tmp, dir); err != nil {
		if _, statErr := os.Stat(filepath.Join(dir, "go.mod")); statErr == nil {
			return dir, nil // another nextgo process got there first
		}
		return "", fmt.Errorf("materialise nextgo source: %w", err)
	}
	return dir, nil
}

// DefaultCacheDir is where nextgo keeps its materialised source:
// $NEXTGO_CACHE, else the user cache directory's nextgo folder.
func DefaultCacheDir() (string, error) {
	if d := os.Getenv("NEXTGO_CACHE"); d != "" {
		return d, nil
	}
	d, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("find a cache directory (set NEXTGO_CACHE): %w", err)
	}
	return filepath.Join(d, "nextgo"), nil
}

// ReadModulePath returns the module path declared by dir/go.mod.
func ReadModulePath(ctx context.Context, dir string) (string, error) {
	gomod := filepath.Join(dir, "go.mod")
	if _, err := os.Stat(gomod); err != nil {
		return "", fmt.Errorf("%s: no go.mod: an app is a Go module (run `go mod init` or `nextgo init`)", dir)
	}
	out, err := goCmd(ctx, dir, nil, "mod", "edit", "-json", gomod)
	if err != nil {
		return "", err
	}
	var m struct{ Module struct{ Path string } }
	if err := json.Unmarshal(out, &m); err != nil {
		return "", fmt.Errorf("read %s: %w", gomod, err)
	}
	return m.Module.Path, nil
}

// WriteModfile writes the stage's modfile: a copy of the app's go.mod that
// requires nextgo and replaces it with srcDir, with a go.sum that adds
// nextgo's own checksums to the app's.
func WriteModfile(ctx context.Context, appDir, srcDir string) error {
	stage := filepath.Join(appDir, StageDir)
	if err := os.MkdirAll(stage, 0o755); err != nil {
		return err
	}
	gomod, err := os.ReadFile(filepath.Join(appDir, "go.mod"))
	if err != nil {
		return err
	}
	appSum, _ := os.ReadFile(filepath.Join(appDir, "go.sum"))
	// The go command adds requirements to the modfile as it builds; it is
	// regenerated only when its own inputs change, so that those additions
	// are not redone on every build.
	key := sha256.New()
	fmt.Fprintf(key, "%s\n%d\n", srcDir, len(gomod))
	key.Write(gomod)
	key.Write(appSum)
	keyFile := filepath.Join(stage, "nextgo.key")
	sumKey := hex.EncodeToString(key.Sum(nil))
	modfile := filepath.Join(stage, modfileName)
	if old, err := os.ReadFile(keyFile); err == nil && string(old) == sumKey {
		if _, err := os.Stat(modfile); err == nil {
			return nil
		}
	}
	if err := os.WriteFile(modfile, gomod, 0o644); err != nil {
		return err
	}
	if _, err := goCmd(ctx, appDir, nil, "mod", "edit", "-require="+ModulePath+"@v"+nextgo.Version, "-replace="+ModulePath+"="+srcDir, modfile); err != nil {
		return err
	}
	ownSum, err := fs.ReadFile(nextgo.Source, "go.sum")
	if err != nil {
		return err
	}
	if err := writeIfChanged(filepath.Join(stage, sumfileName), mergeSums(appSum, ownSum)); err != nil {
		return err
	}
	return os.WriteFile(keyFile, []byte(sumKey), 0o644)
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

// writeIfChanged writes b to name unless it already holds exactly b.
func writeIfChanged(name string, b []byte) error {
	if old, err := os.ReadFile(name); err == nil && bytes.Equal(old, b) {
		return nil
	}
	if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
		return err
	}
	return os.WriteFile(name, b, 0o644)
}

// goCmd runs the go command in dir and returns its standard output; on
// failure the error carries its standard error.
func goCmd(ctx context.Context, dir string, env []string, args ...string) ([]byte, error) {
	cmd := exec.CommandContext(ctx, "go", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		msg := strings.TrimSpace(stderr.String())
		if msg == "" {
			msg = err.Error()
		}
		return out, &GoError{Verb: args[0], Output: msg}
	}
	return out, nil
}

// GoError is a failed go command: its verb and what it printed.
type GoError struct {
	Verb   string
	Output string
}

func (e *GoError) Error() string { return "go " + e.Verb + ": " + e.Output }

// stagePath joins stage-relative p under the app's stage directory.
func stagePath(appDir, p string) string {
	return filepath.Join(appDir, StageDir, filepath.FromSlash(path.Clean(p)))
}
