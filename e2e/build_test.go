package e2e

import (
	"archive/zip"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/nextgo-dev/nextgo/bundler/manifest"
)

func readManifest(t *testing.T, out string) manifest.Manifest {
	t.Helper()
	var m manifest.Manifest
	b, err := os.ReadFile(filepath.Join(out, "manifest.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

// TestBuild builds the basic app for Lambda and checks the manifest, the
// zips, incremental rebuilds and that the same sources give the same bytes.
func TestBuild(t *testing.T) {
	dir := copyApp(t, "basic")
	out := filepath.Join(t.TempDir(), "out")
	text, err := runNextgo(t, "build", dir, "--out", out)
	if err != nil {
		t.Fatalf("nextgo build: %v\n%s", err, text)
	}
	for _, s := range []string{"┌ λ /api ", "├ λ /api/[post]/[comment]", "└ λ (other paths)", "λ 19 functions (arm64)", "pages/api/raw.go: body parser disabled"} {
		if !strings.Contains(text, s) {
			t.Errorf("build output lacks %q:\n%s", s, text)
		}
	}
	m := readManifest(t, out)
	if m.Version != manifest.Version || m.App != "basic" || m.Module != "example.com/basic" || m.Arch != "arm64" || len(m.Functions) != 19 {
		t.Fatalf("manifest header = %+v", m)
	}
	byPattern := map[string]manifest.Function{}
	for _, f := range m.Functions {
		if f.Kind == "fallback" { // Next's 404 and slash redirects for the paths no route serves
			checkZip(t, out, f)
			continue
		}
		byPattern[f.Pattern] = f
		if f.Kind != "api" || !reflect.DeepEqual(f.Methods, []string{"*"}) || f.Arch != "arm64" || f.Cache != "none" || f.Memory != 1024 {
			t.Errorf("%s: %+v", f.Pattern, f)
		}
		checkZip(t, out, f)
	}
	for pattern, want := range map[string]struct {
		name, file  string
		maxDuration int
		bodyLimit   int64
	}{
		"/api/user":        {"api-user", "pages/api/user.go", 30, 1 << 20},
		"/api/slow":        {"api-slow", "pages/api/slow.go", 1, 1 << 20},
		"/api/parse-500kb": {"api-parse-500kb", "pages/api/parse-500kb.go", 30, 500 << 10},
		"/api/raw":         {"api-raw", "pages/api/raw.go", 30, -1},
		"/api/post/[pid]":  {"api-post-_pid", "pages/api/post/[pid].go", 30, 1 << 20},
	} {
		f := byPattern[pattern]
		if f.Name != want.name || f.File != want.file || f.MaxDuration != want.maxDuration || f.BodyLimit != want.bodyLimit {
			t.Errorf("%s = %+v, want %+v", pattern, f, want)
		}
	}

	// A no-op rebuild relinks nothing and changes no byte.
	var again manifest.Manifest
	text, err = runNextgo(t, "build", dir, "--out", out, "--json")
	if err != nil {
		t.Fatalf("second build: %v\n%s", err, text)
	}
	if err := json.Unmarshal([]byte(text[strings.Index(text, "{"):]), &again); err != nil {
		t.Fatalf("--json output: %v\n%s", err, text)
	}
	if !reflect.DeepEqual(again, m) {
		t.Errorf("a no-op rebuild changed the manifest")
	}
	if text, err := runNextgo(t, "build", dir, "--out", out); err != nil || !strings.Contains(text, "19 functions up to date") {
		t.Errorf("a no-op rebuild compiled: %v\n%s", err, text)
	}

	// Editing one route rebuilds exactly that function; restoring the source
	// gives back the same bytes.
	file := filepath.Join(dir, "pages", "api", "index.go")
	src, _ := os.ReadFile(file)
	if err := os.WriteFile(file, []byte(strings.Replace(string(src), "Index should work", "Index changed", 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	if text, err := runNextgo(t, "build", dir, "--out", out); err != nil || !strings.Contains(text, "Compiling 1 of 19 functions") {
		t.Fatalf("build after an edit: %v\n%s", err, text)
	}
	changed := readManifest(t, out)
	for i, f := range changed.Functions {
		if (f.SHA256 != m.Functions[i].SHA256) != (f.Pattern == "/api") {
			t.Errorf("%s: sha %s → %s", f.Pattern, m.Functions[i].SHA256, f.SHA256)
		}
	}
	if err := os.WriteFile(file, src, 0o644); err != nil {
		t.Fatal(err)
	}
	if text, err := runNextgo(t, "build", dir, "--out", out); err != nil {
		t.Fatalf("build after restoring: %v\n%s", err, text)
	}
	if restored := readManifest(t, out); !reflect.DeepEqual(restored, m) {
		t.Errorf("the same sources did not give the same zips")
	}
}

// checkZip verifies a function's zip: one bootstrap, mode 0755, a fixed
// time, and the manifest's SHA-256 and size.
func checkZip(t *testing.T, out string, f manifest.Function) {
	t.Helper()
	path := filepath.Join(out, filepath.FromSlash(f.Zip))
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(b)
	if hex.EncodeToString(sum[:]) != f.SHA256 || int64(len(b)) != f.Size {
		t.Errorf("%s: sha256/size mismatch with the manifest", f.Zip)
	}
	zr, err := zip.OpenReader(path)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	if len(zr.File) != 1 {
		t.Fatalf("%s has %d entries", f.Zip, len(zr.File))
	}
	e := zr.File[0]
	if e.Name != "bootstrap" || e.Mode() != 0o755 || !e.Modified.Equal(time.Date(1980, 1, 1, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("%s entry %s mode %v time %v", f.Zip, e.Name, e.Mode(), e.Modified)
	}
	if int64(e.UncompressedSize64) != f.BinarySize || f.BinarySize < 1<<20 {
		t.Errorf("%s: binary size %d, manifest %d", f.Zip, e.UncompressedSize64, f.BinarySize)
	}
}

// TestStart serves the built functions of both apps under nextgo start and
// runs the same table as TestDev and TestDevAppRoutes.
func TestStart(t *testing.T) {
	t.Run("basic", func(t *testing.T) {
		dir := copyApp(t, "basic")
		s := startNextgo(t, "start", dir, "/api/user")
		runCases(t, s.URL, basicCases(), true)
		t.Run("next routing", func(t *testing.T) { checkNextRouting(t, s.URL, "/api/user") })
		if !strings.Contains(s.Out.String(), "cold start") {
			t.Errorf("no cold start logged:\n%s", s.Out.String())
		}
	})
	t.Run("approutes", func(t *testing.T) {
		dir := copyApp(t, "approutes")
		s := startNextgo(t, "start", dir, "/basic/endpoint")
		runCases(t, s.URL, appRouteCases(), true)
		t.Run("streaming", func(t *testing.T) { testStreaming(t, s.URL) })
		// The cached routes and the routes that revalidate them are
		// separate functions: they share the app's cache.
		t.Run("caching", func(t *testing.T) { testCaching(t, s.URL) })
		t.Run("two processes", func(t *testing.T) { testTwoProcesses(t, filepath.Join(dir, ".nextgo", "local")) })
		t.Run("cache isolation", func(t *testing.T) { testCacheIsolation(t, filepath.Join(dir, ".nextgo", "local")) })
		t.Run("big stream", func(t *testing.T) { testBigStream(t, s.URL) })
	})
}

// TestIsolation builds an app where one route imports the AWS SDK's Lambda
// client and another does not: the light route's binary is the size of a
// one-route app's, and the heavy route's init never runs in it.
func TestIsolation(t *testing.T) {
	iso, single := copyApp(t, "isolation"), copyApp(t, "single")
	out1, out2 := filepath.Join(t.TempDir(), "iso"), filepath.Join(t.TempDir(), "single")
	if text, err := runNextgo(t, "build", iso, "--out", out1); err != nil {
		t.Fatalf("build isolation: %v\n%s", err, text)
	}
	if text, err := runNextgo(t, "build", single, "--out", out2); err != nil {
		t.Fatalf("build single: %v\n%s", err, text)
	}
	sizes := map[string]int64{}
	for _, f := range readManifest(t, out1).Functions {
		sizes[f.Pattern] = f.BinarySize
	}
	one := readManifest(t, out2).Functions[0].BinarySize
	light, heavy := sizes["/api/light"], sizes["/api/heavy"]
	if diff := float64(light-one) / float64(one); diff > 0.02 || diff < -0.02 {
		t.Errorf("light route %d bytes vs one-route app %d bytes (%.1f%%)", light, one, diff*100)
	}
	if heavy < light+light/20 {
		t.Errorf("heavy route %d bytes, light %d: the SDK client did not make it heavier", heavy, light)
	}
	t.Logf("binary sizes: light %d, one-route app %d, heavy %d", light, one, heavy)

	lightOut, err := runNextgo(t, "invoke", "/api/light", "--dir", iso)
	if err != nil || !strings.Contains(lightOut, `{\"light\":\"yes\"}`) {
		t.Fatalf("invoke light: %v\n%s", err, lightOut)
	}
	if strings.Contains(lightOut, "HEAVY INIT RAN") {
		t.Errorf("the heavy route's init ran in the light function:\n%s", lightOut)
	}
	heavyOut, err := runNextgo(t, "invoke", "/api/heavy", "--dir", iso)
	if err != nil || !strings.Contains(heavyOut, "HEAVY INIT RAN") || !strings.Contains(heavyOut, `{\"region\":\"eu-west-1\",\"service\":\"Lambda\"}`) {
		t.Fatalf("invoke heavy: %v\n%s", err, heavyOut)
	}
}

// TestInvoke invokes one built function with made-up events of each kind
// and with an event read from standard input.
func TestInvoke(t *testing.T) {
	dir := copyApp(t, "basic")
	for kind, want := range map[string]string{
		"v2":  `"statusCode":200,`,
		"v1":  `"statusCode":200,`,
		"alb": `"statusDescription":"200 OK"`,
		"url": `"statusCode":200,`,
	} {
		out, err := runNextgo(t, "invoke", "/api/post/42", "--dir", dir, "--kind", kind)
		if err != nil || !strings.Contains(out, want) || !strings.Contains(out, `{\"pid\":\"42\"}`) {
			t.Errorf("invoke --kind %s: %v\n%s", kind, err, out)
		}
	}
	event := `{"version":"2.0","routeKey":"$default","rawPath":"/api/optional/a/b","rawQueryString":"x=1","headers":{"host":"h"},` +
		`"requestContext":{"requestId":"r1","stage":"$default","http":{"method":"GET","path":"/api/optional/a/b","sourceIp":"127.0.0.1"}}}`
	cmd := exec.Command(nextgoBin, "invoke", "/api/optional/a/b", "--dir", dir, "--event", "-")
	cmd.Env = offlineEnv()
	cmd.Stdin = strings.NewReader(event)
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), `{\"x\":\"1\",\"slug\":[\"a\",\"b\"]}`) {
		t.Errorf("invoke --event -: %v\n%s", err, out)
	}
	// A path no route serves goes to the fallback, as on Lambda: Next's 404.
	if out, err := runNextgo(t, "invoke", "/nowhere", "--dir", dir); err != nil || !strings.Contains(out, `"statusCode":404`) {
		t.Errorf("invoke of an unserved path: %v\n%s", err, out)
	}
}
