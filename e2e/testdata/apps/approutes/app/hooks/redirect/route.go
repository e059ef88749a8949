package redirect

import (
	"github.com/nextgo-dev/nextgo/runtime/navigation"
	"github.com/nextgo-dev/nextgo/runtime/server"
)

func GET(req *server.Request) (*server.Response, error) {
	server.Cookies(req.Context()).Set("before", "redirect")
	navigation.Redirect("https://nextjs.org/")
	return nil, nil
}
