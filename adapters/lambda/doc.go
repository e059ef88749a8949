// Package lambda runs an http.Handler as an AWS Lambda function.
//
// Start is the entry point of every function nextgo builds:
//
//	func main() {
//		lambda.Start(handler, lambda.Options{MaxDuration: 10 * time.Second})
//	}
//
// Each invocation's event is classified on its own, so one function can sit
// behind an API Gateway REST API (KindAPIGatewayV1), an HTTP API
// (KindAPIGatewayV2, or KindAPIGatewayV1 with payload format 1.0), an
// Application Load Balancer (KindALB, with or without multi-value headers)
// and a function URL (KindFunctionURL), and the response takes the shape
// that event source expects.
//
// # Requests
//
// The handler sees the request net/http's server would have built: the
// method; the path, with URL.RawPath keeping the client's encoding where the
// event source preserves it (REST APIs, ALB and function URLs; HTTP APIs
// decode it, and a named HTTP API stage is taken off its front); the raw
// query string (rebuilt in event order for REST APIs, whose values arrive
// decoded, and for ALB, whose values arrive as sent); every header value,
// multi-value headers included, with canonical names; the v2 cookies list
// as one Cookie header; Host in r.Host; the body, base64-decoded when the
// event says so, with a matching Content-Length; the client address in
// r.RemoteAddr (an IP without a port: Lambda events carry none); and a
// context that has the deadline and gives RequestID, EventRequestID, Stage,
// EventKind and the original event (Event).
//
// # Responses
//
// Status, headers and body are buffered and encoded for the event's kind.
// Several Set-Cookie headers become the v2 and function URL cookies list,
// REST API multiValueHeaders, or ALB multiValueHeaders when the target
// group has them on. A body is sent base64-encoded when its Content-Type
// is not text (text/*, JSON, XML, JavaScript, forms… stay text), when it
// has a Content-Encoding, or when it is not valid UTF-8. With
// Options.Streaming, function URL responses are streamed instead (see
// InvokeStream).
//
// # Events as structs
//
// A caller that holds an event decoded into aws-lambda-go's struct passes
// it to the Serve method of its source (ServeAPIGatewayV1,
// ServeAPIGatewayV2, ServeALB, ServeFunctionURL). It is served through the
// same conversion as the JSON it stands for, so the answer is Invoke's,
// at the cost of encoding/json both ways.
//
// # Failures
//
// The adapter answers by itself, logs one JSON line with the request id
// and goes on serving the next invocation: 400 for an event it cannot read
// (bad base64, a malformed path, a missing method); 413 for a body over
// Options.BodyLimit, before the handler runs; 500 for a panic, logged with
// its stack; 502 for a response too large for a buffered Lambda response
// (Options.MaxResponse), logged with its size and the limit; 504 when the
// request deadline passes before the handler returns. The request deadline
// is the invocation deadline less Options.Margin, or Options.MaxDuration
// from the start, whichever comes first; after a 504 the handler's
// goroutine may still be running, and its writes fail with
// http.ErrHandlerTimeout. Payloads that are not JSON, or not an HTTP event,
// are returned to the runtime as errors (ErrMalformedEvent,
// ErrUnknownEvent).
//
// # Why not aws-lambda-go-api-proxy
//
// The conversion is written here rather than taken from
// aws-lambda-go-api-proxy, for correctness and for cost, both measured:
// api-proxy answers 504 when a handler returns without writing (net/http
// says 200), splits every header value on commas (breaking dates, quoted
// strings and the like), rebuilds query strings through maps (losing their
// order), chooses base64 by UTF-8 validity rather than content type, and
// with Proxy copies the request context into request headers as JSON. It
// also takes about five times the allocations and instructions for the
// conversion, and its events go through encoding/json, which costs most
// of a warm invocation: this package reads event JSON itself (see
// json.go). bench/adapter_test.go holds the comparison.
package lambda
