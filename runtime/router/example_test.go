package router_test

import (
	"encoding/json"
	"fmt"

	"github.com/nextgo-dev/nextgo/runtime/router"
)

// A Matcher finds the route for a path with Next.js's precedence, and
// returns the decoded parameters.
func ExampleMatcher() {
	patterns := []string{"/api/post/[pid]", "/api/post/create", "/api/post/[pid]/[...slug]"}
	m, err := router.NewMatcher(patterns)
	if err != nil {
		panic(err)
	}
	for _, path := range []string{"/api/post/create", "/api/post/a%20b", "/api/post/1/x/y"} {
		i, ps, _ := m.Match(path)
		params, _ := json.Marshal(ps)
		fmt.Println(path, "→", patterns[i], string(params))
	}
	// Output:
	// /api/post/create → /api/post/create {}
	// /api/post/a%20b → /api/post/[pid] {"pid":"a b"}
	// /api/post/1/x/y → /api/post/[pid]/[...slug] {"pid":"1","slug":["x","y"]}
}

// Sort orders patterns as Next.js does, and reports its build errors.
func ExampleSort() {
	sorted, _ := router.Sort([]string{"/[...rest]", "/posts/[id]", "/posts", "/"})
	fmt.Println(sorted)
	_, err := router.Sort([]string{"/blog/[id]", "/blog/[slug]/comments"})
	fmt.Println(err)
	// Output:
	// [/ /posts /posts/[id] /[...rest]]
	// You cannot use different slug names for the same dynamic path ('id' !== 'slug').
}
