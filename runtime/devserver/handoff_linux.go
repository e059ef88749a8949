package devserver

import (
	"context"
	"errors"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httputil"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// The CLI of `nextgo dev` accepts the clients' connections and hands each
// one to the dev server over a unix socket (SCM_RIGHTS), keeping a
// duplicate: the dev server serves it directly, at full speed, and should
// the process die in the middle of a request (a route calling os.Exit),
// the CLI still holds the connection and answers that request 500. A slot
// of shared memory per connection tells it which request was in flight.
//
// Messages, one per packet: CLI → server "P<id>" with the connection's
// descriptor, "D" (drain: give every connection back and exit), "F1"/"F0"
// (forward every request to the CLI's front, or stop); server → CLI
// "C<id>" (closed) and "H<id>" (handed back between two requests).

// handoff is the dev server's side.
type handoff struct {
	sock     *net.UnixConn
	slots    []byte
	conns    chan net.Conn
	done     chan struct{}
	once     sync.Once
	draining atomic.Bool
	forward  atomic.Bool
	drain    func() // starts the server's shutdown
	wmu      sync.Mutex
	// serve serves a handed connection (h1Server.serve); when nil, every
	// connection goes to net/http's server, through Accept.
	serve func(*trackedConn)
}

// serveItself makes the handoff serve the plain requests of its
// connections itself, through srv's handler (h1Server), and gives the
// others to srv. It returns the shutdown of the connections it serves.
func (h *handoff) serveItself(srv *http.Server) func(context.Context) error {
	s := newH1Server(srv, h.toNetHTTP)
	h.serve = s.serve
	return s.Shutdown
}

// toNetHTTP gives tc to net/http's server, through Accept; false once the
// handoff is closed.
func (h *handoff) toNetHTTP(tc *trackedConn) bool {
	select {
	case h.conns <- tc:
		return true
	case <-h.done:
		return false
	}
}

// newHandoff returns the handoff set up by the CLI, or nil.
func newHandoff() (*handoff, error) {
	cfd, sfd := os.Getenv(ConnFDEnv), os.Getenv(SlotsFDEnv)
	if cfd == "" || sfd == "" {
		return nil, nil
	}
	cn, err1 := strconv.Atoi(cfd)
	sn, err2 := strconv.Atoi(sfd)
	if err := errors.Join(err1, err2); err != nil {
		return nil, err
	}
	f := os.NewFile(uintptr(cn), "handoff")
	c, err := net.FileConn(f)
	f.Close()
	if err != nil {
		return nil, err
	}
	sf := os.NewFile(uintptr(sn), "slots")
	defer sf.Close()
	info, err := sf.Stat()
	if err != nil {
		return nil, err
	}
	slots, err := syscall.Mmap(int(sf.Fd()), 0, int(info.Size()), syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_SHARED)
	if err != nil {
		return nil, err
	}
	h := &handoff{sock: c.(*net.UnixConn), slots: slots, conns: make(chan net.Conn), done: make(chan struct{})}
	go h.receive()
	return h, nil
}

// receive reads the CLI's messages.
func (h *handoff) receive() {
	buf := make([]byte, 64)
	oob := make([]byte, syscall.CmsgSpace(4))
	for {
		n, oobn, _, _, err := h.sock.ReadMsgUnix(buf, oob)
		if err != nil {
			h.drainNow()
			return
		}
		msg := string(buf[:n])
		switch {
		case msg == "D":
			h.drainNow()
		case msg == "F1" || msg == "F0":
			h.forward.Store(msg == "F1")
		case len(msg) > 1 && msg[0] == 'P':
			id, err := strconv.Atoi(msg[1:])
			fd, ok := parseFD(oob[:oobn])
			if err != nil || !ok || (id+1)*SlotSize > len(h.slots) {
				if ok {
					syscall.Close(fd)
				}
				continue
			}
			f := os.NewFile(uintptr(fd), "conn")
			c, err := net.FileConn(f)
			f.Close()
			if err != nil {
				h.send("C" + strconv.Itoa(id))
				continue
			}
			tc := &trackedConn{Conn: c, id: id, h: h}
			if h.serve != nil {
				go h.serve(tc)
				continue
			}
			if !h.toNetHTTP(tc) {
				tc.Close()
			}
		}
	}
}

func parseFD(oob []byte) (int, bool) {
	msgs, err := syscall.ParseSocketControlMessage(oob)
	if err != nil || len(msgs) != 1 {
		return 0, false
	}
	fds, err := syscall.ParseUnixRights(&msgs[0])
	if err != nil || len(fds) != 1 {
		for _, fd := range fds {
			syscall.Close(fd)
		}
		return 0, false
	}
	return fds[0], true
}

func (h *handoff) drainNow() {
	h.draining.Store(true)
	h.once.Do(func() {
		close(h.done)
		if h.drain != nil {
			go h.drain()
		}
	})
}

func (h *handoff) send(msg string) {
	h.wmu.Lock()
	defer h.wmu.Unlock()
	_, _ = h.sock.Write([]byte(msg))
}

func (h *handoff) slot(id int) []byte { return h.slots[id*SlotSize : (id+1)*SlotSize] }

// Accept, Close and Addr make the handoff a net.Listener.
func (h *handoff) Accept() (net.Conn, error) {
	select {
	case c := <-h.conns:
		return c, nil
	case <-h.done:
		return nil, net.ErrClosed
	}
}

func (h *handoff) Close() error {
	h.once.Do(func() { close(h.done) })
	return nil
}

func (h *handoff) Addr() net.Addr { return &net.UnixAddr{Name: "handoff", Net: "unixpacket"} }

// trackedConn is a handed connection; closing it tells the CLI, which
// closes its duplicate, or takes the connection back while draining.
type trackedConn struct {
	net.Conn
	id     int
	h      *handoff
	closed atomic.Bool
	pre    []byte // read already, for net/http's server to read first
}

// Read reads what was read already, then from the connection.
func (c *trackedConn) Read(p []byte) (int, error) {
	if len(c.pre) > 0 {
		n := copy(p, c.pre)
		c.pre = c.pre[n:]
		if len(c.pre) == 0 {
			c.pre = nil
		}
		return n, nil
	}
	return c.Conn.Read(p)
}

func (c *trackedConn) Close() error {
	if c.closed.Swap(true) {
		return nil
	}
	setSlot(c.h.slot(c.id), SlotIdle)
	err := c.Conn.Close()
	if c.h.draining.Load() {
		c.h.send("H" + strconv.Itoa(c.id))
	} else {
		c.h.send("C" + strconv.Itoa(c.id))
	}
	return err
}

type connKey struct{}

// connContext keeps the tracked connection in the request context.
func connContext(ctx context.Context, c net.Conn) context.Context {
	if tc, ok := c.(*trackedConn); ok {
		return context.WithValue(ctx, connKey{}, tc)
	}
	return ctx
}

// slotWriter marks the slot answered at the first byte of the response.
type slotWriter struct {
	http.ResponseWriter
	slot    []byte
	started bool
}

func (s *slotWriter) mark() {
	if !s.started {
		s.started = true
		setSlot(s.slot, SlotAnswered)
	}
}

func (s *slotWriter) WriteHeader(code int) {
	if code >= 200 {
		s.mark()
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *slotWriter) Write(p []byte) (int, error) {
	s.mark()
	return s.ResponseWriter.Write(p)
}

// Flush sends buffered data to the client.
func (s *slotWriter) Flush() {
	s.mark()
	_ = http.NewResponseController(s.ResponseWriter).Flush()
}

// Unwrap returns the underlying ResponseWriter.
func (s *slotWriter) Unwrap() http.ResponseWriter { return s.ResponseWriter }

// handed serves the requests of the connections the CLI handed over. It
// marks, in the connection's slot, the request being served and whether
// its response has started; and it sends to the CLI's front the requests
// the dev server must not answer itself: the dashboard's, every request
// while the dashboard records them in detail, and every request once a
// build input changed (this server's code is stale; the front waits for
// the new build). Other requests go to next.
func (h *handoff) handed(next http.Handler) http.Handler {
	front := os.Getenv(FrontEnv)
	var notify *Notifier
	var proxy *httputil.ReverseProxy
	if front != "" {
		notify = NewNotifier(".")
		var d net.Dialer
		proxy = &httputil.ReverseProxy{
			Rewrite: func(pr *httputil.ProxyRequest) {
				pr.Out.URL.Scheme, pr.Out.URL.Host = "http", "front"
				pr.Out.Host = pr.In.Host
				pr.Out.Header["X-Forwarded-For"] = pr.In.Header["X-Forwarded-For"]
				pr.Out.Header.Set(RemoteAddrHeader, pr.In.RemoteAddr)
			},
			Transport: &http.Transport{
				DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
					return d.DialContext(ctx, "unix", front)
				},
				MaxIdleConnsPerHost: 64,
				DisableCompression:  true,
			},
			ErrorLog: log.New(io.Discard, "", 0),
		}
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var tc *trackedConn
		hw, lean := w.(*h1Writer)
		if lean {
			tc = hw.c.tc
		} else if tc, _ = r.Context().Value(connKey{}).(*trackedConn); tc == nil {
			next.ServeHTTP(w, r)
			return
		}
		slot := h.slot(tc.id)
		line := slot[8:] // "GET /api/x?y=1", cut to the slot
		n := copy(line, r.Method)
		n += copy(line[n:], " ")
		if r.RequestURI != "" {
			n += copy(line[n:], r.RequestURI)
		} else {
			n += copy(line[n:], r.URL.RequestURI())
		}
		slot[4], slot[5] = byte(n), byte(n>>8)
		setSlot(slot, SlotRequest)
		// The slot is marked answered at the response's first byte.
		var sw http.ResponseWriter = hw
		if lean {
			hw.slot = slot
		} else {
			sw = &slotWriter{ResponseWriter: w, slot: slot}
		}
		if proxy != nil {
			// A save before this request was sent is seen (at most one
			// ioctl; none when a look after its bytes arrived found none).
			var arrival time.Time
			if lean {
				arrival = hw.c.arrival()
			}
			stale := notify != nil && notify.Changed(arrival)
			if stale || h.forward.Load() || strings.HasPrefix(r.URL.Path, "/_nextgo/") || r.URL.Path == "/_nextgo" {
				proxy.ServeHTTP(sw, r)
				setSlot(slot, SlotIdle)
				return
			}
		}
		next.ServeHTTP(sw, r)
		setSlot(slot, SlotIdle)
	})
}
