package api

import (
	"iter"
	"net/url"
	"slices"
	"strings"

	"github.com/nextgo-dev/nextgo/runtime/router"
)

// maxPairs is how many '&'-separated pairs Node's querystring.parse reads
// (its maxKeys default); the rest of the string is ignored.
const maxPairs = 1000

// indexAfter is the number of names past which Values lookups during
// parsing go through a map instead of a linear scan.
const indexAfter = 16

// Values is a set of named string values that keeps the shapes Next.js
// gives req.query and an urlencoded req.body: a name given once is a
// single string, a name repeated is a list, and a catch-all route
// parameter is always a list, even with one segment.
//
// Values keeps names in the order they first appeared, and its JSON form is
// exactly the object Next.js would serialise: names that are array indices
// ("0", "1", …) first in numeric order, then the others in order of
// appearance, e.g. {"a":["1","3"],"b":"2"} for ?a=1&b=2&a=3.
//
// The zero Values is empty and ready to use. Values is read-only: the
// slices it returns must not be modified.
type Values struct {
	fields []valueField
}

// valueField is one name of a Values.
type valueField struct {
	name   string
	values []string
	list   bool // a catch-all parameter: a list even with one value
}

// Get returns the first value of name, or "" when name is absent. For a
// catch-all parameter that is its first segment; use Values for all of
// them.
func (v Values) Get(name string) string {
	if i := v.index(name); i >= 0 {
		return v.fields[i].values[0]
	}
	return ""
}

// Values returns every value of name, in order, or nil when name is absent.
func (v Values) Values(name string) []string {
	if i := v.index(name); i >= 0 {
		return v.fields[i].values
	}
	return nil
}

// Has reports whether name is present, even with an empty value (?a
// gives a with the value "").
func (v Values) Has(name string) bool { return v.index(name) >= 0 }

// IsList reports whether name is a list in Next's shape: it was repeated,
// or it is a catch-all route parameter.
func (v Values) IsList(name string) bool {
	if i := v.index(name); i >= 0 {
		return v.fields[i].isList()
	}
	return false
}

// Len returns the number of distinct names.
func (v Values) Len() int { return len(v.fields) }

// All iterates over the names and their values in the order of the JSON
// object (see Values).
func (v Values) All() iter.Seq2[string, []string] {
	return func(yield func(string, []string) bool) {
		for _, i := range v.order() {
			f := &v.fields[i]
			if !yield(f.name, f.values) {
				return
			}
		}
	}
}

// URLValues returns a copy of v as url.Values.
func (v Values) URLValues() url.Values {
	u := make(url.Values, len(v.fields))
	for _, f := range v.fields {
		u[f.name] = slices.Clone(f.values)
	}
	return u
}

// MarshalJSON encodes v as the object Next.js would send for it.
func (v Values) MarshalJSON() ([]byte, error) {
	n := 2
	for _, f := range v.fields {
		n += len(f.name) + 4
		for _, s := range f.values {
			n += len(s) + 3
		}
	}
	b := make([]byte, 0, n)
	b = append(b, '{')
	for k, i := range v.order() {
		f := &v.fields[i]
		if k > 0 {
			b = append(b, ',')
		}
		b = appendJSString(b, f.name)
		b = append(b, ':')
		if !f.isList() {
			b = appendJSString(b, f.values[0])
			continue
		}
		b = append(b, '[')
		for j, s := range f.values {
			if j > 0 {
				b = append(b, ',')
			}
			b = appendJSString(b, s)
		}
		b = append(b, ']')
	}
	return append(b, '}'), nil
}

func (f *valueField) isList() bool { return f.list || len(f.values) > 1 }

// index returns the position of name in v.fields, or -1.
func (v Values) index(name string) int {
	for i := range v.fields {
		if v.fields[i].name == name {
			return i
		}
	}
	return -1
}

// order returns the positions of v.fields in JavaScript's property order:
// array-index names ascending, then the rest in insertion order.
func (v Values) order() []int {
	idx := make([]int, len(v.fields))
	for i := range idx {
		idx[i] = i
	}
	ints := 0
	for i := range v.fields {
		if _, ok := arrayIndex(v.fields[i].name); ok {
			ints++
		}
	}
	if ints == 0 {
		return idx
	}
	slices.SortStableFunc(idx, func(a, b int) int {
		na, oka := arrayIndex(v.fields[a].name)
		nb, okb := arrayIndex(v.fields[b].name)
		switch {
		case oka && okb:
			switch {
			case na < nb:
				return -1
			case na > nb:
				return 1
			}
			return 0
		case oka:
			return -1
		case okb:
			return 1
		}
		return 0
	})
	return idx
}

// arrayIndex reports whether s is the canonical form of a JavaScript array
// index (0 to 2³²−2), which objects enumerate before other keys.
func arrayIndex(s string) (uint64, bool) {
	if len(s) == 0 || len(s) > 10 || (len(s) > 1 && s[0] == '0') {
		return 0, false
	}
	var n uint64
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + uint64(c-'0')
	}
	return n, n <= 1<<32-2
}

// parseForm parses an application/x-www-form-urlencoded string (a query
// string without its '?', or a form body) with the semantics of Node's
// querystring.parse, which Next.js uses: pairs are separated by '&', the
// name ends at the first '=', a pair without '=' has the value "", empty
// pairs are skipped, '+' is a space, malformed percent-escapes are kept
// as they are, and only the first 1000 pairs are read.
func parseForm(s string) Values {
	if s == "" {
		return Values{}
	}
	n := strings.Count(s, "&") + 1
	if n > maxPairs {
		n = maxPairs
	}
	p := formParser{
		fields: make([]valueField, 0, n),
		flat:   make([]string, n),
	}
	for pairs := 0; pairs < maxPairs; pairs++ {
		seg, rest, more := strings.Cut(s, "&")
		if seg != "" {
			k, val, _ := strings.Cut(seg, "=")
			p.add(decodeFormComponent(k), decodeFormComponent(val))
		}
		if !more {
			break
		}
		s = rest
	}
	return Values{fields: p.fields}
}

// formParser accumulates the fields of parseForm.
type formParser struct {
	fields []valueField
	flat   []string       // backing array of the first value of each field
	byName map[string]int // used once there are many fields
}

func (p *formParser) add(name, value string) {
	i := -1
	if p.byName != nil {
		if j, ok := p.byName[name]; ok {
			i = j
		}
	} else {
		i = Values{fields: p.fields}.index(name)
	}
	if i >= 0 {
		// A repeated name: the capacity limit below makes this append
		// copy out of the shared backing array.
		p.fields[i].values = append(p.fields[i].values, value)
		return
	}
	j := len(p.fields)
	p.flat[j] = value
	p.fields = append(p.fields, valueField{name: name, values: p.flat[j : j+1 : j+1]})
	switch {
	case p.byName != nil:
		p.byName[name] = j
	case len(p.fields) > indexAfter:
		p.byName = make(map[string]int, cap(p.fields))
		for k, f := range p.fields {
			p.byName[f.name] = k
		}
	}
}

// withParams merges a route's dynamic parameters into the query as Next.js
// does ({...query, ...params}): a parameter replaces a query value of the
// same name in place, other parameters follow in path order. An optional
// catch-all that matched nothing is absent from ps and leaves the query as
// it is.
func withParams(q Values, ps router.Params) Values {
	for _, p := range ps {
		if len(p.Values) == 0 {
			continue
		}
		f := valueField{name: p.Name, values: p.Values, list: p.CatchAll}
		if i := q.index(p.Name); i >= 0 {
			q.fields[i] = f
		} else {
			q.fields = append(q.fields, f)
		}
	}
	return q
}
