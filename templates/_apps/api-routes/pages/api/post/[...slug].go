package post

import (
	"strings"

	"github.com/nextgo-dev/nextgo/runtime/api"
)

// Handler answers /api/post/a/b/c: a catch-all segment is a list of the
// path's segments.
func Handler(req *api.Request, res *api.Response) {
	res.Send("Post: " + strings.Join(req.Query.Values("slug"), ", "))
}
