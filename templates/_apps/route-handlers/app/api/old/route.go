package old

import (
	"github.com/nextgo-dev/nextgo/runtime/navigation"
	"github.com/nextgo-dev/nextgo/runtime/server"
)

// GET /api/old has moved: navigation.Redirect ends the request with a 307
// from any depth of the call tree, as Next's redirect() does.
func GET(req *server.Request) (*server.Response, error) {
	navigation.Redirect("/api/hello")
	return nil, nil // not reached
}
