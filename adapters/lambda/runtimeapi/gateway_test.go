package runtimeapi_test

import (
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/nextgo-dev/nextgo/adapters/lambda/runtimeapi"
)

func TestGatewayEventInput(t *testing.T) {
	at := time.Date(2025, 3, 12, 19, 3, 58, 123e6, time.FixedZone("CET", 3600))
	tests := []struct {
		name   string
		target string
		in     runtimeapi.GatewayEventInput
		want   events.APIGatewayV2HTTPRequest // the fields the input decides
	}{
		{
			name:   "defaults: $default stage, no parameters, no body",
			target: "/items",
			in:     runtimeapi.GatewayEventInput{RouteKey: "$default", RequestID: "r1", APIID: "api1", AccountID: "111122223333", Time: at},
			want: events.APIGatewayV2HTTPRequest{
				RouteKey: "$default",
				RawPath:  "/items",
				RequestContext: events.APIGatewayV2HTTPRequestContext{
					RouteKey: "$default", Stage: "$default", RequestID: "r1", APIID: "api1", AccountID: "111122223333",
					Time: "12/Mar/2025:18:03:58 +0000", TimeEpoch: at.UnixMilli(),
				},
			},
		},
		{
			name:   "named stage, empty parameters left out, decoded path",
			target: "/beta/items/a%20b",
			in: runtimeapi.GatewayEventInput{
				RouteKey: "GET /items/{id}", PathParameters: map[string]string{}, RequestID: "r2", APIID: "api2",
				AccountID: "444455556666", Stage: "beta", Time: at,
			},
			want: events.APIGatewayV2HTTPRequest{
				RouteKey: "GET /items/{id}",
				RawPath:  "/beta/items/a b",
				RequestContext: events.APIGatewayV2HTTPRequestContext{
					RouteKey: "GET /items/{id}", Stage: "beta", RequestID: "r2", APIID: "api2", AccountID: "444455556666",
					Time: "12/Mar/2025:18:03:58 +0000", TimeEpoch: at.UnixMilli(),
				},
			},
		},
		{
			name:   "parameters and a form body as text",
			target: "/items/a%2Fb",
			in: runtimeapi.GatewayEventInput{
				RouteKey: "ANY /items/{rest+}", PathParameters: map[string]string{"rest": "a/b"}, RequestID: "r3",
				Time: at, Body: []byte("a=1&b=%C3%A9"),
			},
			want: events.APIGatewayV2HTTPRequest{
				RouteKey:       "ANY /items/{rest+}",
				RawPath:        "/items/a/b",
				PathParameters: map[string]string{"rest": "a/b"},
				Body:           "a=1&b=%C3%A9",
				RequestContext: events.APIGatewayV2HTTPRequestContext{
					RouteKey: "ANY /items/{rest+}", Stage: "$default", RequestID: "r3",
					Time: "12/Mar/2025:18:03:58 +0000", TimeEpoch: at.UnixMilli(),
				},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest(http.MethodPost, "http://example.com"+tt.target, nil)
			r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			ev := runtimeapi.GatewayEvent(r, tt.in)
			got := events.APIGatewayV2HTTPRequest{
				RouteKey:        ev.RouteKey,
				RawPath:         ev.RawPath,
				PathParameters:  ev.PathParameters,
				Body:            ev.Body,
				IsBase64Encoded: ev.IsBase64Encoded,
				RequestContext: events.APIGatewayV2HTTPRequestContext{
					RouteKey:  ev.RequestContext.RouteKey,
					Stage:     ev.RequestContext.Stage,
					RequestID: ev.RequestContext.RequestID,
					APIID:     ev.RequestContext.APIID,
					AccountID: ev.RequestContext.AccountID,
					Time:      ev.RequestContext.Time,
					TimeEpoch: ev.RequestContext.TimeEpoch,
				},
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("event %+v\nwant %+v", got, tt.want)
			}
			if ev.RequestContext.HTTP.Path != ev.RawPath || ev.RequestContext.DomainName != "example.com" || ev.RequestContext.DomainPrefix != "example" {
				t.Errorf("requestContext %+v", ev.RequestContext)
			}
			wantLength := ""
			if len(tt.in.Body) > 0 {
				wantLength = "12"
			}
			if got := ev.Headers["content-length"]; got != wantLength {
				t.Errorf("content-length %q, want %q", got, wantLength)
			}
			if got := ev.Headers["x-amzn-trace-id"]; !strings.HasPrefix(got, "Root=1-67d1cc8e-") || len(got) != len("Root=1-67d1cc8e-")+24 {
				t.Errorf("x-amzn-trace-id %q", got)
			}

			b, err := runtimeapi.MarshalGatewayEvent(ev)
			if err != nil {
				t.Fatal(err)
			}
			raw := string(b)
			if strings.Contains(raw, "authentication") || !strings.Contains(raw, `"isBase64Encoded":false`) ||
				strings.Contains(raw, "pathParameters") != (len(tt.want.PathParameters) > 0) {
				t.Errorf("event JSON is not shaped as API Gateway's: %s", raw)
			}
		})
	}
}

// headerCounter is a ResponseWriter that tells whether anything was
// written.
type headerCounter struct {
	*httptest.ResponseRecorder
	wroteHeader int
}

func (w *headerCounter) WriteHeader(status int) {
	w.wroteHeader++
	w.ResponseRecorder.WriteHeader(status)
}

func (w *headerCounter) Write(b []byte) (int, error) {
	if w.wroteHeader == 0 {
		w.WriteHeader(http.StatusOK)
	}
	return w.ResponseRecorder.Write(b)
}

// closeCounter is a stream that counts its Close calls.
type closeCounter struct {
	io.Reader
	closed int
}

func (c *closeCounter) Close() error {
	c.closed++
	return nil
}

func TestWriteGatewayResponseErrors(t *testing.T) {
	tests := []struct {
		name   string
		res    *runtimeapi.Result
		stream string // the stream's content; "" for none
		invoke bool   // the error holds the function's *InvokeError
	}{
		{"function error", &runtimeapi.Result{FunctionError: "Unhandled", Payload: []byte(`{"errorMessage":"boom","errorType":"errorString"}`)}, "", true},
		{"function error with a stream", &runtimeapi.Result{FunctionError: "Unhandled", Payload: []byte(`{"errorMessage":"boom"}`)}, "x", true},
		{"not JSON", &runtimeapi.Result{Payload: []byte("not json")}, "", false},
		{"empty payload", &runtimeapi.Result{}, "", false},
		{"statusCode out of range", &runtimeapi.Result{Payload: []byte(`{"statusCode":600}`)}, "", false},
		{"statusCode null", &runtimeapi.Result{Payload: []byte(`{"statusCode":null}`)}, "", false},
		{"bad base64", &runtimeapi.Result{Payload: []byte(`{"statusCode":200,"body":"@","isBase64Encoded":true}`)}, "", false},
		{"streamed status out of range", &runtimeapi.Result{Prelude: &runtimeapi.StreamPrelude{StatusCode: 199}}, "body", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stream *closeCounter
			if tt.stream != "" {
				stream = &closeCounter{Reader: strings.NewReader(tt.stream)}
				tt.res.Stream = stream
			}
			w := &headerCounter{ResponseRecorder: httptest.NewRecorder()}
			err := runtimeapi.WriteGatewayResponse(w, tt.res)
			if err == nil || errors.Is(err, runtimeapi.ErrStreamCut) {
				t.Fatalf("err = %v, want an error before writing", err)
			}
			var ie *runtimeapi.InvokeError
			if errors.As(err, &ie) != tt.invoke {
				t.Errorf("err = %v: holds an *InvokeError %v, want %v", err, !tt.invoke, tt.invoke)
			}
			if w.wroteHeader != 0 || len(w.Header()) != 0 || w.Body.Len() != 0 {
				t.Errorf("wrote %d headers %v %q, want nothing", w.wroteHeader, w.Header(), w.Body)
			}
			if stream != nil && stream.closed != 1 {
				t.Errorf("stream closed %d times, want 1", stream.closed)
			}
		})
	}
}

func TestWriteGatewayResponseStreamCut(t *testing.T) {
	pr, pw := io.Pipe()
	cause := &runtimeapi.InvokeError{Type: runtimeapi.ErrorTypeTimeout, Message: "Task timed out after 1.00 seconds"}
	go func() {
		pw.Write([]byte("partial"))
		pw.CloseWithError(cause)
	}()
	w := &headerCounter{ResponseRecorder: httptest.NewRecorder()}
	err := runtimeapi.WriteGatewayResponse(w, &runtimeapi.Result{Stream: pr, Prelude: &runtimeapi.StreamPrelude{StatusCode: 206}})
	if !errors.Is(err, runtimeapi.ErrStreamCut) || !errors.Is(err, cause) {
		t.Errorf("err = %v, want ErrStreamCut wrapping %v", err, cause)
	}
	if w.Code != 206 || w.Body.String() != "partial" || w.wroteHeader != 1 || !w.Flushed {
		t.Errorf("wrote %d (%d times) %q, flushed %v; want 206 once, \"partial\", flushed", w.Code, w.wroteHeader, w.Body, w.Flushed)
	}
}
