package lambda_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/nextgo-dev/nextgo/adapters/lambda"
)

// v2Event returns a minimal HTTP API event; edit fills in the rest.
func v2Event(edit func(ev map[string]any)) []byte {
	ev := map[string]any{
		"version":        "2.0",
		"routeKey":       "$default",
		"rawPath":        "/api/x",
		"rawQueryString": "",
		"headers":        map[string]any{"host": "api.example.com"},
		"requestContext": map[string]any{
			"domainName": "api.example.com",
			"http":       map[string]any{"method": "GET", "path": "/api/x", "protocol": "HTTP/1.1", "sourceIp": "192.0.2.1"},
			"requestId":  "req-1",
			"stage":      "$default",
		},
		"isBase64Encoded": false,
	}
	if edit != nil {
		edit(ev)
	}
	b, err := json.Marshal(ev)
	if err != nil {
		panic(err)
	}
	return b
}

func rc(ev map[string]any) map[string]any     { return ev["requestContext"].(map[string]any) }
func rcHTTP(ev map[string]any) map[string]any { return rc(ev)["http"].(map[string]any) }

// reply decodes an Invoke response.
type reply struct {
	StatusCode        int                 `json:"statusCode"`
	StatusDescription string              `json:"statusDescription"`
	Headers           map[string]string   `json:"headers"`
	MultiValueHeaders map[string][]string `json:"multiValueHeaders"`
	Cookies           []string            `json:"cookies"`
	Body              string              `json:"body"`
	IsBase64Encoded   bool                `json:"isBase64Encoded"`
}

func decodeReply(t *testing.T, out []byte) reply {
	t.Helper()
	var r reply
	dec := json.NewDecoder(bytes.NewReader(out))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&r); err != nil {
		t.Fatalf("response %s: %v", out, err)
	}
	return r
}

// okHandler answers 200 "ok" and counts its calls.
type okHandler struct {
	mu    sync.Mutex
	calls int
}

func (h *okHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h.mu.Lock()
	h.calls++
	h.mu.Unlock()
	io.Copy(io.Discard, r.Body)
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	io.WriteString(w, "ok")
}

func TestInvokeRejectsPayloads(t *testing.T) {
	tests := []struct {
		name    string
		payload string
		want    error
	}{
		{"empty", ``, lambda.ErrMalformedEvent},
		{"not JSON", `hello`, lambda.ErrMalformedEvent},
		{"truncated", `{"version":"2.0","rawPath":"/x"`, lambda.ErrMalformedEvent},
		{"trailing data", `{"version":"2.0"} {}`, lambda.ErrMalformedEvent},
		{"trailing comma", `{"version":"2.0",}`, lambda.ErrMalformedEvent},
		{"single quotes", `{'version':'2.0'}`, lambda.ErrMalformedEvent},
		{"control character in string", "{\"rawPath\":\"/a\x01\"}", lambda.ErrMalformedEvent},
		{"bad escape", `{"rawPath":"\q"}`, lambda.ErrMalformedEvent},
		{"bad unicode escape", `{"rawPath":"\u12G4"}`, lambda.ErrMalformedEvent},
		{"bad number", `{"x":01}`, lambda.ErrMalformedEvent},
		{"bad literal", `{"isBase64Encoded":tru}`, lambda.ErrMalformedEvent},
		{"too deep", strings.Repeat("[", 300) + strings.Repeat("]", 300), lambda.ErrMalformedEvent},
		{"too deep inside an event", `{"version":"2.0","x":` + strings.Repeat(`{"a":`, 300) + `1` + strings.Repeat("}", 300) + `}`, lambda.ErrMalformedEvent},
		{"array", `[1,2]`, lambda.ErrUnknownEvent},
		{"string", `"GET /"`, lambda.ErrUnknownEvent},
		{"null", `null`, lambda.ErrUnknownEvent},
		{"empty object", `{}`, lambda.ErrUnknownEvent},
		{"SQS event", `{"Records":[{"messageId":"1","body":"x","eventSource":"aws:sqs"}]}`, lambda.ErrUnknownEvent},
		{"other version", `{"version":"3.0","rawPath":"/x"}`, lambda.ErrUnknownEvent},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var logs bytes.Buffer
			h := &okHandler{}
			out, err := lambda.NewHandler(h, lambda.Options{Logger: jsonLogger(&logs)}).
				Invoke(lambdaContext("id-1"), []byte(tt.payload))
			if !errors.Is(err, tt.want) {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
			if out != nil {
				t.Errorf("out = %s, want nil", out)
			}
			if h.calls != 0 {
				t.Errorf("handler called %d times", h.calls)
			}
			if !strings.Contains(logs.String(), `"request_id":"id-1"`) || !strings.Contains(logs.String(), "event rejected") {
				t.Errorf("log = %s", logs.String())
			}
		})
	}
}

func TestInvokeBadEventFields(t *testing.T) {
	tests := []struct {
		name    string
		payload []byte
		reason  string // in the log line
	}{
		{"v2 bad base64", v2Event(func(ev map[string]any) {
			ev["body"] = "not base64!"
			ev["isBase64Encoded"] = true
		}), "base64"},
		{"v2 no method", v2Event(func(ev map[string]any) { delete(rcHTTP(ev), "method") }), "no HTTP method"},
		{"v2 invalid method", v2Event(func(ev map[string]any) { rcHTTP(ev)["method"] = "GE T" }), "invalid HTTP method"},
		{"v2 headers not an object", v2Event(func(ev map[string]any) { ev["headers"] = []string{"a"} }), "headers"},
		{"v2 header value a number", v2Event(func(ev map[string]any) { ev["headers"] = map[string]any{"x-a": 1} }), "headers"},
		{"v2 cookies not an array", v2Event(func(ev map[string]any) { ev["cookies"] = "a=1" }), "cookies"},
		{"v2 cookie a number", v2Event(func(ev map[string]any) { ev["cookies"] = []any{"a=1", 2} }), "cookies"},
		{"v2 rawPath a number", v2Event(func(ev map[string]any) { ev["rawPath"] = 7 }), "rawPath"},
		{"v2 body an object", v2Event(func(ev map[string]any) { ev["body"] = map[string]any{} }), "body"},
		{"v2 isBase64Encoded a string", v2Event(func(ev map[string]any) { ev["isBase64Encoded"] = "yes" }), "isBase64Encoded"},
		{"v2 requestContext.http a string", v2Event(func(ev map[string]any) { rc(ev)["http"] = "GET" }), "requestContext.http"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var logs bytes.Buffer
			h := &okHandler{}
			out, err := lambda.NewHandler(h, lambda.Options{Logger: jsonLogger(&logs)}).Invoke(lambdaContext("id-2"), tt.payload)
			if err != nil {
				t.Fatalf("Invoke: %v", err)
			}
			r := decodeReply(t, out)
			if r.StatusCode != 400 || r.Body != "Bad Request" || r.Headers["Content-Type"] != "text/plain; charset=utf-8" {
				t.Errorf("reply = %+v, want 400 Bad Request", r)
			}
			if h.calls != 0 {
				t.Errorf("handler called")
			}
			if l := logs.String(); !strings.Contains(l, tt.reason) || !strings.Contains(l, `"request_id":"id-2"`) || !strings.Contains(l, `"kind":"apigw-v2"`) {
				t.Errorf("log %q lacks %q", l, tt.reason)
			}
		})
	}
}

func TestInvokeBadEventFieldsOtherKinds(t *testing.T) {
	tests := []struct {
		name    string
		payload string
		check   func(t *testing.T, r reply)
	}{
		{"v1 malformed percent-encoding", `{"resource":"/{p+}","path":"/a%zz","httpMethod":"GET","headers":{},"requestContext":{"stage":"prod"}}`,
			func(t *testing.T, r reply) {
				if r.StatusCode != 400 || r.MultiValueHeaders["Content-Type"][0] != "text/plain; charset=utf-8" {
					t.Errorf("reply = %+v", r)
				}
			}},
		{"v1 multiValueHeaders values not arrays", `{"resource":"/","path":"/","httpMethod":"GET","multiValueHeaders":{"a":"b"},"requestContext":{}}`,
			func(t *testing.T, r reply) {
				if r.StatusCode != 400 || r.MultiValueHeaders == nil {
					t.Errorf("reply = %+v", r)
				}
			}},
		{"v1 no method", `{"resource":"/","path":"/","requestContext":{}}`,
			func(t *testing.T, r reply) {
				if r.StatusCode != 400 {
					t.Errorf("reply = %+v", r)
				}
			}},
		{"ALB bad base64", `{"requestContext":{"elb":{"targetGroupArn":"arn"}},"httpMethod":"POST","path":"/","headers":{},"body":"%%%","isBase64Encoded":true}`,
			func(t *testing.T, r reply) {
				if r.StatusCode != 400 || r.StatusDescription != "400 Bad Request" || r.Headers["Content-Type"] == "" {
					t.Errorf("reply = %+v", r)
				}
			}},
		{"ALB multi-value query not arrays", `{"requestContext":{"elb":{}},"httpMethod":"GET","path":"/","multiValueHeaders":{},"multiValueQueryStringParameters":{"a":1}}`,
			func(t *testing.T, r reply) {
				if r.StatusCode != 400 || r.MultiValueHeaders == nil {
					t.Errorf("reply = %+v (want multi-value shape)", r)
				}
			}},
		{"function URL bad base64", `{"version":"2.0","rawPath":"/","requestContext":{"domainName":"x.lambda-url.eu-west-1.on.aws","http":{"method":"POST"}},"body":"@@","isBase64Encoded":true}`,
			func(t *testing.T, r reply) {
				if r.StatusCode != 400 || r.Headers["Content-Type"] == "" {
					t.Errorf("reply = %+v", r)
				}
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := &okHandler{}
			out, err := lambda.NewHandler(h, lambda.Options{Logger: jsonLogger(io.Discard)}).Invoke(context.Background(), []byte(tt.payload))
			if err != nil {
				t.Fatalf("Invoke: %v", err)
			}
			tt.check(t, decodeReply(t, out))
			if h.calls != 0 {
				t.Errorf("handler called")
			}
		})
	}
}

func TestBodyLimit(t *testing.T) {
	body := func(n int) func(ev map[string]any) {
		return func(ev map[string]any) {
			rcHTTP(ev)["method"] = "POST"
			ev["body"] = strings.Repeat("x", n)
		}
	}
	base64Body := func(n int) func(ev map[string]any) {
		return func(ev map[string]any) {
			rcHTTP(ev)["method"] = "POST"
			ev["body"] = strings.Repeat("AAAA", n/3) // n bytes once decoded
			ev["isBase64Encoded"] = true
		}
	}
	tests := []struct {
		name     string
		opts     lambda.Options
		edit     func(ev map[string]any)
		status   int
		respBody string
	}{
		{"exactly the limit", lambda.Options{BodyLimit: 1024}, body(1024), 200, "ok"},
		{"one byte over", lambda.Options{BodyLimit: 1024}, body(1025), 413, "Body exceeded 1024 limit"},
		{"configured text echoed", lambda.Options{BodyLimit: 1 << 20, BodyLimitText: "1mb"}, body(1<<20 + 1), 413, "Body exceeded 1mb limit"},
		{"decoded size counts, not base64", lambda.Options{BodyLimit: 300}, base64Body(300), 200, "ok"},
		{"base64 over", lambda.Options{BodyLimit: 299}, base64Body(300), 413, "Body exceeded 299 limit"},
		{"no limit", lambda.Options{}, body(3 << 20), 200, "ok"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var logs bytes.Buffer
			tt.opts.Logger = jsonLogger(&logs)
			tt.opts.Route, tt.opts.File = "/api/x", "pages/api/x.go"
			h := &okHandler{}
			out, err := lambda.NewHandler(h, tt.opts).Invoke(lambdaContext("id-3"), v2Event(tt.edit))
			if err != nil {
				t.Fatal(err)
			}
			r := decodeReply(t, out)
			if r.StatusCode != tt.status || r.Body != tt.respBody {
				t.Fatalf("reply = %d %q, want %d %q", r.StatusCode, r.Body, tt.status, tt.respBody)
			}
			if want := tt.status == 200; (h.calls == 1) != want {
				t.Errorf("handler calls = %d", h.calls)
			}
			if tt.status == 413 {
				l := logs.String()
				for _, s := range []string{`"route":"/api/x"`, `"file":"pages/api/x.go"`, `"request_id":"id-3"`, `"limit":`} {
					if !strings.Contains(l, s) {
						t.Errorf("log %s lacks %s", l, s)
					}
				}
			}
		})
	}
}

func TestPanicAnswers500AndServesOn(t *testing.T) {
	var logs bytes.Buffer
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/boom" {
			w.Header().Set("X-Partial", "1")
			io.WriteString(w, "partial")
			panic("kaboom")
		}
		io.WriteString(w, "fine")
	})
	for _, deadline := range []bool{false, true} {
		t.Run(fmt.Sprintf("deadline=%v", deadline), func(t *testing.T) {
			logs.Reset()
			h := lambda.NewHandler(handler, lambda.Options{Logger: jsonLogger(&logs), Route: "/boom", File: "pages/api/boom.go"})
			ctx := lambdaContext("id-4")
			if deadline {
				var cancel context.CancelFunc
				ctx, cancel = context.WithTimeout(ctx, time.Minute)
				defer cancel()
			}
			out, err := h.Invoke(ctx, v2Event(func(ev map[string]any) { ev["rawPath"] = "/boom" }))
			if err != nil {
				t.Fatal(err)
			}
			r := decodeReply(t, out)
			if r.StatusCode != 500 || r.Body != "Internal Server Error" || r.Headers["X-Partial"] != "" {
				t.Errorf("reply = %+v", r)
			}
			l := logs.String()
			for _, s := range []string{"handler panicked", "kaboom", `"stack":"goroutine`, `"request_id":"id-4"`, `"file":"pages/api/boom.go"`, "handler_test.go"} {
				if !strings.Contains(l, s) {
					t.Errorf("log lacks %q: %s", s, l)
				}
			}
			out, err = h.Invoke(ctx, v2Event(nil))
			if err != nil {
				t.Fatal(err)
			}
			if r := decodeReply(t, out); r.StatusCode != 200 || r.Body != "fine" {
				t.Errorf("next invocation: %+v", r)
			}
		})
	}
}

func TestPanicValues(t *testing.T) {
	tests := []struct {
		name  string
		value any
		log   string
	}{
		{"error", errors.New("broken"), "broken"},
		{"nil", nil, "panic called with nil"},
		{"abort handler", http.ErrAbortHandler, "handler aborted the response"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var logs bytes.Buffer
			h := lambda.NewHandler(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { panic(tt.value) }),
				lambda.Options{Logger: jsonLogger(&logs)})
			out, err := h.Invoke(context.Background(), v2Event(nil))
			if err != nil {
				t.Fatal(err)
			}
			if r := decodeReply(t, out); r.StatusCode != 500 {
				t.Errorf("status %d", r.StatusCode)
			}
			if !strings.Contains(logs.String(), tt.log) {
				t.Errorf("log lacks %q: %s", tt.log, logs.String())
			}
		})
	}
}

func TestDeadline(t *testing.T) {
	release := make(chan struct{})
	defer close(release)
	wrote := make(chan error, 1)
	seen := make(chan time.Time, 1) // the request's deadline, as the handler saw it
	slow := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if dl, ok := r.Context().Deadline(); ok {
			seen <- dl
		}
		if r.URL.Path == "/ignores-context" {
			<-release // a handler that never looks at its context
			_, err := io.WriteString(w, "late")
			wrote <- err
			return
		}
		<-r.Context().Done()
		io.WriteString(w, "late")
	})
	tests := []struct {
		name string
		opts lambda.Options
		ctx  func() (context.Context, context.CancelFunc)
		path string
		// The request's deadline is this much before the invocation's: at
		// least minGap, at most maxGap (both 0: no invocation deadline).
		minGap, maxGap time.Duration
	}{
		{"MaxDuration", lambda.Options{MaxDuration: 20 * time.Millisecond},
			func() (context.Context, context.CancelFunc) { return lambdaContext("id-5"), func() {} }, "/", 0, 0},
		{"invocation deadline less margin", lambda.Options{Margin: 50 * time.Millisecond},
			func() (context.Context, context.CancelFunc) {
				return context.WithTimeout(lambdaContext("id-5"), 80*time.Millisecond)
			}, "/", 50 * time.Millisecond, 50 * time.Millisecond},
		{"default margin", lambda.Options{},
			func() (context.Context, context.CancelFunc) {
				return context.WithTimeout(lambdaContext("id-5"), 50*time.Millisecond)
			}, "/", time.Nanosecond, 5 * time.Millisecond}, // a tenth of what is left
		{"handler ignores its context", lambda.Options{MaxDuration: 20 * time.Millisecond},
			func() (context.Context, context.CancelFunc) { return lambdaContext("id-5"), func() {} }, "/ignores-context", 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var logs bytes.Buffer
			tt.opts.Logger = jsonLogger(&logs)
			ctx, cancel := tt.ctx()
			defer cancel()
			out, err := lambda.NewHandler(slow, tt.opts).Invoke(ctx, v2Event(func(ev map[string]any) { ev["rawPath"] = tt.path }))
			if err != nil {
				t.Fatal(err)
			}
			// The adapter answers on its own deadline, kept before the
			// invocation's so that it can still answer (when it answers
			// is the scheduler's; the deadline it keeps is the adapter's).
			reqDeadline := <-seen
			if invDeadline, ok := ctx.Deadline(); ok {
				if gap := invDeadline.Sub(reqDeadline); gap < tt.minGap || gap > tt.maxGap {
					t.Errorf("request deadline %v before the invocation's, want %v to %v", gap, tt.minGap, tt.maxGap)
				}
			} else if tt.minGap != 0 {
				t.Fatal("no invocation deadline")
			}
			r := decodeReply(t, out)
			if r.StatusCode != 504 || r.Body != "Gateway Timeout" {
				t.Errorf("reply = %+v", r)
			}
			if l := logs.String(); !strings.Contains(l, "exceeded its deadline") || !strings.Contains(l, `"request_id":"id-5"`) {
				t.Errorf("log = %s", l)
			}
		})
	}
	// The handler that ignored its context is still running; once let go,
	// its writes are refused.
	release <- struct{}{}
	if err := <-wrote; !errors.Is(err, http.ErrHandlerTimeout) {
		t.Errorf("late write: %v, want http.ErrHandlerTimeout", err)
	}
}

func TestRequestContextDeadline(t *testing.T) {
	var got time.Duration
	h := lambda.NewHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		d, ok := r.Context().Deadline()
		if !ok {
			t.Error("no deadline")
		}
		got = time.Until(d)
	}), lambda.Options{MaxDuration: time.Hour, Margin: 2 * time.Second})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := h.Invoke(ctx, v2Event(nil)); err != nil {
		t.Fatal(err)
	}
	// invocation deadline (10s) less the margin (2s), sooner than MaxDuration
	if got > 8*time.Second || got < 7*time.Second {
		t.Errorf("deadline in %v, want about 8s", got)
	}
}

func TestResponseTooLarge(t *testing.T) {
	big := func(n int, ctype string) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", ctype)
			w.Write(bytes.Repeat([]byte{'a'}, n))
		})
	}
	tests := []struct {
		name    string
		handler http.Handler
		opts    lambda.Options
		status  int
	}{
		{"under the default limit", big(4<<20, "text/plain"), lambda.Options{}, 200},
		{"over the default limit", big(7<<20, "text/plain"), lambda.Options{}, 502},
		{"base64 growth crosses the limit", big(5<<20, "application/octet-stream"), lambda.Options{}, 502},
		{"under a small limit", big(900, "text/plain"), lambda.Options{MaxResponse: 1000}, 200},
		{"JSON overhead crosses a small limit", big(990, "text/plain"), lambda.Options{MaxResponse: 1000}, 502},
		{"no limit", big(7<<20, "text/plain"), lambda.Options{MaxResponse: -1}, 200},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var logs bytes.Buffer
			tt.opts.Logger = jsonLogger(&logs)
			tt.opts.Route, tt.opts.File = "/api/big", "app/api/big/route.go"
			h := lambda.NewHandler(tt.handler, tt.opts)
			for _, structPath := range []bool{false, true} {
				logs.Reset()
				var status int
				var body string
				if structPath {
					var ev events.APIGatewayV2HTTPRequest
					mustUnmarshal(t, v2Event(nil), &ev)
					resp, _ := h.ServeAPIGatewayV2(lambdaContext("id-6"), &ev)
					status, body = resp.StatusCode, resp.Body
				} else {
					out, err := h.Invoke(lambdaContext("id-6"), v2Event(nil))
					if err != nil {
						t.Fatal(err)
					}
					lim := tt.opts.MaxResponse
					if lim == 0 {
						lim = lambda.DefaultMaxResponse
					}
					if lim > 0 && int64(len(out)) > lim {
						t.Errorf("payload of %d bytes over the limit", len(out))
					}
					r := decodeReply(t, out)
					status, body = r.StatusCode, r.Body
				}
				if status != tt.status {
					t.Fatalf("struct=%v: status %d, want %d", structPath, status, tt.status)
				}
				if status == 502 {
					if body != "Response payload too large" {
						t.Errorf("body %q", body)
					}
					l := logs.String()
					for _, s := range []string{"response too large", `"route":"/api/big"`, `"file":"app/api/big/route.go"`, `"size":`, `"limit":`, `"request_id":"id-6"`} {
						if !strings.Contains(l, s) {
							t.Errorf("log lacks %s: %s", s, l)
						}
					}
				}
			}
		})
	}
}

func TestResponseWriterSemantics(t *testing.T) {
	tests := []struct {
		name    string
		method  string
		handler http.HandlerFunc
		status  int
		body    string
		headers map[string]string
		base64  bool
	}{
		{"nothing written", "GET", func(w http.ResponseWriter, r *http.Request) {}, 200, "", nil, false},
		{"first WriteHeader wins", "GET", func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(418)
			w.WriteHeader(500)
			io.WriteString(w, "tea")
		}, 418, "tea", map[string]string{"Content-Type": "text/plain; charset=utf-8"}, false},
		{"1xx is not final", "GET", func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(103)
			w.WriteHeader(202)
		}, 202, "", nil, false},
		{"204 refuses a body", "GET", func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(204)
			if _, err := io.WriteString(w, "x"); err != http.ErrBodyNotAllowed {
				panic(fmt.Sprint("write after 204: ", err))
			}
		}, 204, "", nil, false},
		{"HEAD drops the body", "HEAD", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/plain")
			if n, err := io.WriteString(w, "hello"); n != 5 || err != nil {
				panic("HEAD write failed")
			}
		}, 200, "", map[string]string{"Content-Type": "text/plain"}, false},
		{"sniffed content type", "GET", func(w http.ResponseWriter, r *http.Request) {
			io.WriteString(w, "<!DOCTYPE html><html></html>")
		}, 200, "<!DOCTYPE html><html></html>", map[string]string{"Content-Type": "text/html; charset=utf-8"}, false},
		{"sniffing suppressed", "GET", func(w http.ResponseWriter, r *http.Request) {
			w.Header()["Content-Type"] = nil
			io.WriteString(w, "plain")
		}, 200, "cGxhaW4=", nil, true},
		{"gzip is binary", "GET", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			w.Header().Set("Content-Encoding", "gzip")
			w.Write([]byte("{}"))
		}, 200, "e30=", map[string]string{"Content-Encoding": "gzip"}, true},
		{"invalid UTF-8 text is binary", "GET", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/plain")
			w.Write([]byte{0xff, 0xfe})
		}, 200, "//4=", nil, true},
		{"text types stay text", "GET", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "Application/Problem+JSON; charset=utf-8")
			io.WriteString(w, `{"title":"é"}`)
		}, 200, `{"title":"é"}`, nil, false},
		{"multi-value header joined", "GET", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Add("Cache-Control", "no-store")
			w.Header().Add("Cache-Control", "private")
		}, 200, "", map[string]string{"Cache-Control": "no-store, private"}, false},
		{"Flush is harmless when buffered", "GET", func(w http.ResponseWriter, r *http.Request) {
			io.WriteString(w, "a")
			http.NewResponseController(w).Flush()
			io.WriteString(w, "b")
		}, 200, "ab", nil, false},
		{"header injection neutralised", "GET", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("X-Evil", "a\r\nSet-Cookie: owned=1")
			w.Header()["Bad Name"] = []string{"x"}
			w.Header()["X:Colon"] = []string{"y"}
		}, 200, "", map[string]string{"X-Evil": "a  Set-Cookie: owned=1", "Bad Name": "", "X:Colon": ""}, false},
		{"escapes in headers and body", "GET", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("X-Odd", "quote\" backslash\\ tab\t \xff")
			w.Header().Set("Content-Type", "text/plain")
			io.WriteString(w, "line\nquote\" ctrl\x01")
		}, 200, "line\nquote\" ctrl\x01", map[string]string{"X-Odd": "quote\" backslash\\ tab\t \ufffd"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := lambda.NewHandler(tt.handler, lambda.Options{Logger: jsonLogger(io.Discard)})
			out, err := h.Invoke(context.Background(), v2Event(func(ev map[string]any) { rcHTTP(ev)["method"] = tt.method }))
			if err != nil {
				t.Fatal(err)
			}
			r := decodeReply(t, out)
			if r.StatusCode != tt.status || r.Body != tt.body || r.IsBase64Encoded != tt.base64 {
				t.Errorf("reply = %d %q base64=%v, want %d %q %v", r.StatusCode, r.Body, r.IsBase64Encoded, tt.status, tt.body, tt.base64)
			}
			for k, v := range tt.headers {
				if r.Headers[k] != v {
					t.Errorf("header %s = %q, want %q", k, r.Headers[k], v)
				}
			}
		})
	}
}

func TestInvalidWriteHeaderCodePanics(t *testing.T) {
	h := lambda.NewHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(42) }),
		lambda.Options{Logger: jsonLogger(io.Discard)})
	out, err := h.Invoke(context.Background(), v2Event(nil))
	if err != nil {
		t.Fatal(err)
	}
	if r := decodeReply(t, out); r.StatusCode != 500 {
		t.Errorf("status %d, want 500", r.StatusCode)
	}
}

func TestRequestConversion(t *testing.T) {
	tests := []struct {
		name  string
		event []byte
		check func(t *testing.T, r *http.Request, body string)
	}{
		{"content length from the body, not the header", v2Event(func(ev map[string]any) {
			rcHTTP(ev)["method"] = "POST"
			ev["headers"] = map[string]any{"content-length": "999", "host": "h"}
			ev["body"] = "abc"
		}), func(t *testing.T, r *http.Request, body string) {
			if r.ContentLength != 3 || r.Header.Get("Content-Length") != "3" || body != "abc" {
				t.Errorf("length %d %q body %q", r.ContentLength, r.Header.Get("Content-Length"), body)
			}
		}},
		{"host from the domain when no header", v2Event(func(ev map[string]any) {
			ev["headers"] = map[string]any{}
		}), func(t *testing.T, r *http.Request, body string) {
			if r.Host != "api.example.com" {
				t.Errorf("host %q", r.Host)
			}
		}},
		{"cookie header and cookies merge", v2Event(func(ev map[string]any) {
			ev["headers"] = map[string]any{"cookie": "a=1"}
			ev["cookies"] = []string{"b=2", "", "c=3"}
		}), func(t *testing.T, r *http.Request, body string) {
			if got := r.Header["Cookie"]; len(got) != 1 || got[0] != "a=1; b=2; c=3" {
				t.Errorf("Cookie %q", got)
			}
		}},
		{"transfer-encoding dropped", v2Event(func(ev map[string]any) {
			ev["headers"] = map[string]any{"transfer-encoding": "chunked", "x-a": "1"}
		}), func(t *testing.T, r *http.Request, body string) {
			if _, ok := r.Header["Transfer-Encoding"]; ok || r.Header.Get("X-A") != "1" {
				t.Errorf("header %v", r.Header)
			}
		}},
		{"names differing in case merge", []byte(`{"resource":"/","path":"/","httpMethod":"GET","multiValueHeaders":{"X-A":["1","2"],"x-a":["3"],"X-B":["4"]},"requestContext":{}}`),
			func(t *testing.T, r *http.Request, body string) {
				if got := r.Header["X-A"]; len(got) != 3 || got[0] != "1" || got[2] != "3" || r.Header.Get("X-B") != "4" {
					t.Errorf("X-A %q, header %v", got, r.Header)
				}
			}},
		{"uncommon header names canonical", v2Event(func(ev map[string]any) {
			ev["headers"] = map[string]any{"x-my-header": "1", "HOST": "h2", "weird name": "2", "x-UPPER": "3"}
		}), func(t *testing.T, r *http.Request, body string) {
			if r.Header.Get("X-My-Header") != "1" || r.Host != "h2" || r.Header["weird name"][0] != "2" || r.Header.Get("X-Upper") != "3" {
				t.Errorf("header %v host %q", r.Header, r.Host)
			}
		}},
		{"escaped strings", []byte(`{"version":"2.0","rawPath":"/caf\u00e9","rawQueryString":"a=\"b\"","headers":{"x-q":"say \"hi\"\n","x-\u0041":"A"},"requestContext":{"http":{"method":"GET"}},"body":"\ud83d\ude00 \ud800"}`),
			func(t *testing.T, r *http.Request, body string) {
				if r.URL.Path != "/café" || r.URL.RawQuery != `a="b"` || r.Header.Get("X-Q") != "say \"hi\"\n" || r.Header.Get("X-A") != "A" || body != "😀 \ufffd" {
					t.Errorf("path %q query %q header %v body %q", r.URL.Path, r.URL.RawQuery, r.Header, body)
				}
			}},
		{"missing rawPath falls back to requestContext.http.path", v2Event(func(ev map[string]any) {
			delete(ev, "rawPath")
			rcHTTP(ev)["path"] = "/from/context"
		}), func(t *testing.T, r *http.Request, body string) {
			if r.URL.Path != "/from/context" {
				t.Errorf("path %q", r.URL.Path)
			}
		}},
		{"no path at all is /", v2Event(func(ev map[string]any) {
			delete(ev, "rawPath")
			delete(rcHTTP(ev), "path")
		}), func(t *testing.T, r *http.Request, body string) {
			if r.URL.Path != "/" || r.RequestURI != "/" {
				t.Errorf("path %q", r.URL.Path)
			}
		}},
		{"named stage taken off", v2Event(func(ev map[string]any) {
			ev["rawPath"] = "/beta"
			rc(ev)["stage"] = "beta"
		}), func(t *testing.T, r *http.Request, body string) {
			if r.URL.Path != "/" || lambda.Stage(r.Context()) != "beta" {
				t.Errorf("path %q", r.URL.Path)
			}
		}},
		{"stage-like prefix kept", v2Event(func(ev map[string]any) {
			ev["rawPath"] = "/betamax/x"
			rc(ev)["stage"] = "beta"
		}), func(t *testing.T, r *http.Request, body string) {
			if r.URL.Path != "/betamax/x" {
				t.Errorf("path %q", r.URL.Path)
			}
		}},
		{"nulls everywhere", []byte(`{"version":"2.0","rawPath":null,"rawQueryString":null,"cookies":null,"headers":null,"queryStringParameters":null,"requestContext":{"http":{"method":"GET","path":null,"sourceIp":null},"requestId":null,"stage":null},"body":null,"isBase64Encoded":null}`),
			func(t *testing.T, r *http.Request, body string) {
				if r.URL.Path != "/" || len(r.Header) != 0 || body != "" || r.Body != http.NoBody {
					t.Errorf("request %+v", r)
				}
			}},
		{"HTTP/2 protocol", v2Event(func(ev map[string]any) { rcHTTP(ev)["protocol"] = "HTTP/2.0" }),
			func(t *testing.T, r *http.Request, body string) {
				if r.ProtoMajor != 2 || r.Proto != "HTTP/2.0" {
					t.Errorf("proto %q", r.Proto)
				}
			}},
		{"unknown protocol is HTTP/1.1", v2Event(func(ev map[string]any) { rcHTTP(ev)["protocol"] = "SPDY" }),
			func(t *testing.T, r *http.Request, body string) {
				if r.Proto != "HTTP/1.1" {
					t.Errorf("proto %q", r.Proto)
				}
			}},
		{"unpadded base64", v2Event(func(ev map[string]any) {
			rcHTTP(ev)["method"] = "POST"
			ev["body"] = "aGk"
			ev["isBase64Encoded"] = true
		}), func(t *testing.T, r *http.Request, body string) {
			if body != "hi" {
				t.Errorf("body %q", body)
			}
		}},
		{"large base64 body", v2Event(func(ev map[string]any) {
			rcHTTP(ev)["method"] = "PUT"
			ev["body"] = base64.StdEncoding.EncodeToString(largeBinary)
			ev["isBase64Encoded"] = true
		}), func(t *testing.T, r *http.Request, body string) {
			if body != string(largeBinary) || r.ContentLength != int64(len(largeBinary)) {
				t.Errorf("body of %d bytes, want %d", len(body), len(largeBinary))
			}
		}},
		{"v1 query values re-encoded in event order", []byte(`{"resource":"/","path":"/","httpMethod":"GET","multiValueQueryStringParameters":{"z":["1 2"],"a":["&=?","é"]},"requestContext":{}}`),
			func(t *testing.T, r *http.Request, body string) {
				if r.URL.RawQuery != "z=1+2&a=%26%3D%3F&a=%C3%A9" || r.URL.Query()["a"][0] != "&=?" {
					t.Errorf("query %q", r.URL.RawQuery)
				}
			}},
		{"v1 single-value query when no multi-value", []byte(`{"resource":"/","path":"/","httpMethod":"GET","queryStringParameters":{"a":"b c"},"requestContext":{}}`),
			func(t *testing.T, r *http.Request, body string) {
				if r.URL.RawQuery != "a=b+c" {
					t.Errorf("query %q", r.URL.RawQuery)
				}
			}},
		{"ALB source IP is the address the load balancer added", []byte(`{"requestContext":{"elb":{}},"httpMethod":"GET","path":"/","headers":{"x-forwarded-for":"1.1.1.1, 10.0.0.1 , 2.2.2.2 "}}`),
			func(t *testing.T, r *http.Request, body string) {
				if r.RemoteAddr != "2.2.2.2" {
					t.Errorf("remote %q", r.RemoteAddr)
				}
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got *http.Request
			var body string
			h := lambda.NewHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				b, err := io.ReadAll(r.Body)
				if err != nil {
					t.Error(err)
				}
				got, body = r, string(b)
			}), lambda.Options{Logger: jsonLogger(io.Discard)})
			out, err := h.Invoke(context.Background(), tt.event)
			if err != nil {
				t.Fatal(err)
			}
			if got == nil {
				t.Fatalf("handler not called: %s", out)
			}
			tt.check(t, got, body)
		})
	}
}

// largeBinary is 10,000 bytes of every byte value.
var largeBinary = func() []byte {
	b := make([]byte, 10_000)
	for i := range b {
		b[i] = byte(i * 7)
	}
	return b
}()

func TestStructHeaderNamesDifferingInCase(t *testing.T) {
	var got http.Header
	h := lambda.NewHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { got = r.Header }),
		lambda.Options{Logger: jsonLogger(io.Discard)})
	var ev events.APIGatewayV2HTTPRequest
	mustUnmarshal(t, v2Event(func(ev map[string]any) {
		ev["headers"] = map[string]any{"x-a": "1", "X-A": "2", "host": "h", "accept": "*/*"}
	}), &ev)
	if _, err := h.ServeAPIGatewayV2(context.Background(), &ev); err != nil {
		t.Fatal(err)
	}
	vals := append([]string(nil), got["X-A"]...)
	slices.Sort(vals)
	if len(vals) != 2 || vals[0] != "1" || vals[1] != "2" || got.Get("Accept") != "*/*" || got.Get("Host") != "" {
		t.Errorf("header %v", got)
	}
}

func TestContextAccessorsOutsideAnInvocation(t *testing.T) {
	ctx := context.Background()
	if lambda.RequestID(ctx) != "" || lambda.EventRequestID(ctx) != "" || lambda.Stage(ctx) != "" ||
		lambda.EventKind(ctx) != lambda.KindUnknown || lambda.Event(ctx) != nil {
		t.Error("accessors return values outside an invocation")
	}
	if lambda.RequestID(lambdaContext("abc")) != "abc" {
		t.Error("RequestID ignores the Lambda context")
	}
}

func TestEventDecodedLazily(t *testing.T) {
	payload := v2Event(func(ev map[string]any) {
		ev["pathParameters"] = map[string]any{"pid": "42"}
		ev["stageVariables"] = map[string]any{"table": "posts"}
	})
	h := lambda.NewHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ev, ok := lambda.Event(r.Context()).(*events.APIGatewayV2HTTPRequest)
		if !ok {
			t.Fatalf("Event = %T", lambda.Event(r.Context()))
		}
		if ev.PathParameters["pid"] != "42" || ev.StageVariables["table"] != "posts" || ev.RequestContext.RequestID != "req-1" {
			t.Errorf("event %+v", ev)
		}
		if lambda.Event(r.Context()) != any(ev) {
			t.Error("Event decodes twice")
		}
	}), lambda.Options{})
	if _, err := h.Invoke(context.Background(), payload); err != nil {
		t.Fatal(err)
	}
}

func TestConcurrentInvocations(t *testing.T) {
	h := lambda.NewHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Path", r.URL.Path)
		io.WriteString(w, r.URL.Path)
	}), lambda.Options{MaxDuration: time.Minute})
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range 50 {
				path := fmt.Sprintf("/p/%d/%d", i, j)
				out, err := h.Invoke(context.Background(), v2Event(func(ev map[string]any) { ev["rawPath"] = path }))
				if err != nil {
					t.Error(err)
					return
				}
				if r := decodeReply(t, out); r.Body != path || r.Headers["X-Path"] != path {
					t.Errorf("got %+v for %s", r, path)
					return
				}
			}
		}()
	}
	wg.Wait()
}
