package cloudformation

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/nextgo-dev/nextgo/adapters/lambda/deploy"
	"go.yaml.in/yaml/v3"
)

// Format is a template's file format.
type Format string

// The formats a template is written in.
const (
	YAML Format = "yaml"
	JSON Format = "json"
)

// ParseFormat reads a --format value.
func ParseFormat(s string) (Format, error) {
	switch Format(s) {
	case YAML, JSON:
		return Format(s), nil
	}
	return "", fmt.Errorf("format %q: want yaml or json", s)
}

// DefaultFile is the template's name in the build directory.
func (f Format) DefaultFile() string { return "template." + string(f) }

// Write writes t in format f: JSON indented by two spaces, or YAML with
// CloudFormation's intrinsic functions in their full form (Ref:,
// Fn::GetAtt:, Fn::Sub:). Keys are sorted, so the same template is the
// same bytes.
func (t *Template) Write(w io.Writer, f Format) error {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(t); err != nil {
		return err
	}
	if f == JSON {
		_, err := w.Write(buf.Bytes())
		return err
	}
	if f != YAML {
		return fmt.Errorf("format %q: want yaml or json", f)
	}
	// Through the generic form, so that the YAML has the JSON's keys.
	var v any
	dec := json.NewDecoder(&buf)
	dec.UseNumber()
	if err := dec.Decode(&v); err != nil {
		return err
	}
	y := yaml.NewEncoder(w)
	y.SetIndent(2)
	if err := y.Encode(numbers(v)); err != nil {
		return err
	}
	return y.Close()
}

// numbers turns the json.Numbers of v into int64s, which YAML writes as
// plain integers.
func numbers(v any) any {
	return mapLeaves(v, func(leaf any) any {
		x, ok := leaf.(json.Number)
		if !ok {
			return leaf
		}
		if n, err := x.Int64(); err == nil {
			return n
		}
		f, _ := x.Float64()
		return f
	})
}

// WriteFile renders d as a template and writes it to file in format f,
// each function's Code pointing at its zip in buildDir relative to file's
// directory. It returns the template.
func WriteFile(file, buildDir string, d *deploy.Desired, f Format) (*Template, error) {
	absFile, err := filepath.Abs(file)
	if err != nil {
		return nil, err
	}
	absBuild, err := filepath.Abs(buildDir)
	if err != nil {
		return nil, err
	}
	rel, err := filepath.Rel(filepath.Dir(absFile), absBuild)
	if err != nil {
		return nil, fmt.Errorf("the zips in %s cannot be named relative to %s: %w", buildDir, file, err)
	}
	codeDir := filepath.ToSlash(rel)
	if codeDir == "." {
		codeDir = ""
	}
	t, err := New(d, Options{CodeDir: codeDir})
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if err := t.Write(&buf, f); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(filepath.Dir(absFile), 0o755); err != nil {
		return nil, err
	}
	if err := os.WriteFile(file, buf.Bytes(), 0o644); err != nil {
		return nil, fmt.Errorf("write template: %w", err)
	}
	return t, nil
}
