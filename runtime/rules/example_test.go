package rules_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"

	"github.com/nextgo-dev/nextgo/runtime/rules"
)

func Example() {
	rs, err := rules.New(rules.Config{
		Routes: []string{"/api/post/[pid]"},
		Headers: []rules.Header{
			{Source: "/api/:path*", Headers: []rules.KeyValue{{Key: "X-Robots-Tag", Value: "noindex"}}},
		},
		Redirects: []rules.Redirect{
			{Source: "/blog/:slug", Destination: "/api/post/:slug", Permanent: true},
		},
		Rewrites: rules.Rewrites{AfterFiles: []rules.Rewrite{
			{Source: "/p/:pid", Destination: "/api/post/:pid"},
		}},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	app := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "route for %s", r.URL.Path)
	})
	h := rs.Wrap(app)
	for _, target := range []string{"/blog/hello?ref=x", "/p/7", "/api/post/8"} {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, httptest.NewRequest("GET", target, nil))
		fmt.Println(target, "→", w.Code, w.Header().Get("Location"), w.Header().Get("X-Robots-Tag"), w.Body.String())
	}
	// Output:
	// /blog/hello?ref=x → 308 /api/post/hello?ref=x  /api/post/hello?ref=x
	// /p/7 → 200   route for /api/post/7
	// /api/post/8 → 200  noindex route for /api/post/8
}
