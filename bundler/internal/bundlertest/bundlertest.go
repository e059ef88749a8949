// Package bundlertest holds the route sources and the in-memory app trees
// the bundler's packages test with.
package bundlertest

import "testing/fstest"

// APIUser is an API route (pages/api) answering {"name":"John Doe"}.
const APIUser = `package api

import "github.com/nextgo-dev/nextgo/runtime/api"

func Handler(req *api.Request, res *api.Response) { res.Status(200).JSON(map[string]string{"name": "John Doe"}) }
`

// GetRoute is a route handler (app/**/route.go) exporting GET.
const GetRoute = `package items

import "github.com/nextgo-dev/nextgo/runtime/server"

func GET(req *server.Request) (*server.Response, error) { return server.Text("hi"), nil }
`

// MapFS is an app tree of the given files (path → source).
func MapFS(files map[string]string) fstest.MapFS {
	fsys := fstest.MapFS{}
	for name, src := range files {
		fsys[name] = &fstest.MapFile{Data: []byte(src)}
	}
	return fsys
}
