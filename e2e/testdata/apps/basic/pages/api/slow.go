package api

import (
	"time"

	"github.com/nextgo-dev/nextgo/runtime/api"
)

var Config = api.Config{MaxDuration: 1}

// Handler takes longer than its one-second maxDuration.
func Handler(req *api.Request, res *api.Response) {
	select {
	case <-time.After(5 * time.Second):
		res.Send("too late")
	case <-req.Context().Done():
	}
}
