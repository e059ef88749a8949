package lambda_test

import (
	"bytes"
	"context"
	"net/http"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/nextgo-dev/nextgo/adapters/lambda"
)

// A handler that ends its goroutine with runtime.Goexit is a 500 with a log
// line naming the route, buffered and streamed, and the adapter serves on.
func TestGoexitIs500(t *testing.T) {
	var logs bytes.Buffer
	h := lambda.NewHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/exit" {
			w.Header().Set("X-Partial", "1")
			w.Write([]byte("partial"))
			runtime.Goexit()
		}
		w.Write([]byte("ok"))
	}), lambda.Options{Logger: jsonLogger(&logs), Route: "/exit", File: "pages/api/exit.go"})
	for _, ctx := range []func() (context.Context, context.CancelFunc){
		func() (context.Context, context.CancelFunc) { return context.Background(), func() {} },
		func() (context.Context, context.CancelFunc) {
			return context.WithTimeout(lambdaContext("id-9"), time.Minute)
		},
	} {
		ctx, cancel := ctx()
		out, err := h.Invoke(ctx, v2Event(func(ev map[string]any) { ev["rawPath"] = "/exit" }))
		cancel()
		if err != nil {
			t.Fatal(err)
		}
		r := decodeReply(t, out)
		if r.StatusCode != 500 || r.Body != "Internal Server Error" || r.Headers["X-Partial"] != "" {
			t.Errorf("reply = %+v", r)
		}
		for _, want := range []string{`"msg":"handler stopped its goroutine (runtime.Goexit) without answering; answered 500"`, `"route":"/exit"`, `"file":"pages/api/exit.go"`, `"path":"/exit"`} {
			if !strings.Contains(logs.String(), want) {
				t.Errorf("log lacks %s:\n%s", want, logs.String())
			}
		}
		logs.Reset()
		out, err = h.Invoke(context.Background(), v2Event(nil))
		if err != nil || decodeReply(t, out).Body != "ok" {
			t.Errorf("after: %s %v", out, err)
		}
	}
}
