package rules

import (
	"fmt"
	"strings"

	"github.com/nextgo-dev/nextgo/runtime/internal/pathmatch"
)

// token is one piece of a parsed destination: literal text or a key.
type token = pathmatch.Token

// parsePath parses a destination's host or path as Next does, with
// path-to-regexp's parse (see pathmatch.Parse).
func parsePath(s string) ([]token, error) { return pathmatch.Parse(s) }

// destination is a compiled rule destination: a path, or an absolute URL,
// with parameters to fill in.
type destination struct {
	text     string
	scheme   string  // "http" or "https" for an external destination
	host     []token // the host (and port) of an external destination
	path     []token
	query    []rawPair // the destination's own query, as written
	hash     string    // "#…" as written, or ""
	pathKeys []string  // named parameters used by the host and path
}

type rawPair struct{ key, value string }

func (d *destination) external() bool { return d.scheme != "" }

// compileDestination parses a destination: a path starting with "/", or,
// when external is allowed, an absolute http(s) URL.
func compileDestination(text string) (*destination, error) {
	d := &destination{text: text}
	rest := text
	switch {
	case strings.HasPrefix(rest, "/"):
	case strings.HasPrefix(rest, "http://"), strings.HasPrefix(rest, "https://"):
		d.scheme, rest, _ = strings.Cut(rest, "://")
		end := strings.IndexAny(rest, "/?#")
		if end < 0 {
			end = len(rest)
		}
		host, port := rest[:end], ""
		if i := strings.LastIndexByte(host, ':'); i >= 0 && isDigits(host[i+1:]) {
			host, port = host[:i], host[i:]
		}
		if host == "" {
			return nil, fmt.Errorf("%q has no host", text)
		}
		toks, err := parsePath(host)
		if err != nil {
			return nil, fmt.Errorf("parse failed (%w)", err)
		}
		if port != "" {
			toks = append(toks, token{Literal: port})
		}
		d.host = toks
		rest = rest[end:]
		if rest == "" || rest[0] != '/' {
			rest = "/" + rest
		}
	default:
		return nil, fmt.Errorf("%q must start with / or http:// or https://", text)
	}
	if i := strings.IndexByte(rest, '#'); i >= 0 {
		rest, d.hash = rest[:i], rest[i:]
	}
	if i := queryStart(rest); i >= 0 {
		var raw string
		rest, raw = rest[:i], rest[i+1:]
		for part := range strings.SplitSeq(raw, "&") {
			if part != "" {
				k, v, _ := strings.Cut(part, "=")
				d.query = append(d.query, rawPair{k, v})
			}
		}
	}
	toks, err := parsePath(rest)
	if err != nil {
		return nil, fmt.Errorf("parse failed (%w)", err)
	}
	d.path = toks
	for _, t := range append(append([]token{}, d.host...), d.path...) {
		if t.IsKey && t.Name != "" && !t.Unnamed {
			d.pathKeys = append(d.pathKeys, t.Name)
		}
	}
	return d, nil
}

// queryStart returns the index of the "?" that starts the query, skipping
// the "?" modifiers of parameters (":tab?", ":id(\\d+)?"), or -1.
func queryStart(s string) int {
	for i := 0; i < len(s); i++ {
		if s[i] != '?' {
			continue
		}
		j := i - 1
		for j >= 0 && isNameByte(s[j]) {
			j--
		}
		if j < i-1 && j >= 0 && s[j] == ':' || i > 0 && s[i-1] == ')' {
			continue
		}
		return i
	}
	return -1
}

// target is a destination filled in for one request.
type target struct {
	scheme, host string // external only
	path         string // escaped path
	query        query
	queryChanged bool // the destination added to the request's query
	hash         string
}

// build fills the destination in with ps and merges the request's query
// under the destination's, as Next's prepareDestination: the request's
// values first, the destination's own replacing them by key, and for a
// rewrite (appendParams) the parameters the destination does not use added
// when it uses none.
func (d *destination) build(ps params, reqQuery query, appendParams bool) (target, error) {
	var t target
	var err error
	if t.path, err = fill(d.path, ps); err != nil {
		return t, err
	}
	if d.external() {
		t.scheme = d.scheme
		if t.host, err = fill(d.host, ps); err != nil {
			return t, err
		}
	}
	t.hash = fillNonPath(d.hash, ps)
	t.query = append(query{}, reqQuery...)
	var own query
	for _, p := range d.query {
		own.set(queryField{key: fillNonPath(p.key, ps), values: []string{fillNonPath(p.value, ps)}, raw: true})
	}
	for _, f := range own {
		t.query.set(f)
		t.queryChanged = true
	}
	if appendParams && !d.usesAny(ps) {
		for _, p := range ps {
			if own.index(p.name) < 0 {
				t.query.set(queryField{key: p.name, values: p.values, list: p.list})
				t.queryChanged = true
			}
		}
	}
	return t, nil
}

func (d *destination) usesAny(ps params) bool {
	for _, k := range d.pathKeys {
		if _, ok := ps.get(k); ok {
			return true
		}
	}
	return false
}

// fillNonPath replaces the parameters in a query key or value, or the
// hash, as Next's compileNonPath: ":name", with an optional modifier, where
// name is a parameter and no name character follows; a list is joined
// with "/".
func fillNonPath(s string, ps params) string {
	if len(ps) == 0 || strings.IndexByte(s, ':') < 0 {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		if s[i] != ':' {
			b.WriteByte(s[i])
			i++
			continue
		}
		j := i + 1
		for j < len(s) && isNameByte(s[j]) {
			j++
		}
		p, ok := lookupParam(ps, s[i+1:j])
		if !ok {
			b.WriteByte(':')
			i++
			continue
		}
		b.WriteString(strings.Join(p.values, "/"))
		i = j
		if i < len(s) && strings.IndexByte("*?+", s[i]) >= 0 {
			i++
		}
	}
	return b.String()
}

// lookupParam finds the parameter named exactly name.
func lookupParam(ps params, name string) (param, bool) {
	if name == "" {
		return param{}, false
	}
	return ps.get(name)
}

// String renders the target as a URL: the Location of a redirect.
func (t target) String() string {
	var b strings.Builder
	if t.scheme != "" {
		b.WriteString(t.scheme + "://" + t.host)
	}
	b.WriteString(t.path)
	if q := t.query.encode(); q != "" {
		b.WriteString("?" + q)
	}
	b.WriteString(t.hash)
	return b.String()
}

// normalizeSlashes turns backslashes into slashes and collapses repeated
// slashes, as Next does to a redirect's pathname.
func normalizeSlashes(p string) string {
	if !strings.Contains(p, "//") && strings.IndexByte(p, '\\') < 0 {
		return p
	}
	p = strings.ReplaceAll(p, `\`, "/")
	var b strings.Builder
	for i := 0; i < len(p); i++ {
		if p[i] == '/' && i > 0 && p[i-1] == '/' {
			continue
		}
		b.WriteByte(p[i])
	}
	return b.String()
}

// isNameByte reports whether c may appear in a parameter name.
func isNameByte(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c == '_'
}

// fill builds a path from toks and params as path-to-regexp's compile does
// with validate off and no encoding: a parameter is inserted as it is, a
// list joined with its prefix and suffix.
func fill(toks []token, ps params) (string, error) {
	var b strings.Builder
	for _, t := range toks {
		if !t.IsKey {
			b.WriteString(t.Literal)
			continue
		}
		if t.Pattern == "" && t.Name == "" { // a {…} group of plain text
			b.WriteString(t.Prefix + t.Suffix)
			continue
		}
		p, ok := ps.get(t.Name)
		switch {
		case !ok:
			if t.Optional() {
				continue
			}
			if t.Repeated() {
				return "", fmt.Errorf("Expected %q to be an array", t.Name)
			}
			return "", fmt.Errorf("Expected %q to be a string", t.Name)
		case p.list:
			if !t.Repeated() {
				return "", fmt.Errorf("Expected %q to not repeat, but got an array: to use a multi-match in the destination you must add `*` at the end of the param name to signify it should repeat", t.Name)
			}
			if len(p.values) == 0 {
				if t.Optional() {
					continue
				}
				return "", fmt.Errorf("Expected %q to not be empty", t.Name)
			}
			for _, v := range p.values {
				b.WriteString(t.Prefix + v + t.Suffix)
			}
		default:
			b.WriteString(t.Prefix + p.values[0] + t.Suffix)
		}
	}
	return b.String(), nil
}
