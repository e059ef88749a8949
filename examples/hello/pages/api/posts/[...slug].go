package posts

import "github.com/nextgo-dev/nextgo/runtime/api"

// Handler answers every deeper path under /api/posts with its segments.
func Handler(req *api.Request, res *api.Response) {
	res.JSON(req.Query)
}
