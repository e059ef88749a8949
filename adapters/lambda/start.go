package lambda

import (
	"context"
	"io"
	"log/slog"
	"net/http"

	"github.com/aws/aws-lambda-go/lambda"
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
