package router

import (
	"fmt"
	"sort"
)

// ConflictError is a route-table error that involves more than one route,
// such as two slug names at one position. Paths lists the routes involved,
// the one being added last, so that callers can name their files.
type ConflictError struct {
	Msg   string
	Paths []string
}

func (e *ConflictError) Error() string { return e.Msg }

// Sort orders route patterns by Next.js's precedence: at each level the
// level's own route first, then static children in lexicographic order (each
// subtree whole), then the [slug] subtree, then [...rest], then [[...opt]].
// It returns Next's build errors for tables that cannot be ordered. Duplicate
// patterns are kept once.
func Sort(paths []string) ([]string, error) {
	root := newNode()
	for _, p := range paths {
		pat, err := ParsePattern(p)
		if err != nil {
			return nil, &ConflictError{Msg: err.Error(), Paths: []string{p}}
		}
		if err := root.insert(pat, 0); err != nil {
			return nil, err
		}
	}
	return root.smoosh("/")
}

// node is one level of the route trie, after Next's UrlNode.
type node struct {
	placeholder bool
	path        string // the route that ends here, when not a placeholder
	children    map[string]*node

	slug, rest, optRest slot // the slug names at this level
}

// slot is a slug name at one level of the trie and the route that
// introduced it.
type slot struct{ name, from string }

// claim records name in s, or returns Next's error when the level already
// holds another name.
func (s *slot) claim(name, path string, conflict func(msg, other string) error) error {
	if s.name != "" && s.name != name {
		return conflict(fmt.Sprintf("You cannot use different slug names for the same dynamic path ('%s' !== '%s').", s.name, name), s.from)
	}
	if s.name == "" {
		*s = slot{name, path}
	}
	return nil
}

func newNode() *node { return &node{placeholder: true, children: map[string]*node{}} }

const (
	keySlug    = "[]"
	keyRest    = "[...]"
	keyOptRest = "[[...]]"
)

func (n *node) insert(p Pattern, i int) error {
	if i == len(p.Segments) {
		n.placeholder = false
		n.path = p.Path
		return nil
	}
	seg := p.Segments[i]
	key := seg.Name
	conflict := func(msg string, other string) error {
		paths := []string{p.Path}
		if other != "" && other != p.Path {
			paths = []string{other, p.Path}
		}
		return &ConflictError{Msg: msg, Paths: paths}
	}
	var err error
	switch seg.Kind {
	case Dynamic:
		key, err = keySlug, n.slug.claim(seg.Name, p.Path, conflict)
	case CatchAll:
		if n.optRest.name != "" {
			return conflict(fmt.Sprintf("You cannot use both an optional and required catch-all route at the same level (\"[[...%s]]\" and \"%s\").", n.optRest.name, seg), n.optRest.from)
		}
		key, err = keyRest, n.rest.claim(seg.Name, p.Path, conflict)
	case OptionalCatchAll:
		if n.rest.name != "" {
			return conflict(fmt.Sprintf("You cannot use both an required and optional catch-all route at the same level (\"[...%s]\" and \"%s\" ).", n.rest.name, seg), n.rest.from)
		}
		key, err = keyOptRest, n.optRest.claim(seg.Name, p.Path, conflict)
	}
	if err != nil {
		return err
	}
	child, ok := n.children[key]
	if !ok {
		child = newNode()
		n.children[key] = child
	}
	return child.insert(p, i+1)
}

func (n *node) smoosh(prefix string) ([]string, error) {
	keys := make([]string, 0, len(n.children))
	for k := range n.children {
		if k != keySlug && k != keyRest && k != keyOptRest {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	var routes []string
	add := func(key, text string) error {
		child, ok := n.children[key]
		if !ok {
			return nil
		}
		sub, err := child.smoosh(prefix + text + "/")
		routes = append(routes, sub...)
		return err
	}
	for _, k := range keys {
		if err := add(k, k); err != nil {
			return nil, err
		}
	}
	if n.slug.name != "" {
		if err := add(keySlug, "["+n.slug.name+"]"); err != nil {
			return nil, err
		}
	}
	if !n.placeholder {
		r := prefix
		if r != "/" {
			r = r[:len(r)-1]
		}
		if n.optRest.name != "" {
			opt := prefix + "[[..." + n.optRest.name + "]]"
			return nil, &ConflictError{
				Msg:   fmt.Sprintf("You cannot define a route with the same specificity as an optional catch-all route (\"%s\" and \"%s\").", r, opt),
				Paths: []string{n.path, n.optRest.from},
			}
		}
		routes = append([]string{r}, routes...)
	}
	if n.rest.name != "" {
		if err := add(keyRest, "[..."+n.rest.name+"]"); err != nil {
			return nil, err
		}
	}
	if n.optRest.name != "" {
		if err := add(keyOptRest, "[[..."+n.optRest.name+"]]"); err != nil {
			return nil, err
		}
	}
	return routes, nil
}
