package lambda

import (
	"context"
	"io"
	"net/http"
	"slices"
	"strings"

	"github.com/aws/aws-lambda-go/events"
)

// API Gateway REST API proxy events, and HTTP API events in payload format
// 1.0, which have the same shape plus "version": "1.0".

// KindAPIGatewayV1 is an API Gateway REST API proxy event, or an HTTP API
// event in payload format 1.0 (events.APIGatewayProxyRequest).
const KindAPIGatewayV1 Kind = 1

var apigwV1 = source{
	kind: KindAPIGatewayV1,
	name: "apigw-v1",
	is: func(ev *rawEvent) bool {
		return ev.hasHTTPMethod || ev.hasResource
	},
	read: func(ev *rawEvent, q *request) {
		q.method = ev.httpMethod
		q.path = ev.path
		// An HTTP API sending payload format 1.0 says so and decodes the
		// path; a REST API sends no version and keeps the encoding.
		q.pathDecoded = ev.version == "1.0"
		q.query = queryDecoded // API Gateway hands over decoded values
		q.host = ev.rcDomain
		q.proto = ev.rcProto
		q.sourceIP = ev.rcSourceIP
		q.requestID = ev.rcRequestID
		q.stage = ev.rcStage
		q.prefix = mountPrefix(ev.rcRESTPath, ev.path)
	},
	write: func(o *jsonOut, q *request, r *response) {
		o.status(r)
		o.raw(`,"multiValueHeaders":{`)
		o.multiHeaders(r.header)
		o.raw("}")
		o.bodyEnd(r)
	},
	streams: func(ev *rawEvent) bool {
		// A REST API proxy event; an HTTP API (payload 1.0) cannot stream.
		return ev.version == ""
	},
	stream: restStreamingResponse,
	event:  func() any { return new(events.APIGatewayProxyRequest) },
}

// Response streaming behind an API Gateway REST API.
//
// A REST API method whose Lambda proxy integration has responseTransferMode
// STREAM calls the function through InvokeWithResponseStream (integration
// URI …/2021-11-15/functions/<arn>/response-streaming-invocations). The
// event is the ordinary REST proxy event; only the answer differs: a JSON
// prelude with statusCode, headers and multiValueHeaders, eight NUL bytes,
// then the body as the function writes it (AWS developer guide, "Set up a
// Lambda proxy integration with payload response streaming in API Gateway":
// https://docs.aws.amazon.com/apigateway/latest/developerguide/response-transfer-mode-lambda.html).
//
// The event does not say which transfer mode the integration uses, so the
// function knows it from its build: nextgo deploy gives the function of a
// streaming route (Options.Streaming) a STREAM integration, and every
// other function a buffered one. An HTTP API event in payload format 1.0
// has the same shape but carries "version": "1.0"; HTTP APIs cannot
// stream, so it is answered buffered.

// restStreamingResponse is a streamed answer in API Gateway's REST
// streaming format: cookies travel as Set-Cookie in multiValueHeaders, as
// in every REST proxy response.
func restStreamingResponse(s *streamed) io.Reader {
	out := &events.APIGatewayProxyStreamingResponse{
		StatusCode: s.status,
		Headers:    s.headers,
		Body:       s.body,
	}
	if len(s.cookies) > 0 {
		out.MultiValueHeaders = map[string][]string{"Set-Cookie": slices.Clone(s.cookies)}
	}
	if out.Body == nil {
		out.Body = http.NoBody
	}
	return out
}

// ServeAPIGatewayV1 serves an API Gateway REST API (or HTTP API payload
// 1.0) event given as aws-lambda-go's struct, as Invoke serves its JSON
// (see serveStruct). Response headers go in MultiValueHeaders.
func (h *Handler) ServeAPIGatewayV1(ctx context.Context, ev *events.APIGatewayProxyRequest) (events.APIGatewayProxyResponse, error) {
	// The struct has no version: an HTTP API (payload 1.0) sends the path
	// decoded, a REST API encoded, so a path that is not a valid encoded
	// path must be a decoded one.
	wire := struct {
		Version string `json:"version,omitempty"`
		*events.APIGatewayProxyRequest
	}{APIGatewayProxyRequest: ev}
	if !validEncodedPath(ev.Path) {
		wire.Version = "1.0"
	}
	return serveStruct[events.APIGatewayProxyResponse](ctx, h, &apigwV1, ev, wire)
}

// mountPrefix is what a REST API event's requestContext.path (the path of
// the client's URL) has in front of its path (the path below the stage or
// a custom domain's base path mapping): "/prod" on the stage's default URL
// https://{id}.execute-api.{region}.amazonaws.com/prod, "" on a custom
// domain mapped at its root. Anything else is "".
func mountPrefix(clientPath, path string) string {
	if path == "" || len(clientPath) <= len(path) || !strings.HasSuffix(clientPath, path) {
		return ""
	}
	p := clientPath[:len(clientPath)-len(path)]
	if p[0] != '/' || p[len(p)-1] == '/' {
		return ""
	}
	return p
}

// validEncodedPath reports whether p can be a percent-encoded path as a
// client sends it: only characters allowed in a URL path, and every "%"
// starting an escape.
func validEncodedPath(p string) bool {
	for i := 0; i < len(p); i++ {
		c := p[i]
		switch {
		case c == '%':
			if i+2 >= len(p) || unhex(p[i+1]) < 0 || unhex(p[i+2]) < 0 {
				return false
			}
		case c <= ' ' || c >= 0x7f, c == '"', c == '#', c == '<', c == '>', c == '?',
			c == '\\', c == '^', c == '`', c == '{', c == '|', c == '}':
			return false
		}
	}
	return true
}
