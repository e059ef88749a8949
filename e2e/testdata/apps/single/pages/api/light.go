package api

import "github.com/nextgo-dev/nextgo/runtime/api"

func Handler(req *api.Request, res *api.Response) {
	res.JSON(map[string]string{"light": "yes"})
}
