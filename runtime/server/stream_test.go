package server

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

// failAfter bounds a wait in a test that would otherwise hang on a bug; it
// is not a timing assertion.
const failAfter = 10 * time.Second

func wait(t *testing.T, ch <-chan struct{}, what string) {
	t.Helper()
	select {
	case <-ch:
	case <-time.After(failAfter):
		t.Fatalf("gave up waiting for %s", what)
	}
}

// readChunk reads exactly len(want) bytes.
func readChunk(t *testing.T, r io.Reader, want string) {
	t.Helper()
	buf := make([]byte, len(want))
	if _, err := io.ReadFull(r, buf); err != nil {
		t.Fatalf("reading %q: %v", want, err)
	}
	if string(buf) != want {
		t.Fatalf("read %q, want %q", buf, want)
	}
}

// streamingRoutes returns routes that send "one\n", then wait for next
// before sending "two\n", each in one of the streaming forms.
func streamingRoutes(next <-chan struct{}) map[string]Method {
	return map[string]Method{
		"reader": Func(func(req *Request) (*Response, error) {
			pr, pw := io.Pipe()
			go func() {
				_, _ = io.WriteString(pw, "one\n")
				<-next
				_, _ = io.WriteString(pw, "two\n")
				pw.Close()
			}()
			return NewResponse(pr, Init{Headers: http.Header{"Content-Type": {"text/plain"}}}), nil
		}),
		"stream": Func(func(req *Request) (*Response, error) {
			return Stream(func(w io.Writer) error {
				if _, err := io.WriteString(w, "one\n"); err != nil {
					return err
				}
				<-next
				_, err := io.WriteString(w, "two\n")
				return err
			}), nil
		}),
		"http": HTTP(func(w http.ResponseWriter, r *http.Request) {
			_, _ = io.WriteString(w, "one\n")
			_ = http.NewResponseController(w).Flush()
			<-next
			_, _ = io.WriteString(w, "two\n")
		}),
	}
}

// TestStreamingFlushes reads the first chunk before the handler has produced
// the second: the handler only writes it once the client has the first.
func TestStreamingFlushes(t *testing.T) {
	for _, form := range []string{"reader", "stream", "http"} {
		t.Run(form, func(t *testing.T) {
			next := make(chan struct{})
			h := NewHandler(Route{File: "app/s/route.go", GET: streamingRoutes(next)[form]})
			// Also through a middleware, which must not buffer.
			mw := NewMiddleware(MiddlewareRoute{File: "middleware.go", Func: func(*Request) (*Response, error) {
				res := Next()
				res.Header.Set("X-Middleware", "1")
				return res, nil
			}})
			srv := serve(t, mw.Wrap(h))
			resp, err := http.Get(srv.URL)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			if resp.Header.Get("X-Middleware") != "1" || resp.ContentLength != -1 {
				t.Errorf("headers %v, length %d", resp.Header, resp.ContentLength)
			}
			readChunk(t, resp.Body, "one\n")
			close(next)
			rest, err := io.ReadAll(resp.Body)
			if err != nil || string(rest) != "two\n" {
				t.Errorf("rest = %q, %v", rest, err)
			}
		})
	}
}

// TestClientDisconnect: when the client goes away mid-stream the request's
// context is cancelled, a Stream's writes fail and a reader body is closed.
func TestClientDisconnect(t *testing.T) {
	tests := []struct {
		name  string
		route func(done chan<- struct{}) Method
	}{
		{"stream", func(done chan<- struct{}) Method {
			return Func(func(req *Request) (*Response, error) {
				return Stream(func(w io.Writer) error {
					if _, err := io.WriteString(w, "one\n"); err != nil {
						return err
					}
					<-req.Context().Done()
					// Writes fail from now on.
					for range 100 {
						if _, err := io.WriteString(w, "more\n"); err != nil {
							close(done)
							return err
						}
					}
					return errors.New("writes kept succeeding")
				}), nil
			})
		}},
		{"reader", func(done chan<- struct{}) Method {
			return Func(func(req *Request) (*Response, error) {
				pr, pw := io.Pipe()
				go func() {
					_, _ = io.WriteString(pw, "one\n")
					<-req.Context().Done()
					// The runtime closes the reader: writes fail.
					for range 1000 {
						if _, err := io.WriteString(pw, "more\n"); err != nil {
							if errors.Is(err, io.ErrClosedPipe) {
								close(done)
							}
							return
						}
					}
				}()
				return NewResponse(pr), nil
			})
		}},
		{"context", func(done chan<- struct{}) Method {
			return HTTP(func(w http.ResponseWriter, r *http.Request) {
				_, _ = io.WriteString(w, "one\n")
				_ = http.NewResponseController(w).Flush()
				<-r.Context().Done()
				if errors.Is(r.Context().Err(), context.Canceled) {
					close(done)
				}
			})
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			done := make(chan struct{})
			log, _ := testLogger()
			srv := serve(t, NewHandler(Route{File: "app/s/route.go", GET: tt.route(done), Logger: log}))
			ctx, cancel := context.WithCancel(context.Background())
			req, _ := http.NewRequestWithContext(ctx, "GET", srv.URL, nil)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			readChunk(t, resp.Body, "one\n")
			cancel()
			resp.Body.Close()
			wait(t, done, "the handler to see the disconnect")
		})
	}
}

func TestStreamFailures(t *testing.T) {
	log, buf := testLogger()
	h := NewHandler(Route{File: "app/s/route.go", Logger: log, GET: Func(func(req *Request) (*Response, error) {
		if req.URL.Query().Get("case") == "reader" {
			return NewResponse(io.MultiReader(strings.NewReader("partial"), errReader{})), nil
		}
		return Stream(func(w io.Writer) error {
			_, _ = io.WriteString(w, "partial")
			return errors.New("upstream died")
		}), nil
	})})
	srv := serve(t, h)
	for _, c := range []string{"stream", "reader"} {
		resp, err := client.Get(srv.URL + "?case=" + c)
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err == nil {
			t.Errorf("%s: the response ended cleanly with %q", c, b)
		}
	}
	for _, want := range []string{"upstream died", "reader broke", "sending the response body"} {
		if !strings.Contains(buf.String(), want) {
			t.Errorf("log lacks %q:\n%s", want, buf)
		}
	}
}

type errReader struct{}

func (errReader) Read([]byte) (int, error) { return 0, errors.New("reader broke") }

// TestStreamingLines streams server-sent events line by line.
func TestStreamingLines(t *testing.T) {
	next := make(chan struct{})
	h := NewHandler(Route{File: "app/sse/route.go", GET: Func(func(req *Request) (*Response, error) {
		return Stream(func(w io.Writer) error {
			for i := range 3 {
				if i > 0 {
					<-next
				}
				if _, err := io.WriteString(w, "data: tick\n\n"); err != nil {
					return err
				}
			}
			return nil
		}, Init{Headers: http.Header{"Content-Type": {"text/event-stream"}, "Cache-Control": {"no-cache"}}}), nil
	})})
	resp, err := http.Get(serve(t, h).URL)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	sc := bufio.NewReader(resp.Body)
	for i := range 3 {
		line, err := sc.ReadString('\n')
		if err != nil || line != "data: tick\n" {
			t.Fatalf("event %d: %q %v", i, line, err)
		}
		if _, err := sc.ReadString('\n'); err != nil {
			t.Fatal(err)
		}
		if i < 2 {
			next <- struct{}{}
		}
	}
}
