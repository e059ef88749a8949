package bundler

import "github.com/nextgo-dev/nextgo/bundler/internal/bundlertest"

const (
	apiUser  = bundlertest.APIUser
	getRoute = bundlertest.GetRoute
)

var mapFS = bundlertest.MapFS
