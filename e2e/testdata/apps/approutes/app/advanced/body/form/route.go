package form

import "github.com/nextgo-dev/nextgo/runtime/server"

func POST(req *server.Request) (*server.Response, error) {
	f, err := req.FormData()
	if err != nil {
		return nil, err
	}
	return server.JSON(map[string]string{"name": f.Get("name")}), nil
}
