package deploy

import (
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/nextgo-dev/nextgo/bundler"
	"github.com/nextgo-dev/nextgo/runtime/router"
)

// routeMethods are the methods a route handler can export.
var routeMethods = []string{
	http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut,
	http.MethodPatch, http.MethodDelete, http.MethodOptions,
}

// RouteKeys returns the API Gateway HTTP API route keys ("METHOD /path")
// that send requests to fn, sorted.
//
// Paths: "[pid]" becomes "{pid}", "[...slug]" becomes "{slug+}", and
// "[[...slug]]" becomes two routes, the bare path and "{slug+}".
//
// Methods: an API route (kind "api", or methods ["*"]) takes ANY. A route
// handler takes the methods it exports, plus HEAD when it exports GET
// (answered by GET) and OPTIONS (answered by the runtime), so that API
// Gateway lets through every request the function itself would answer.
func RouteKeys(fn bundler.Function) ([]string, error) {
	paths, err := apiPaths(fn.Pattern)
	if err != nil {
		return nil, err
	}
	methods, err := apiMethods(fn)
	if err != nil {
		return nil, err
	}
	keys := make([]string, 0, len(paths)*len(methods))
	for _, p := range paths {
		for _, m := range methods {
			keys = append(keys, m+" "+p)
		}
	}
	slices.Sort(keys)
	return keys, nil
}

// apiPaths turns a nextgo pattern into one or two API Gateway route paths.
func apiPaths(pattern string) ([]string, error) {
	pat, err := router.ParsePattern(pattern)
	if err != nil {
		return nil, fmt.Errorf("route %s: %w", pattern, err)
	}
	var b strings.Builder
	for i, seg := range pat.Segments {
		switch seg.Kind {
		case router.Static:
			if strings.ContainsAny(seg.Name, "{}+ ") {
				return nil, fmt.Errorf("route %s: segment %q cannot be expressed as an API Gateway route path", pattern, seg.Name)
			}
			b.WriteString("/" + seg.Name)
		case router.Dynamic:
			b.WriteString("/{" + paramName(seg.Name) + "}")
		case router.CatchAll:
			b.WriteString("/{" + paramName(seg.Name) + "+}")
		case router.OptionalCatchAll:
			if i != len(pat.Segments)-1 {
				return nil, fmt.Errorf("route %s: optional catch-all is not the last segment", pattern)
			}
			bare := b.String()
			if bare == "" {
				bare = "/"
			}
			return []string{bare, b.String() + "/{" + paramName(seg.Name) + "+}"}, nil
		}
	}
	if b.Len() == 0 {
		return []string{"/"}, nil
	}
	return []string{b.String()}, nil
}

// paramName spells a slug name as an API Gateway path variable. The
// function matches the raw path itself, so the name only has to be valid.
func paramName(slug string) string {
	b := []byte(slug)
	for i := range b {
		c := b[i]
		if !(c == '_' || ('0' <= c && c <= '9') || ('a' <= c && c <= 'z') || ('A' <= c && c <= 'Z')) {
			b[i] = '_'
		}
	}
	return string(b)
}

// apiMethods lists the route-key methods of fn.
func apiMethods(fn bundler.Function) ([]string, error) {
	if fn.Kind == "api" || len(fn.Methods) == 0 || slices.Contains(fn.Methods, "*") {
		return []string{"ANY"}, nil
	}
	set := map[string]bool{http.MethodOptions: true}
	for _, m := range fn.Methods {
		u := strings.ToUpper(m)
		if !slices.Contains(routeMethods, u) {
			return nil, fmt.Errorf("route %s: unsupported method %q", fn.Pattern, m)
		}
		set[u] = true
	}
	if set[http.MethodGet] {
		set[http.MethodHead] = true
	}
	out := make([]string, 0, len(set))
	for m := range set {
		out = append(out, m)
	}
	slices.Sort(out)
	return out, nil
}
