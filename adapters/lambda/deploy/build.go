package deploy

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/nextgo-dev/nextgo/bundler/manifest"
	"github.com/nextgo-dev/nextgo/internal/lambdalimit"
)

// ManifestFile is the name of the manifest in a build directory
// (manifest.File).
const ManifestFile = manifest.File

// Build is the output of `nextgo build`: the manifest and the directory
// its zip paths are relative to.
type Build struct {
	Dir      string
	Manifest manifest.Manifest
	// Env holds the values of the functions' environment: the app's
	// production .env set, which the manifest names but does not hold.
	// Each function takes the variables it names (manifest.Function.Environ).
	Env map[string]string
}

// LoadBuild reads dir/manifest.json and checks it: schema version, app
// name, architectures, Lambda's timeout and memory
// ranges, route patterns, route keys served by one function each (so at
// most one fallback), and that every zip exists and has the SHA-256 the
// manifest records (a stale manifest is an error, not a silent mismatch).
//
// env holds the values of the functions' environment, which the manifest
// names: the app's production .env set as read now.
func LoadBuild(dir string, env map[string]string) (*Build, error) {
	data, err := os.ReadFile(filepath.Join(dir, ManifestFile))
	if err != nil {
		return nil, fmt.Errorf("read build: %w", err)
	}
	var m manifest.Manifest
	if err := json.Unmarshal(data, &m); err != nil {
		return nil, fmt.Errorf("read build: %s: %w", filepath.Join(dir, ManifestFile), err)
	}
	b := &Build{Dir: dir, Manifest: m, Env: env}
	if err := b.check(); err != nil {
		return nil, fmt.Errorf("read build: %s: %w", filepath.Join(dir, ManifestFile), err)
	}
	return b, nil
}

func (b *Build) check() error {
	m := &b.Manifest
	if m.Version != manifest.Version {
		return fmt.Errorf("manifest version %d, this nextgo reads version %d: rebuild", m.Version, manifest.Version)
	}
	if err := validateApp(m.App); err != nil {
		return err
	}
	if len(m.Functions) == 0 {
		return fmt.Errorf("the build has no routes")
	}
	keys := map[string]string{} // route key → function name
	for i := range m.Functions {
		fn := &m.Functions[i]
		if fn.Name == "" {
			return fmt.Errorf("function %d (%s) has no name", i, fn.Pattern)
		}
		if _, err := lambdaArch(fn.Arch); err != nil {
			return fmt.Errorf("function %s: %w", fn.Name, err)
		}
		if fn.MaxDuration < lambdalimit.MinTimeout || fn.MaxDuration > lambdalimit.MaxTimeout {
			return fmt.Errorf("function %s: maxDuration %d s is outside Lambda's %d..%d s", fn.Name, fn.MaxDuration, lambdalimit.MinTimeout, lambdalimit.MaxTimeout)
		}
		if fn.Memory < lambdalimit.MinMemory || fn.Memory > lambdalimit.MaxMemory {
			return fmt.Errorf("function %s: memory %d MB is outside Lambda's %d..%d MB", fn.Name, fn.Memory, lambdalimit.MinMemory, lambdalimit.MaxMemory)
		}
		rks, err := RouteKeys(*fn)
		if err != nil {
			return fmt.Errorf("function %s: %w", fn.Name, err)
		}
		for _, k := range rks {
			if prev, dup := keys[k]; dup {
				return fmt.Errorf("functions %q and %q both serve route %s", prev, fn.Name, k)
			}
			keys[k] = fn.Name
		}
		if fn.Zip == "" || filepath.IsAbs(fn.Zip) || strings.HasPrefix(filepath.Clean(fn.Zip), "..") {
			return fmt.Errorf("function %s: zip path %q must be relative to the build directory", fn.Name, fn.Zip)
		}
		sum, err := fileSHA256(filepath.Join(b.Dir, fn.Zip))
		if err != nil {
			return fmt.Errorf("function %s: %w", fn.Name, err)
		}
		if !strings.EqualFold(sum, fn.SHA256) {
			return fmt.Errorf("function %s: %s has SHA-256 %s, the manifest says %s: rebuild", fn.Name, fn.Zip, sum, fn.SHA256)
		}
	}
	if err := checkRouteConflicts(slices.Sorted(maps.Keys(keys))); err != nil {
		return err
	}
	return CheckManifest(m, b.Env)
}

// zip reads the zip of fn and checks it against the manifest again.
func (b *Build) zip(fn *manifest.Function) ([]byte, error) {
	data, err := os.ReadFile(filepath.Join(b.Dir, fn.Zip))
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(data)
	if !strings.EqualFold(hex.EncodeToString(sum[:]), fn.SHA256) {
		return nil, fmt.Errorf("%s changed since the build was loaded", fn.Zip)
	}
	return data, nil
}

func fileSHA256(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", fmt.Errorf("read %s: %w", path, err)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}
