package lambda

import (
	"context"
	"io"
	"strings"

	"github.com/aws/aws-lambda-go/events"
)

// Lambda function URL events. They use HTTP API's payload format 2.0 (see
// readPayloadV2), with the path as the client sent it and no stage, on a
// domain of the function URL's own.

// KindFunctionURL is a Lambda function URL event
// (events.LambdaFunctionURLRequest).
const KindFunctionURL Kind = 4

var functionURL = source{
	kind: KindFunctionURL,
	name: "function-url",
	is: func(ev *rawEvent) bool {
		return ev.version == "2.0" && isFunctionURLDomain(ev.rcDomain)
	},
	read: func(ev *rawEvent, q *request) {
		readPayloadV2(ev, q)
		q.stage = "" // function URLs have no stages
	},
	write: writePayloadV2,
	// Invoke mode RESPONSE_STREAM: a streaming function answers every
	// event streamed.
	streams: func(*rawEvent) bool { return true },
	stream:  urlStreamingResponse,
	event:   func() any { return new(events.LambdaFunctionURLRequest) },
}

// isFunctionURLDomain reports whether a requestContext.domainName is a
// function URL's ("<url-id>.lambda-url.<region>.on.aws"); HTTP API events
// have the same shape but an execute-api or custom domain.
func isFunctionURLDomain(d string) bool {
	return strings.Contains(d, ".lambda-url.")
}

// urlStreamingResponse is a streamed answer as aws-lambda-go sends it for
// a function URL in invoke mode RESPONSE_STREAM: the JSON prelude of
// status, headers and cookies, eight NUL bytes, then the body.
func urlStreamingResponse(s *streamed) io.Reader {
	return &events.LambdaFunctionURLStreamingResponse{
		StatusCode: s.status,
		Headers:    s.headers,
		Cookies:    s.cookies,
		Body:       s.body,
	}
}

// ServeFunctionURL serves a Lambda function URL event given as
// aws-lambda-go's struct, as Invoke serves its JSON (see serveStruct),
// with a buffered response (invoke mode BUFFERED). Set-Cookie headers go
// in Cookies.
func (h *Handler) ServeFunctionURL(ctx context.Context, ev *events.LambdaFunctionURLRequest) (events.LambdaFunctionURLResponse, error) {
	return serveStruct[events.LambdaFunctionURLResponse](ctx, h, &functionURL, ev, ev)
}
