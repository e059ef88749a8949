package postroute

import (
	"strconv"
	"time"

	"github.com/nextgo-dev/nextgo/runtime/server"
)

// Revalidate is set, but exporting POST makes the whole route dynamic.
var Config = server.Config{Revalidate: 60}

func now() *server.Response {
	return server.JSON(map[string]string{"now": strconv.FormatInt(time.Now().UnixNano(), 10)})
}

func GET(req *server.Request) (*server.Response, error)  { return now(), nil }
func POST(req *server.Request) (*server.Response, error) { return now(), nil }
