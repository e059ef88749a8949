package noresponse

import "github.com/nextgo-dev/nextgo/runtime/server"

func POST(req *server.Request) (*server.Response, error) { return nil, nil }
