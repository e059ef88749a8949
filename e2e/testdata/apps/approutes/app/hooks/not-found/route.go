package notfound

import (
	"github.com/nextgo-dev/nextgo/runtime/navigation"
	"github.com/nextgo-dev/nextgo/runtime/server"
)

func GET(req *server.Request) (*server.Response, error) {
	lookup(req.URL.Query().Get("id"))
	return server.Text("found"), nil
}

// lookup ends the request from deep in the call tree.
func lookup(id string) {
	if id != "1" {
		navigation.NotFound()
	}
}
