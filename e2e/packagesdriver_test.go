package e2e

import (
	"fmt"
	"go/ast"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/tools/go/packages"

	"github.com/nextgo-dev/nextgo/templates"
)

// driverApp creates an app from a template and returns its folder and the
// environment that makes go/packages use nextgo's driver for it.
func driverApp(t *testing.T, template string) (dir string, env []string) {
	t.Helper()
	dir = filepath.Join(t.TempDir(), "app")
	if out, err := runNextgo(t, "init", dir, "--template", template); err != nil {
		t.Fatalf("nextgo init: %v\n%s", err, out)
	}
	out, err := runNextgo(t, "env", "--dir", dir, "GOPACKAGESDRIVER")
	if err != nil {
		t.Fatalf("nextgo env: %v\n%s", err, out)
	}
	driver := strings.TrimSpace(out)
	if driver != filepath.Join(dir, ".nextgo", "bin", "nextgo-packages-driver") {
		t.Fatalf("nextgo env GOPACKAGESDRIVER = %q", driver)
	}
	for _, kv := range offlineEnv() {
		if !strings.HasPrefix(kv, "GOFLAGS=") && !strings.HasPrefix(kv, "GOPACKAGESDRIVER=") {
			env = append(env, kv)
		}
	}
	return dir, append(env, "GOFLAGS=", "GOPACKAGESDRIVER="+driver)
}

// appGoFiles lists the Go files an app's author wrote or commits.
func appGoFiles(t *testing.T, dir string) []string {
	t.Helper()
	var files []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == ".nextgo" || d.Name() == "_nextgo") {
			return filepath.SkipDir
		}
		if !d.IsDir() && strings.HasSuffix(p, ".go") {
			files = append(files, p)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// driverMode is what a type-checking tool asks for, with dependencies'
// types read from export data.
const driverMode = packages.NeedName | packages.NeedFiles | packages.NeedCompiledGoFiles | packages.NeedImports |
	packages.NeedTypes | packages.NeedSyntax | packages.NeedTypesInfo | packages.NeedModule

// TestPackagesDriver loads every template through go/packages with nextgo's
// driver: every Go file of the app, routes and route tests included (a
// catch-all beside a dynamic route, a file in a bracketed folder), belongs
// to a package that loads with no error and full type information; a type
// error in a route is reported at the route's own file, line and column;
// and api.Request is defined in the runtime's source.
func TestPackagesDriver(t *testing.T) {
	for _, tmpl := range templates.List() {
		t.Run(tmpl.Name, func(t *testing.T) {
			dir, env := driverApp(t, tmpl.Name)
			cfg := &packages.Config{Mode: driverMode, Tests: true, Dir: dir, Env: env}
			pkgs, err := packages.Load(cfg, "./...")
			if err != nil {
				t.Fatal(err)
			}
			byFile := map[string][]*packages.Package{}
			for _, p := range pkgs {
				for _, f := range p.CompiledGoFiles {
					byFile[f] = append(byFile[f], p)
				}
			}
			for _, f := range appGoFiles(t, dir) {
				rel, _ := filepath.Rel(dir, f)
				if len(byFile[f]) == 0 {
					t.Errorf("%s: in no package", rel)
				}
				for _, p := range byFile[f] {
					for _, e := range p.Errors {
						t.Errorf("%s: package %s: %v", rel, p.ID, e)
					}
					if p.Types == nil || !p.Types.Complete() || len(p.TypesInfo.Defs) == 0 {
						t.Errorf("%s: package %s has no type information", rel, p.ID)
					}
				}
			}
			if tmpl.Name == templates.Default {
				checkDefinition(t, dir, byFile[filepath.Join(dir, "pages", "api", "user.go")])
			}
		})
	}

	t.Run("type error", func(t *testing.T) {
		dir, env := driverApp(t, "route-handlers")
		route := filepath.Join(dir, "app", "api", "items", "[slug]", "route.go")
		line := breakRoute(t, route)
		cfg := &packages.Config{Mode: driverMode, Dir: dir, Env: env}
		pkgs, err := packages.Load(cfg, "file="+route)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		packages.Visit(pkgs, nil, func(p *packages.Package) {
			for _, e := range p.Errors {
				got = append(got, e.Error())
			}
		})
		want := fmt.Sprintf("%s:%d:17: cannot use \"three\" (untyped string constant) as int value in variable declaration", route, line)
		if len(got) != 1 || got[0] != want {
			t.Errorf("errors:\n%s\nwant\n%s", strings.Join(got, "\n"), want)
		}
	})
}

// breakRoute appends a type error to a route file and returns its line:
// "three" is at column 17.
func breakRoute(t *testing.T, file string) int {
	t.Helper()
	src, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(file, append(src, "\nvar count int = \"three\"\n"...), 0o644); err != nil {
		t.Fatal(err)
	}
	return strings.Count(string(src), "\n") + 2
}

// checkDefinition: the api.Request that user.go uses is declared in the
// runtime's source inside the app, where go-to-definition lands.
func checkDefinition(t *testing.T, dir string, pkgs []*packages.Package) {
	t.Helper()
	if len(pkgs) == 0 {
		t.Fatal("no package for pages/api/user.go")
	}
	p := pkgs[0]
	found := false
	for id, obj := range p.TypesInfo.Uses {
		if id.Name != "Request" || obj.Pkg() == nil || obj.Pkg().Path() != "github.com/nextgo-dev/nextgo/runtime/api" {
			continue
		}
		found = true
		pos := p.Fset.Position(obj.Pos())
		if want := filepath.Join(dir, ".nextgo", "runtime", "runtime", "api") + string(filepath.Separator); !strings.HasPrefix(pos.Filename, want) {
			t.Errorf("api.Request is declared at %s, want a file under %s", pos, want)
		}
	}
	if !found {
		var idents []string
		for _, f := range p.Syntax {
			ast.Inspect(f, func(n ast.Node) bool {
				if id, ok := n.(*ast.Ident); ok {
					idents = append(idents, id.Name)
				}
				return true
			})
		}
		t.Errorf("user.go uses no api.Request; identifiers: %v", idents)
	}
}

// goplsPath finds gopls (.ci/run installs a pinned one): in PATH, else in
// the go command's install folder.
func goplsPath(t *testing.T) string {
	t.Helper()
	if p, err := exec.LookPath("gopls"); err == nil {
		return p
	}
	out, err := exec.Command("go", "env", "GOBIN", "GOPATH").Output()
	if err == nil {
		lines := strings.Split(strings.TrimSpace(string(out)), "\n")
		dirs := []string{}
		if len(lines) == 2 {
			if lines[0] != "" {
				dirs = append(dirs, lines[0])
			}
			dirs = append(dirs, filepath.Join(lines[1], "bin"))
		}
		for _, d := range dirs {
			if p := filepath.Join(d, "gopls"); fileExists(p) {
				return p
			}
		}
	}
	if os.Getenv("CI") != "" {
		t.Fatal("gopls is not installed: .ci/run installs it")
	}
	t.Skip("gopls is not installed (go install golang.org/x/tools/gopls@v0.23.0); CI runs this test")
	return ""
}

func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

// TestGopls runs `gopls check` with nextgo's driver on every route file of
// every template (no diagnostics), and on a broken route (the type error,
// at its file, line and column).
func TestGopls(t *testing.T) {
	gopls := goplsPath(t)
	for _, tmpl := range templates.List() {
		t.Run(tmpl.Name, func(t *testing.T) {
			dir, env := driverApp(t, tmpl.Name)
			files := appGoFiles(t, dir)
			cmd := exec.Command(gopls, append([]string{"check"}, files...)...)
			cmd.Dir, cmd.Env = dir, env
			out, err := cmd.CombinedOutput()
			if err != nil || len(out) > 0 {
				t.Errorf("gopls check: %v\n%s", err, out)
			}
			if tmpl.Name != templates.Default {
				return
			}
			// Go to definition on api.Request lands in the runtime's source.
			user := filepath.Join(dir, "pages", "api", "user.go")
			src, err := os.ReadFile(user)
			if err != nil {
				t.Fatal(err)
			}
			offset := strings.Index(string(src), "api.Request") + len("api.")
			cmd = exec.Command(gopls, "definition", fmt.Sprintf("%s:#%d", user, offset))
			cmd.Dir, cmd.Env = dir, env
			out, err = cmd.CombinedOutput()
			if want := filepath.Join(dir, ".nextgo", "runtime", "runtime", "api") + string(filepath.Separator); err != nil || !strings.HasPrefix(string(out), want) || !strings.Contains(string(out), "type Request struct") {
				t.Errorf("gopls definition of api.Request: %v\n%s\nwant a place under %s", err, out, want)
			}
		})
	}
	t.Run("broken", func(t *testing.T) {
		dir, env := driverApp(t, "api-routes")
		route := filepath.Join(dir, "pages", "api", "post", "[pid].go")
		line := breakRoute(t, route)
		cmd := exec.Command(gopls, "check", route, filepath.Join(dir, "pages", "api", "post", "[...slug].go"))
		cmd.Dir, cmd.Env = dir, env
		out, _ := cmd.CombinedOutput()
		want := fmt.Sprintf("%s:%d:17-24: cannot use \"three\" (untyped string constant) as int value in variable declaration\n", route, line)
		if string(out) != want {
			t.Errorf("gopls check:\n%s\nwant\n%s", out, want)
		}
	})
}
