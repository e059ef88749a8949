package stream

import (
	"testing"

	"github.com/nextgo-dev/nextgo/runtime/routetest"
	"github.com/nextgo-dev/nextgo/runtime/server"
)

func TestStream(t *testing.T) {
	res := routetest.Server(t, "/api/stream", server.Route{GET: server.Func(GET)}).Get("/api/stream")
	if res.Status != 200 || res.Text() != "chunk 1\nchunk 2\nchunk 3\n" {
		t.Fatalf("got %d %q", res.Status, res.Text())
	}
}
