package forbidden

import (
	"github.com/nextgo-dev/nextgo/runtime/navigation"
	"github.com/nextgo-dev/nextgo/runtime/server"
)

func GET(req *server.Request) (*server.Response, error) {
	if req.Header.Get("Authorization") == "" {
		navigation.Unauthorized()
	}
	navigation.Forbidden()
	return nil, nil
}
