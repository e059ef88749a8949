package devloop

import (
	"context"
	"errors"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"

	"github.com/nextgo-dev/nextgo/bundler"
	"github.com/nextgo-dev/nextgo/bundler/dotenv"
	"github.com/nextgo-dev/nextgo/bundler/gobuild"
	"github.com/nextgo-dev/nextgo/bundler/routes"
	"github.com/nextgo-dev/nextgo/internal/dashboard"
)

// failure is a failed build of the whole app or of one route.
type failure struct {
	Output string // the compiler's (or loader's) report
	Frames []dashboard.Frame
}

// result is the outcome of one build.
type result struct {
	project *bundler.Project // nil when the app could not be read
	env     []string         // the development .env set, KEY=value
	failed  *failure         // the whole app failed: nothing serves
	// broken maps the file of each route that failed to compile to its
	// failure; the server was built without them.
	broken map[string]*failure
}

// compile builds the dev server binary of the app in dir into bin. When
// only some routes fail to compile, it builds the server without them and
// reports them in broken, so that every other route serves its new code.
func compile(ctx context.Context, dir, bin string) *result {
	p, err := bundler.Load(ctx, dir)
	if err != nil {
		return &result{failed: newFailure(dir, err.Error())}
	}
	res := &result{project: p}
	vars, _, err := dotenv.Load(dir, dotenv.Development)
	if err != nil {
		res.failed = newFailure(dir, err.Error())
		return res
	}
	for k, v := range vars {
		res.env = append(res.env, k+"="+v)
	}
	err = build(ctx, p, bin)
	var ce *gobuild.Error
	if err == nil || !errors.As(err, &ce) {
		if err != nil {
			res.failed = newFailure(dir, err.Error())
		}
		return res
	}
	broken, ok := brokenRoutes(p.Table, ce.Output)
	if !ok || len(broken) == len(p.Table.Routes) {
		res.failed = newFailure(dir, ce.Output)
		return res
	}
	// Build again without the broken routes.
	full := p.Table
	kept := &routes.Table{Middleware: full.Middleware}
	for _, r := range full.Routes {
		if _, bad := broken[r.File]; !bad {
			kept.Routes = append(kept.Routes, r)
		}
	}
	p.Table = kept
	err = build(ctx, p, bin)
	p.Table = full
	if err != nil {
		res.failed = newFailure(dir, ce.Output)
		return res
	}
	res.broken = map[string]*failure{}
	for file, lines := range broken {
		res.broken[file] = newFailure(dir, strings.Join(lines, "\n"))
	}
	return res
}

// build stages the project and compiles its dev server.
func build(ctx context.Context, p *bundler.Project, bin string) error {
	if _, err := p.Prepare(ctx); err != nil {
		return err
	}
	return p.BuildDev(ctx, bin)
}

// errorLine matches a compiler error position at the start of a line:
// "pages/api/index.go:6:12: undefined: x".
var errorLine = regexp.MustCompile(`^(?:\./)?([^\s:][^:]*\.go):(\d+)(?::(\d+))?: (.*)$`)

// brokenRoutes maps each route named by a compiler error to its error
// lines. ok is false when an error lies outside every route (a shared
// package, the middleware), or when no error names a file.
func brokenRoutes(t *routes.Table, output string) (map[string][]string, bool) {
	owner := map[string]string{} // source file → route file
	for _, r := range t.Routes {
		for _, f := range r.Files {
			owner[f] = r.File
		}
		owner[r.File] = r.File
	}
	broken := map[string][]string{}
	for _, line := range strings.Split(output, "\n") {
		m := errorLine.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		route, ok := owner[filepath.ToSlash(m[1])]
		if !ok {
			return nil, false
		}
		broken[route] = append(broken[route], line)
	}
	return broken, len(broken) > 0
}

// newFailure parses a build report into code frames.
func newFailure(dir, output string) *failure {
	f := &failure{Output: strings.TrimRight(output, "\n")}
	for _, line := range strings.Split(output, "\n") {
		m := errorLine.FindStringSubmatch(strings.TrimSpace(line))
		if m == nil {
			continue
		}
		n, _ := strconv.Atoi(m[2])
		col, _ := strconv.Atoi(m[3])
		fr := dashboard.Frame{File: m[1], Line: n, Col: col, Message: m[4]}
		fr.Source = codeFrame(filepath.Join(dir, filepath.FromSlash(path.Clean(m[1]))), n, 3)
		f.Frames = append(f.Frames, fr)
		if len(f.Frames) == 10 {
			break
		}
	}
	return f
}

// codeFrame returns the lines of file around line n.
func codeFrame(file string, n, around int) []dashboard.SourceLine {
	b, err := os.ReadFile(file)
	if err != nil || n < 1 {
		return nil
	}
	lines := strings.Split(string(b), "\n")
	var out []dashboard.SourceLine
	for i := max(1, n-around); i <= min(len(lines), n+around); i++ {
		out = append(out, dashboard.SourceLine{N: i, Text: strings.ReplaceAll(lines[i-1], "\t", "    "), Mark: i == n})
	}
	return out
}
