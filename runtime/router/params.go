package router

import (
	"context"
	"encoding/json"
)

// Param is one dynamic value taken from a matched path.
//
// A dynamic segment ([id]) yields one value. A catch-all ([...slug]) or an
// optional catch-all ([[...slug]]) yields one value per remaining path
// segment; an optional catch-all that matched no segment is not present at
// all, as in Next.js.
type Param struct {
	// Name is the slug name as written between the brackets, e.g. "pid".
	Name string
	// Values holds the percent-decoded segment values, in path order.
	Values []string
	// CatchAll reports whether the parameter came from a catch-all segment,
	// in which case it is always a list, even with one value.
	CatchAll bool
}

// Value returns the parameter as one string: its only value for a dynamic
// segment, or the values joined with "/" for a catch-all.
func (p Param) Value() string {
	switch len(p.Values) {
	case 0:
		return ""
	case 1:
		return p.Values[0]
	}
	n := len(p.Values) - 1
	for _, v := range p.Values {
		n += len(v)
	}
	b := make([]byte, 0, n)
	for i, v := range p.Values {
		if i > 0 {
			b = append(b, '/')
		}
		b = append(b, v...)
	}
	return string(b)
}

// Params are the dynamic values of one matched request, in path order.
type Params []Param

// Lookup returns the named parameter and whether it is present.
func (ps Params) Lookup(name string) (Param, bool) {
	for _, p := range ps {
		if p.Name == name {
			return p, true
		}
	}
	return Param{}, false
}

// Get returns the named parameter as one string (see Param.Value), or "".
func (ps Params) Get(name string) string {
	p, _ := ps.Lookup(name)
	return p.Value()
}

// MarshalJSON encodes the parameters as Next.js shows them: an object of
// name to value, a catch-all's value always a list.
func (ps Params) MarshalJSON() ([]byte, error) {
	b := []byte{'{'}
	for i, p := range ps {
		if i > 0 {
			b = append(b, ',')
		}
		name, err := json.Marshal(p.Name)
		if err != nil {
			return nil, err
		}
		b = append(b, name...)
		b = append(b, ':')
		var v any = p.Value()
		if p.CatchAll {
			v = p.Values
		}
		val, err := json.Marshal(v)
		if err != nil {
			return nil, err
		}
		b = append(b, val...)
	}
	return append(b, '}'), nil
}

type paramsKey struct{}

// WithParams returns a copy of ctx that carries ps.
func WithParams(ctx context.Context, ps Params) context.Context {
	return context.WithValue(ctx, paramsKey{}, ps)
}

// ParamsFrom returns the parameters stored in ctx by WithParams, or nil.
func ParamsFrom(ctx context.Context) Params {
	ps, _ := ctx.Value(paramsKey{}).(Params)
	return ps
}
