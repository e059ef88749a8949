//go:build !linux

package devserver

import (
	"context"
	"net"
	"net/http"
)

// handoff is Linux's; elsewhere the dev server serves its own socket.
type handoff struct{ drain func() }

func newHandoff() (*handoff, error)                    { return nil, nil }
func (*handoff) Accept() (net.Conn, error)             { return nil, net.ErrClosed }
func (*handoff) Close() error                          { return nil }
func (*handoff) Addr() net.Addr                        { return nil }
func (*handoff) handed(next http.Handler) http.Handler { return next }
func (*handoff) serveItself(*http.Server) func(context.Context) error {
	return func(context.Context) error { return nil }
}
func connContext(ctx context.Context, _ net.Conn) context.Context { return ctx }
