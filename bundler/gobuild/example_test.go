package gobuild_test

import (
	"fmt"

	"github.com/nextgo-dev/nextgo/bundler/gobuild"
)

// Report turns the go command's failure into the user's terms: a staged
// route's missing checksum is fixed by getting the package the route
// imports, not the staged package the go command names.
func ExampleReport() {
	err := gobuild.Report(&gobuild.GoError{Verb: "build", Output: "pages/api/x.go:3:2: missing go.sum entry for module providing package github.com/google/uuid " +
		"(imported by example.com/shop/_nextgo/build/routes/api-x); to add:\n\tgo get example.com/shop/_nextgo/build/routes/api-x"})
	fmt.Println(err)
	// Output:
	// pages/api/x.go:3:2: missing go.sum entry for module providing package github.com/google/uuid (imported by example.com/shop/_nextgo/build/routes/api-x); to add:
	// 	go get github.com/google/uuid
}
