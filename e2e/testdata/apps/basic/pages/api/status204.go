package api

import "github.com/nextgo-dev/nextgo/runtime/api"

func Handler(req *api.Request, res *api.Response) {
	res.Status(204).JSON(map[string]string{"hello": "world"})
}
