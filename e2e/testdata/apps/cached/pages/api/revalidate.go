package api

import "github.com/nextgo-dev/nextgo/runtime/api"

// Handler purges the cached GET of ?path=.
func Handler(req *api.Request, res *api.Response) {
	if err := res.Revalidate(req.Query.Get("path")); err != nil {
		res.Status(500).JSON(map[string]string{"error": err.Error()})
		return
	}
	res.JSON(map[string]bool{"revalidated": true})
}
