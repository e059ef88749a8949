package text

import "github.com/nextgo-dev/nextgo/runtime/server"

func POST(req *server.Request) (*server.Response, error) {
	s, err := req.Text()
	if err != nil {
		return nil, err
	}
	return server.Text(s), nil
}
