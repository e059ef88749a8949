package target

import (
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestLambdaArch(t *testing.T) {
	for _, tt := range []struct {
		in, want, err string
	}{
		{"", "arm64", ""},
		{"arm64", "arm64", ""},
		{"amd64", "amd64", ""},
		{"x86_64", "", `--arch "x86_64": Lambda runs arm64 or amd64`},
		{"386", "", `--arch "386": Lambda runs arm64 or amd64`},
	} {
		got, err := Lambda{}.Arch(tt.in)
		if got != tt.want || (err == nil) != (tt.err == "") || err != nil && err.Error() != tt.err {
			t.Errorf("Arch(%q) = %q, %v; want %q, %q", tt.in, got, err, tt.want, tt.err)
		}
	}
}

// Package is deterministic and ReadBootstrap gives the binary back.
func TestLambdaPackage(t *testing.T) {
	bin := bytes.Repeat([]byte("\x7fELF binary "), 1000)
	a, err := Lambda{}.Package(bin)
	if err != nil {
		t.Fatal(err)
	}
	b, err := Lambda{}.Package(bin)
	if err != nil || !bytes.Equal(a, b) {
		t.Fatalf("two packages of one binary differ (%v)", err)
	}
	zipFile := filepath.Join(t.TempDir(), "f.zip")
	if err := os.WriteFile(zipFile, a, 0o644); err != nil {
		t.Fatal(err)
	}
	got, err := ReadBootstrap(zipFile)
	if err != nil || !bytes.Equal(got, bin) {
		t.Fatalf("ReadBootstrap = %d bytes, %v; want the %d bytes packaged", len(got), err, len(bin))
	}
	if _, err := ReadBootstrap(filepath.Join(t.TempDir(), "none.zip")); err == nil {
		t.Error("ReadBootstrap of a missing zip succeeded")
	}
}

// Programs: one function per route in table order, each with its main and
// settings, then the fallback; warnings for limits Lambda overrides.
func TestLambdaPrograms(t *testing.T) {
	dir := t.TempDir()
	files := map[string]string{
		"pages/api/user.go": apiUser,
		"pages/api/big.go":  strings.Replace(apiUser, "func Handler", "var Config = api.Config{BodyParser: api.BodyParser{SizeLimit: \"5mb\"}, Memory: 256}\n\nfunc Handler", 1),
		"app/items/route.go": strings.Replace(getRoute, "func GET",
			"var Config = server.Config{Revalidate: 60}\n\nfunc GET", 1),
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
	tb, err := routesTable(dir)
	if err != nil {
		t.Fatal(err)
	}
	app := appAt(dir)
	progs, warnings, err := Lambda{}.Programs(app, tb)
	if err != nil {
		t.Fatal(err)
	}
	type row struct {
		Name, Dir, Cache string
		Memory           int
		BodyLimit        int64
		SharedCache      bool
	}
	var got []row
	for _, p := range progs {
		if !bytes.Contains(p.Main, []byte("nglambda.Start(mx, nglambda.Options{")) {
			t.Errorf("%s: main does not start the Lambda adapter:\n%s", p.Name, p.Main)
		}
		got = append(got, row{p.Name, p.Dir, p.Settings.Cache, p.Settings.Memory, p.Settings.BodyLimit, p.Settings.SharedCache})
	}
	want := []row{
		{"api-big", "lambda/api-big", "none", 256, 5 << 20, false},
		{"api-user", "lambda/api-user", "none", 1024, 1 << 20, false},
		{"items", "lambda/items", "revalidate=60", 1024, -1, true},
		{"_fallback", "lambda/_fallback", "none", 1024, -1, false},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("programs\n got %+v\nwant %+v", got, want)
	}
	wantWarnings := []string{"pages/api/big.go: body limit 5mb is above what Lambda can carry (6 MB buffered, about 4.5 MB for a base64-encoded binary body); larger requests fail at the platform"}
	if !reflect.DeepEqual(warnings, wantWarnings) {
		t.Errorf("warnings\n got %q\nwant %q", warnings, wantWarnings)
	}
}

// Dev builds one program for this machine, serving every route.
func TestDevPrograms(t *testing.T) {
	tb, err := routesTableFS(mapFS(map[string]string{"pages/api/user.go": apiUser, "app/items/route.go": getRoute}))
	if err != nil {
		t.Fatal(err)
	}
	progs, warnings, err := Dev{}.Programs(appAt("/src/app"), tb)
	if err != nil || len(progs) != 1 || warnings != nil {
		t.Fatalf("Programs = %d programs, %v, %v", len(progs), warnings, err)
	}
	if p := progs[0]; p.Name != "dev" || p.Dir != "dev" || !bytes.Contains(p.Main, []byte("devserver.Main(routes, devserver.Options{Mux: opts})")) {
		t.Errorf("program %s in %s:\n%s", p.Name, p.Dir, p.Main)
	}
	if env := (Dev{}).GoEnv("arm64"); env != nil {
		t.Errorf("GoEnv = %v, want the host's", env)
	}
	if _, err := (Dev{}).Arch("wasm"); err == nil {
		t.Error("Arch(wasm) succeeded")
	}
}
