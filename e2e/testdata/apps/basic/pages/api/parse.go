package api

import "github.com/nextgo-dev/nextgo/runtime/api"

// Handler echoes the parsed body, with the default 1mb limit.
func Handler(req *api.Request, res *api.Response) {
	res.JSON(req.Body)
}
