package bundler

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"testing"

	"github.com/nextgo-dev/nextgo"
	"github.com/nextgo-dev/nextgo/bundler/manifest"
	"github.com/nextgo-dev/nextgo/bundler/routes"
	"github.com/nextgo-dev/nextgo/bundler/stage"
	"github.com/nextgo-dev/nextgo/bundler/target"
)

// hostTarget is a test-only platform: one bare program per route, built
// for this machine and shipped as the binary itself. Build drives it
// through target.Target alone, as it drives Lambda.
type hostTarget struct{}

func (hostTarget) Name() string                       { return "host" }
func (hostTarget) Arch(string) (string, error)        { return runtime.GOARCH, nil }
func (hostTarget) Imports() []string                  { return nil }
func (hostTarget) GoEnv(string) []string              { return nil }
func (hostTarget) BuildFlags() []string               { return []string{"-ldflags=-s -w"} }
func (hostTarget) Artifact(name string) string        { return "host/" + name }
func (hostTarget) Package(bin []byte) ([]byte, error) { return bin, nil }
func (hostTarget) Programs(app stage.App, t *routes.Table) ([]target.Program, []string, error) {
	var progs []target.Program
	for _, r := range t.Routes {
		progs = append(progs, target.Program{Name: r.Name, Dir: "host/" + r.Name, Main: []byte("package main\n\nfunc main() {}\n"),
			Route: r, Settings: target.Effective{MaxDuration: 7, Memory: 64, BodyLimit: -1, Cache: "none"}})
	}
	return progs, []string{"host: no limits"}, nil
}

// Build stages, compiles, packages and records a target's programs, and
// leaves an unchanged program alone on the next build.
func TestBuildTarget(t *testing.T) {
	dir := t.TempDir()
	goVersion, err := OwnGoVersion()
	if err != nil {
		t.Fatal(err)
	}
	files := map[string]string{
		"go.mod": "module example.com/app\n\ngo " + goVersion + "\n\nrequire " + nextgo.ModulePath + " v" + nextgo.Version +
			"\n\nreplace " + nextgo.ModulePath + " => " + RuntimeReplace + "\n",
		"pages/api/user.go":  apiUser,
		"app/items/route.go": getRoute,
	}
	for name, src := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	ctx := context.Background()
	p, err := Load(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "out")
	res, err := p.Build(ctx, BuildOptions{Target: hostTarget{}, Out: out, Env: map[string]string{"MODE": "test"}})
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"api-user", "items"}; !reflect.DeepEqual(res.Built, want) {
		t.Errorf("built %v, want %v", res.Built, want)
	}
	if want := []string{"host: no limits"}; !reflect.DeepEqual(res.Warnings, want) {
		t.Errorf("warnings %v, want %v", res.Warnings, want)
	}
	m := res.Manifest
	if m.Version != manifest.Version || m.App != "app" || m.Module != "example.com/app" || m.Arch != runtime.GOARCH || len(m.Functions) != 2 {
		t.Fatalf("manifest %+v", m)
	}
	for _, fn := range m.Functions {
		bin, err := os.ReadFile(filepath.Join(out, filepath.FromSlash(fn.Zip)))
		if err != nil || fn.Zip != "host/"+fn.Name || int64(len(bin)) != fn.Size || fn.BinarySize != fn.Size ||
			fn.MaxDuration != 7 || fn.Memory != 64 || fn.Arch != runtime.GOARCH || !reflect.DeepEqual(fn.Env, []string{"MODE"}) {
			t.Errorf("function %+v: artifact %d bytes, %v", fn, len(bin), err)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, stage.Dir, stage.Build, "host", "api-user", "main.go")); err != nil {
		t.Errorf("the target's main is not staged in its folder: %v", err)
	}
	written, err := os.ReadFile(filepath.Join(out, manifest.File))
	if err != nil || len(written) == 0 {
		t.Fatalf("manifest.json: %v", err)
	}

	again, err := p.Build(ctx, BuildOptions{Target: hostTarget{}, Out: out, Env: map[string]string{"MODE": "test"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(again.Built) != 0 || !reflect.DeepEqual(again.Manifest, m) {
		t.Errorf("second build: built %v, manifest changed: %v", again.Built, !reflect.DeepEqual(again.Manifest, m))
	}
}
