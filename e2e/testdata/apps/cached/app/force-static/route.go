package forcestatic

import (
	"strconv"
	"time"

	"github.com/nextgo-dev/nextgo/runtime/server"
)

var Config = server.Config{Dynamic: server.ForceStatic}

func GET(req *server.Request) (*server.Response, error) {
	_, hasSession := req.Cookies()["session"]
	return server.JSON(map[string]any{
		"query":   req.NextURL().Query().Get("query"),
		"accept":  req.Header.Get("Accept"),
		"session": hasSession,
		"now":     strconv.FormatInt(time.Now().UnixNano(), 10),
	}), nil
}
