package lambda

import "io"

// Each event source lives in its own file (apigw_v1.go, apigw_v2.go,
// alb.go, function_url.go) as one row of the sources table below: how its
// events are recognised, how one becomes a request, and how a response is
// written back in its shape, buffered or streamed. Everything around the
// rows is shared: reading the event's JSON (event.go, json.go), building
// the *http.Request (request.go, keys.go), running the handler
// (handler.go, response.go, stream.go) and the JSON writer (encode.go).
//
// The rows receive pointers into the invocation, which is allocated anyway:
// a function called through a table may keep what it is given, so
// anything on the caller's stack would move to the heap.

// source is one event source.
type source struct {
	kind Kind
	name string // Kind.String

	// is reports whether a parsed event comes from this source. Sources
	// are asked in table order; the first to answer yes takes the event.
	is func(ev *rawEvent) bool

	// read fills q from the event's fields: method, path and whether it
	// arrives decoded, query, host, protocol, client address, request id
	// and stage, and the shape the answer takes (see request).
	read func(ev *rawEvent, q *request)

	// write writes a buffered response as the JSON the source expects.
	// It runs twice, to measure and then to write (see jsonOut).
	write func(o *jsonOut, q *request, r *response)

	// warn, when set, logs what the source's response cannot carry.
	warn func(h *Handler, inv *invocation, r *response)

	// streams, when set, reports whether a streaming function answers the
	// event streamed (see Options.Streaming and InvokeStream); stream
	// shapes such an answer for aws-lambda-go.
	streams func(ev *rawEvent) bool
	stream  func(s *streamed) io.Reader

	// event returns the aws-lambda-go struct that Event decodes the
	// event into.
	event func() any
}

// sources are the event sources, in the order they are asked.
var sources = [...]*source{&alb, &functionURL, &apigwV2, &apigwV1}

// detect returns the source of a parsed event, or nil.
func detect(ev *rawEvent) *source {
	for _, s := range sources {
		if s.is(ev) {
			return s
		}
	}
	return nil
}

// sourceOf returns the source of kind k, or nil.
func sourceOf(k Kind) *source {
	for _, s := range sources {
		if s.kind == k {
			return s
		}
	}
	return nil
}

// Kind is the source of an invocation event. Each invocation is
// classified on its own, so one function may sit behind several sources.
// The kinds are declared beside their sources: KindAPIGatewayV1,
// KindAPIGatewayV2, KindALB and KindFunctionURL.
type Kind uint8

// KindUnknown is the zero Kind: not an HTTP event the adapter knows.
const KindUnknown Kind = 0

// String returns the kind's short name, as used in logs: "apigw-v1",
// "apigw-v2", "alb", "function-url" or "unknown".
func (k Kind) String() string {
	if s := sourceOf(k); s != nil {
		return s.name
	}
	return "unknown"
}
