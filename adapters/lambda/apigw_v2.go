package lambda

import (
	"context"

	"github.com/aws/aws-lambda-go/events"
)

// API Gateway HTTP API events in payload format 2.0. Function URLs use the
// same format (function_url.go), so its fields are read and written here.

// KindAPIGatewayV2 is an API Gateway HTTP API event in payload format 2.0
// (events.APIGatewayV2HTTPRequest).
const KindAPIGatewayV2 Kind = 2

var apigwV2 = source{
	kind: KindAPIGatewayV2,
	name: "apigw-v2",
	is: func(ev *rawEvent) bool {
		return ev.version == "2.0" // after function URLs, which say 2.0 too
	},
	read: func(ev *rawEvent, q *request) {
		readPayloadV2(ev, q)
		// HTTP APIs decode the path, and a named stage leads it.
		q.pathDecoded = true
		q.path, q.prefix = stageRoute(q.path, q.stage)
	},
	write: writePayloadV2,
	event: func() any { return new(events.APIGatewayV2HTTPRequest) },
}

// readPayloadV2 reads the fields of a payload format 2.0 event.
func readPayloadV2(ev *rawEvent, q *request) {
	q.method = ev.rcMethod
	q.path = ev.rawPath
	if q.path == "" {
		q.path = ev.rcPath
	}
	q.rawQuery = ev.rawQuery
	if !ev.hasRawQuery {
		// Hand-made events may carry only the decoded parameters.
		q.query = queryDecoded
	}
	q.cookies = true
	q.host = ev.rcDomain
	q.proto = ev.rcProto
	q.sourceIP = ev.rcSourceIP
	q.requestID = ev.rcRequestID
	q.stage = ev.rcStage
}

// writePayloadV2 writes a payload format 2.0 response: one string per
// header, Set-Cookie headers apart in cookies.
func writePayloadV2(o *jsonOut, q *request, r *response) {
	o.status(r)
	o.raw(`,"headers":{`)
	o.singleHeaders(r.header, true)
	o.raw("}")
	if cookies := r.header["Set-Cookie"]; len(cookies) > 0 {
		o.raw(`,"cookies":[`)
		for i, c := range cookies {
			if i > 0 {
				o.raw(",")
			}
			o.value(c)
		}
		o.raw("]")
	}
	o.bodyEnd(r)
}

// stripStage removes a named HTTP API stage from the front of a path: an
// HTTP API's rawPath starts with the stage unless it is "$default", while
// routes are written without it.
func stripStage(p, stage string) string {
	if stage == "" || stage == "$default" || len(p) < len(stage)+1 || p[0] != '/' {
		return p
	}
	if p[1:len(stage)+1] != stage {
		return p
	}
	rest := p[len(stage)+1:]
	switch {
	case rest == "":
		return "/"
	case rest[0] == '/':
		return rest
	}
	return p
}

// stageRoute is stripStage that also returns the mount prefix, "/<stage>"
// when the stage was removed (see mux.MountPrefixKey).
func stageRoute(p, stage string) (path, prefix string) {
	if path = stripStage(p, stage); path != p {
		prefix = "/" + stage
	}
	return path, prefix
}

// ServeAPIGatewayV2 serves an API Gateway HTTP API event (payload 2.0)
// given as aws-lambda-go's struct, as Invoke serves its JSON (see
// serveStruct). Set-Cookie headers go in Cookies.
func (h *Handler) ServeAPIGatewayV2(ctx context.Context, ev *events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
	return serveStruct[events.APIGatewayV2HTTPResponse](ctx, h, &apigwV2, ev, ev)
}
