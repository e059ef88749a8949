package post

import "github.com/nextgo-dev/nextgo/runtime/api"

// Handler answers /api/post/:pid; the dynamic segment is in req.Query,
// with the query string: /api/post/abc?foo=bar has pid "abc" and foo "bar".
func Handler(req *api.Request, res *api.Response) {
	res.Send("Post: " + req.Query.Get("pid"))
}
