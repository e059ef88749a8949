package lambda_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/nextgo-dev/nextgo/adapters/lambda"
)

// fuzzHandler echoes what it is given into the response, so that fuzzed
// paths, header values and bodies also go through response encoding.
func fuzzHandler(kinds chan<- lambda.Kind) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case kinds <- lambda.EventKind(r.Context()):
		default:
		}
		body, _ := io.ReadAll(r.Body)
		h := w.Header()
		h.Set("X-Path", r.URL.Path)
		h.Set("X-Query", r.URL.RawQuery)
		h["X-Cookie"] = r.Header["Cookie"]
		h["Set-Cookie"] = r.Header["X-Set"]
		if ct := r.Header.Get("Content-Type"); ct != "" {
			h.Set("Content-Type", ct)
		}
		w.Write(body)
	})
}

// FuzzInvoke feeds arbitrary payloads to Invoke, InvokeStream and, when
// encoding/json can decode them, the struct entry points. None may panic;
// every answer must be valid JSON with a status; a payload that is not
// valid JSON must be refused with ErrMalformedEvent.
func FuzzInvoke(f *testing.F) {
	files, err := filepath.Glob("testdata/events/*.json")
	if err != nil {
		f.Fatal(err)
	}
	for _, file := range files {
		b, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	// More seeds live in testdata/fuzz/FuzzInvoke.

	kinds := make(chan lambda.Kind, 1)
	h := lambda.NewHandler(fuzzHandler(kinds), lambda.Options{Logger: jsonLogger(io.Discard), BodyLimit: 1 << 16})
	ctx := context.Background()

	f.Fuzz(func(t *testing.T, payload []byte) {
		out, err := h.Invoke(ctx, payload)
		if err != nil {
			if out != nil {
				t.Fatalf("output with an error: %s", out)
			}
			if !errors.Is(err, lambda.ErrMalformedEvent) && !errors.Is(err, lambda.ErrUnknownEvent) {
				t.Fatalf("unexpected error: %v", err)
			}
			return
		}
		if !json.Valid(payload) {
			t.Fatalf("accepted invalid JSON %q", payload)
		}
		checkReply(t, out)

		kind := lambda.KindUnknown
		select {
		case kind = <-kinds:
		default: // the handler was not called (400, 413)
		}

		rd, err := h.InvokeStream(ctx, payload)
		if err != nil {
			t.Fatalf("InvokeStream refused what Invoke took: %v", err)
		}
		if _, err := io.Copy(io.Discard, rd); err != nil {
			t.Fatalf("reading the stream: %v", err)
		}
		select {
		case <-kinds:
		default:
		}

		serveDecoded(t, h, kind, payload)
	})
}

// serveDecoded runs the struct entry point of kind, when encoding/json can
// decode the payload into its struct.
func serveDecoded(t *testing.T, h *lambda.Handler, kind lambda.Kind, payload []byte) {
	ctx := context.Background()
	var resp any
	var err error
	switch kind {
	case lambda.KindAPIGatewayV1:
		var ev events.APIGatewayProxyRequest
		if json.Unmarshal(payload, &ev) != nil {
			return
		}
		resp, err = h.ServeAPIGatewayV1(ctx, &ev)
	case lambda.KindAPIGatewayV2:
		var ev events.APIGatewayV2HTTPRequest
		if json.Unmarshal(payload, &ev) != nil {
			return
		}
		resp, err = h.ServeAPIGatewayV2(ctx, &ev)
	case lambda.KindALB:
		var ev events.ALBTargetGroupRequest
		if json.Unmarshal(payload, &ev) != nil {
			return
		}
		resp, err = h.ServeALB(ctx, &ev)
	case lambda.KindFunctionURL:
		var ev events.LambdaFunctionURLRequest
		if json.Unmarshal(payload, &ev) != nil {
			return
		}
		resp, err = h.ServeFunctionURL(ctx, &ev)
	default:
		return
	}
	if err != nil {
		t.Fatal(err)
	}
	out, err := json.Marshal(resp)
	if err != nil {
		t.Fatal(err)
	}
	checkReply(t, out)
}

func checkReply(t *testing.T, out []byte) {
	t.Helper()
	if !json.Valid(out) {
		t.Fatalf("invalid JSON answer %q", out)
	}
	var r struct {
		StatusCode int `json:"statusCode"`
	}
	if err := json.Unmarshal(out, &r); err != nil || r.StatusCode < 100 || r.StatusCode > 999 {
		t.Fatalf("answer without a status: %s (%v)", out, err)
	}
}
