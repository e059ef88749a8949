package deploy

import (
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/nextgo-dev/nextgo/bundler/manifest"
	"github.com/nextgo-dev/nextgo/bundler/routes"
	"github.com/nextgo-dev/nextgo/runtime/router"
)

// routeMethods are the methods a route handler can export.
var routeMethods = []string{
	http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut,
	http.MethodPatch, http.MethodDelete, http.MethodOptions,
}

// DefaultRouteKey is the route key of HTTP API's catch-all route: API
// Gateway sends it every request that no other route matches. The app's
// fallback function (manifest kind "fallback") is deployed behind it.
const DefaultRouteKey = "$default"

// isFallback reports whether fn is the app's fallback function, which
// serves the paths no route serves.
func isFallback(fn *manifest.Function) bool {
	return fn.Kind == string(routes.KindFallback)
}

// routeLabel names the route of fn in descriptions and messages: its
// pattern, or "$default" for the fallback.
func routeLabel(fn *manifest.Function) string {
	if isFallback(fn) {
		return DefaultRouteKey
	}
	return fn.Pattern
}

// RouteKeys returns the API Gateway HTTP API route keys ("METHOD /path")
// that send requests to fn, sorted.
//
// Paths: "[pid]" becomes "{pid}", "[...slug]" becomes "{slug+}", and
// "[[...slug]]" becomes two routes, the bare path and "{slug+}".
//
// Methods: every route takes ANY (see apiMethods): the function itself
// answers methods a route handler does not export.
//
// The fallback function (kind "fallback", no pattern, every method) takes
// the one route key "$default", API Gateway's catch-all.
func RouteKeys(fn manifest.Function) ([]string, error) {
	if isFallback(&fn) {
		if fn.Pattern != "" {
			return nil, fmt.Errorf("fallback function has the pattern %q: it serves the paths no route serves and has none", fn.Pattern)
		}
		if len(fn.Methods) > 0 && !slices.Equal(fn.Methods, []string{"*"}) {
			return nil, fmt.Errorf("fallback function has the methods %v: it serves every method, [\"*\"]", fn.Methods)
		}
		return []string{DefaultRouteKey}, nil
	}
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

// apiMethods lists the route-key methods of fn: ANY, for every route. A
// route handler answers the methods it does not export itself (405 with
// Allow, 400 for a method outside the seven, HEAD and OPTIONS
// automatically), so API Gateway must pass every method on to it, as
// Next.js's server does; per-method route keys would turn those answers
// into API Gateway's 404.
func apiMethods(fn manifest.Function) ([]string, error) {
	for _, m := range fn.Methods {
		if m != "*" && !slices.Contains(routeMethods, strings.ToUpper(m)) {
			return nil, fmt.Errorf("route %s: unsupported method %q", fn.Pattern, m)
		}
	}
	return []string{"ANY"}, nil
}
