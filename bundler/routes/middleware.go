package routes

import (
	"go/ast"
	"io/fs"
	"strings"
)

// MiddlewareFile is where an app declares its middleware.
const MiddlewareFile = "middleware.go"

// Middleware is the app's middleware.go, analysed.
type Middleware struct {
	File      string   `json:"file"`
	Package   string   `json:"package"`
	HasConfig bool     `json:"hasConfig"` // declares MiddlewareConfig
	Matcher   []string `json:"matcher,omitempty"`
}

// readMiddleware reads middleware.go at the app root, if present: it must
// declare func Middleware(*server.Request) (*server.Response, error) and may
// declare var MiddlewareConfig = server.MiddlewareConfig{Matcher: []string{...}}.
func readMiddleware(fsys fs.FS) (*Middleware, error) {
	if _, err := fs.Stat(fsys, MiddlewareFile); err != nil {
		return nil, nil
	}
	p, err := parseFile(fsys, MiddlewareFile)
	if err != nil {
		return nil, err
	}
	m := &Middleware{File: MiddlewareFile, Package: p.file.Name.Name}
	fd := p.topFunc("Middleware")
	if fd == nil {
		return nil, p.errorf(p.file.Name.Pos(), "middleware.go must declare func Middleware(req *server.Request) (*server.Response, error)")
	}
	if form, ok := p.funcForm(fd, KindRoute); !ok || form != FormServer {
		return nil, p.errorf(fd.Name.Pos(), "Middleware must be func(*server.Request) (*server.Response, error), found %s", p.signature(fd))
	}
	vs, i := p.topValue("MiddlewareConfig")
	if vs == nil {
		return m, nil
	}
	m.HasConfig = true
	if len(vs.Values) <= i {
		return nil, p.errorf(vs.Pos(), "MiddlewareConfig must be initialised: var MiddlewareConfig = server.MiddlewareConfig{Matcher: []string{\"/api/:path*\"}}")
	}
	lit, ok := vs.Values[i].(*ast.CompositeLit)
	if !ok || !p.isSel(lit.Type, false, serverImport, "MiddlewareConfig") {
		return nil, p.errorf(vs.Values[i].Pos(), "MiddlewareConfig must be a composite literal of constants: server.MiddlewareConfig{Matcher: []string{\"/api/:path*\"}}")
	}
	fields, err := p.fields(lit)
	if err != nil {
		return nil, err
	}
	for _, f := range fields {
		if f.name != "Matcher" {
			return nil, p.errorf(f.pos, "unknown field %s in MiddlewareConfig", f.name)
		}
		if f.val.kind != "composite" {
			return nil, p.errorf(f.expr.Pos(), "MiddlewareConfig.Matcher must be a []string literal")
		}
		for _, el := range f.val.lit.Elts {
			v, err := p.constant(el)
			if err != nil {
				return nil, err
			}
			if v.kind != "string" {
				return nil, p.errorf(el.Pos(), "MiddlewareConfig.Matcher entries must be string constants")
			}
			m.Matcher = append(m.Matcher, v.s)
		}
	}
	return m, nil
}

// MiddlewareMayMatch reports whether any path served by pattern could match
// the middleware's matcher. A middleware without a matcher runs everywhere,
// and a dynamic route always links it in; the runtime matcher decides per
// request.
func MiddlewareMayMatch(mw *Middleware, pattern string) bool {
	if len(mw.Matcher) == 0 {
		return true
	}
	if strings.Contains(pattern, "[") {
		return true // a dynamic route may serve any path the matcher names
	}
	for _, m := range mw.Matcher {
		if matcherMayMatch(m, pattern) {
			return true
		}
	}
	return false
}

// matcherMayMatch compares the static prefix of a matcher (up to its first
// parameter or pattern character) with the path: a conservative test.
func matcherMayMatch(matcher, path string) bool {
	prefix := matcher
	if i := strings.IndexAny(matcher, ":(*?+"); i >= 0 {
		prefix = matcher[:i]
	}
	prefix = strings.TrimSuffix(prefix, "/")
	if prefix == "" {
		return true
	}
	if prefix == matcher {
		return path == prefix
	}
	return path == prefix || strings.HasPrefix(path, prefix+"/")
}
