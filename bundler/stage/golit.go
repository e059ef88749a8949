package stage

import (
	"bytes"
	"fmt"
	"go/ast"
	"go/format"
	"go/token"
	"path"
	"reflect"
	"strconv"
)

// goLiteral spells v as a Go expression that evaluates to it, built as
// syntax (go/ast) and printed by go/format: strings are quoted with
// strconv.Quote, booleans and integers written in full, slices and structs
// as composite literals whose named types are qualified with the last
// element of their package path (rules.Config{…} for a value of
// runtime/rules). Zero fields are left out. Anything else (pointers, maps,
// interfaces, functions, floats, unexported fields) is an error: a value
// that cannot be written back exactly is not embedded at all.
func goLiteral(v any) (string, error) {
	e, err := literal(reflect.ValueOf(v), false)
	if err != nil {
		return "", err
	}
	var b bytes.Buffer
	if err := format.Node(&b, token.NewFileSet(), e); err != nil {
		return "", err
	}
	return b.String(), nil
}

// literal returns the expression of v; elided is set for the elements of a
// slice, whose composite literals may leave their type out.
func literal(v reflect.Value, elided bool) (ast.Expr, error) {
	t := v.Type()
	named := t.Name() != "" && t.PkgPath() != ""
	switch t.Kind() {
	case reflect.String, reflect.Bool, reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		lit := basicLiteral(v)
		if named {
			return &ast.CallExpr{Fun: typeName(t), Args: []ast.Expr{lit}}, nil
		}
		return lit, nil
	case reflect.Slice:
		cl := &ast.CompositeLit{}
		if !elided {
			elt, err := typeExpr(t.Elem())
			if err != nil {
				return nil, err
			}
			cl.Type = &ast.ArrayType{Elt: elt}
		}
		for i := range v.Len() {
			el, err := literal(v.Index(i), t.Elem().Kind() == reflect.Struct || t.Elem().Kind() == reflect.Slice)
			if err != nil {
				return nil, err
			}
			cl.Elts = append(cl.Elts, el)
		}
		return cl, nil
	case reflect.Struct:
		cl := &ast.CompositeLit{}
		if !elided {
			if !named {
				return nil, fmt.Errorf("cannot write a value of the unnamed type %s as Go", t)
			}
			cl.Type = typeName(t)
		}
		for i := range t.NumField() {
			f := t.Field(i)
			if !f.IsExported() {
				return nil, fmt.Errorf("cannot write %s as Go: its field %s is unexported", t, f.Name)
			}
			fv := v.Field(i)
			if fv.IsZero() {
				continue
			}
			val, err := literal(fv, false)
			if err != nil {
				return nil, err
			}
			cl.Elts = append(cl.Elts, &ast.KeyValueExpr{Key: ast.NewIdent(f.Name), Value: val})
		}
		return cl, nil
	}
	return nil, fmt.Errorf("cannot write a value of type %s as Go", t)
}

// typeExpr is the Go spelling of a slice's element type.
func typeExpr(t reflect.Type) (ast.Expr, error) {
	if t.Name() != "" {
		if t.PkgPath() == "" {
			return ast.NewIdent(t.Name()), nil
		}
		return typeName(t), nil
	}
	if t.Kind() == reflect.Slice {
		elt, err := typeExpr(t.Elem())
		if err != nil {
			return nil, err
		}
		return &ast.ArrayType{Elt: elt}, nil
	}
	return nil, fmt.Errorf("cannot write the type %s as Go", t)
}

// typeName qualifies a named type with its package's name.
func typeName(t reflect.Type) ast.Expr {
	return &ast.SelectorExpr{X: ast.NewIdent(path.Base(t.PkgPath())), Sel: ast.NewIdent(t.Name())}
}

// basicLiteral is a string, boolean or integer; a negative integer is its
// negation.
func basicLiteral(v reflect.Value) ast.Expr {
	switch v.Kind() {
	case reflect.String:
		return &ast.BasicLit{Kind: token.STRING, Value: strconv.Quote(v.String())}
	case reflect.Bool:
		return ast.NewIdent(strconv.FormatBool(v.Bool()))
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return &ast.BasicLit{Kind: token.INT, Value: strconv.FormatUint(v.Uint(), 10)}
	}
	if n := v.Int(); n < 0 {
		return &ast.UnaryExpr{Op: token.SUB, X: &ast.BasicLit{Kind: token.INT, Value: strconv.FormatUint(uint64(-n), 10)}}
	}
	return &ast.BasicLit{Kind: token.INT, Value: strconv.FormatInt(v.Int(), 10)}
}
