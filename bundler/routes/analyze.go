package routes

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"sort"
	"strconv"
	"strings"
)

// Import paths of the packages a route uses to declare itself.
const (
	apiImport    = "github.com/nextgo-dev/nextgo/runtime/api"
	serverImport = "github.com/nextgo-dev/nextgo/runtime/server"
	httpImport   = "net/http"
)

// Form is how a route file declares its handler.
type Form string

// The handler forms.
const (
	FormAPI         Form = "api"          // func Handler(*api.Request, *api.Response)
	FormHTTPFunc    Form = "http-func"    // func Handler(http.ResponseWriter, *http.Request)
	FormHTTPHandler Form = "http-handler" // var Handler http.Handler = …
	FormServer      Form = "server"       // func GET(*server.Request) (*server.Response, error)
)

// Method is one HTTP method a route handler exports.
type Method struct {
	Name string // GET, POST, …
	Form Form   // FormServer or FormHTTPFunc
}

// Methods are the methods a route handler may export, in the order Next
// lists them.
var methodNames = []string{"GET", "HEAD", "OPTIONS", "POST", "PUT", "DELETE", "PATCH"}

// parsed is one route file's syntax, with the names its imports take.
type parsed struct {
	fset    *token.FileSet
	file    *ast.File
	name    string            // file path relative to the app, for messages
	imports map[string]string // import path → local name
}

// PosError is a build error at a place in a user's file.
type PosError struct {
	File string // relative to the app root
	Line int
	Col  int
	Msg  string
}

// Error is "file:line:col: message", or "file: message" without a line.
func (e *PosError) Error() string {
	if e.Line == 0 {
		return e.File + ": " + e.Msg
	}
	return fmt.Sprintf("%s:%d:%d: %s", e.File, e.Line, e.Col, e.Msg)
}

func (p *parsed) errorf(pos token.Pos, format string, args ...any) *PosError {
	e := &PosError{File: p.name, Msg: fmt.Sprintf(format, args...)}
	if pos.IsValid() {
		position := p.fset.Position(pos)
		e.Line, e.Col = position.Line, position.Column
	}
	return e
}

func parseFile(fsys fs.FS, name string) (*parsed, error) {
	src, err := fs.ReadFile(fsys, name)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", name, err)
	}
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, name, src, parser.SkipObjectResolution)
	if err != nil {
		return nil, err // go/scanner errors already name file:line:col
	}
	p := &parsed{fset: fset, file: f, name: name, imports: map[string]string{}}
	for _, imp := range f.Imports {
		ip, _ := strconv.Unquote(imp.Path.Value)
		local := ip[strings.LastIndex(ip, "/")+1:]
		if imp.Name != nil {
			local = imp.Name.Name
		}
		p.imports[ip] = local
	}
	if f.Name.Name == "main" {
		return nil, p.errorf(f.Name.Pos(), "a route cannot be package main; name its package anything else")
	}
	return p, nil
}

// isSel reports whether e is pkg.name where pkg is the local name of the
// import path ip (or a pointer to it when ptr is set).
func (p *parsed) isSel(e ast.Expr, ptr bool, ip, name string) bool {
	if ptr {
		star, ok := e.(*ast.StarExpr)
		if !ok {
			return false
		}
		e = star.X
	}
	sel, ok := e.(*ast.SelectorExpr)
	if !ok {
		return false
	}
	id, ok := sel.X.(*ast.Ident)
	local, imported := p.imports[ip]
	return ok && imported && id.Name == local && sel.Sel.Name == name
}

// fieldTypes flattens a field list into one type per parameter.
func fieldTypes(fl *ast.FieldList) []ast.Expr {
	if fl == nil {
		return nil
	}
	var out []ast.Expr
	for _, f := range fl.List {
		n := len(f.Names)
		if n == 0 {
			n = 1
		}
		for i := 0; i < n; i++ {
			out = append(out, f.Type)
		}
	}
	return out
}

// funcForm classifies a handler function's signature.
func (p *parsed) funcForm(fd *ast.FuncDecl, kind Kind) (Form, bool) {
	params, results := fieldTypes(fd.Type.Params), fieldTypes(fd.Type.Results)
	if fd.Recv != nil || fd.Type.TypeParams != nil || len(params) != 2 && len(params) != 1 {
		return "", false
	}
	if len(params) == 2 && len(results) == 0 &&
		p.isSel(params[0], false, httpImport, "ResponseWriter") && p.isSel(params[1], true, httpImport, "Request") {
		return FormHTTPFunc, true
	}
	switch kind {
	case KindAPI:
		if len(params) == 2 && len(results) == 0 &&
			p.isSel(params[0], true, apiImport, "Request") && p.isSel(params[1], true, apiImport, "Response") {
			return FormAPI, true
		}
	case KindRoute:
		if len(params) == 1 && len(results) == 2 && p.isSel(params[0], true, serverImport, "Request") &&
			p.isSel(results[0], true, serverImport, "Response") && isIdent(results[1], "error") {
			return FormServer, true
		}
	}
	return "", false
}

func isIdent(e ast.Expr, name string) bool {
	id, ok := e.(*ast.Ident)
	return ok && id.Name == name
}

// topValue finds the top-level `var name = …` (or const) of the file.
func (p *parsed) topValue(name string) (*ast.ValueSpec, int) {
	for _, d := range p.file.Decls {
		gd, ok := d.(*ast.GenDecl)
		if !ok || (gd.Tok != token.VAR && gd.Tok != token.CONST) {
			continue
		}
		for _, s := range gd.Specs {
			vs := s.(*ast.ValueSpec)
			for i, n := range vs.Names {
				if n.Name == name {
					return vs, i
				}
			}
		}
	}
	return nil, -1
}

// topFunc finds the top-level function name (no receiver).
func (p *parsed) topFunc(name string) *ast.FuncDecl {
	for _, d := range p.file.Decls {
		if fd, ok := d.(*ast.FuncDecl); ok && fd.Recv == nil && fd.Name.Name == name {
			return fd
		}
	}
	return nil
}

// apiHandler detects the handler form of a pages/api file.
func (p *parsed) apiHandler() (Form, error) {
	if fd := p.topFunc("Handler"); fd != nil {
		if form, ok := p.funcForm(fd, KindAPI); ok {
			return form, nil
		}
		return "", p.errorf(fd.Name.Pos(), "Handler must be func(*api.Request, *api.Response) or func(http.ResponseWriter, *http.Request), found %s", p.signature(fd))
	}
	if vs, _ := p.topValue("Handler"); vs != nil {
		if vs.Type == nil || p.isSel(vs.Type, false, httpImport, "Handler") {
			return FormHTTPHandler, nil
		}
		return "", p.errorf(vs.Pos(), "var Handler must be an http.Handler")
	}
	return "", p.errorf(p.file.Name.Pos(), "API route %s does not declare a Handler: add func Handler(req *api.Request, res *api.Response)", p.name)
}

// signature renders a function's parameter and result types for messages.
func (p *parsed) signature(fd *ast.FuncDecl) string {
	var b strings.Builder
	render := func(fl *ast.FieldList) {
		for i, t := range fieldTypes(fl) {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(exprString(t))
		}
	}
	b.WriteString("func(")
	render(fd.Type.Params)
	b.WriteString(")")
	if rs := fieldTypes(fd.Type.Results); len(rs) > 0 {
		b.WriteString(" (")
		render(fd.Type.Results)
		b.WriteString(")")
	}
	return b.String()
}

func exprString(e ast.Expr) string {
	switch e := e.(type) {
	case *ast.Ident:
		return e.Name
	case *ast.StarExpr:
		return "*" + exprString(e.X)
	case *ast.SelectorExpr:
		return exprString(e.X) + "." + e.Sel.Name
	case *ast.ArrayType:
		return "[]" + exprString(e.Elt)
	case *ast.InterfaceType:
		return "interface{...}"
	case *ast.FuncType:
		return "func(...)"
	}
	return fmt.Sprintf("%T", e)
}

// routeMethods finds the methods a route handler package exports, across
// all its files.
func routeMethods(files []*parsed) ([]Method, error) {
	var methods []Method
	seen := map[string]bool{}
	for _, p := range files {
		for _, d := range p.file.Decls {
			fd, ok := d.(*ast.FuncDecl)
			if !ok || fd.Recv != nil {
				continue
			}
			name := fd.Name.Name
			if !isMethodName(name) {
				if isMethodName(strings.ToUpper(name)) && name != strings.ToUpper(name) {
					return nil, p.errorf(fd.Name.Pos(), "Detected lowercase method '%s' in '%s'. Export the uppercase '%s' method name to fix this error.", name, p.name, strings.ToUpper(name))
				}
				continue
			}
			form, ok := p.funcForm(fd, KindRoute)
			if !ok {
				return nil, p.errorf(fd.Name.Pos(), "%s must be func(*server.Request) (*server.Response, error) or func(http.ResponseWriter, *http.Request), found %s", name, p.signature(fd))
			}
			if !seen[name] {
				seen[name] = true
				methods = append(methods, Method{Name: name, Form: form})
			}
		}
	}
	sort.Slice(methods, func(i, j int) bool { return methods[i].Name < methods[j].Name })
	return methods, nil
}

func isMethodName(s string) bool {
	for _, m := range methodNames {
		if s == m {
			return true
		}
	}
	return false
}

// streams reports whether the file streams responses: it calls server.Stream
// or a Flush method, or makes an io.Pipe (whose reader a route handler
// returns as the body of server.NewResponse, flushed as it is read).
func (p *parsed) streams() bool {
	found := false
	ast.Inspect(p.file, func(n ast.Node) bool {
		if found {
			return false
		}
		if sel, ok := n.(*ast.SelectorExpr); ok {
			found = sel.Sel.Name == "Flush" || p.isSel(sel, false, serverImport, "Stream") || p.isSel(sel, false, "io", "Pipe")
		}
		return !found
	})
	return found
}
