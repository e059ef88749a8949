package main

import (
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"syscall"
)

// errNoRoutes is the answer of the commands that need at least one route.
var errNoRoutes = errors.New("the app has no routes yet: add pages/api/hello.go or app/api/hello/route.go (nextgo dev runs an app without routes)")

// portTries is how many ports past a busy one listen tries.
const portTries = 20

// listen listens on host:port or, when that port is in use, on the next
// free one, with a warning as next dev gives. It runs before any compile.
func listen(host string, port int, warn io.Writer, color bool) (net.Listener, error) {
	for i := 0; ; i++ {
		addr := net.JoinHostPort(host, strconv.Itoa(port+i))
		l, err := net.Listen("tcp", addr)
		if err == nil {
			if i > 0 {
				mark := "⚠"
				if color {
					mark = "\x1b[33m⚠\x1b[0m"
				}
				fmt.Fprintf(warn, " %s Port %d is in use, using %d instead.\n", mark, port, port+i)
			}
			return l, nil
		}
		if !errors.Is(err, syscall.EADDRINUSE) || i == portTries || port == 0 {
			return nil, fmt.Errorf("listen on %s: %w", addr, err)
		}
	}
}
