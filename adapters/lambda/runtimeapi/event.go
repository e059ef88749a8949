package runtimeapi

import (
	"encoding/base64"
	"encoding/json"
	"mime"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/aws/aws-lambda-go/events"

	"github.com/nextgo-dev/nextgo/internal/jsonstr"
	"github.com/nextgo-dev/nextgo/runtime/router"
)

// GatewayEventInput is what an HTTP API event carries beyond the request
// itself: what API Gateway knows of the route, the API and the moment.
type GatewayEventInput struct {
	// RouteKey is the route the request matched, as API Gateway spells it:
	// "ANY /api/post/{pid}", "GET /items/{id}" or "$default".
	RouteKey string
	// PathParameters are the route's path variables, percent-decoded; nil
	// or empty when it has none.
	PathParameters map[string]string
	// RequestID is requestContext.requestId, which API Gateway also answers
	// with in the apigw-requestid header.
	RequestID string
	// APIID and AccountID fill requestContext.apiId and accountId.
	APIID     string
	AccountID string
	// Stage is requestContext.stage; empty means "$default".
	Stage string
	// Time is when the request arrived: requestContext.time and timeEpoch,
	// and the epoch of the x-amzn-trace-id header.
	Time time.Time
	// Body is the whole request body.
	Body []byte
}

// GatewayEvent builds the event API Gateway's HTTP API (payload format 2.0)
// sends a function for r, as it does:
//
//   - rawPath and requestContext.http.path hold the path percent-decoded
//     (r.URL.Path: "%2F" arrives as "/"), unlike REST APIs, ALB and
//     function URLs;
//   - header names are lower-cased and repeated headers joined with commas,
//     except Cookie, whose cookies move to the cookies field one by one;
//   - host, x-forwarded-for (the client's address appended),
//     x-forwarded-proto, x-forwarded-port, x-amzn-trace-id and, with a body,
//     content-length are set;
//   - query parameters are what url.ParseQuery reads of the query, repeated
//     ones joined with commas;
//   - a body of a text type (text/*, JSON, XML, form, JavaScript, GraphQL,
//     YAML) that is valid UTF-8 travels as text, any other base64-encoded.
//
// HTTP API answers a path that does not decode to UTF-8 with 400 Bad
// Request before choosing a route, since the event is JSON; callers check
// utf8.ValidString(r.URL.Path) first. Serialize the event with
// MarshalGatewayEvent.
func GatewayEvent(r *http.Request, in GatewayEventInput) *events.APIGatewayV2HTTPRequest {
	headers := make(map[string]string, len(r.Header)+6)
	var cookies []string
	for name, values := range r.Header {
		name = strings.ToLower(name)
		if name == "cookie" {
			// HTTP API moves cookies to their own field.
			for _, v := range values {
				for _, c := range strings.Split(v, ";") {
					if c = strings.TrimSpace(c); c != "" {
						cookies = append(cookies, c)
					}
				}
			}
			continue
		}
		// Repeated headers are joined with commas, as HTTP API does.
		headers[name] = strings.Join(values, ",")
	}
	headers["host"] = r.Host
	sourceIP := r.RemoteAddr
	if host, _, err := net.SplitHostPort(r.RemoteAddr); err == nil {
		sourceIP = host
	}
	if xff := headers["x-forwarded-for"]; xff != "" {
		headers["x-forwarded-for"] = xff + ", " + sourceIP
	} else {
		headers["x-forwarded-for"] = sourceIP
	}
	headers["x-forwarded-proto"] = "http"
	if r.TLS != nil {
		headers["x-forwarded-proto"] = "https"
	}
	if addr, ok := r.Context().Value(http.LocalAddrContextKey).(net.Addr); ok {
		if _, port, err := net.SplitHostPort(addr.String()); err == nil {
			headers["x-forwarded-port"] = port
		}
	}
	headers["x-amzn-trace-id"] = strings.SplitN(newTraceID(in.Time), ";", 2)[0]
	if len(in.Body) > 0 {
		headers["content-length"] = strconv.Itoa(len(in.Body))
	}

	var query map[string]string
	if r.URL.RawQuery != "" {
		values, _ := url.ParseQuery(r.URL.RawQuery) // HTTP API passes what it can parse
		if len(values) > 0 {
			query = make(map[string]string, len(values))
			for k, vs := range values {
				query[k] = strings.Join(vs, ",")
			}
		}
	}

	var pathParams map[string]string
	if len(in.PathParameters) > 0 {
		pathParams = in.PathParameters
	}
	stage := in.Stage
	if stage == "" {
		stage = "$default"
	}
	// HTTP APIs hand Lambda the path percent-decoded, in rawPath as in
	// requestContext.http.path ("%2F" arrives as "/"), unlike REST APIs,
	// ALB and function URLs; the adapter decodes accordingly.
	rawPath := r.URL.Path
	domain := r.Host
	if host, _, err := net.SplitHostPort(domain); err == nil {
		domain = host
	}
	ev := &events.APIGatewayV2HTTPRequest{
		Version:               "2.0",
		RouteKey:              in.RouteKey,
		RawPath:               rawPath,
		RawQueryString:        r.URL.RawQuery,
		Cookies:               cookies,
		Headers:               headers,
		QueryStringParameters: query,
		PathParameters:        pathParams,
		RequestContext: events.APIGatewayV2HTTPRequestContext{
			RouteKey:     in.RouteKey,
			AccountID:    in.AccountID,
			Stage:        stage,
			RequestID:    in.RequestID,
			APIID:        in.APIID,
			DomainName:   domain,
			DomainPrefix: strings.SplitN(domain, ".", 2)[0],
			Time:         in.Time.UTC().Format("02/Jan/2006:15:04:05 -0700"),
			TimeEpoch:    in.Time.UnixMilli(),
			HTTP: events.APIGatewayV2HTTPRequestContextHTTPDescription{
				Method:    r.Method,
				Path:      rawPath,
				Protocol:  r.Proto,
				SourceIP:  sourceIP,
				UserAgent: r.UserAgent(),
			},
		},
	}
	if len(in.Body) > 0 {
		if isText(r.Header.Get("Content-Type")) && utf8.Valid(in.Body) {
			ev.Body = string(in.Body)
		} else {
			ev.Body = base64.StdEncoding.EncodeToString(in.Body)
			ev.IsBase64Encoded = true
		}
	}
	return ev
}

// pathParameters turns the router's parameters into an HTTP API event's
// pathParameters.
func pathParameters(ps router.Params) map[string]string {
	if len(ps) == 0 {
		return nil
	}
	m := make(map[string]string, len(ps))
	for _, prm := range ps {
		m[prm.Name] = prm.Value()
	}
	return m
}

// gatewayPath spells a route the way `nextgo deploy` declares it to HTTP
// API: [pid] → {pid}, [...slug] → {slug+}, and [[...slug]] → {slug+}, or the
// bare path when the request has no segment there.
func gatewayPath(p router.Pattern, ps router.Params) string {
	var b strings.Builder
	for _, s := range p.Segments {
		switch s.Kind {
		case router.Static:
			b.WriteString("/" + s.Name)
		case router.Dynamic:
			b.WriteString("/{" + s.Name + "}")
		case router.CatchAll:
			b.WriteString("/{" + s.Name + "+}")
		case router.OptionalCatchAll:
			if _, ok := ps.Lookup(s.Name); ok {
				b.WriteString("/{" + s.Name + "+}")
			}
		}
	}
	if b.Len() == 0 {
		return "/"
	}
	return b.String()
}

// isText reports whether a body of this content type travels as text in an
// HTTP API event; other bodies are base64-encoded.
func isText(contentType string) bool {
	if contentType == "" {
		return false
	}
	mt, _, err := mime.ParseMediaType(contentType)
	if err != nil {
		return false
	}
	typ, sub, _ := strings.Cut(mt, "/")
	switch {
	case typ == "text":
		return true
	case typ != "application":
		return false
	case sub == "json" || sub == "xml" || sub == "javascript" || sub == "x-www-form-urlencoded" || sub == "graphql" || sub == "yaml" || sub == "x-yaml":
		return true
	}
	return strings.HasSuffix(sub, "+json") || strings.HasSuffix(sub, "+xml")
}

// wireEvent is an HTTP API event as API Gateway serializes it: without
// the requestContext.authentication of events.APIGatewayV2HTTPRequest.
type wireEvent struct {
	Version               string            `json:"version"`
	RouteKey              string            `json:"routeKey"`
	RawPath               string            `json:"rawPath"`
	RawQueryString        string            `json:"rawQueryString"`
	Cookies               []string          `json:"cookies,omitempty"`
	Headers               map[string]string `json:"headers"`
	QueryStringParameters map[string]string `json:"queryStringParameters,omitempty"`
	RequestContext        wireContext       `json:"requestContext"`
	Body                  string            `json:"body,omitempty"`
	PathParameters        map[string]string `json:"pathParameters,omitempty"`
	IsBase64Encoded       bool              `json:"isBase64Encoded"`
	StageVariables        map[string]string `json:"stageVariables,omitempty"`
}

type wireContext struct {
	AccountID    string                                                      `json:"accountId"`
	APIID        string                                                      `json:"apiId"`
	Authorizer   *events.APIGatewayV2HTTPRequestContextAuthorizerDescription `json:"authorizer,omitempty"`
	DomainName   string                                                      `json:"domainName"`
	DomainPrefix string                                                      `json:"domainPrefix"`
	HTTP         events.APIGatewayV2HTTPRequestContextHTTPDescription        `json:"http"`
	RequestID    string                                                      `json:"requestId"`
	RouteKey     string                                                      `json:"routeKey"`
	Stage        string                                                      `json:"stage"`
	Time         string                                                      `json:"time"`
	TimeEpoch    int64                                                       `json:"timeEpoch"`
}

// MarshalGatewayEvent serializes an HTTP API event the way API Gateway
// does. Marshalled by encoding/json, events.APIGatewayV2HTTPRequest always
// has a requestContext.authentication, which API Gateway sends only for
// mutual TLS; the event goes out without it.
//
// The bytes are encoding/json's for wireEvent; an event without an
// authorizer is written directly (appendGatewayEvent), without reflection.
func MarshalGatewayEvent(ev *events.APIGatewayV2HTTPRequest) ([]byte, error) {
	if ev.RequestContext.Authorizer != nil {
		return json.Marshal(newWireEvent(ev))
	}
	return appendGatewayEvent(make([]byte, 0, 1024), ev), nil
}

// newWireEvent is ev as API Gateway serializes it.
func newWireEvent(ev *events.APIGatewayV2HTTPRequest) wireEvent {
	rc := ev.RequestContext
	return wireEvent{
		Version:               ev.Version,
		RouteKey:              ev.RouteKey,
		RawPath:               ev.RawPath,
		RawQueryString:        ev.RawQueryString,
		Cookies:               ev.Cookies,
		Headers:               ev.Headers,
		QueryStringParameters: ev.QueryStringParameters,
		RequestContext: wireContext{
			AccountID:    rc.AccountID,
			APIID:        rc.APIID,
			Authorizer:   rc.Authorizer,
			DomainName:   rc.DomainName,
			DomainPrefix: rc.DomainPrefix,
			HTTP:         rc.HTTP,
			RequestID:    rc.RequestID,
			RouteKey:     rc.RouteKey,
			Stage:        rc.Stage,
			Time:         rc.Time,
			TimeEpoch:    rc.TimeEpoch,
		},
		Body:            ev.Body,
		PathParameters:  ev.PathParameters,
		IsBase64Encoded: ev.IsBase64Encoded,
		StageVariables:  ev.StageVariables,
	}
}

// appendGatewayEvent appends the JSON encoding/json gives the wireEvent of
// ev, which has no authorizer: the same fields in the same order, the same
// omissions, map keys sorted, strings escaped alike (jsonString).
func appendGatewayEvent(b []byte, ev *events.APIGatewayV2HTTPRequest) []byte {
	rc := &ev.RequestContext
	b = append(b, `{"version":`...)
	b = jsonString(b, ev.Version)
	b = append(b, `,"routeKey":`...)
	b = jsonString(b, ev.RouteKey)
	b = append(b, `,"rawPath":`...)
	b = jsonString(b, ev.RawPath)
	b = append(b, `,"rawQueryString":`...)
	b = jsonString(b, ev.RawQueryString)
	if len(ev.Cookies) > 0 {
		b = append(b, `,"cookies":[`...)
		for i, c := range ev.Cookies {
			if i > 0 {
				b = append(b, ',')
			}
			b = jsonString(b, c)
		}
		b = append(b, ']')
	}
	b = append(b, `,"headers":`...)
	b = jsonMap(b, ev.Headers)
	if len(ev.QueryStringParameters) > 0 {
		b = append(b, `,"queryStringParameters":`...)
		b = jsonMap(b, ev.QueryStringParameters)
	}
	b = append(b, `,"requestContext":{"accountId":`...)
	b = jsonString(b, rc.AccountID)
	b = append(b, `,"apiId":`...)
	b = jsonString(b, rc.APIID)
	b = append(b, `,"domainName":`...)
	b = jsonString(b, rc.DomainName)
	b = append(b, `,"domainPrefix":`...)
	b = jsonString(b, rc.DomainPrefix)
	b = append(b, `,"http":{"method":`...)
	b = jsonString(b, rc.HTTP.Method)
	b = append(b, `,"path":`...)
	b = jsonString(b, rc.HTTP.Path)
	b = append(b, `,"protocol":`...)
	b = jsonString(b, rc.HTTP.Protocol)
	b = append(b, `,"sourceIp":`...)
	b = jsonString(b, rc.HTTP.SourceIP)
	b = append(b, `,"userAgent":`...)
	b = jsonString(b, rc.HTTP.UserAgent)
	b = append(b, `},"requestId":`...)
	b = jsonString(b, rc.RequestID)
	b = append(b, `,"routeKey":`...)
	b = jsonString(b, rc.RouteKey)
	b = append(b, `,"stage":`...)
	b = jsonString(b, rc.Stage)
	b = append(b, `,"time":`...)
	b = jsonString(b, rc.Time)
	b = append(b, `,"timeEpoch":`...)
	b = strconv.AppendInt(b, rc.TimeEpoch, 10)
	b = append(b, '}')
	if ev.Body != "" {
		b = append(b, `,"body":`...)
		b = jsonString(b, ev.Body)
	}
	if len(ev.PathParameters) > 0 {
		b = append(b, `,"pathParameters":`...)
		b = jsonMap(b, ev.PathParameters)
	}
	b = append(b, `,"isBase64Encoded":`...)
	b = strconv.AppendBool(b, ev.IsBase64Encoded)
	if len(ev.StageVariables) > 0 {
		b = append(b, `,"stageVariables":`...)
		b = jsonMap(b, ev.StageVariables)
	}
	return append(b, '}')
}

// jsonMap appends m as encoding/json writes a map[string]string: null when
// nil, keys sorted.
func jsonMap(b []byte, m map[string]string) []byte {
	if m == nil {
		return append(b, "null"...)
	}
	var buf [16]string
	keys := buf[:0]
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	b = append(b, '{')
	for i, k := range keys {
		if i > 0 {
			b = append(b, ',')
		}
		b = jsonString(b, k)
		b = append(b, ':')
		b = jsonString(b, m[k])
	}
	return append(b, '}')
}

// jsonString appends s as a JSON string, exactly as encoding/json encodes
// it (jsonstr, HTML mode).
func jsonString(b []byte, s string) []byte { return jsonstr.Append(b, s, jsonstr.HTML) }
