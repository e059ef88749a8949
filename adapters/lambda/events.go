package lambda

import (
	"cmp"
	"context"
	"encoding/base64"
	"net/http"
	"slices"
	"strings"

	"github.com/aws/aws-lambda-go/events"
)

// The Serve methods take events already decoded into aws-lambda-go's
// structs, for callers that decode events themselves or route several
// event kinds through their own lambda.Start handler. They behave as
// Invoke does for the same event, but cannot fail: a struct always has a
// known kind. Their signatures fit lambda.Start.

// ServeAPIGatewayV1 serves an API Gateway REST API (or HTTP API payload
// 1.0) event. Response headers go in MultiValueHeaders.
func (h *Handler) ServeAPIGatewayV1(ctx context.Context, ev *events.APIGatewayProxyRequest) (events.APIGatewayProxyResponse, error) {
	var fs [fieldStack]field
	var qs [16]field
	q := request{
		kind:       KindAPIGatewayV1,
		method:     ev.HTTPMethod,
		path:       ev.Path,
		host:       ev.RequestContext.DomainName,
		proto:      ev.RequestContext.Protocol,
		sourceIP:   ev.RequestContext.Identity.SourceIP,
		requestID:  ev.RequestContext.RequestID,
		stage:      ev.RequestContext.Stage,
		multiValue: true,
		// The struct does not say whether an HTTP API (payload 1.0, path
		// decoded) or a REST API (path encoded) sent it: a path that is
		// not a valid encoded path must be a decoded one.
		pathDecoded: !validEncodedPath(ev.Path),
		prefix:      mountPrefix(ev.RequestContext.Path, ev.Path),
	}
	var hs hdrs
	if len(ev.MultiValueHeaders) > 0 {
		hs.fields = multiFields(fs[:0], ev.MultiValueHeaders, false)
	} else {
		hs.fields = singleFields(fs[:0], ev.Headers, false)
	}
	if len(ev.MultiValueQueryStringParameters) > 0 {
		q.rawQuery = buildQuery(multiFields(qs[:0], ev.MultiValueQueryStringParameters, true), true)
	} else {
		q.rawQuery = buildQuery(singleFields(qs[:0], ev.QueryStringParameters, true), true)
	}
	err := q.setBody(ev.Body, ev.IsBase64Encoded)
	inv, resp := h.serveStruct(ctx, ev, &q, hs, err)
	if !h.fitsBound(inv, &q, resp, boundBody(resp, headerSize(resp.header))) {
		resp = textResponse(http.StatusBadGateway, "Response payload too large")
	}
	cleanHeader(resp.header)
	out := events.APIGatewayProxyResponse{
		StatusCode:        resp.status,
		MultiValueHeaders: map[string][]string(resp.header),
		IsBase64Encoded:   resp.binary,
	}
	out.Body = bodyString(resp)
	inv.w.release(true)
	return out, nil
}

// ServeAPIGatewayV2 serves an API Gateway HTTP API event (payload 2.0).
// Set-Cookie headers go in Cookies.
func (h *Handler) ServeAPIGatewayV2(ctx context.Context, ev *events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
	rc := &ev.RequestContext
	q := request{
		kind:        KindAPIGatewayV2,
		method:      rc.HTTP.Method,
		path:        ev.RawPath,
		pathDecoded: true,
		rawQuery:    ev.RawQueryString,
		host:        rc.DomainName,
		proto:       rc.HTTP.Protocol,
		sourceIP:    rc.HTTP.SourceIP,
		requestID:   rc.RequestID,
		stage:       rc.Stage,
	}
	hs := hdrs{single: ev.Headers, cookies: nonEmpty(ev.Cookies)}
	if q.path == "" {
		q.path = rc.HTTP.Path
	}
	q.path, q.prefix = stageRoute(q.path, q.stage)
	err := q.setBody(ev.Body, ev.IsBase64Encoded)
	r := h.serveCookieShaped(ctx, ev, &q, hs, err)
	return events.APIGatewayV2HTTPResponse{StatusCode: r.status, Headers: r.headers, Cookies: r.cookies, IsBase64Encoded: r.binary, Body: r.body}, nil
}

// ServeFunctionURL serves a Lambda function URL event with a buffered
// response (invoke mode BUFFERED). Set-Cookie headers go in Cookies.
func (h *Handler) ServeFunctionURL(ctx context.Context, ev *events.LambdaFunctionURLRequest) (events.LambdaFunctionURLResponse, error) {
	rc := &ev.RequestContext
	q := request{
		kind:      KindFunctionURL,
		method:    rc.HTTP.Method,
		path:      ev.RawPath,
		rawQuery:  ev.RawQueryString,
		host:      rc.DomainName,
		proto:     rc.HTTP.Protocol,
		sourceIP:  rc.HTTP.SourceIP,
		requestID: rc.RequestID,
	}
	hs := hdrs{single: ev.Headers, cookies: nonEmpty(ev.Cookies)}
	if q.path == "" {
		q.path = rc.HTTP.Path
	}
	err := q.setBody(ev.Body, ev.IsBase64Encoded)
	r := h.serveCookieShaped(ctx, ev, &q, hs, err)
	return events.LambdaFunctionURLResponse{StatusCode: r.status, Headers: r.headers, Cookies: r.cookies, IsBase64Encoded: r.binary, Body: r.body}, nil
}

// cookieShaped is a response in the shape HTTP API (payload 2.0) and
// function URLs share: single-value headers, Set-Cookie moved to cookies.
type cookieShaped struct {
	status  int
	headers map[string]string
	cookies []string
	body    string
	binary  bool
}

// serveCookieShaped serves q and shapes the response for an HTTP API or
// function URL event, answering 502 when it would not fit Lambda's payload.
func (h *Handler) serveCookieShaped(ctx context.Context, ev any, q *request, hs hdrs, convErr error) cookieShaped {
	inv, resp := h.serveStruct(ctx, ev, q, hs, convErr)
	headers, hsize := singleValueHeaders(resp.header, true)
	if !h.fitsBound(inv, q, resp, boundBody(resp, hsize)) {
		resp = textResponse(http.StatusBadGateway, "Response payload too large")
		headers, _ = singleValueHeaders(resp.header, true)
	}
	out := cookieShaped{status: resp.status, headers: headers, cookies: cleanValues(resp.header["Set-Cookie"]), binary: resp.binary, body: bodyString(resp)}
	inv.w.release(false)
	return out
}

// ServeALB serves an Application Load Balancer event. When the event
// carries multi-value headers (the target group attribute
// lambda.multi_value_headers.enabled), so does the response.
func (h *Handler) ServeALB(ctx context.Context, ev *events.ALBTargetGroupRequest) (events.ALBTargetGroupResponse, error) {
	var fs [fieldStack]field
	var qs [16]field
	q := request{
		kind:   KindALB,
		method: ev.HTTPMethod,
		path:   ev.Path,
	}
	var hs hdrs
	if ev.MultiValueHeaders != nil || ev.MultiValueQueryStringParameters != nil {
		q.multiValue = true
		hs.fields = multiFields(fs[:0], ev.MultiValueHeaders, false)
		q.rawQuery = buildQuery(multiFields(qs[:0], ev.MultiValueQueryStringParameters, true), false)
	} else {
		hs.fields = singleFields(fs[:0], ev.Headers, false)
		q.rawQuery = buildQuery(singleFields(qs[:0], ev.QueryStringParameters, true), false)
	}
	for _, f := range hs.fields {
		if strings.EqualFold(f.k, "X-Forwarded-For") {
			q.sourceIP = lastForwardedFor(f.v)
		}
	}
	err := q.setBody(ev.Body, ev.IsBase64Encoded)
	inv, resp := h.serveStruct(ctx, ev, &q, hs, err)
	if !h.fitsBound(inv, &q, resp, boundBody(resp, headerSize(resp.header))) {
		resp = textResponse(http.StatusBadGateway, "Response payload too large")
	}
	out := events.ALBTargetGroupResponse{
		StatusCode:        resp.status,
		StatusDescription: statusDescription(resp.status),
		IsBase64Encoded:   resp.binary,
	}
	if q.multiValue {
		cleanHeader(resp.header)
		out.MultiValueHeaders = map[string][]string(resp.header)
	} else {
		out.Headers, _ = singleValueHeaders(resp.header, false)
	}
	out.Body = bodyString(resp)
	inv.w.release(q.multiValue)
	return out, nil
}

// serveStruct runs one struct event through the handler.
func (h *Handler) serveStruct(ctx context.Context, ev any, q *request, hs hdrs, convErr error) (*invocation, *response) {
	inv := &invocation{kind: q.kind, event: ev}
	resp := h.serve(ctx, inv, q, hs, convErr)
	h.warnALBCookies(inv, q, resp)
	return inv, resp
}

// headerSize is the length of a header's names and values, each name
// counted once per value.
func headerSize(h http.Header) int {
	n := 0
	for k, vs := range h {
		for _, v := range vs {
			n += len(k) + len(v)
		}
	}
	return n
}

// setBody sets the request body from an event's body field.
func (q *request) setBody(body string, isBase64 bool) error {
	if !isBase64 {
		q.body = body
		return nil
	}
	b, err := decodeBase64(body)
	if err != nil {
		return err
	}
	q.bodyBytes, q.binaryBody = b, true
	return nil
}

// bodyString is the response body as the event response's Body field.
func bodyString(r *response) string {
	if r.binary {
		return base64.StdEncoding.EncodeToString(r.body)
	}
	return string(r.body)
}

// singleFields lists a map's entries. Query fields are sorted by key, so
// that the query string does not depend on map order; header fields need
// not be (an http.Header has no order), except that two names differing
// only in case, which API Gateway never sends, keep map order.
func singleFields(fs []field, m map[string]string, sorted bool) []field {
	start := len(fs)
	for k, v := range m {
		fs = append(fs, field{k: k, v: v})
	}
	if sorted {
		slices.SortFunc(fs[start:], func(a, b field) int { return cmp.Compare(a.k, b.k) })
	}
	return fs
}

// multiFields lists a multi-value map's entries, each key's values in
// their order and next to each other; sorted as for singleFields.
func multiFields(fs []field, m map[string][]string, sorted bool) []field {
	start := len(fs)
	for k, vs := range m {
		for _, v := range vs {
			fs = append(fs, field{k: k, v: v})
		}
	}
	if sorted {
		slices.SortStableFunc(fs[start:], func(a, b field) int { return cmp.Compare(a.k, b.k) })
	}
	return fs
}

// singleValueHeaders flattens a header for responses that take one
// string per name: values joined with ", ", Set-Cookie left out
// (skipCookies) or reduced to its first value, invalid names dropped and
// CR and LF in values turned into spaces (see cleanHeader). It also
// returns the length of all names and values, Set-Cookie included.
func singleValueHeaders(h http.Header, skipCookies bool) (map[string]string, int) {
	m := make(map[string]string, len(h))
	n := 0
	for k, vs := range h {
		for _, v := range vs {
			n += len(k) + len(v)
		}
		switch {
		case len(vs) == 0, skipCookies && k == "Set-Cookie", !validHeaderName(k):
		case len(vs) == 1, k == "Set-Cookie":
			m[k] = cleanValue(vs[0])
		default:
			m[k] = cleanValue(strings.Join(vs, ", "))
		}
	}
	return m, n
}

// cleanValues applies cleanValue to each of vs, in place.
func cleanValues(vs []string) []string {
	for i, v := range vs {
		vs[i] = cleanValue(v)
	}
	return vs
}

// nonEmpty returns ss without its empty strings, copying only if needed.
func nonEmpty(ss []string) []string {
	for i, s := range ss {
		if s == "" {
			out := slices.Clone(ss[:i])
			for _, s := range ss[i+1:] {
				if s != "" {
					out = append(out, s)
				}
			}
			return out
		}
	}
	return ss
}
