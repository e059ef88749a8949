package routes

import (
	"go/ast"
	"go/token"
	"strconv"
)

// RouteConfig is a route's Config as read statically from its source. Zero
// fields were not set; the bundler applies defaults when it plans builds.
type RouteConfig struct {
	Set  bool `json:"-"` // the file declares Config
	Line int  `json:"-"` // where Config is declared

	MaxDuration int `json:"maxDuration,omitempty"` // seconds
	Memory      int `json:"memory,omitempty"`      // MB

	// API routes (api.Config).
	SizeLimit          string `json:"sizeLimit,omitempty"` // api.BodyParser.SizeLimit literal
	BodyParserDisabled bool   `json:"bodyParserDisabled,omitempty"`
	ResponseLimit      string `json:"responseLimit,omitempty"`
	NoResponseLimit    bool   `json:"noResponseLimit,omitempty"`
	ExternalResolver   bool   `json:"externalResolver,omitempty"`

	// Route handlers (server.Config).
	Dynamic       string `json:"dynamic,omitempty"` // Auto, ForceDynamic, ForceStatic, Error
	Revalidate    int    `json:"revalidate,omitempty"`
	BodySizeLimit string `json:"bodySizeLimit,omitempty"`
}

// value is a constant read from source.
type value struct {
	kind string // "string", "int", "bool", "const" (a package constant), "composite"
	s    string
	i    int64
	b    bool
	sel  string // constant name for kind "const"
	lit  *ast.CompositeLit
}

// readConfig reads `var Config = pkg.Config{...}` from p, where pkg is the
// runtime package of the route's kind. Anything but a composite literal of
// constants is an error naming the file and line.
func (p *parsed) readConfig(kind Kind) (RouteConfig, error) {
	var rc RouteConfig
	vs, i := p.topValue("Config")
	if vs == nil {
		return rc, nil
	}
	pkgImport, pkgName := apiImport, "api"
	if kind == KindRoute {
		pkgImport, pkgName = serverImport, "server"
	}
	rc.Set = true
	rc.Line = p.fset.Position(vs.Pos()).Line
	if len(vs.Values) <= i {
		return rc, p.errorf(vs.Pos(), "Config must be initialised with a composite literal: var Config = %s.Config{...}", pkgName)
	}
	lit, ok := vs.Values[i].(*ast.CompositeLit)
	if !ok || !p.isSel(lit.Type, false, pkgImport, "Config") {
		return rc, p.errorf(vs.Values[i].Pos(), "Config must be a composite literal of constants, like var Config = %s.Config{MaxDuration: 5}; it is read when the route is built", pkgName)
	}
	if vs.Type != nil && !p.isSel(vs.Type, false, pkgImport, "Config") {
		return rc, p.errorf(vs.Type.Pos(), "Config must have type %s.Config", pkgName)
	}
	fields, err := p.fields(lit)
	if err != nil {
		return rc, err
	}
	for _, f := range fields {
		if err := p.setField(&rc, kind, pkgImport, f); err != nil {
			return rc, err
		}
	}
	return rc, nil
}

type field struct {
	name string
	pos  token.Pos
	val  value
	expr ast.Expr
}

// fields reads the keyed elements of a composite literal.
func (p *parsed) fields(lit *ast.CompositeLit) ([]field, error) {
	var out []field
	for _, el := range lit.Elts {
		kv, ok := el.(*ast.KeyValueExpr)
		if !ok {
			return nil, p.errorf(el.Pos(), "Config fields must be named (Field: value)")
		}
		key, ok := kv.Key.(*ast.Ident)
		if !ok {
			return nil, p.errorf(kv.Key.Pos(), "Config field name expected")
		}
		v, err := p.constant(kv.Value)
		if err != nil {
			return nil, err
		}
		out = append(out, field{name: key.Name, pos: kv.Key.Pos(), val: v, expr: kv.Value})
	}
	return out, nil
}

// constant evaluates a literal, true/false, a package constant (pkg.Name)
// or a nested composite literal.
func (p *parsed) constant(e ast.Expr) (value, error) {
	switch e := e.(type) {
	case *ast.ParenExpr:
		return p.constant(e.X)
	case *ast.BasicLit:
		switch e.Kind {
		case token.STRING:
			s, err := strconv.Unquote(e.Value)
			if err != nil {
				return value{}, p.errorf(e.Pos(), "bad string literal: %v", err)
			}
			return value{kind: "string", s: s}, nil
		case token.INT:
			n, err := strconv.ParseInt(e.Value, 0, 64)
			if err != nil {
				return value{}, p.errorf(e.Pos(), "bad integer literal %s", e.Value)
			}
			return value{kind: "int", i: n}, nil
		}
	case *ast.UnaryExpr:
		if e.Op == token.SUB {
			if v, err := p.constant(e.X); err == nil && v.kind == "int" {
				return value{kind: "int", i: -v.i}, nil
			}
		}
	case *ast.Ident:
		if e.Name == "true" || e.Name == "false" {
			return value{kind: "bool", b: e.Name == "true"}, nil
		}
	case *ast.SelectorExpr:
		if id, ok := e.X.(*ast.Ident); ok {
			return value{kind: "const", sel: id.Name + "." + e.Sel.Name}, nil
		}
	case *ast.CompositeLit:
		return value{kind: "composite", lit: e}, nil
	}
	return value{}, p.errorf(e.Pos(), "Config values must be constants (literals): %s is not; the Config is read when the route is built", describeExpr(e))
}

func describeExpr(e ast.Expr) string {
	switch e := e.(type) {
	case *ast.CallExpr:
		return "a function call"
	case *ast.Ident:
		return "the identifier " + e.Name
	case *ast.BinaryExpr:
		return "an expression"
	}
	return "this expression"
}

func (p *parsed) setField(rc *RouteConfig, kind Kind, pkgImport string, f field) error {
	local := p.imports[pkgImport]
	want := func(k string) error {
		if f.val.kind != k {
			return p.errorf(f.expr.Pos(), "Config.%s must be a %s constant", f.name, map[string]string{"int": "integer", "string": "string", "bool": "boolean"}[k])
		}
		return nil
	}
	switch {
	case f.name == "MaxDuration":
		if err := want("int"); err != nil {
			return err
		}
		rc.MaxDuration = int(f.val.i)
		return nil
	case f.name == "Memory":
		if err := want("int"); err != nil {
			return err
		}
		rc.Memory = int(f.val.i)
		return nil
	case kind == KindAPI && f.name == "ExternalResolver":
		if err := want("bool"); err != nil {
			return err
		}
		rc.ExternalResolver = f.val.b
		return nil
	case kind == KindAPI && f.name == "ResponseLimit":
		if f.val.kind == "const" && f.val.sel == local+".NoResponseLimit" {
			rc.NoResponseLimit = true
			return nil
		}
		if err := want("string"); err != nil {
			return err
		}
		if f.val.s == "false" { // the value of api.NoResponseLimit
			rc.NoResponseLimit = true
			return nil
		}
		rc.ResponseLimit = f.val.s
		return nil
	case kind == KindAPI && f.name == "BodyParser":
		if f.val.kind != "composite" || !p.isSel(f.val.lit.Type, false, pkgImport, "BodyParser") {
			return p.errorf(f.expr.Pos(), "Config.BodyParser must be a composite literal: api.BodyParser{SizeLimit: \"1mb\"} or api.BodyParser{Disabled: true}")
		}
		sub, err := p.fields(f.val.lit)
		if err != nil {
			return err
		}
		for _, sf := range sub {
			switch sf.name {
			case "SizeLimit":
				if sf.val.kind != "string" {
					return p.errorf(sf.expr.Pos(), "BodyParser.SizeLimit must be a string constant such as \"1mb\"")
				}
				rc.SizeLimit = sf.val.s
			case "Disabled":
				if sf.val.kind != "bool" {
					return p.errorf(sf.expr.Pos(), "BodyParser.Disabled must be true or false")
				}
				rc.BodyParserDisabled = sf.val.b
			default:
				return p.errorf(sf.pos, "unknown field %s in api.BodyParser", sf.name)
			}
		}
		return nil
	case kind == KindRoute && f.name == "Dynamic":
		names := map[string]bool{"Auto": true, "ForceDynamic": true, "ForceStatic": true, "Error": true}
		if f.val.kind == "const" && len(f.val.sel) > len(local)+1 && f.val.sel[:len(local)+1] == local+"." && names[f.val.sel[len(local)+1:]] {
			rc.Dynamic = f.val.sel[len(local)+1:]
			return nil
		}
		return p.errorf(f.expr.Pos(), "Config.Dynamic must be one of server.Auto, server.ForceDynamic, server.ForceStatic, server.Error")
	case kind == KindRoute && f.name == "Revalidate":
		if err := want("int"); err != nil {
			return err
		}
		rc.Revalidate = int(f.val.i)
		return nil
	case kind == KindRoute && f.name == "BodySizeLimit":
		if err := want("string"); err != nil {
			return err
		}
		rc.BodySizeLimit = f.val.s
		return nil
	}
	return p.errorf(f.pos, "unknown field %s in Config", f.name)
}
