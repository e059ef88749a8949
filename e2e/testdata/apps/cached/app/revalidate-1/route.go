package revalidate

import (
	"strconv"
	"time"

	"github.com/nextgo-dev/nextgo/runtime/server"
)

var Config = server.Config{Revalidate: 1}

func GET(req *server.Request) (*server.Response, error) {
	return server.JSON(map[string]string{"now": strconv.FormatInt(time.Now().UnixNano(), 10)}), nil
}
