package requestid_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"

	"github.com/nextgo-dev/nextgo/runtime/requestid"
)

// A handler reads the id of the request it serves.
func ExampleFrom() {
	h := requestid.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Println("request", requestid.From(r.Context()))
	}))
	r := httptest.NewRequest("GET", "/api/user", nil)
	r.Header.Set(requestid.Header, "4f2a9c")
	h.ServeHTTP(httptest.NewRecorder(), r)
	// Output: request 4f2a9c
}
