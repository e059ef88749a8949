package stage

import (
	"fmt"
	"path"
	"reflect"
	"strconv"
	"strings"
)

// goLiteral spells v as a Go expression that evaluates to it: strings are
// quoted with strconv.Quote, booleans and integers written in full, slices
// and structs as composite literals whose named types are qualified with
// the last element of their package path (rules.Config{…} for a value of
// runtime/rules). Zero fields are left out. Anything else (pointers, maps,
// interfaces, functions, floats, unexported fields) is an error: a value
// that cannot be written back exactly is not embedded at all.
func goLiteral(v any) (string, error) {
	var b strings.Builder
	if err := writeLiteral(&b, reflect.ValueOf(v), false); err != nil {
		return "", err
	}
	return b.String(), nil
}

// writeLiteral writes v; elided is set for the elements of a slice, whose
// composite literals may leave their type out.
func writeLiteral(b *strings.Builder, v reflect.Value, elided bool) error {
	t := v.Type()
	named := t.Name() != "" && t.PkgPath() != ""
	switch t.Kind() {
	case reflect.String, reflect.Bool, reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		lit := basicLiteral(v)
		if named {
			lit = typeName(t) + "(" + lit + ")"
		}
		b.WriteString(lit)
		return nil
	case reflect.Slice:
		if !elided {
			b.WriteString("[]")
			if err := writeType(b, t.Elem()); err != nil {
				return err
			}
		}
		b.WriteByte('{')
		for i := range v.Len() {
			if i > 0 {
				b.WriteString(", ")
			}
			if err := writeLiteral(b, v.Index(i), t.Elem().Kind() == reflect.Struct || t.Elem().Kind() == reflect.Slice); err != nil {
				return err
			}
		}
		b.WriteByte('}')
		return nil
	case reflect.Struct:
		if !elided {
			if !named {
				return fmt.Errorf("cannot write a value of the unnamed type %s as Go", t)
			}
			b.WriteString(typeName(t))
		}
		b.WriteByte('{')
		first := true
		for i := range t.NumField() {
			f := t.Field(i)
			if !f.IsExported() {
				return fmt.Errorf("cannot write %s as Go: its field %s is unexported", t, f.Name)
			}
			fv := v.Field(i)
			if fv.IsZero() {
				continue
			}
			if !first {
				b.WriteString(", ")
			}
			first = false
			b.WriteString(f.Name + ": ")
			if err := writeLiteral(b, fv, false); err != nil {
				return err
			}
		}
		b.WriteByte('}')
		return nil
	}
	return fmt.Errorf("cannot write a value of type %s as Go", t)
}

// writeType writes the Go spelling of a slice's element type.
func writeType(b *strings.Builder, t reflect.Type) error {
	if t.Name() != "" {
		if t.PkgPath() == "" {
			b.WriteString(t.Name())
		} else {
			b.WriteString(typeName(t))
		}
		return nil
	}
	if t.Kind() == reflect.Slice {
		b.WriteString("[]")
		return writeType(b, t.Elem())
	}
	return fmt.Errorf("cannot write the type %s as Go", t)
}

// typeName qualifies a named type with its package's name.
func typeName(t reflect.Type) string { return path.Base(t.PkgPath()) + "." + t.Name() }

// basicLiteral writes a string, boolean or integer.
func basicLiteral(v reflect.Value) string {
	switch v.Kind() {
	case reflect.String:
		return strconv.Quote(v.String())
	case reflect.Bool:
		return strconv.FormatBool(v.Bool())
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return strconv.FormatUint(v.Uint(), 10)
	}
	return strconv.FormatInt(v.Int(), 10)
}
