package lambda

import (
	"context"
	"encoding/json"
	"net/url"
	"sync"
	"time"

	"github.com/aws/aws-lambda-go/lambdacontext"

	"github.com/nextgo-dev/nextgo/internal/pipeline"
	"github.com/nextgo-dev/nextgo/runtime/mux"
)

// invocation is the state of one event's trip through the handler. It is
// allocated once per invocation and holds everything the request needs
// (URL, header values, body reader, response writer), so that converting
// an event costs few allocations.
//
// It is also the request's context: a context.Context that adds itself as
// a value to its parent (the invocation's context with the request
// deadline), which saves context.WithValue's allocation. Contexts derived
// from it by handlers work as with any context: it shares its parent's
// Done channel, so the context package still links cancellation directly.
type invocation struct {
	parent context.Context

	kind      Kind
	requestID string // the event's own request id (requestContext.requestId)
	stage     string
	prefix    string // answers mux.MountPrefixKey

	// The original event: payload for events decoded from JSON (decoded
	// again lazily by Event), event for events given as structs.
	payload string
	event   any
	once    sync.Once

	ev    rawEvent // the event's fields, as its source reads them
	req   request  // the request the event describes
	url   url.URL
	hvals [12]string
	body  body
	w     responseWriter
	resp  response
	out   jsonOut // the response's encoding (see Handler.encode)
}

// read has src read the event into the invocation's request, and
// completes it (see rawEvent.toRequest).
func (inv *invocation) read(src *source, ls eventLists) (hdrs, error) {
	inv.req.kind = src.kind
	src.read(&inv.ev, &inv.req)
	return inv.ev.toRequest(&inv.req, ls)
}

type invocationKey struct{}

// Deadline, Done, Err and Value make an invocation a context.Context.
func (inv *invocation) Deadline() (time.Time, bool) { return inv.parent.Deadline() }
func (inv *invocation) Done() <-chan struct{}       { return inv.parent.Done() }
func (inv *invocation) Err() error                  { return inv.parent.Err() }
func (inv *invocation) Value(key any) any {
	switch key {
	case invocationKey{}:
		return inv
	case pipeline.GuardedKey{}:
		return true // the adapter runs the request's deadline and recover
	case mux.MountPrefixKey{}:
		if inv.prefix != "" {
			return inv.prefix
		}
	}
	return inv.parent.Value(key)
}

func (inv *invocation) String() string { return "lambda.invocation" }

func invocationFrom(ctx context.Context) *invocation {
	inv, _ := ctx.Value(invocationKey{}).(*invocation)
	return inv
}

// RequestID returns the id of the Lambda invocation serving ctx's request
// (the AWS request id that Lambda's own log lines carry), or, outside the
// Lambda runtime, the request id found in the event. It returns "" for a
// context that comes from neither.
func RequestID(ctx context.Context) string {
	if lc, ok := lambdacontext.FromContext(ctx); ok && lc.AwsRequestID != "" {
		return lc.AwsRequestID
	}
	if inv := invocationFrom(ctx); inv != nil {
		return inv.requestID
	}
	return ""
}

// EventRequestID returns the request id the event source assigned
// (requestContext.requestId for API Gateway and function URLs; ALB has
// none), which is what API Gateway's access logs show.
func EventRequestID(ctx context.Context) string {
	if inv := invocationFrom(ctx); inv != nil {
		return inv.requestID
	}
	return ""
}

// Stage returns the API Gateway stage of the request's event ("$default"
// for an HTTP API's default stage), or "" when the event has none.
func Stage(ctx context.Context) string {
	if inv := invocationFrom(ctx); inv != nil {
		return inv.stage
	}
	return ""
}

// EventKind returns the kind of event the request came from, or
// KindUnknown outside an invocation.
func EventKind(ctx context.Context) Kind {
	if inv := invocationFrom(ctx); inv != nil {
		return inv.kind
	}
	return KindUnknown
}

// Event returns the original event of the request as aws-lambda-go's type
// for its source (*events.APIGatewayProxyRequest,
// *events.APIGatewayV2HTTPRequest, *events.ALBTargetGroupRequest or
// *events.LambdaFunctionURLRequest). It returns nil outside an invocation.
// The adapter reads raw events without building these structs; Event
// decodes one on first use, so ask for it only when you need fields the
// request does not carry (authorizer claims, path parameters, stage
// variables…). Treat the result as read-only.
func Event(ctx context.Context) any {
	inv := invocationFrom(ctx)
	if inv == nil {
		return nil
	}
	inv.once.Do(inv.decodeEvent)
	return inv.event
}

func (inv *invocation) decodeEvent() {
	if inv.event != nil {
		return
	}
	src := sourceOf(inv.kind)
	if src == nil {
		return
	}
	v := src.event()
	// The adapter has already accepted this payload, so a failure here can
	// only be a field of an unexpected type deep inside it; the struct is
	// then as complete as encoding/json could make it.
	_ = json.Unmarshal([]byte(inv.payload), v)
	inv.event = v
}
