package api

import "github.com/nextgo-dev/nextgo/runtime/api"

var Config = api.Config{
	BodyParser: api.BodyParser{SizeLimit: "500kb"},
}

func Handler(req *api.Request, res *api.Response) {
	res.JSON(map[string]int{"bytes": len(req.RawBody())})
}
