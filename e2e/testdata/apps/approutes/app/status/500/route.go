package status

import (
	"errors"

	"github.com/nextgo-dev/nextgo/runtime/server"
)

func GET(req *server.Request) (*server.Response, error) {
	return nil, errors.New("this is a runtime error")
}
