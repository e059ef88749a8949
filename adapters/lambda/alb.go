package lambda

import (
	"context"
	"log/slog"
	"net/http"
	"strconv"

	"github.com/aws/aws-lambda-go/events"
)

// Application Load Balancer target group events, with or without
// multi-value headers (the target group attribute
// lambda.multi_value_headers.enabled): when the event carries them, so
// does the response.

// KindALB is an Application Load Balancer target group event, with or
// without multi-value headers (events.ALBTargetGroupRequest).
const KindALB Kind = 3

var alb = source{
	kind: KindALB,
	name: "alb",
	is: func(ev *rawEvent) bool {
		return ev.elb
	},
	read: func(ev *rawEvent, q *request) {
		q.method = ev.httpMethod
		q.path = ev.path
		q.query = querySent // ALB passes values as the client sent them
		// No host or address in the event: Host is a header, and the
		// client is the address the load balancer appended to
		// X-Forwarded-For.
		q.forwardedFor = true
		q.multiValue = ev.mvHeaders || ev.mvQuery
	},
	write: func(o *jsonOut, q *request, r *response) {
		o.status(r)
		o.raw(`,"statusDescription":`)
		o.str(statusDescription(r.status))
		if q.multiValue {
			o.raw(`,"multiValueHeaders":{`)
			o.multiHeaders(r.header)
		} else {
			// Set-Cookie reduced to its first value (see warn).
			o.raw(`,"headers":{`)
			o.singleHeaders(r.header, false)
		}
		o.raw("}")
		o.bodyEnd(r)
	},
	warn: func(h *Handler, inv *invocation, r *response) {
		if n := len(r.header["Set-Cookie"]); !inv.req.multiValue && n > 1 {
			h.logf(inv, slog.LevelWarn, "ALB multi-value headers are off: only the first Set-Cookie header is sent",
				slog.Int("set_cookie", n))
		}
	},
	event: func() any { return new(events.ALBTargetGroupRequest) },
}

// statusDescription is ALB's "200 OK" form.
func statusDescription(code int) string {
	if t := http.StatusText(code); t != "" {
		return strconv.Itoa(code) + " " + t
	}
	return strconv.Itoa(code)
}

// ServeALB serves an Application Load Balancer event given as
// aws-lambda-go's struct, as Invoke serves its JSON (see serveStruct).
// When the event carries multi-value headers or query parameters (the
// maps are not nil), so does the response.
func (h *Handler) ServeALB(ctx context.Context, ev *events.ALBTargetGroupRequest) (events.ALBTargetGroupResponse, error) {
	// The struct leaves out empty multi-value maps, which a target group
	// with multi-value headers on sends all the same: a map that is not
	// nil is sent, even empty.
	wire := struct {
		*events.ALBTargetGroupRequest
		MultiValueHeaders map[string][]string `json:"multiValueHeaders"`
		MultiValueQuery   map[string][]string `json:"multiValueQueryStringParameters"`
	}{ev, ev.MultiValueHeaders, ev.MultiValueQueryStringParameters}
	return serveStruct[events.ALBTargetGroupResponse](ctx, h, &alb, ev, wire)
}
