package api

import (
	"net/http"

	"github.com/nextgo-dev/nextgo/runtime/api"
)

func Handler(req *api.Request, res *api.Response) {
	http.SetCookie(res, &http.Cookie{Name: "visited", Value: "yes", Path: "/"})
	res.JSON(req.Cookies)
}
