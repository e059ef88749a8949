package json

import "github.com/nextgo-dev/nextgo/runtime/server"

type body struct {
	Name string `json:"name"`
	Ping string `json:"ping"`
}

func POST(req *server.Request) (*server.Response, error) {
	var b body
	if err := req.JSON(&b); err != nil {
		return nil, err
	}
	return server.JSON(b), nil
}

func DELETE(req *server.Request) (*server.Response, error) {
	var b body
	if err := req.JSON(&b); err != nil {
		return nil, err
	}
	return server.Text("delete " + b.Name), nil
}

func OPTIONS(req *server.Request) (*server.Response, error) {
	var b body
	if err := req.JSON(&b); err != nil {
		return nil, err
	}
	return server.Text("options " + b.Name), nil
}
