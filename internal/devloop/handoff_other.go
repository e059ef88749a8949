//go:build !linux

package devloop

import (
	"errors"
	"net"
	"os"
)

// Elsewhere than on Linux the dev server gets no connections handed over:
// every request goes through the front.
type handoff struct{}

// heldConn is a connection the server held when it ended.
type heldConn struct {
	f     *os.File
	state uint32
	line  string
}

var errNoHandoff = errors.New("connection handoff needs Linux")

func newHandoffPair() (*handoff, *os.File, *os.File, error) { return nil, nil, nil, errNoHandoff }
func (*handoff) pass(net.Conn) error                        { return errNoHandoff }
func (*handoff) send(string) error                          { return errNoHandoff }
func (*handoff) receive(func(net.Conn))                     {}
func (*handoff) held() []heldConn                           { return nil }
func (*handoff) close()                                     {}

// growPipe is Linux's.
func growPipe(*os.File, int) {}
