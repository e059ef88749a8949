package cookies

import "github.com/nextgo-dev/nextgo/runtime/server"

func GET(req *server.Request) (*server.Response, error) {
	jar := server.Cookies(req.Context())
	ping, _ := jar.Get("ping")
	jar.Set("a", "a")
	return server.JSON(map[string]any{"ping": ping, "hasCookie": jar.Has("a")}), nil
}
