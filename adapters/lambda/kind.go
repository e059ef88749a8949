package lambda

// Kind is the source of an invocation event.
type Kind uint8

// The event kinds the adapter understands. Each invocation is classified on
// its own, so one function may sit behind several of them.
const (
	// KindUnknown is the zero Kind: not an HTTP event the adapter knows.
	KindUnknown Kind = iota
	// KindAPIGatewayV1 is an API Gateway REST API proxy event, or an HTTP
	// API event in payload format 1.0 (events.APIGatewayProxyRequest).
	KindAPIGatewayV1
	// KindAPIGatewayV2 is an API Gateway HTTP API event in payload format
	// 2.0 (events.APIGatewayV2HTTPRequest).
	KindAPIGatewayV2
	// KindALB is an Application Load Balancer target group event, with or
	// without multi-value headers (events.ALBTargetGroupRequest).
	KindALB
	// KindFunctionURL is a Lambda function URL event
	// (events.LambdaFunctionURLRequest).
	KindFunctionURL
)

// String returns the kind's short name, as used in logs: "apigw-v1",
// "apigw-v2", "alb", "function-url" or "unknown".
func (k Kind) String() string {
	switch k {
	case KindAPIGatewayV1:
		return "apigw-v1"
	case KindAPIGatewayV2:
		return "apigw-v2"
	case KindALB:
		return "alb"
	case KindFunctionURL:
		return "function-url"
	}
	return "unknown"
}
