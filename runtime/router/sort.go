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

	slug, rest, optRest             string // slug names at this level
	slugFrom, restFrom, optRestFrom string // the route that introduced each
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
	switch seg.Kind {
	case Dynamic:
		if n.slug != "" && n.slug != seg.Name {
			return conflict(fmt.Sprintf("You cannot use different slug names for the same dynamic path ('%s' !== '%s').", n.slug, seg.Name), n.slugFrom)
		}
		if n.slug == "" {
			n.slug, n.slugFrom = seg.Name, p.Path
		}
		key = keySlug
	case CatchAll:
		if n.optRest != "" {
			return conflict(fmt.Sprintf("You cannot use both an optional and required catch-all route at the same level (\"[[...%s]]\" and \"%s\").", n.optRest, seg), n.optRestFrom)
		}
		if n.rest != "" && n.rest != seg.Name {
			return conflict(fmt.Sprintf("You cannot use different slug names for the same dynamic path ('%s' !== '%s').", n.rest, seg.Name), n.restFrom)
		}
		if n.rest == "" {
			n.rest, n.restFrom = seg.Name, p.Path
		}
		key = keyRest
	case OptionalCatchAll:
		if n.rest != "" {
			return conflict(fmt.Sprintf("You cannot use both an required and optional catch-all route at the same level (\"[...%s]\" and \"%s\" ).", n.rest, seg), n.restFrom)
		}
		if n.optRest != "" && n.optRest != seg.Name {
			return conflict(fmt.Sprintf("You cannot use different slug names for the same dynamic path ('%s' !== '%s').", n.optRest, seg.Name), n.optRestFrom)
		}
		if n.optRest == "" {
			n.optRest, n.optRestFrom = seg.Name, p.Path
		}
		key = keyOptRest
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
	if n.slug != "" {
		if err := add(keySlug, "["+n.slug+"]"); err != nil {
			return nil, err
		}
	}
	if !n.placeholder {
		r := prefix
		if r != "/" {
			r = r[:len(r)-1]
		}
		if n.optRest != "" {
			opt := prefix + "[[..." + n.optRest + "]]"
			return nil, &ConflictError{
				Msg:   fmt.Sprintf("You cannot define a route with the same specificity as an optional catch-all route (\"%s\" and \"%s\").", r, opt),
				Paths: []string{n.path, n.optRestFrom},
			}
		}
		routes = append([]string{r}, routes...)
	}
	if n.rest != "" {
		if err := add(keyRest, "[..."+n.rest+"]"); err != nil {
			return nil, err
		}
	}
	if n.optRest != "" {
		if err := add(keyOptRest, "[[..."+n.optRest+"]]"); err != nil {
			return nil, err
		}
	}
	return routes, nil
}
