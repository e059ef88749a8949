package lambda

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakeRuntimeAPI hands out invocations in order on GET /next, records every
// request, and ends the loop under test with a 500 once none is left.
type fakeRuntimeAPI struct {
	mu       sync.Mutex
	invs     []fakeInvocation
	calls    []fakeCall
	status   int    // the answer to POST /response and /error (default 202)
	closeAt  string // answer the GET /next that hands this id out with Connection: close
	addrSeen map[string]bool
}

type fakeInvocation struct {
	id       string
	deadline string // Lambda-Runtime-Deadline-Ms; default a minute ahead
	payload  string
}

type fakeCall struct {
	method, path, contentType, contentLength, transferEncoding, xrayCause, body string
}

func (f *fakeRuntimeAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	f.mu.Lock()
	defer f.mu.Unlock()
	f.addrSeen[r.RemoteAddr] = true
	f.calls = append(f.calls, fakeCall{r.Method, r.URL.Path, r.Header.Get("Content-Type"), r.Header.Get("Content-Length"),
		strings.Join(r.TransferEncoding, ","), r.Header.Get(hdrXRayErrorCause), string(body)})
	if r.Method == http.MethodPost {
		status := f.status
		if status == 0 {
			status = http.StatusAccepted
		}
		w.WriteHeader(status)
		return
	}
	if len(f.invs) == 0 {
		w.WriteHeader(http.StatusInternalServerError)
		return
	}
	inv := f.invs[0]
	f.invs = f.invs[1:]
	deadline := inv.deadline
	if deadline == "" {
		deadline = strconv.FormatInt(time.Now().Add(time.Minute).UnixMilli(), 10)
	}
	h := w.Header()
	h.Set(hdrRequestID, inv.id)
	h.Set(hdrDeadlineMs, deadline)
	h.Set(hdrFunctionARN, "arn:aws:lambda:eu-west-1:123456789012:function:f")
	h.Set(hdrTraceID, "Root=1-"+inv.id)
	if inv.id == f.closeAt {
		h.Set("Connection", "close")
	}
	io.WriteString(w, inv.payload)
}

// runLoop runs runtimeLoop against api until it fails and returns its
// error, the API's address replaced by ADDR.
func runLoop(t *testing.T, api *fakeRuntimeAPI, h *Handler) string {
	t.Helper()
	api.addrSeen = map[string]bool{}
	srv := httptest.NewServer(api)
	defer srv.Close()
	addr := strings.TrimPrefix(srv.URL, "http://")
	done := make(chan error, 1)
	go func() { done <- runtimeLoop(addr, h) }()
	select {
	case err := <-done:
		if err == nil {
			t.Fatal("the loop ended without an error")
		}
		return strings.ReplaceAll(err.Error(), addr, "ADDR")
	case <-time.After(30 * time.Second):
		t.Fatal("the runtime loop did not end")
		return ""
	}
}

func TestRuntimeLoop(t *testing.T) {
	event := func(path string) string {
		return `{"version":"2.0","routeKey":"$default","rawPath":"` + path + `","rawQueryString":"","headers":{"host":"x"},` +
			`"requestContext":{"http":{"method":"GET","path":"` + path + `","protocol":"HTTP/1.1","sourceIp":"1.2.3.4"},"requestId":"r","stage":"$default"},"isBase64Encoded":false}`
	}
	var traceSeen string
	h := NewHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		traceSeen = os.Getenv("_X_AMZN_TRACE_ID")
		deadline, _ := r.Context().Deadline()
		fmt.Fprintf(w, "%s %s %t", RequestID(r.Context()), r.URL.Path, time.Until(deadline) > 30*time.Second)
	}), Options{Margin: -1})
	okReply := func(id, path string) string {
		return `{"statusCode":200,"headers":{"Content-Type":"text/plain; charset=utf-8"},"body":"` + id + " " + path + ` true","isBase64Encoded":false}`
	}
	end := fakeCall{method: "GET", path: "/2018-06-01/runtime/invocation/next"}
	tests := []struct {
		name    string
		api     *fakeRuntimeAPI
		calls   []fakeCall
		conns   int
		wantErr string
		// upTo: the calls after these may or may not have reached the API
		// when the loop gave up.
		upTo bool
	}{{
		name: "answers pipelined on one connection",
		api:  &fakeRuntimeAPI{invs: []fakeInvocation{{id: "a", payload: event("/one")}, {id: "b", payload: event("/two")}}},
		calls: []fakeCall{
			end,
			{method: "POST", path: "/2018-06-01/runtime/invocation/a/response", contentType: "application/octet-stream", body: okReply("a", "/one")},
			end,
			{method: "POST", path: "/2018-06-01/runtime/invocation/b/response", contentType: "application/octet-stream", body: okReply("b", "/two")},
			end,
		},
		conns:   1,
		wantErr: "failed to GET http://ADDR/2018-06-01/runtime/invocation/next: got unexpected status code: 500",
	}, {
		name: "an event the adapter rejects is an invocation error",
		api:  &fakeRuntimeAPI{invs: []fakeInvocation{{id: "e", payload: `{"Records":[]}`}}},
		calls: []fakeCall{
			end,
			{method: "POST", path: "/2018-06-01/runtime/invocation/e/error", contentType: "application/json", xrayCause: "set",
				body: `{"errorMessage":"lambda: unknown event kind: not an API Gateway, ALB or function URL HTTP event","errorType":"eventError"}`},
			end,
		},
		conns:   1,
		wantErr: "unexpected status code: 500",
	}, {
		name: "a deadline that does not parse",
		api:  &fakeRuntimeAPI{invs: []fakeInvocation{{id: "d", deadline: "soon", payload: event("/x")}}},
		calls: []fakeCall{
			end,
			{method: "POST", path: "/2018-06-01/runtime/invocation/d/error", contentType: "application/json", xrayCause: "set",
				body: `{"errorMessage":"failed to parse deadline: strconv.ParseInt: parsing \"soon\": invalid syntax","errorType":"errorString"}`},
			end,
		},
		conns:   1,
		wantErr: "unexpected status code: 500",
	}, {
		name:    "an answer not accepted ends the loop",
		api:     &fakeRuntimeAPI{status: http.StatusForbidden, invs: []fakeInvocation{{id: "f", payload: event("/x")}}},
		calls:   []fakeCall{end, {method: "POST", path: "/2018-06-01/runtime/invocation/f/response", contentType: "application/octet-stream", body: okReply("f", "/x")}},
		upTo:    true,
		conns:   1,
		wantErr: "unexpected error occurred when sending the function functionResponse to the API: failed to POST to http://ADDR/2018-06-01/runtime/invocation/f/response: got unexpected status code: 403",
	}, {
		name: "a connection the API closes is replaced",
		api:  &fakeRuntimeAPI{closeAt: "c", invs: []fakeInvocation{{id: "c", payload: event("/c")}, {id: "k", payload: event("/k")}}},
		calls: []fakeCall{
			end,
			{method: "POST", path: "/2018-06-01/runtime/invocation/c/response", contentType: "application/octet-stream", body: okReply("c", "/c")},
			end,
			{method: "POST", path: "/2018-06-01/runtime/invocation/k/response", contentType: "application/octet-stream", body: okReply("k", "/k")},
			end,
		},
		conns:   2,
		wantErr: "unexpected status code: 500",
	}}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			msg := runLoop(t, tc.api, h)
			if !strings.Contains(msg, tc.wantErr) {
				t.Errorf("error %q, want it to contain %q", msg, tc.wantErr)
			}
			if tc.upTo && len(tc.api.calls) > len(tc.calls) {
				tc.api.calls = tc.api.calls[:len(tc.calls)]
			}
			if len(tc.api.calls) != len(tc.calls) {
				t.Fatalf("calls:\n%+v\nwant:\n%+v", tc.api.calls, tc.calls)
			}
			for i, got := range tc.api.calls {
				want := tc.calls[i]
				if want.method == "POST" {
					want.contentLength = strconv.Itoa(len(got.body))
				}
				if want.xrayCause == "set" {
					var cause struct {
						Exceptions []struct{ Type, Message string }
					}
					var doc struct{ ErrorType, ErrorMessage string }
					json.Unmarshal([]byte(got.body), &doc)
					if json.Unmarshal([]byte(got.xrayCause), &cause) != nil || len(cause.Exceptions) != 1 ||
						cause.Exceptions[0].Type != doc.ErrorType || cause.Exceptions[0].Message != doc.ErrorMessage {
						t.Errorf("call %d: X-Ray cause %q", i, got.xrayCause)
					}
					got.xrayCause = "set"
				}
				if got != want {
					t.Errorf("call %d:\n got %+v\nwant %+v", i, got, want)
				}
			}
			if len(tc.api.addrSeen) != tc.conns {
				t.Errorf("%d connections, want %d", len(tc.api.addrSeen), tc.conns)
			}
		})
	}
	if traceSeen == "" || !strings.HasPrefix(traceSeen, "Root=1-") {
		t.Errorf("_X_AMZN_TRACE_ID = %q", traceSeen)
	}
}
