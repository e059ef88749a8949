package runtimeapi

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/nextgo-dev/nextgo/runtime/mux"
)

// Gateway is the kind of API Gateway API a Front models.
type Gateway uint8

const (
	// GatewayHTTP is an HTTP API with Lambda proxy integrations in payload
	// format 2.0. HTTP APIs cannot stream (AWS developer guide, "Stream the
	// integration response for your proxy integrations in API Gateway":
	// "Response streaming is only supported for REST APIs").
	GatewayHTTP Gateway = iota
	// GatewayREST is a REST API with Lambda proxy integrations (payload
	// format 1.0): those of streaming routes (FrontRoute.Stream) have
	// responseTransferMode STREAM, the others are buffered. The API lists
	// binaryMediaTypes "*/*", so request bodies reach functions
	// base64-encoded and base64 responses are decoded.
	GatewayREST
)

// REST API limits (AWS developer guide, "Amazon API Gateway quotas" and
// "Stream the integration response for your proxy integrations in API
// Gateway").
const (
	// RESTIntegrationTimeout is a buffered REST integration's default
	// timeout: 29 s.
	RESTIntegrationTimeout = 29 * time.Second
	// MaxStreamDuration is the longest a REST API streams a response: 15
	// minutes.
	MaxStreamDuration = 15 * time.Minute
)

// RESTEventInput is what a REST API proxy event carries beyond the request
// itself.
type RESTEventInput struct {
	// Resource is the matched resource path as API Gateway spells it:
	// "/api/post/{pid}", "/{proxy+}".
	Resource string
	// PathParameters are the resource's path variables; nil when it has
	// none.
	PathParameters map[string]string
	// RequestID, APIID, AccountID and Stage fill requestContext.
	RequestID string
	APIID     string
	AccountID string
	Stage     string
	// MountPrefix is what the client's URL has in front of the event's
	// path: "/<stage>" for a request to the stage's default URL
	// (https://{id}.execute-api.{region}.amazonaws.com/{stage}/…), "" for
	// one through a custom domain mapped at its root, as `nextgo start`
	// serves the app. requestContext.path is MountPrefix and the path.
	MountPrefix string
	// Time is when the request arrived.
	Time time.Time
	// Body is the whole request body.
	Body []byte
}

// RESTEvent builds the Lambda proxy event a REST API sends a function for
// r (AWS developer guide, "Input format of a Lambda function for proxy
// integration"):
//
//   - path is the request path as sent (the adapter decodes it once);
//   - headers hold the last value of each header, multiValueHeaders all of
//     them, with X-Forwarded-For (the client's address appended),
//     X-Forwarded-Proto and X-Forwarded-Port set;
//   - queryStringParameters hold the last value of each parameter,
//     multiValueQueryStringParameters all of them, decoded;
//   - a body is base64-encoded (the API lists binaryMediaTypes "*/*").
func RESTEvent(r *http.Request, in RESTEventInput) *events.APIGatewayProxyRequest {
	mv := make(map[string][]string, len(r.Header)+4)
	for name, values := range r.Header {
		mv[name] = append([]string(nil), values...)
	}
	sourceIP := r.RemoteAddr
	if host, _, err := net.SplitHostPort(r.RemoteAddr); err == nil {
		sourceIP = host
	}
	mv["Host"] = []string{r.Host}
	if xff := r.Header.Get("X-Forwarded-For"); xff != "" {
		mv["X-Forwarded-For"] = []string{xff + ", " + sourceIP}
	} else {
		mv["X-Forwarded-For"] = []string{sourceIP}
	}
	mv["X-Forwarded-Proto"] = []string{"http"}
	if r.TLS != nil {
		mv["X-Forwarded-Proto"] = []string{"https"}
	}
	if addr, ok := r.Context().Value(http.LocalAddrContextKey).(net.Addr); ok {
		if _, port, err := net.SplitHostPort(addr.String()); err == nil {
			mv["X-Forwarded-Port"] = []string{port}
		}
	}
	mv["X-Amzn-Trace-Id"] = []string{strings.SplitN(newTraceID(in.Time), ";", 2)[0]}
	headers := make(map[string]string, len(mv))
	for k, vs := range mv {
		headers[k] = vs[len(vs)-1]
	}

	var query map[string]string
	var mvQuery map[string][]string
	if values, _ := url.ParseQuery(r.URL.RawQuery); len(values) > 0 {
		query = make(map[string]string, len(values))
		mvQuery = make(map[string][]string, len(values))
		for k, vs := range values {
			query[k] = vs[len(vs)-1]
			mvQuery[k] = vs
		}
	}
	var params map[string]string
	if len(in.PathParameters) > 0 {
		params = in.PathParameters
	}
	domain := r.Host
	if host, _, err := net.SplitHostPort(domain); err == nil {
		domain = host
	}
	path := mux.RequestPath(r.URL)
	ev := &events.APIGatewayProxyRequest{
		Resource:                        in.Resource,
		Path:                            path,
		HTTPMethod:                      r.Method,
		Headers:                         headers,
		MultiValueHeaders:               mv,
		QueryStringParameters:           query,
		MultiValueQueryStringParameters: mvQuery,
		PathParameters:                  params,
		RequestContext: events.APIGatewayProxyRequestContext{
			AccountID:        in.AccountID,
			ResourceID:       resourceID(in.Resource),
			Stage:            in.Stage,
			DomainName:       domain,
			DomainPrefix:     strings.SplitN(domain, ".", 2)[0],
			RequestID:        in.RequestID,
			Protocol:         r.Proto,
			Identity:         events.APIGatewayRequestIdentity{SourceIP: sourceIP, UserAgent: r.UserAgent()},
			ResourcePath:     in.Resource,
			Path:             in.MountPrefix + path,
			HTTPMethod:       r.Method,
			RequestTime:      in.Time.UTC().Format("02/Jan/2006:15:04:05 -0700"),
			RequestTimeEpoch: in.Time.UnixMilli(),
			APIID:            in.APIID,
		},
	}
	if len(in.Body) > 0 {
		ev.Body = base64.StdEncoding.EncodeToString(in.Body)
		ev.IsBase64Encoded = true
	}
	return ev
}

// resourceID is a stable id for a resource path, in the form of API
// Gateway's ten-character resource ids.
func resourceID(path string) string {
	const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"
	var h uint64 = 14695981039346656037
	for i := 0; i < len(path); i++ {
		h = (h ^ uint64(path[i])) * 1099511628211
	}
	b := make([]byte, 10)
	for i := range b {
		b[i] = alphabet[h%uint64(len(alphabet))]
		h /= uint64(len(alphabet))
	}
	return string(b)
}

// WriteRESTResponse writes a function's result to w the way a REST API's
// Lambda proxy integration passes it on:
//
//   - a stream (STREAM transfer mode) is written as the function writes
//     it, with the status, headers and multi-value headers of its prelude;
//   - a buffered payload must be a JSON object with a statusCode (100 to
//     599), headers, multiValueHeaders and a body, base64-decoded when
//     isBase64Encoded; anything else is an error, which a REST API answers
//     502 {"message": "Internal server error"}.
//
// Errors and the closing of res.Stream are as for WriteGatewayResponse.
func WriteRESTResponse(w http.ResponseWriter, res *Result) error {
	if res.Stream != nil {
		defer res.Stream.Close()
	}
	if res.FunctionError != "" {
		return fmt.Errorf("function error: %w", res.Err())
	}
	if res.Stream != nil {
		if res.Prelude == nil {
			return errors.New("a streamed response without the JSON prelude and delimiter")
		}
		return writeStream(w, res)
	}
	resp, err := parseV1Response(res.Payload)
	if err != nil {
		return err
	}
	resp.write(w)
	return nil
}

// parseV1Response reads a buffered Lambda proxy response for a REST API.
func parseV1Response(payload []byte) (*v2Response, error) {
	var probe map[string]json.RawMessage
	if err := json.Unmarshal(payload, &probe); err != nil {
		return nil, errors.New("the response is not a JSON object")
	}
	if probe["statusCode"] == nil {
		return nil, errors.New("the response has no statusCode")
	}
	var resp events.APIGatewayProxyResponse
	d := json.NewDecoder(bytes.NewReader(payload))
	if err := d.Decode(&resp); err != nil {
		return nil, fmt.Errorf("malformed response: %w", err)
	}
	if resp.StatusCode < 100 || resp.StatusCode > 599 {
		return nil, fmt.Errorf("invalid statusCode %d", resp.StatusCode)
	}
	body, err := responseBody(resp.Body, resp.IsBase64Encoded)
	if err != nil {
		return nil, err
	}
	h := http.Header{}
	setHeaders(h, resp.Headers, resp.MultiValueHeaders, nil)
	return &v2Response{status: resp.StatusCode, header: h, body: body}, nil
}

// REST API answers of its own (AWS developer guide, "Gateway response
// types for API Gateway"), with the message bodies a REST API sends.
const (
	restMissingToken  = "Missing Authentication Token" // 403, no resource matched
	restInternalError = "Internal server error"        // 502, the Lambda proxy failed
	restTimedOut      = "Endpoint request timed out"   // 504, INTEGRATION_TIMEOUT
	restTooLarge      = "Request Too Long"             // 413, REQUEST_TOO_LARGE
)

// defaults fills the options that depend on the gateway.
func (o *FrontOptions) defaults() {
	if o.IntegrationTimeout <= 0 {
		o.IntegrationTimeout = DefaultIntegrationTimeout
		if o.Gateway == GatewayREST {
			o.IntegrationTimeout = RESTIntegrationTimeout
		}
	}
	if o.Stage == "" {
		o.Stage = "$default"
		if o.Gateway == GatewayREST {
			o.Stage = DefaultRESTStage
		}
	}
}

// DefaultRESTStage is the stage of a REST API front unless FrontOptions
// names one.
const DefaultRESTStage = "live"

// RESTFallbackResource is the REST API resource behind which nextgo deploy
// puts the fallback function: the greedy path variable at the root,
// matched by every path no other resource matches.
const RESTFallbackResource = "/{proxy+}"

// requestID sets the header that carries API Gateway's request id and
// returns the id.
func (f *Front) requestID(w http.ResponseWriter) string {
	id := newGatewayRequestID()
	if f.opts.Gateway == GatewayREST {
		id = newRequestID()
		w.Header().Set("X-Amzn-Requestid", id)
		return id
	}
	w.Header().Set("Apigw-Requestid", id)
	return id
}

// integrationTimeout is how long the front waits for the function of rt
// (nil: the fallback): a streaming route behind a REST API streams for up
// to MaxStreamDuration, ended sooner by its function's own timeout.
func (f *Front) integrationTimeout(rt *frontRoute) time.Duration {
	if f.opts.Gateway == GatewayREST && rt != nil && rt.stream {
		return MaxStreamDuration
	}
	return f.opts.IntegrationTimeout
}

// event builds the event of the front's gateway for a request routed to
// routeKey ("ANY /api/post/{pid}" or "$default").
func (f *Front) event(r *http.Request, routeKey string, params map[string]string, requestID string, now time.Time, body []byte) ([]byte, error) {
	if f.opts.Gateway != GatewayREST {
		return MarshalGatewayEvent(GatewayEvent(r, GatewayEventInput{
			RouteKey:       routeKey,
			PathParameters: params,
			RequestID:      requestID,
			APIID:          f.opts.APIID,
			AccountID:      f.opts.AccountID,
			Stage:          f.opts.Stage,
			Time:           now,
			Body:           body,
		}))
	}
	resource, _ := strings.CutPrefix(routeKey, "ANY ")
	if routeKey == DefaultRouteKey {
		resource = RESTFallbackResource
		params = map[string]string{"proxy": strings.TrimPrefix(r.URL.Path, "/")}
	}
	return json.Marshal(RESTEvent(r, RESTEventInput{
		Resource:       resource,
		PathParameters: params,
		RequestID:      requestID,
		APIID:          f.opts.APIID,
		AccountID:      f.opts.AccountID,
		Stage:          f.opts.Stage,
		Time:           now,
		Body:           body,
	}))
}

// write passes a function's result on as the front's gateway does.
func (f *Front) write(w http.ResponseWriter, res *Result) error {
	if f.opts.Gateway == GatewayREST {
		return WriteRESTResponse(w, res)
	}
	return WriteGatewayResponse(w, res)
}

// failure is an answer the gateway gives itself.
type failure uint8

const (
	failNoRoute  failure = iota // no route (and no fallback) for the path
	failTooLarge                // the request is over the payload limit
	failFunction                // the function failed or answered unreadably
	failTimeout                 // the integration timed out
)

// fail writes the gateway's own answer for a failure.
func (f *Front) fail(w http.ResponseWriter, why failure) {
	if f.opts.Gateway == GatewayREST {
		status, msg := [...]int{http.StatusForbidden, http.StatusRequestEntityTooLarge, http.StatusBadGateway, http.StatusGatewayTimeout}[why],
			[...]string{restMissingToken, restTooLarge, restInternalError, restTimedOut}[why]
		if why == failNoRoute {
			// A REST API says why it refused in a header of its own.
			w.Header().Set("X-Amzn-Errortype", "MissingAuthenticationTokenException")
		}
		writeGatewayError(w, status, msg)
		return
	}
	status, msg := [...]int{http.StatusNotFound, http.StatusRequestEntityTooLarge, StatusFunctionError, StatusIntegrationTimeout}[why],
		[...]string{"Not Found", "Request Entity Too Large", "Internal Server Error", "Service Unavailable"}[why]
	writeGatewayError(w, status, msg)
}
