// Package cfnspec checks CloudFormation templates against the CloudFormation
// resource database of the AWS CDK's service specification (db.json.gz of the
// npm package @aws-cdk/aws-service-spec): every resource type exists, every
// property is known to its type, required properties are present, primitive
// types match, and every Ref, Fn::GetAtt and Fn::Sub reference names a
// parameter, a pseudo parameter or a resource (and, for an attribute, one
// its type has).
//
// The tests of nextgo's CloudFormation export use it; .ci/run installs the
// pinned database and names it in NEXTGO_CFNSPEC_DB.
package cfnspec

import (
	"compress/gzip"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
)

// Version is the version of @aws-cdk/aws-service-spec the tests pin
// (.ci/run installs it).
const Version = "0.1.216"

// EnvDB names the variable that holds the path of db.json.gz.
const EnvDB = "NEXTGO_CFNSPEC_DB"

// Prefix is the npm prefix .ci/run installs the database into: a folder
// of the user's cache directory.
func Prefix() string {
	dir, err := os.UserCacheDir()
	if err != nil {
		dir = os.TempDir()
	}
	return filepath.Join(dir, "nextgo", "aws-service-spec", Version)
}

// DefaultPath is the database's path under Prefix, where the tests look
// when EnvDB is unset.
func DefaultPath() string {
	return filepath.Join(Prefix(), "node_modules", "@aws-cdk", "aws-service-spec", "db.json.gz")
}

// Find returns the path of the database: EnvDB, else DefaultPath. It fails,
// saying how to install it, when there is none.
func Find() (string, error) {
	p := os.Getenv(EnvDB)
	if p == "" {
		p = DefaultPath()
	}
	if _, err := os.Stat(p); err != nil {
		return "", fmt.Errorf("the CloudFormation resource database is not at %s (%v): install it with `npm install --prefix %s @aws-cdk/aws-service-spec@%s` (as .ci/run does) or set %s to its db.json.gz",
			p, err, Prefix(), Version, EnvDB)
	}
	return p, nil
}

// DB is the resource database.
type DB struct {
	resources map[string]*resource // by CloudFormation type
	types     map[string]*typeDef  // by $id
}

type resource struct {
	Type       string               `json:"cloudFormationType"`
	Properties map[string]*property `json:"properties"`
	Attributes map[string]any       `json:"attributes"`
}

type typeDef struct {
	ID         string               `json:"$id"`
	Name       string               `json:"name"`
	Properties map[string]*property `json:"properties"`
}

type property struct {
	Type     *propType `json:"type"`
	Required bool      `json:"required"`
}

type propType struct {
	Type      string      `json:"type"` // string, integer, number, boolean, json, array, map, ref, tag, union, ...
	Element   *propType   `json:"element"`
	Types     []*propType `json:"types"`
	Reference *struct {
		Ref string `json:"$ref"`
	} `json:"reference"`
}

// Load reads db.json.gz.
func Load(path string) (*DB, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	z, err := gzip.NewReader(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	var raw struct {
		Schema struct {
			Resource struct {
				Entities []*resource `json:"entities"`
			} `json:"resource"`
			TypeDefinition struct {
				Entities []*typeDef `json:"entities"`
			} `json:"typeDefinition"`
		} `json:"schema"`
	}
	if err := json.NewDecoder(z).Decode(&raw); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	db := &DB{resources: map[string]*resource{}, types: map[string]*typeDef{}}
	for _, r := range raw.Schema.Resource.Entities {
		db.resources[r.Type] = r
	}
	for _, t := range raw.Schema.TypeDefinition.Entities {
		db.types[t.ID] = t
	}
	if len(db.resources) == 0 {
		return nil, fmt.Errorf("%s: no resource types", path)
	}
	return db, nil
}

// HasAttribute reports whether resource type typ has the attribute attr.
func (db *DB) HasAttribute(typ, attr string) bool {
	r := db.resources[typ]
	if r == nil {
		return false
	}
	_, ok := r.Attributes[attr]
	return ok
}

// packaged lists the properties that `aws cloudformation package` takes as
// a local path and replaces with the uploaded artifact's location (AWS CLI
// reference, "cloudformation package": AWS::Lambda::Function's Code among
// them).
var packaged = map[string]bool{"AWS::Lambda::Function.Code": true}

// Validate checks a template (JSON) and returns every problem found, each
// naming where.
func (db *DB) Validate(template []byte) []error {
	var t struct {
		Parameters map[string]any `json:"Parameters"`
		Resources  map[string]struct {
			Type       string         `json:"Type"`
			DependsOn  any            `json:"DependsOn"`
			Properties map[string]any `json:"Properties"`
		} `json:"Resources"`
		Outputs map[string]struct {
			Value any `json:"Value"`
		} `json:"Outputs"`
	}
	if err := json.Unmarshal(template, &t); err != nil {
		return []error{err}
	}
	v := &validator{db: db, params: t.Parameters, types: map[string]string{}}
	for id, r := range t.Resources {
		v.types[id] = r.Type
	}
	if len(t.Resources) == 0 {
		v.errorf("Resources", "no resources")
	}
	for _, id := range sortedKeys(t.Resources) {
		r := t.Resources[id]
		at := "Resources." + id
		def := db.resources[r.Type]
		if def == nil {
			v.errorf(at, "unknown resource type %q", r.Type)
			continue
		}
		for _, dep := range dependsOn(r.DependsOn) {
			if _, ok := t.Resources[dep]; !ok {
				v.errorf(at+".DependsOn", "no resource %q", dep)
			}
		}
		v.object(at+".Properties", r.Type, def.Properties, r.Properties)
	}
	for _, id := range sortedKeys(t.Outputs) {
		v.value("Outputs."+id+".Value", "", &propType{Type: "string"}, t.Outputs[id].Value)
	}
	return v.errs
}

type validator struct {
	db     *DB
	params map[string]any
	types  map[string]string // logical id → resource type
	errs   []error
}

func (v *validator) errorf(at, format string, args ...any) {
	v.errs = append(v.errs, fmt.Errorf("%s: %s", at, fmt.Sprintf(format, args...)))
}

// object checks the properties of a resource or of a property type.
func (v *validator) object(at, owner string, defs map[string]*property, props map[string]any) {
	for _, name := range sortedKeys(defs) {
		if defs[name].Required {
			if _, ok := props[name]; !ok {
				v.errorf(at, "required property %s is missing", name)
			}
		}
	}
	for _, name := range sortedKeys(props) {
		def, ok := defs[name]
		if !ok {
			v.errorf(at+"."+name, "%s has no property %s", owner, name)
			continue
		}
		if s, ok := props[name].(string); ok && packaged[owner+"."+name] {
			if s == "" || filepath.IsAbs(s) {
				v.errorf(at+"."+name, "a packaged artifact is a relative local path, not %q", s)
			}
			continue
		}
		v.value(at+"."+name, owner, def.Type, props[name])
	}
}

// intrinsics are the functions a value may be instead of a literal.
var intrinsics = []string{"Ref", "Fn::GetAtt", "Fn::Sub", "Fn::Join", "Fn::Select", "Fn::Split", "Fn::If", "Fn::ImportValue", "Fn::FindInMap", "Fn::GetAZs", "Fn::Base64", "Fn::Cidr", "Fn::Length", "Fn::ToJsonString"}

// intrinsic returns the function and argument of a one-key object naming
// an intrinsic function.
func intrinsic(x any) (string, any, bool) {
	m, ok := x.(map[string]any)
	if !ok || len(m) != 1 {
		return "", nil, false
	}
	for k, arg := range m {
		if slices.Contains(intrinsics, k) {
			return k, arg, true
		}
	}
	return "", nil, false
}

// subRef matches a ${name} or ${name.attr} of Fn::Sub (not ${!literal}).
var subRef = regexp.MustCompile(`\$\{([^!}][^}]*)\}`)

// function checks the references of an intrinsic function.
func (v *validator) function(at, fn string, arg any) {
	switch fn {
	case "Ref":
		name, ok := arg.(string)
		switch {
		case !ok:
			v.errorf(at, "Ref takes a name, not %T", arg)
		case strings.HasPrefix(name, "AWS::"):
			if !slices.Contains(pseudo, name) {
				v.errorf(at, "no pseudo parameter %s", name)
			}
		default:
			_, param := v.params[name]
			_, res := v.types[name]
			if !param && !res {
				v.errorf(at, "Ref %s: no parameter or resource of that name", name)
			}
		}
	case "Fn::GetAtt":
		parts, ok := arg.([]any)
		if !ok || len(parts) != 2 {
			v.errorf(at, "Fn::GetAtt takes [resource, attribute]")
			return
		}
		id, _ := parts[0].(string)
		attr, _ := parts[1].(string)
		v.getAtt(at, id, attr)
	case "Fn::Sub":
		s, ok := arg.(string)
		if !ok {
			v.errorf(at, "Fn::Sub: only the string form is checked, not %T", arg)
			return
		}
		for _, m := range subRef.FindAllStringSubmatch(s, -1) {
			name := m[1]
			if id, attr, ok := strings.Cut(name, "."); ok && !strings.HasPrefix(name, "AWS::") {
				v.getAtt(at, id, attr)
				continue
			}
			v.function(at, "Ref", name)
		}
	default:
		v.walk(at, arg)
	}
}

// pseudo are CloudFormation's pseudo parameters.
var pseudo = []string{"AWS::AccountId", "AWS::NotificationARNs", "AWS::NoValue", "AWS::Partition", "AWS::Region", "AWS::StackId", "AWS::StackName", "AWS::URLSuffix"}

func (v *validator) getAtt(at, id, attr string) {
	typ, ok := v.types[id]
	if !ok {
		v.errorf(at, "Fn::GetAtt %s.%s: no resource %s", id, attr, id)
		return
	}
	if !v.db.HasAttribute(typ, attr) {
		v.errorf(at, "Fn::GetAtt %s.%s: %s has no attribute %s", id, attr, typ, attr)
	}
}

// walk checks the references in a value of unchecked shape.
func (v *validator) walk(at string, x any) {
	if fn, arg, ok := intrinsic(x); ok {
		v.function(at, fn, arg)
		return
	}
	switch x := x.(type) {
	case []any:
		for i, e := range x {
			v.walk(fmt.Sprintf("%s[%d]", at, i), e)
		}
	case map[string]any:
		for _, k := range sortedKeys(x) {
			v.walk(at+"."+k, x[k])
		}
	}
}

// value checks x against the type t.
func (v *validator) value(at, owner string, t *propType, x any) {
	if fn, arg, ok := intrinsic(x); ok {
		v.function(at, fn, arg)
		return
	}
	switch t.Type {
	case "string":
		if _, ok := x.(string); !ok {
			v.errorf(at, "want a string, have %s", kind(x))
		}
	case "integer":
		if n, ok := x.(float64); !ok || n != float64(int64(n)) {
			v.errorf(at, "want an integer, have %s", kind(x))
		}
	case "number":
		if _, ok := x.(float64); !ok {
			v.errorf(at, "want a number, have %s", kind(x))
		}
	case "boolean":
		if _, ok := x.(bool); !ok {
			v.errorf(at, "want a boolean, have %s", kind(x))
		}
	case "json":
		if _, ok := x.(map[string]any); !ok {
			if _, ok := x.(string); !ok {
				v.errorf(at, "want a JSON object, have %s", kind(x))
			}
		}
		v.walk(at, x)
	case "array":
		list, ok := x.([]any)
		if !ok {
			v.errorf(at, "want a list, have %s", kind(x))
			return
		}
		for i, e := range list {
			v.value(fmt.Sprintf("%s[%d]", at, i), owner, t.Element, e)
		}
	case "map":
		m, ok := x.(map[string]any)
		if !ok {
			v.errorf(at, "want a map, have %s", kind(x))
			return
		}
		for _, k := range sortedKeys(m) {
			v.value(at+"."+k, owner, t.Element, m[k])
		}
	case "tag":
		m, ok := x.(map[string]any)
		if !ok {
			v.errorf(at, "want a tag {Key, Value}, have %s", kind(x))
			return
		}
		tag := map[string]*property{"Key": {Type: &propType{Type: "string"}, Required: true}, "Value": {Type: &propType{Type: "string"}, Required: true}}
		v.object(at, "Tag", tag, m)
	case "ref":
		if t.Reference == nil || v.db.types[t.Reference.Ref] == nil {
			v.errorf(at, "the database has no definition of this property's type")
			return
		}
		def := v.db.types[t.Reference.Ref]
		m, ok := x.(map[string]any)
		if !ok {
			v.errorf(at, "want a %s object, have %s", def.Name, kind(x))
			return
		}
		v.object(at, def.Name, def.Properties, m)
	case "union":
		for _, alt := range t.Types {
			probe := &validator{db: v.db, params: v.params, types: v.types}
			probe.value(at, owner, alt, x)
			if len(probe.errs) == 0 {
				return
			}
		}
		v.errorf(at, "the value matches none of the property's types")
	default:
		v.errorf(at, "property type %q is not checked", t.Type)
	}
}

func kind(x any) string {
	switch x.(type) {
	case nil:
		return "null"
	case string:
		return "a string"
	case float64:
		return "a number"
	case bool:
		return "a boolean"
	case []any:
		return "a list"
	case map[string]any:
		return "an object"
	}
	return fmt.Sprintf("%T", x)
}

func dependsOn(x any) []string {
	switch x := x.(type) {
	case string:
		return []string{x}
	case []any:
		var out []string
		for _, e := range x {
			s, _ := e.(string)
			out = append(out, s)
		}
		return out
	}
	return nil
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// Join joins the problems Validate found into one error, nil for none.
func Join(errs []error) error { return errors.Join(errs...) }
