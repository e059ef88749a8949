package lambda

import (
	"context"
	"io"
	"log"
	"log/slog"
	"net/http"
	"os"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambdacontext"
)

// Start runs h as the Lambda function of this process and does not
// return. Build the binary with -tags lambda.norpc for the provided.al2023
// runtime. Every invocation is served as Invoke describes; with
// opts.Streaming, function URL events are answered as InvokeStream does.
//
// Start also makes the adapter's logger (JSON to standard error unless
// opts.Logger is set, wrapped with NewLogHandler) slog's default, so the
// log package and slog.InfoContext calls in handlers write structured
// lines with the request id.
//
// A buffered function serves its invocations with nextgo's runtime loop
// (runtimeLoop), which gives the same context, answers and failures as
// aws-lambda-go's, on one kept-alive connection to the Runtime API whose
// answers go out in one write each, pipelined with the request for the
// next invocation. Streaming functions, and functions running several
// invocations at once (AWS_LAMBDA_MAX_CONCURRENCY), run aws-lambda-go's
// own loop.
func Start(h http.Handler, opts Options) {
	ah := NewHandler(h, opts)
	slog.SetDefault(ah.log)
	if opts.Streaming {
		// A lambda.Handler's Invoke can only return bytes, so the
		// streaming entry point goes through aws-lambda-go's function
		// form, which sends a returned io.Reader as it is read.
		lambda.Start(ah.streamEntry)
		return
	}
	if addr := os.Getenv("AWS_LAMBDA_RUNTIME_API"); addr != "" && lambdacontext.MaxConcurrency() <= 1 {
		// As aws-lambda-go's start, which ends the process when its
		// loop fails.
		log.Fatal(runtimeLoop(addr, ah))
	}
	lambda.Start(ah) // a lambda.Handler: Invoke gets the raw event bytes
}

// rawPayload is the event as aws-lambda-go hands it to streamEntry: the raw
// JSON text, decoded by the adapter itself.
type rawPayload struct{ s string }

// UnmarshalJSON keeps a copy of the raw event.
func (p *rawPayload) UnmarshalJSON(b []byte) error {
	p.s = string(b)
	return nil
}

func (h *Handler) streamEntry(ctx context.Context, ev rawPayload) (io.Reader, error) {
	return h.invokeStream(ctx, ev.s)
}
