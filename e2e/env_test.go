package e2e

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/nextgo-dev/nextgo/bundler/manifest"
)

// envRoute answers the variables the env files set.
const envRoute = `package env

import (
	"os"

	"github.com/nextgo-dev/nextgo/runtime/api"
)

func Handler(req *api.Request, res *api.Response) {
	res.JSON(map[string]string{
		"secret": os.Getenv("NEXTGO_E2E_SECRET"),
		"mode":   os.Getenv("NEXTGO_E2E_MODE"),
		"local":  os.Getenv("NEXTGO_E2E_LOCAL"),
		"real":   os.Getenv("NEXTGO_E2E_REAL"),
	})
}
`

// envRouteTest checks the test set under nextgo test: .env.test over .env,
// no .env.local.
const envRouteTest = `package env

import (
	"os"
	"testing"
)

func TestEnv(t *testing.T) {
	if got := os.Getenv("NEXTGO_E2E_MODE"); got != "test" {
		t.Errorf("NEXTGO_E2E_MODE = %q, want test", got)
	}
	if got := os.Getenv("NEXTGO_E2E_LOCAL"); got != "" {
		t.Errorf(".env.local loaded in test mode: NEXTGO_E2E_LOCAL = %q", got)
	}
	if os.Getenv("NEXTGO_E2E_SECRET") == "" {
		t.Error(".env not loaded")
	}
}
`

// TestEnv: values from the .env files reach a route's os.Getenv in dev
// (development set), the built functions' environment in the manifest
// (production set) and the route tests (test set), with Next's precedence
// and the real environment first, and are never printed.
func TestEnv(t *testing.T) {
	var b [12]byte
	if _, err := rand.Read(b[:]); err != nil {
		t.Fatal(err)
	}
	secret := "s3cr3t-" + hex.EncodeToString(b[:])
	dir := filepath.Join(t.TempDir(), "app")
	if out, err := runNextgo(t, "init", dir); err != nil {
		t.Fatalf("nextgo init: %v\n%s", err, out)
	}
	files := map[string]string{
		"pages/api/env.go":      envRoute,
		"pages/api/env_test.go": envRouteTest,
		".env":                  "NEXTGO_E2E_SECRET=" + secret + "\nNEXTGO_E2E_MODE=env\nNEXTGO_E2E_REAL=from-file\n",
		".env.local":            "NEXTGO_E2E_LOCAL=local\n",
		".env.development":      "NEXTGO_E2E_MODE=development\n",
		".env.production":       "NEXTGO_E2E_MODE=production\n",
		".env.test":             "NEXTGO_E2E_MODE=test\n",
	}
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(dir, filepath.FromSlash(name)), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	t.Setenv("NEXTGO_E2E_REAL", "from-process") // the real environment wins

	t.Run("dev", func(t *testing.T) {
		s := startNextgo(t, "dev", dir, "/api/user")
		runCases(t, s.URL, []httpCase{{name: "development set", path: "/api/env", status: 200,
			want: `{"local":"local","mode":"development","real":"from-process","secret":"` + secret + `"}`}}, false)
		if strings.Contains(s.Out.String(), secret) {
			t.Errorf("nextgo dev printed the secret:\n%s", s.Out.String())
		}
	})

	t.Run("build", func(t *testing.T) {
		out := filepath.Join(t.TempDir(), "out")
		text, err := runNextgo(t, "build", dir, "--out", out)
		if err != nil {
			t.Fatalf("nextgo build: %v\n%s", err, text)
		}
		if strings.Contains(text, secret) {
			t.Errorf("nextgo build printed the secret:\n%s", text)
		}
		want := map[string]string{"NEXTGO_E2E_SECRET": secret, "NEXTGO_E2E_MODE": "production", "NEXTGO_E2E_LOCAL": "local", "NEXTGO_E2E_REAL": "from-process"}
		m := readManifest(t, out)
		if len(m.Functions) == 0 {
			t.Fatal("no functions")
		}
		// Names and a digest of the production set; no value.
		for _, f := range m.Functions {
			if !reflect.DeepEqual(f.Env, keys(want)) || f.EnvSHA256 != manifest.EnvDigest(want) {
				t.Errorf("%s: env %v digest %s, want the production set %v digest %s", f.Pattern, f.Env, f.EnvSHA256, keys(want), manifest.EnvDigest(want))
			}
		}
		noSecretReadableByOthers(t, secret, out)
		text, err = runNextgo(t, "build", dir, "--out", out, "--json")
		if err != nil {
			t.Fatalf("nextgo build --json: %v\n%s", err, text)
		}
		if strings.Contains(text, secret) {
			t.Errorf("nextgo build --json printed the secret")
		}
	})

	t.Run("start", func(t *testing.T) {
		// The functions get the production values, read from .env by
		// start itself.
		s := startNextgo(t, "start", dir, "/api/user")
		runCases(t, s.URL, []httpCase{{name: "production set", path: "/api/env", status: 200,
			want: `{"local":"local","mode":"production","real":"from-process","secret":"` + secret + `"}`}}, true)
		if strings.Contains(s.Out.String(), secret) {
			t.Errorf("nextgo start printed the secret:\n%s", s.Out.String())
		}
		if text, err := runNextgo(t, "build", dir); err != nil {
			t.Fatalf("nextgo build: %v\n%s", err, text)
		}
		noSecretReadableByOthers(t, secret, filepath.Join(dir, ".nextgo"), filepath.Join(dir, "_nextgo"))
	})

	t.Run("test", func(t *testing.T) {
		text, err := runNextgo(t, "test", dir, "--", "-count=1", "-v", "-run", "TestEnv")
		if err != nil || !strings.Contains(text, "--- PASS: TestEnv") {
			t.Errorf("nextgo test: %v\n%s", err, text)
		}
		if strings.Contains(text, secret) {
			t.Errorf("nextgo test printed the secret:\n%s", text)
		}
	})
}

// noSecretReadableByOthers fails if a file under one of dirs that others
// than its owner may read holds secret.
func noSecretReadableByOthers(t *testing.T, secret string, dirs ...string) {
	t.Helper()
	seen := 0
	for _, dir := range dirs {
		err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			info, err := d.Info()
			if err != nil {
				return err
			}
			seen++
			if info.Mode().Perm()&0o044 == 0 {
				return nil // owner only
			}
			b, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			if bytes.Contains(b, []byte(secret)) {
				t.Errorf("%s (mode %v) holds a .env value", path, info.Mode().Perm())
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if seen == 0 {
		t.Fatalf("no file under %v", dirs)
	}
}

// keys lists a map's keys, sorted, so that failures never print values.
func keys(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	for i := 1; i < len(out); i++ {
		for j := i; j > 0 && out[j] < out[j-1]; j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	return out
}
