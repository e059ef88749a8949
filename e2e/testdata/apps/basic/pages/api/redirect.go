package api

import "github.com/nextgo-dev/nextgo/runtime/api"

func Handler(req *api.Request, res *api.Response) {
	if req.Query.Get("permanent") != "" {
		res.RedirectWithStatus(301, "/login")
		return
	}
	res.Redirect("/login")
}
