package rules

import (
	"regexp"
	"strings"

	"github.com/dlclark/regexp2"

	"github.com/nextgo-dev/nextgo/runtime/internal/pathmatch"
)

// param is one parameter of a matched rule: one value, or a list for a
// repeated (`*`, `+`) source parameter.
type param struct {
	name   string
	values []string
	list   bool
}

// params keep Next's key order: source keys, then has/missing keys.
type params []param

func (ps params) get(name string) (param, bool) {
	for _, p := range ps {
		if p.name == name {
			return p, true
		}
	}
	return param{}, false
}

// set adds p, or replaces the value of the parameter of the same name in
// place, as Object.assign does.
func (ps *params) set(p param) {
	for i := range *ps {
		if (*ps)[i].name == p.name {
			(*ps)[i] = p
			return
		}
	}
	*ps = append(*ps, p)
}

// source is a compiled rule source.
type source struct {
	text string
	re   *regexp.Regexp  // Go's engine, when it accepts the expression
	re2  *regexp2.Regexp // JavaScript semantics otherwise (lookaheads)
	keys []token         // the capture groups' keys, in order
}

// The end of every expression pathmatch builds: an optional trailing
// delimiter.
const optionalDelimiter = `[\/#\?]?$`

// compileSource compiles a rule source as Next does for custom routes:
// path-to-regexp, case-insensitive, an optional trailing slash allowed
// (Next's modifyRouteRegex) unless strict, which Next's internal
// trailing-slash redirects are.
func compileSource(text string, strict bool) (*source, error) {
	p, err := pathmatch.Compile(text)
	if err != nil {
		return nil, err
	}
	expr := p.Expr()
	if strict {
		expr = strings.TrimSuffix(expr, optionalDelimiter) + "$"
	}
	s := &source{text: text, keys: p.Keys()}
	if re, err := regexp.Compile("(?i)" + expr); err == nil {
		s.re = re
		return s, nil
	}
	re2, err := regexp2.Compile(expr, regexp2.ECMAScript|regexp2.IgnoreCase)
	if err != nil {
		return nil, err
	}
	re2.MatchTimeout = matchTimeout
	s.re2 = re2
	return s, nil
}

// match matches the escaped path and returns its named parameters, raw (as
// they appear in the path), a repeated one split on its prefix and suffix.
// Unnamed groups are matched but not returned, as Next's
// removeUnnamedParams does.
func (s *source) match(path string) (params, bool) {
	groups, ok := s.find(path)
	if !ok {
		return nil, false
	}
	var ps params
	for i, k := range s.keys {
		if i >= len(groups) || groups[i] == nil || k.Unnamed {
			continue
		}
		v := groups[i]
		if k.Repeated() {
			ps.set(param{name: k.Name, values: strings.Split(*v, k.Prefix+k.Suffix), list: true})
		} else {
			ps.set(param{name: k.Name, values: []string{*v}})
		}
	}
	return ps, true
}

// find runs the expression; groups[i] is nil when group i+1 did not take
// part in the match.
func (s *source) find(path string) ([]*string, bool) {
	if s.re != nil {
		idx := s.re.FindStringSubmatchIndex(path)
		if idx == nil {
			return nil, false
		}
		groups := make([]*string, len(idx)/2-1)
		for i := range groups {
			if a, b := idx[2*i+2], idx[2*i+3]; a >= 0 {
				v := path[a:b]
				groups[i] = &v
			}
		}
		return groups, true
	}
	m, err := s.re2.FindStringMatch(path)
	if err != nil || m == nil {
		return nil, false
	}
	gs := m.Groups()
	groups := make([]*string, len(gs)-1)
	for i := range groups {
		if g := gs[i+1]; len(g.Captures) > 0 {
			v := g.String()
			groups[i] = &v
		}
	}
	return groups, true
}
