package api_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/nextgo-dev/nextgo/runtime/api"
	"github.com/nextgo-dev/nextgo/runtime/router"
)

// The route file pages/api/post/[pid].go, mounted by hand: the emulator and
// the Lambda entry point do the same, with the router putting the dynamic
// parameters in the request context.
func Example() {
	handler := func(req *api.Request, res *api.Response) {
		switch req.Method {
		case http.MethodPost:
			var in struct {
				Title string `json:"title"`
			}
			if err := req.Decode(&in); err != nil {
				res.Status(http.StatusBadRequest).JSON(map[string]string{"error": err.Error()})
				return
			}
			res.Status(http.StatusCreated).JSON(map[string]string{"created": in.Title})
		default:
			res.Status(http.StatusOK).JSON(map[string]any{"post": req.Query.Get("pid"), "query": req.Query})
		}
	}
	h := api.NewHandler(api.Route{
		File:    "pages/api/post/[pid].go",
		Config:  api.Config{BodyParser: api.BodyParser{SizeLimit: "500kb"}},
		Handler: handler,
	})

	serve := func(r *http.Request) {
		r = r.WithContext(router.WithParams(r.Context(), router.Params{{Name: "pid", Values: []string{"abc"}}}))
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		fmt.Printf("%d Content-Type=%q ETag=%s\n", w.Code, w.Header().Get("Content-Type"), w.Header().Get("ETag"))
		fmt.Println(w.Body.String())
	}
	serve(httptest.NewRequest(http.MethodGet, "/api/post/abc?tag=a&tag=b", nil))

	post := httptest.NewRequest(http.MethodPost, "/api/post/abc", strings.NewReader(`{"title":"Hello"}`))
	post.Header.Set("Content-Type", "application/json")
	serve(post)

	bad := httptest.NewRequest(http.MethodPost, "/api/post/abc", strings.NewReader(`{"title":`))
	bad.Header.Set("Content-Type", "application/json")
	serve(bad)
	// Output:
	// 200 Content-Type="application/json; charset=utf-8" ETag="mgxrnf0hnh1g"
	// {"post":"abc","query":{"tag":["a","b"],"pid":"abc"}}
	// 201 Content-Type="application/json; charset=utf-8" ETag="x0pfl2cl8dj"
	// {"created":"Hello"}
	// 400 Content-Type="" ETag=
	// Invalid JSON
}
