package bundler

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"go/scanner"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/nextgo-dev/nextgo/bundler/gobuild"
	"github.com/nextgo-dev/nextgo/bundler/routes"
	"github.com/nextgo-dev/nextgo/bundler/stage"
	"github.com/nextgo-dev/nextgo/bundler/target"
	"golang.org/x/tools/go/packages"
)

// Diagnostic is one problem `nextgo check` reports.
type Diagnostic struct {
	// File is relative to the app's root when inside it, slash-separated.
	File string `json:"file"`
	Line int    `json:"line,omitempty"`
	Col  int    `json:"col,omitempty"`
	// Category is "syntax", "type" or "load" for errors that keep a
	// package from compiling, else the name of the vet analyzer.
	Category string `json:"category"`
	Message  string `json:"message"`
}

// String is the diagnostic as file:line:col: message, with the analyzer
// named for findings of go vet.
func (d Diagnostic) String() string {
	pos := d.File
	if d.Line > 0 {
		pos += ":" + strconv.Itoa(d.Line)
		if d.Col > 0 {
			pos += ":" + strconv.Itoa(d.Col)
		}
	}
	if d.Category == "syntax" || d.Category == "type" || d.Category == "load" {
		return pos + ": " + d.Message
	}
	return pos + ": " + d.Message + " (" + d.Category + ")"
}

// CheckResult is what Check found.
type CheckResult struct {
	Routes   int `json:"routes"`
	Packages int `json:"packages"` // the module's other packages
	// Diagnostics are every problem found, sorted by file and position.
	Diagnostics []Diagnostic `json:"diagnostics"`
}

// Check type-checks and vets the whole app, in its own stage: every route
// as nextgo compiles it (its own files, with its tests) and every other
// package of the module. It loads the app through the packages driver at
// driver (see package packagesdriver), which reports every syntax, type
// and import error of every package, not only the first; then it runs go
// vet, with its analyzers, over the packages that compile: the staged
// routes and their tests, the middleware, the dev server's main and the
// module's own packages. Positions name the user's files.
func (p *Project) Check(ctx context.Context, driver string) (*CheckResult, error) {
	unlock, err := p.enter(ctx, stage.Check)
	if err != nil {
		return nil, err
	}
	defer unlock()
	res := &CheckResult{Routes: len(p.Table.Routes)}
	add := func(d Diagnostic) { res.Diagnostics = append(res.Diagnostics, d) }

	testFiles, _, err := stage.Tests(os.DirFS(p.Dir), p.App, p.Table)
	if err != nil {
		add(Diagnostic{File: ".", Category: "load", Message: err.Error()})
	} else if err := stage.Sync(p.App, nil, testFiles); err != nil {
		return nil, err
	}

	diags, broken, n, err := typeCheck(ctx, p.Dir, driver, p.GoEnv())
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	for _, d := range diags {
		seen[d.String()] = true
		add(d)
	}
	res.Packages = n

	// go vet over what compiles.
	var vet []string
	for _, r := range p.Table.Routes {
		if !anyBroken(p.Dir, r.Files, broken) {
			vet = append(vet, p.Pattern(stage.RouteDir(r)))
		}
	}
	if mw := p.Table.Middleware; mw != nil && !anyBroken(p.Dir, []string{mw.File}, broken) {
		vet = append(vet, p.Pattern("middleware"))
	}
	if len(vet) == len(p.Table.Routes)+btoi(p.Table.Middleware != nil) && len(res.Diagnostics) == 0 {
		vet = append(vet, p.Pattern(target.Dev{}.Name()))
	}
	own, err := ownPatterns(p.Dir, broken)
	if err != nil {
		return nil, err
	}
	vet = append(vet, own...)
	if len(vet) > 0 {
		diags, err := p.vet(ctx, vet)
		if err != nil {
			return nil, err
		}
		for _, d := range diags {
			if key := d.String(); !seen[key] {
				seen[key] = true
				add(d)
			}
		}
	}
	sortDiagnostics(res.Diagnostics)
	return res, nil
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

// isRoutePackage reports whether pkg is a route the driver presented.
func isRoutePackage(dir string, pkg *packages.Package) bool {
	for _, f := range pkg.CompiledGoFiles {
		rel, err := filepath.Rel(dir, f)
		if err != nil {
			continue
		}
		rel = filepath.ToSlash(rel)
		if strings.HasPrefix(rel, "pages/api/") || strings.HasPrefix(rel, "app/") {
			return true
		}
	}
	return false
}

// ownPatterns are the go command patterns of the module's own packages
// (AppPackages) that compile.
func ownPatterns(dir string, broken map[string]bool) ([]string, error) {
	own, err := AppPackages(os.DirFS(dir))
	if err != nil {
		return nil, err
	}
	var out []string
	for _, pkg := range own {
		files, _ := filepath.Glob(filepath.Join(dir, filepath.FromSlash(pkg), "*.go"))
		var rel []string
		for _, f := range files {
			r, _ := filepath.Rel(dir, f)
			rel = append(rel, filepath.ToSlash(r))
		}
		if !anyBroken(dir, rel, broken) {
			out = append(out, pkg)
		}
	}
	return out, nil
}

// anyBroken reports whether any of the app-relative files is in broken.
func anyBroken(dir string, files []string, broken map[string]bool) bool {
	for _, f := range files {
		if broken[filepath.Join(dir, filepath.FromSlash(f))] {
			return true
		}
	}
	return false
}

// diagnostic turns a go/packages error into a Diagnostic.
func diagnostic(dir string, e packages.Error) Diagnostic {
	d := Diagnostic{Message: e.Msg, Category: "load"}
	switch e.Kind {
	case packages.ParseError:
		d.Category = "syntax"
	case packages.TypeError:
		d.Category = "type"
	}
	file, line, col := splitPos(e.Pos)
	d.File, d.Line, d.Col = relFile(dir, file), line, col
	return d
}

// splitPos splits "file:line:col" (line and col optional).
func splitPos(pos string) (string, int, int) {
	if pos == "" || pos == "-" {
		return "", 0, 0
	}
	file, rest := pos, ""
	nums := []int{}
	for i := 0; i < 2; i++ {
		j := strings.LastIndexByte(file, ':')
		if j < 0 {
			break
		}
		n, err := strconv.Atoi(file[j+1:])
		if err != nil {
			break
		}
		nums = append([]int{n}, nums...)
		file, rest = file[:j], file[j:]+rest
	}
	var line, col int
	if len(nums) > 0 {
		line = nums[0]
	}
	if len(nums) > 1 {
		col = nums[1]
	}
	return file, line, col
}

// relFile makes a file name relative to the app in dir when it is inside it.
func relFile(dir, file string) string {
	if file == "" {
		return "."
	}
	if rel, err := filepath.Rel(dir, file); err == nil && !strings.HasPrefix(rel, "..") {
		return filepath.ToSlash(rel)
	}
	return file
}

// vet runs go vet -json on the patterns and returns its findings.
func (p *Project) vet(ctx context.Context, patterns []string) ([]Diagnostic, error) {
	args := append([]string{"vet", "-json"}, p.GoFlags()...)
	args = append(args, patterns...)
	out, err := gobuild.Run(ctx, p.Dir, p.GoEnv(), args...)
	if err != nil {
		return nil, gobuild.Report(err)
	}
	return parseVetJSON(out, func(f string) string { return relFile(p.Dir, f) })
}

// parseVetJSON reads go vet -json's report (its standard output): one JSON
// object per package, mapping analyzer names to findings (or to an error);
// lines starting with "#" name packages.
func parseVetJSON(out []byte, rel func(string) string) ([]Diagnostic, error) {
	var body bytes.Buffer
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(make([]byte, 64<<10), 16<<20)
	for sc.Scan() {
		if !strings.HasPrefix(sc.Text(), "#") {
			body.Write(sc.Bytes())
			body.WriteByte('\n')
		}
	}
	var diags []Diagnostic
	dec := json.NewDecoder(&body)
	for dec.More() {
		var tree map[string]map[string]json.RawMessage
		if err := dec.Decode(&tree); err != nil {
			return nil, fmt.Errorf("read go vet's report: %w", err)
		}
		for _, analyzers := range tree {
			for name, raw := range analyzers {
				var findings []struct {
					Posn    string `json:"posn"`
					Message string `json:"message"`
				}
				if err := json.Unmarshal(raw, &findings); err != nil {
					var e struct{ Err string }
					if json.Unmarshal(raw, &e) == nil && e.Err != "" {
						diags = append(diags, errorLines(e.Err, rel)...)
					}
					continue
				}
				for _, f := range findings {
					file, line, col := splitPos(f.Posn)
					diags = append(diags, Diagnostic{File: rel(file), Line: line, Col: col, Category: name, Message: f.Message})
				}
			}
		}
	}
	return diags, nil
}

// errorLines turns the go command's error report ("# pkg" then
// "file:line:col: message" lines) into diagnostics.
func errorLines(report string, rel func(string) string) []Diagnostic {
	var out []Diagnostic
	for _, l := range strings.Split(report, "\n") {
		l = strings.TrimSpace(l)
		if l == "" || strings.HasPrefix(l, "#") {
			continue
		}
		d := Diagnostic{File: ".", Category: "type", Message: l}
		if i := strings.Index(l, ": "); i > 0 {
			if file, line, col := splitPos(l[:i]); line > 0 {
				d.File, d.Line, d.Col, d.Message = rel(file), line, col, l[i+2:]
			}
		}
		out = append(out, d)
	}
	return out
}

// typeCheck loads every package of the app in dir through the packages
// driver and returns every error of every package (once each), the files
// of the packages that do not compile, and how many of the module's own
// packages (not routes) there are.
func typeCheck(ctx context.Context, dir, driver string, env []string) ([]Diagnostic, map[string]bool, int, error) {
	cfg := &packages.Config{
		Mode:    packages.NeedName | packages.NeedFiles | packages.NeedCompiledGoFiles | packages.NeedImports | packages.NeedTypes | packages.NeedSyntax | packages.NeedTypesInfo,
		Context: ctx,
		Dir:     dir,
		Env:     append(append(os.Environ(), env...), "GOPACKAGESDRIVER="+driver),
		Tests:   true,
	}
	pkgs, err := packages.Load(cfg, "./...")
	if err != nil {
		return nil, nil, 0, fmt.Errorf("load the app's packages: %w", err)
	}
	var diags []Diagnostic
	broken := map[string]bool{}
	seen := map[string]bool{}
	imports := filepath.Join(dir, ImportsFile)
	own := map[string]bool{}
	for _, pkg := range pkgs {
		if len(pkg.CompiledGoFiles) == 1 && pkg.CompiledGoFiles[0] == imports {
			continue // the routes' own errors name the same imports
		}
		if pkg.ForTest == "" && !strings.HasSuffix(pkg.ID, ".test") && !isRoutePackage(dir, pkg) {
			own[pkg.PkgPath] = true
		}
		unloaded := map[string]bool{} // imports the driver could not load
		for _, e := range pkg.Errors {
			if f := strings.Fields(e.Msg); e.Kind == packages.ListError && len(f) > 3 && strings.HasPrefix(e.Msg, "could not import ") {
				unloaded[strings.TrimSuffix(f[3], ":")] = true
			}
		}
		for _, e := range pkg.Errors {
			if e.Kind == packages.ListError && e.Pos == "" && strings.HasPrefix(e.Msg, "# ") && len(pkg.Errors) > 1 {
				// The compiler's report (from go list -export) of the
				// errors the type checker reports one by one.
				continue
			}
			if f := strings.Fields(e.Msg); e.Kind == packages.TypeError && len(f) > 3 && f[0] == "could" && unloaded[f[3]] {
				continue // said once, with the go command's reason
			}
			d := diagnostic(dir, e)
			if key := d.String(); !seen[key] {
				seen[key] = true
				diags = append(diags, d)
			}
		}
		if len(pkg.Errors) > 0 {
			for _, f := range append(pkg.GoFiles, pkg.CompiledGoFiles...) {
				broken[f] = true
			}
		}
	}
	return diags, broken, len(own), nil
}

// CheckUnloadable checks an app whose routes do not load (loadErr, from
// Load: a syntax error, a handler of the wrong shape, two routes for one
// path): it reports loadErr's problems that the type checker does not
// (syntax errors it reports itself, all of them) and every error of every
// package, through the packages driver at driver. go vet does not run: the
// routes cannot be staged.
func CheckUnloadable(ctx context.Context, dir, driver string, loadErr error) (*CheckResult, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	m, err := ReadGoMod(ctx, abs)
	if err != nil {
		return nil, err
	}
	if problems := m.Problems(); len(problems) > 0 {
		return nil, &ModuleError{Dir: abs, Problems: problems}
	}
	if err := EnsureRuntime(abs); err != nil {
		return nil, err
	}
	if err := WriteImports(abs, m.Module.Path); err != nil {
		return nil, err
	}
	p := &Project{App: stage.App{Dir: abs, Module: m.Module.Path}}
	diags, broken, n, err := typeCheck(ctx, abs, driver, p.GoEnv())
	if err != nil {
		return nil, err
	}
	res := &CheckResult{Packages: n, Diagnostics: diags}
	vet, err := ownPatterns(abs, broken)
	if err != nil {
		return nil, err
	}
	if len(vet) > 0 {
		found, err := p.vet(ctx, vet)
		if err != nil {
			return nil, err
		}
		res.Diagnostics = append(res.Diagnostics, found...)
	}
	sources, _ := routes.Discover(os.DirFS(abs))
	res.Routes = len(sources)
	for _, e := range flatten(loadErr) {
		var list scanner.ErrorList
		if errors.As(e, &list) {
			continue // syntax errors: the type checker's report has them all
		}
		d := Diagnostic{File: ".", Category: "load", Message: e.Error()}
		var pe *routes.PosError
		if errors.As(e, &pe) {
			d = Diagnostic{File: pe.File, Line: pe.Line, Col: pe.Col, Category: "load", Message: pe.Msg}
		}
		res.Diagnostics = append(res.Diagnostics, d)
	}
	sortDiagnostics(res.Diagnostics)
	return res, nil
}

// flatten unwraps joined errors.
func flatten(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		var out []error
		for _, e := range j.Unwrap() {
			out = append(out, flatten(e)...)
		}
		return out
	}
	return []error{err}
}

// sortDiagnostics orders diagnostics by file and position.
func sortDiagnostics(ds []Diagnostic) {
	sort.SliceStable(ds, func(i, j int) bool {
		a, b := ds[i], ds[j]
		if a.File != b.File {
			return a.File < b.File
		}
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		return a.Col < b.Col
	})
}
