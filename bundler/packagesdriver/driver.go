// Package packagesdriver is nextgo's driver for golang.org/x/tools/go/packages
// (GOPACKAGESDRIVER), through which gopls, staticcheck, golangci-lint and
// every other go/packages tool see a nextgo app as nextgo compiles it.
//
// The go command cannot load a route tree: `[pid].go` is not a valid file
// name for it, `[slug]/` not a valid import path, and every file under
// pages/api is a package of its own. The driver presents each route as a
// package made of the user's own files, exactly the files the bundler
// stages: an API route's file alone, or every non-test .go file of an app
// route's folder (with their *_test.go files when tests are asked for). The
// app's ImportsFile is presented the same way. Everything else, including
// the dependencies of the routes, is what `go list` reports, through
// go/packages' own go list driver. Outside a nextgo app the driver answers
// NotHandled, and go/packages falls back to go list.
//
// The protocol: go/packages runs the driver with the patterns as arguments
// and a JSON packages.DriverRequest on standard input, and reads a JSON
// packages.DriverResponse from its standard output.
package packagesdriver

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"go/parser"
	"go/token"
	"io"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"

	"golang.org/x/tools/go/packages"

	"github.com/nextgo-dev/nextgo"
	"github.com/nextgo-dev/nextgo/bundler"
	"github.com/nextgo-dev/nextgo/bundler/routes"
)

// Main runs the driver: the request on stdin, the patterns in args, the
// response on stdout. It returns the process's exit code.
func Main(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	var req packages.DriverRequest
	if err := json.NewDecoder(stdin).Decode(&req); err != nil {
		fmt.Fprintf(stderr, "%s: read the request: %v\n", Name, err)
		return 1
	}
	dir, err := os.Getwd()
	if err != nil {
		fmt.Fprintf(stderr, "%s: %v\n", Name, err)
		return 1
	}
	resp, err := Load(ctx, dir, &req, args)
	if err != nil {
		fmt.Fprintf(stderr, "%s: %v\n", Name, err)
		return 1
	}
	if err := json.NewEncoder(stdout).Encode(resp); err != nil {
		fmt.Fprintf(stderr, "%s: write the response: %v\n", Name, err)
		return 1
	}
	return 0
}

// routePackage is one route (or the ImportsFile) presented as a package.
type routePackage struct {
	id    string   // also its package path
	files []string // absolute
	tests []string // absolute *_test.go files
}

// Load answers a go/packages request for patterns, run from dir.
func Load(ctx context.Context, dir string, req *packages.DriverRequest, patterns []string) (*packages.DriverResponse, error) {
	env := req.Env
	if len(env) == 0 {
		env = os.Environ()
	}
	root := findModuleRoot(dir)
	if root == "" {
		return &packages.DriverResponse{NotHandled: true}, nil
	}
	gomod, err := bundler.ReadGoMod(ctx, root)
	if err != nil || !replacesNextgo(gomod) {
		return &packages.DriverResponse{NotHandled: true}, nil // not a nextgo app
	}
	// go list needs the runtime that go.mod points at.
	if err := bundler.EnsureRuntime(root); err != nil {
		return nil, err
	}
	module := gomod.Module.Path
	routes, err := routePackages(root, module)
	if err != nil {
		return nil, err
	}

	// Patterns that name routes are answered here; the rest go to go list.
	selected := map[string]bool{}
	var rest []string
	for _, p := range patterns {
		matched, passOn := match(p, dir, root, module, routes)
		for _, id := range matched {
			selected[id] = true
		}
		if passOn {
			rest = append(rest, p)
		}
	}
	var roots []*routePackage
	imports := map[string]bool{}
	perRoute := map[string][]string{}
	importPos := map[string]map[string]string{} // route → import → its position
	for _, r := range routes {
		if !selected[r.id] {
			continue
		}
		roots = append(roots, r)
		files := r.files
		if req.Tests {
			files = append(append([]string(nil), r.files...), r.tests...)
		}
		ips, pos := fileImports(files, req.Overlay)
		perRoute[r.id] = ips
		importPos[r.id] = pos
		for _, ip := range ips {
			imports[ip] = true
		}
	}
	importList := make([]string, 0, len(imports))
	for ip := range imports {
		importList = append(importList, ip)
	}
	sort.Strings(importList)

	// The packages go list reports: the other patterns (with their tests,
	// if asked) and the routes' imports (without).
	var listed, deps []*packages.Package
	var listErr, depsErr error
	var wg sync.WaitGroup
	if len(rest) > 0 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			listed, listErr = goList(ctx, dir, env, req, req.Tests, rest)
		}()
	}
	if len(importList) > 0 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			deps, depsErr = goList(ctx, root, env, req, false, importList)
		}()
	}
	var arch string
	var goVersion int
	wg.Add(1)
	go func() {
		defer wg.Done()
		arch, goVersion = goEnv(ctx, root, env)
	}()
	wg.Wait()
	if listErr != nil {
		return nil, listErr
	}
	if depsErr != nil {
		return nil, depsErr
	}

	resp := &packages.DriverResponse{Compiler: "gc", Arch: arch, GoVersion: goVersion}
	byID := map[string]*packages.Package{}
	add := func(p *packages.Package) {
		if _, ok := byID[p.ID]; !ok {
			byID[p.ID] = p
			resp.Packages = append(resp.Packages, p)
		}
	}
	packages.Visit(listed, nil, add)
	packages.Visit(deps, nil, add)
	for _, p := range listed {
		resp.Roots = append(resp.Roots, p.ID)
	}
	var why string // what the go command says of an import it did not list
	unlisted := map[string]bool{}
	for _, r := range roots {
		files := r.files
		if req.Tests {
			files = append(append([]string(nil), r.files...), r.tests...)
		}
		p := &packages.Package{ID: r.id, PkgPath: r.id, Name: packageName(files, req.Overlay), GoFiles: files, CompiledGoFiles: files, Imports: map[string]*packages.Package{}}
		for _, ip := range perRoute[r.id] {
			dep, ok := byID[ip]
			if !ok {
				if why == "" {
					why = goListFailure(ctx, root, env, importList)
				}
				dep = &packages.Package{ID: ip, PkgPath: ip, Errors: []packages.Error{{Msg: fmt.Sprintf("could not import %s: %s", ip, why), Kind: packages.ListError}}}
				add(dep)
				unlisted[ip] = true
			}
			if unlisted[ip] {
				p.Errors = append(p.Errors, packages.Error{Pos: importPos[r.id][ip], Msg: dep.Errors[0].Msg, Kind: packages.ListError})
			}
			p.Imports[ip] = dep
		}
		add(p)
		resp.Roots = append(resp.Roots, r.id)
	}
	return resp, nil
}

// findModuleRoot returns the folder of the go.mod that governs dir, or "".
func findModuleRoot(dir string) string {
	for d := filepath.Clean(dir); ; d = filepath.Dir(d) {
		if fi, err := os.Stat(filepath.Join(d, "go.mod")); err == nil && !fi.IsDir() {
			return d
		}
		if filepath.Dir(d) == d {
			return ""
		}
	}
}

// replacesNextgo reports whether go.mod points nextgo at the app's runtime
// folder, as `nextgo sync` writes it: then it is a nextgo app even if it
// requires another version (the runtime is rewritten for this CLI).
func replacesNextgo(m *bundler.GoMod) bool {
	for _, r := range m.Replace {
		if r.Old.Path == nextgo.ModulePath && filepath.ToSlash(filepath.Clean(r.New.Path)) == bundler.RuntimeDir {
			return true
		}
	}
	return false
}

// routePackages lists the app's routes, and its ImportsFile, as packages.
func routePackages(root, module string) ([]*routePackage, error) {
	fsys := os.DirFS(root)
	sources, err := routes.Discover(fsys)
	if err != nil {
		return nil, err
	}
	abs := func(p string) string { return filepath.Join(root, filepath.FromSlash(p)) }
	var out []*routePackage
	byFile := map[string]*routePackage{} // API route file → package
	byDir := map[string]*routePackage{}  // app route folder → package
	for _, s := range sources {
		r := &routePackage{}
		switch s.Kind {
		case routes.KindAPI:
			r.id = module + "/" + strings.TrimSuffix(s.File, ".go")
			byFile[s.File] = r
		default:
			r.id = module + "/" + path.Dir(s.File)
			byDir[path.Dir(s.File)] = r
		}
		for _, f := range s.Files {
			r.files = append(r.files, abs(f))
		}
		out = append(out, r)
	}
	// Tests: user_test.go belongs to user.go; a test in an app route's
	// folder to that route.
	for _, tree := range []string{"pages/api", "app"} {
		if _, err := os.Stat(abs(tree)); err != nil {
			continue
		}
		err := filepath.WalkDir(abs(tree), func(p string, d os.DirEntry, err error) error {
			if err != nil || d.IsDir() || !strings.HasSuffix(p, "_test.go") {
				return err
			}
			rel, _ := filepath.Rel(root, p)
			rel = filepath.ToSlash(rel)
			if r := byFile[strings.TrimSuffix(rel, "_test.go")+".go"]; r != nil {
				r.tests = append(r.tests, p)
			} else if r := byDir[path.Dir(rel)]; r != nil {
				r.tests = append(r.tests, p)
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	if _, err := os.Stat(abs(bundler.ImportsFile)); err == nil {
		out = append(out, &routePackage{id: module + "/" + strings.TrimSuffix(bundler.ImportsFile, ".go"), files: []string{abs(bundler.ImportsFile)}})
	}
	return out, nil
}

// match reports which route packages pattern p names, and whether go list
// must see it too (it may name other packages).
func match(p, dir, root, module string, routes []*routePackage) (ids []string, passOn bool) {
	if file, ok := strings.CutPrefix(p, "file="); ok {
		if !filepath.IsAbs(file) {
			file = filepath.Join(dir, file)
		}
		file = filepath.Clean(file)
		for _, r := range routes {
			for _, f := range append(append([]string(nil), r.files...), r.tests...) {
				if f == file {
					return []string{r.id}, false
				}
			}
		}
		return nil, true
	}
	if p == "all" {
		for _, r := range routes {
			ids = append(ids, r.id)
		}
		return ids, true
	}
	ip := p
	if build, ok := localPath(p, dir, root); ok {
		if build == "." {
			ip = module
		} else {
			ip = module + "/" + build
		}
	}
	for _, r := range routes {
		if r.id == ip { // a route's own path, "[...slug]" included
			return []string{r.id}, false
		}
	}
	if !strings.Contains(ip, "...") {
		return nil, true
	}
	re := patternRegexp(ip)
	for _, r := range routes {
		if re.MatchString(r.id) {
			ids = append(ids, r.id)
		}
	}
	return ids, true
}

// localPath turns a relative or absolute directory pattern into a
// slash-separated path relative to the module root.
func localPath(p, dir, root string) (string, bool) {
	if !filepath.IsAbs(p) && p != "." && p != ".." && !strings.HasPrefix(p, "./") && !strings.HasPrefix(p, "../") {
		return "", false
	}
	if !filepath.IsAbs(p) {
		p = filepath.Join(dir, p)
	}
	rel, err := filepath.Rel(root, p)
	if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return "", false
	}
	return filepath.ToSlash(rel), true
}

// patternRegexp is the go command's meaning of a "..." pattern: "..."
// matches any string, and "x/..." matches x itself too.
func patternRegexp(pattern string) *regexp.Regexp {
	re := regexp.QuoteMeta(pattern)
	re = strings.ReplaceAll(re, `\.\.\.`, `.*`)
	if strings.HasSuffix(re, `/.*`) {
		re = strings.TrimSuffix(re, `/.*`) + `(/.*)?`
	}
	return regexp.MustCompile(`^` + re + `$`)
}

// fileImports returns the import paths of files, sorted, and where each is
// first imported (file:line:col), reading the editor's unsaved contents
// from overlay.
func fileImports(files []string, overlay map[string][]byte) ([]string, map[string]string) {
	seen := map[string]string{}
	for _, f := range files {
		src, ok := readSource(f, overlay)
		if !ok {
			continue
		}
		fset := token.NewFileSet()
		af, _ := parser.ParseFile(fset, f, src, parser.ImportsOnly)
		if af == nil {
			continue
		}
		for _, imp := range af.Imports {
			if ip, err := strconv.Unquote(imp.Path.Value); err == nil && ip != "C" {
				if _, ok := seen[ip]; !ok {
					seen[ip] = fset.Position(imp.Path.Pos()).String()
				}
			}
		}
	}
	out := make([]string, 0, len(seen))
	for ip := range seen {
		out = append(out, ip)
	}
	sort.Strings(out)
	return out, seen
}

// readSource returns file's contents: the editor's unsaved ones from
// overlay, else the file's.
func readSource(file string, overlay map[string][]byte) ([]byte, bool) {
	if src, ok := overlay[file]; ok {
		return src, true
	}
	src, err := os.ReadFile(file)
	return src, err == nil
}

// packageName is the package clause of the first file that has one.
func packageName(files []string, overlay map[string][]byte) string {
	for _, f := range files {
		src, ok := readSource(f, overlay)
		if !ok {
			continue
		}
		if af, err := parser.ParseFile(token.NewFileSet(), f, src, parser.PackageClauseOnly); err == nil {
			return af.Name.Name
		}
	}
	return ""
}

// typeModes are the go/packages modes computed from files by the caller,
// not by go list.
const typeModes = packages.NeedTypes | packages.NeedSyntax | packages.NeedTypesInfo | packages.NeedTypesSizes

// goList loads patterns with go/packages' own go list driver, for the
// metadata that the request's mode needs (types are the caller's to
// compute).
func goList(ctx context.Context, dir string, env []string, req *packages.DriverRequest, tests bool, patterns []string) ([]*packages.Package, error) {
	mode := req.Mode&^typeModes | packages.NeedName | packages.NeedImports | packages.NeedDeps
	if req.Mode&typeModes != 0 {
		mode |= packages.NeedCompiledGoFiles | packages.NeedFiles
	}
	if req.Mode&packages.NeedTypes != 0 && req.Mode&packages.NeedDeps == 0 {
		mode |= packages.NeedExportFile // the caller reads dependencies' types from export data
	}
	cfg := &packages.Config{
		Mode:       mode,
		Context:    ctx,
		Dir:        dir,
		Env:        append(append([]string(nil), env...), "GOPACKAGESDRIVER=off"),
		BuildFlags: req.BuildFlags,
		Tests:      tests,
		Overlay:    req.Overlay,
	}
	pkgs, err := packages.Load(cfg, patterns...)
	if err != nil {
		return nil, fmt.Errorf("go list: %w", err)
	}
	return pkgs, nil
}

// goListFailure returns what the go command says when it lists patterns,
// for an import that go/packages did not report (the go command refused
// the whole list: "updates to go.mod needed", for one).
func goListFailure(ctx context.Context, dir string, env, patterns []string) string {
	cmd := exec.CommandContext(ctx, "go", append([]string{"list", "-e", "-deps", "--"}, patterns...)...)
	cmd.Dir = dir
	cmd.Env = env
	out, err := cmd.CombinedOutput()
	if err == nil {
		return "not found"
	}
	var msg []string
	for _, l := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		if strings.HasPrefix(l, "go: ") || strings.HasPrefix(l, "\t") {
			msg = append(msg, strings.TrimSpace(strings.TrimPrefix(l, "go: ")))
		}
	}
	if len(msg) == 0 {
		return strings.TrimSpace(string(out))
	}
	return strings.Join(msg, " ")
}

// goEnv returns GOARCH and the go version's minor number, as the go
// command reports them.
func goEnv(ctx context.Context, dir string, env []string) (string, int) {
	cmd := exec.CommandContext(ctx, "go", "env", "GOARCH", "GOVERSION")
	cmd.Dir = dir
	cmd.Env = env
	out, err := cmd.Output()
	if err != nil {
		return "", 0
	}
	lines := strings.Split(string(bytes.TrimSpace(out)), "\n")
	if len(lines) != 2 {
		return "", 0
	}
	var minor int
	v := strings.TrimPrefix(strings.TrimSpace(lines[1]), "go1.")
	if i := strings.IndexAny(v, ".-rcbeta "); i >= 0 {
		v = v[:i]
	}
	minor, _ = strconv.Atoi(v)
	return strings.TrimSpace(lines[0]), minor
}
