package permanent

import (
	"github.com/nextgo-dev/nextgo/runtime/navigation"
	"github.com/nextgo-dev/nextgo/runtime/server"
)

func GET(req *server.Request) (*server.Response, error) {
	navigation.PermanentRedirect("https://nextjs.org/")
	return nil, nil
}
