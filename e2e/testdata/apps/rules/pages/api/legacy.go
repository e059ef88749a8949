package api

import "github.com/nextgo-dev/nextgo/runtime/api"

// Handler is never reached: nextgo.json redirects /api/legacy first.
func Handler(req *api.Request, res *api.Response) { res.Send("legacy") }
