package e2e

import (
	"archive/zip"
	"bytes"
	"context"
	"debug/buildinfo"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nextgo-dev/nextgo/bundler"
	"github.com/nextgo-dev/nextgo/bundler/target"
)

// moduleEnv is a machine as a user has it: GOFLAGS unset, its own module
// cache, and a module proxy that is either a local one (the "first
// download") or off.
type moduleEnv struct {
	t        *testing.T
	modcache string
	proxy    string // GOPROXY
}

func (e *moduleEnv) environ() []string {
	var env []string
	for _, kv := range os.Environ() {
		if k, _, _ := strings.Cut(kv, "="); k != "GOFLAGS" && k != "GOPROXY" && k != "GOMODCACHE" && k != "GONOSUMDB" && k != "GOTOOLCHAIN" {
			env = append(env, kv)
		}
	}
	return append(env, "GOPROXY="+e.proxy, "GOMODCACHE="+e.modcache, "GONOSUMDB=example.com/greet", "GOTOOLCHAIN=local", "NEXTGO_CACHE="+cacheDir)
}

// run runs a command in dir and returns its combined output.
func (e *moduleEnv) run(dir, name string, args ...string) (string, error) {
	e.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = dir
	cmd.Env = e.environ()
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// must runs a command that has to succeed.
func (e *moduleEnv) must(dir, name string, args ...string) string {
	e.t.Helper()
	out, err := e.run(dir, name, args...)
	if err != nil {
		e.t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
	return out
}

// writeGreetModule writes example.com/greet at version into a file-system
// module proxy: its Hello returns the version.
func writeGreetModule(t *testing.T, proxy, version string) {
	t.Helper()
	dir := filepath.Join(proxy, "example.com", "greet", "@v")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	gomod := "module example.com/greet\n\ngo 1.21\n"
	var zb bytes.Buffer
	zw := zip.NewWriter(&zb)
	for name, content := range map[string]string{
		"go.mod":   gomod,
		"greet.go": "// Package greet says hello.\npackage greet\n\n// Hello names the version.\nfunc Hello() string { return \"hello from " + version + "\" }\n",
	} {
		w, err := zw.Create("example.com/greet@" + version + "/" + name)
		if err != nil {
			t.Fatal(err)
		}
		w.Write([]byte(content))
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	for name, b := range map[string][]byte{
		version + ".mod":  []byte(gomod),
		version + ".zip":  zb.Bytes(),
		version + ".info": fmt.Appendf(nil, `{"Version":%q,"Time":"2025-01-01T00:00:00Z"}`, version),
	} {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// infoOverlay writes, into proxy, the .info file of every module version
// whose go.mod the machine's module cache holds without one, so that a file
// proxy made of that cache answers `go list -m all` as a module proxy does.
func infoOverlay(t *testing.T, download, proxy string) {
	t.Helper()
	err := filepath.WalkDir(download, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".mod") || filepath.Base(filepath.Dir(p)) != "@v" {
			return err
		}
		info := strings.TrimSuffix(p, ".mod") + ".info"
		if _, err := os.Stat(info); err == nil {
			return nil
		}
		rel, _ := filepath.Rel(download, info)
		version := strings.TrimSuffix(filepath.Base(p), ".mod")
		dst := filepath.Join(proxy, rel)
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			return err
		}
		return os.WriteFile(dst, fmt.Appendf(nil, `{"Version":%q,"Time":"2025-01-01T00:00:00Z"}`, version), 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// bootstrapDeps returns "path version" for each module a built function
// links, from its build information.
func bootstrapDeps(t *testing.T, zipFile string) string {
	t.Helper()
	b, err := target.ReadBootstrap(zipFile)
	if err != nil {
		t.Fatal(err)
	}
	bi, err := buildinfo.Read(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	var deps []string
	for _, d := range bi.Deps {
		deps = append(deps, d.Path+" "+d.Version)
	}
	return strings.Join(deps, "\n")
}

// TestModule: a new app is an ordinary Go module. With GOFLAGS unset and
// the module proxy off after the first download, go get records a module
// in the app's go.mod and go.sum, nextgo build links exactly that version,
// go mod tidy keeps what the routes import, a route importing a module that
// go.mod does not require fails with the go command's advice, the app's own
// packages build, vet and test with the go command alone, a fresh clone
// needs only `nextgo sync`, and a go.mod for another nextgo version is one
// clear error.
func TestModule(t *testing.T) {
	root := t.TempDir()
	goModCache, err := exec.Command("go", "env", "GOMODCACHE").Output()
	if err != nil {
		t.Fatal(err)
	}
	download := filepath.Join(strings.TrimSpace(string(goModCache)), "cache", "download")
	proxy := filepath.Join(root, "proxy")
	writeGreetModule(t, proxy, "v1.0.0")
	writeGreetModule(t, proxy, "v1.1.0")
	infoOverlay(t, download, proxy)
	e := &moduleEnv{t: t, modcache: filepath.Join(root, "modcache"), proxy: "file://" + filepath.ToSlash(proxy) + ",file://" + filepath.ToSlash(download)}
	t.Cleanup(func() { _, _ = e.run(root, "go", "clean", "-modcache") })

	// The first download: a new app, the module graph, and example.com/greet.
	app := filepath.Join(root, "shop")
	e.must(root, nextgoBin, "init", app, "--template", "rest")
	e.must(app, "go", "list", "-m", "all")
	e.must(app, "go", "mod", "download", "example.com/greet@v1.0.0", "example.com/greet@v1.1.0")
	e.proxy = "off"

	if out := e.must(app, "go", "list", "-m", "all"); !strings.Contains(out, "github.com/nextgo-dev/nextgo v0.1.0 => ./.nextgo/runtime\n") || !strings.Contains(out, "github.com/aws/aws-lambda-go v") {
		t.Errorf("go list -m all:\n%s", out)
	}
	sum, _ := os.ReadFile(filepath.Join(app, "go.sum"))
	if !strings.Contains(string(sum), "github.com/aws/aws-lambda-go ") {
		t.Errorf("go.sum lacks the checksums of nextgo's dependencies:\n%s", sum)
	}
	e.must(app, "go", "vet", "./lib/...")
	e.must(app, "go", "build", "./...")
	e.must(app, "go", "test", "./...")

	e.must(app, "go", "get", "example.com/greet@v1.0.0")
	gomod, _ := os.ReadFile(filepath.Join(app, "go.mod"))
	sum, _ = os.ReadFile(filepath.Join(app, "go.sum"))
	if !strings.Contains(string(gomod), "example.com/greet v1.0.0") || !strings.Contains(string(sum), "example.com/greet v1.0.0 h1:") {
		t.Fatalf("go get did not record example.com/greet:\ngo.mod:\n%s\ngo.sum:\n%s", gomod, sum)
	}
	writeAppFile(t, app, "pages/api/greet.go", "package greet\n\nimport (\n\t\"example.com/greet\"\n\n\t\"github.com/nextgo-dev/nextgo/runtime/api\"\n)\n\nfunc Handler(req *api.Request, res *api.Response) { res.Send(greet.Hello()) }\n")
	out := filepath.Join(root, "out")
	built := func(version string) {
		t.Helper()
		e.must(app, nextgoBin, "build", app, "--out", out)
		if deps := bootstrapDeps(t, filepath.Join(out, "functions", "api-greet.zip")); !strings.Contains(deps, "example.com/greet "+version) {
			t.Errorf("the function links, want example.com/greet %s:\n%s", version, deps)
		}
	}
	built("v1.0.0")
	e.must(app, "go", "get", "example.com/greet@v1.1.0")
	built("v1.1.0")

	// go mod tidy keeps what only a route imports, and nextgo's own modules.
	e.must(app, "go", "mod", "tidy")
	gomod, _ = os.ReadFile(filepath.Join(app, "go.mod"))
	for _, want := range []string{"example.com/greet v1.1.0\n", "github.com/aws/aws-lambda-go v"} {
		if !strings.Contains(string(gomod), want) {
			t.Errorf("after go mod tidy, go.mod lacks %q:\n%s", want, gomod)
		}
	}
	imports, _ := os.ReadFile(filepath.Join(app, bundler.ImportsFile))
	if !strings.Contains(string(imports), "\t_ \"example.com/greet\"\n") {
		t.Errorf("%s:\n%s", bundler.ImportsFile, imports)
	}

	// A route importing a module that go.mod does not require.
	writeAppFile(t, app, "pages/api/missing.go", "package missing\n\nimport (\n\t\"example.com/absent/pkg\"\n\n\t\"github.com/nextgo-dev/nextgo/runtime/api\"\n)\n\nfunc Handler(req *api.Request, res *api.Response) { res.Send(pkg.X) }\n")
	msg, err := e.run(app, nextgoBin, "build", app, "--out", out)
	if want := "pages/api/missing.go:4:2: no required module provides package example.com/absent/pkg; to add it:\n\tgo get example.com/absent/pkg"; err == nil || !strings.Contains(msg, want) {
		t.Errorf("a missing requirement: %v\n%s\nwant %q", err, msg, want)
	}
	if err := os.Remove(filepath.Join(app, "pages", "api", "missing.go")); err != nil {
		t.Fatal(err)
	}

	// A fresh clone on another machine with nextgo installed: nothing
	// ignored comes along; nextgo sync is all it needs.
	e.must(app, nextgoBin, "sync")
	e.must(app, "git", "init", "-q")
	e.must(app, "git", "add", ".")
	e.must(app, "git", "-c", "user.name=dev", "-c", "user.email=dev@example.com", "commit", "-qm", "shop")
	clone := filepath.Join(root, "clone")
	e.must(root, "git", "clone", "-q", app, clone)
	for _, ignored := range []string{".nextgo", "_nextgo"} {
		if _, err := os.Stat(filepath.Join(clone, ignored)); err == nil {
			t.Errorf("%s is committed", ignored)
		}
	}
	if msg, err := e.run(clone, "go", "list", "-m", "all"); err == nil || !strings.Contains(msg, ".nextgo/runtime") {
		t.Errorf("go list -m all before nextgo sync: %v\n%s", err, msg)
	}
	e.must(clone, nextgoBin, "sync")
	if status := e.must(clone, "git", "status", "--porcelain"); status != "" {
		t.Errorf("nextgo sync changed the clone:\n%s", status)
	}
	e.must(clone, "go", "vet", "./lib/...")
	e.must(clone, "go", "list", "-m", "all")
	e.must(clone, "go", "get", "example.com/greet@v1.0.0")
	e.must(clone, nextgoBin, "build", "--out", filepath.Join(root, "out2"))
	if deps := bootstrapDeps(t, filepath.Join(root, "out2", "functions", "api-greet.zip")); !strings.Contains(deps, "example.com/greet v1.0.0") {
		t.Errorf("the clone's function links:\n%s", deps)
	}

	// Another nextgo's go.mod is one clear error; a stale runtime is
	// rewritten.
	e.must(clone, "go", "mod", "edit", "-require=github.com/nextgo-dev/nextgo@v0.0.9")
	msg, err = e.run(clone, nextgoBin, "build")
	if want := "nextgo: go.mod requires github.com/nextgo-dev/nextgo v0.0.9, but this nextgo is v0.1.0: run `nextgo sync` in " + clone + "\n"; err == nil || msg != want {
		t.Errorf("another version: %v\n%q\nwant %q", err, msg, want)
	}
	e.must(clone, nextgoBin, "sync")
	stamp := filepath.Join(clone, ".nextgo", "runtime", "nextgo.stamp")
	if err := os.WriteFile(stamp, []byte("nextgo v0.0.9 old\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	e.must(clone, nextgoBin, "check")
	if b, _ := os.ReadFile(stamp); !strings.HasPrefix(string(b), "nextgo v0.1.0 ") {
		t.Errorf("the runtime was not rewritten: stamp %q", b)
	}
}
