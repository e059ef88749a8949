package api

import (
	"io"

	"github.com/nextgo-dev/nextgo/runtime/api"
)

var Config = api.Config{
	BodyParser: api.BodyParser{Disabled: true},
}

// Handler reads the raw stream itself: no parsing, no limit.
func Handler(req *api.Request, res *api.Response) {
	b, err := io.ReadAll(req.Request.Body)
	if err != nil {
		res.Status(500).Send(err.Error())
		return
	}
	res.JSON(map[string]any{"bytes": len(b), "parsed": req.Body != nil})
}
