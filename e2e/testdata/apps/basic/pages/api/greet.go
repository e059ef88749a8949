package api

import (
	"example.com/basic/internal/greet"
	"github.com/nextgo-dev/nextgo/runtime/api"
)

func Handler(req *api.Request, res *api.Response) {
	res.Send(greet.Hello(req.Query.Get("name")))
}
