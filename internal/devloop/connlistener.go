package devloop

import (
	"net"
	"net/http"
	"sync"

	"github.com/nextgo-dev/nextgo/runtime/devserver"
)

// connListener is a net.Listener fed with connections the loop decided
// the front serves itself.
type connListener struct {
	addr  net.Addr
	conns chan net.Conn
	once  sync.Once
	done  chan struct{}
}

func newConnListener(addr net.Addr) *connListener {
	return &connListener{addr: addr, conns: make(chan net.Conn), done: make(chan struct{})}
}

// deliver hands c to the server accepting on l, or closes it when l is
// closed.
func (l *connListener) deliver(c net.Conn) {
	select {
	case l.conns <- c:
	case <-l.done:
		c.Close()
	}
}

func (l *connListener) Accept() (net.Conn, error) {
	select {
	case c := <-l.conns:
		return c, nil
	case <-l.done:
		return nil, net.ErrClosed
	}
}

func (l *connListener) Close() error {
	l.once.Do(func() { close(l.done) })
	return nil
}

func (l *connListener) Addr() net.Addr { return l.addr }

// fromDevServer restores the client's address on a request the dev server
// forwarded to the front.
func fromDevServer(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if a := r.Header.Get(devserver.RemoteAddrHeader); a != "" && (r.RemoteAddr == "@" || r.RemoteAddr == "") {
			r.RemoteAddr = a
		}
		r.Header.Del(devserver.RemoteAddrHeader)
		next.ServeHTTP(w, r)
	})
}
