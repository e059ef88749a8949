package mux_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"

	"github.com/nextgo-dev/nextgo/runtime/mux"
	"github.com/nextgo-dev/nextgo/runtime/router"
)

// A Mux serves a route table with Next.js's routing: the most specific
// route wins, parameters are in the request context, and trailing slashes
// are redirected.
func ExampleNew() {
	post := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "post "+router.ParamsFrom(r.Context()).Get("pid"))
	})
	create := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "create") })
	mx, err := mux.New([]mux.Route{
		{Pattern: "/api/post/[pid]", File: "pages/api/post/[pid].go", Handler: post},
		{Pattern: "/api/post/create", File: "pages/api/post/create.go", Handler: create},
	}, mux.Options{})
	if err != nil {
		panic(err)
	}
	for _, path := range []string{"/api/post/create", "/api/post/42", "/api/post/42/", "/api/other"} {
		rec := httptest.NewRecorder()
		mx.ServeHTTP(rec, httptest.NewRequest("GET", path, nil))
		fmt.Println(path, rec.Code, rec.Body.String())
	}
	// Output:
	// /api/post/create 200 create
	// /api/post/42 200 post 42
	// /api/post/42/ 308 /api/post/42
	// /api/other 404 Not Found
}
