package lambda

import (
	"io"
	"net/http"
	"slices"

	"github.com/aws/aws-lambda-go/events"
)

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

// streamsREST reports whether an event of kind k and payload version v is
// a REST API proxy event, which a streaming function answers in
// API Gateway's streaming format.
func streamsREST(k Kind, version string) bool {
	return k == KindAPIGatewayV1 && version == ""
}

// restStreamingResponse turns a streamed answer into API Gateway's REST
// streaming format: cookies travel as Set-Cookie in multiValueHeaders, as
// in every REST proxy response.
func restStreamingResponse(r *events.LambdaFunctionURLStreamingResponse) *events.APIGatewayProxyStreamingResponse {
	out := &events.APIGatewayProxyStreamingResponse{
		StatusCode: r.StatusCode,
		Headers:    r.Headers,
		Body:       r.Body,
	}
	if len(r.Cookies) > 0 {
		out.MultiValueHeaders = map[string][]string{"Set-Cookie": slices.Clone(r.Cookies)}
	}
	if out.Body == nil {
		out.Body = http.NoBody
	}
	return out
}

// restStream is the streaming answer to a REST API event.
func restStream(rd io.Reader) io.Reader {
	if r, ok := rd.(*events.LambdaFunctionURLStreamingResponse); ok {
		return restStreamingResponse(r)
	}
	return rd
}
