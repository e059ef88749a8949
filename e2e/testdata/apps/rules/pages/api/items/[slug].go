package items

import (
	"os"

	"github.com/nextgo-dev/nextgo/runtime/api"
)

func Handler(req *api.Request, res *api.Response) {
	res.JSON(map[string]any{"slug": req.Query.Get("slug"), "secret": os.Getenv("SECRET_TOKEN") != ""})
}
