package lambda

import (
	"encoding/base64"
	"errors"
	"strings"
)

// ErrMalformedEvent is wrapped by the error Invoke returns for a payload
// that is not well-formed JSON.
var ErrMalformedEvent = errors.New("malformed event")

// ErrUnknownEvent is wrapped by the error Invoke returns for well-formed
// JSON that is none of the HTTP events the adapter knows.
var ErrUnknownEvent = errors.New("unknown event kind")

// rawEvent holds the fields the adapter reads from an event of any kind,
// straight from the JSON text. Objects and arrays the adapter needs are
// kept as raw spans and read once the kind is known.
type rawEvent struct {
	version       string
	httpMethod    string
	hasHTTPMethod bool
	hasResource   bool
	path          string
	rawPath       string
	rawQuery      string
	hasRawQuery   bool

	body     string // raw string contents, escapes not yet decoded
	bodyEsc  bool
	isBase64 bool

	headers, mvHeaders, query, mvQuery, cookies string // raw spans; "" when absent or null

	elb         bool
	rcRequestID string
	rcStage     string
	rcDomain    string
	rcMethod    string // requestContext.http.method
	rcPath      string // requestContext.http.path
	rcProto     string // requestContext.http.protocol or requestContext.protocol
	rcSourceIP  string // requestContext.http.sourceIp or requestContext.identity.sourceIp

	fieldErr error // first well-formed value of the wrong type
}

// keep records a type error and lets parsing go on, so that the event's
// kind is still known and the answer can be a 400 in its shape. Syntax
// errors stop parsing.
func (ev *rawEvent) keep(err error) error {
	if te, ok := err.(*typeError); ok {
		if ev.fieldErr == nil {
			ev.fieldErr = te
		}
		return nil
	}
	return err
}

// parseEvent reads the top level of an event.
func parseEvent(s string, ev *rawEvent) error {
	d := scanner{s: s}
	if d.peek() != '{' {
		if err := d.skip(); err != nil {
			return err
		}
		if err := d.end(); err != nil {
			return err
		}
		return errNotObjectEvent
	}
	err := d.object(func(key string) error {
		var err error
		switch key {
		case "version":
			ev.version, err = d.strOrNull(key)
		case "httpMethod":
			ev.hasHTTPMethod = true
			ev.httpMethod, err = d.strOrNull(key)
		case "resource":
			ev.hasResource = true
			err = d.skip()
		case "path":
			ev.path, err = d.strOrNull(key)
		case "rawPath":
			ev.rawPath, err = d.strOrNull(key)
		case "rawQueryString":
			ev.hasRawQuery = true
			ev.rawQuery, err = d.strOrNull(key)
		case "body":
			switch d.peek() {
			case '"':
				ev.body, ev.bodyEsc, err = d.rawString()
			case 'n':
				if !d.null() {
					err = d.mismatch(key, "string")
				}
			default:
				err = d.mismatch(key, "string")
			}
		case "isBase64Encoded":
			ev.isBase64, err = d.boolean(key)
		case "headers":
			ev.headers, err = d.compound(key, '{')
		case "multiValueHeaders":
			ev.mvHeaders, err = d.compound(key, '{')
		case "queryStringParameters":
			ev.query, err = d.compound(key, '{')
		case "multiValueQueryStringParameters":
			ev.mvQuery, err = d.compound(key, '{')
		case "cookies":
			ev.cookies, err = d.compound(key, '[')
		case "requestContext":
			err = d.requestContext(ev)
		default:
			err = d.skip()
		}
		return ev.keep(err)
	})
	if err != nil {
		return err
	}
	return d.end()
}

var errNotObjectEvent = errors.New("event is not a JSON object")

// compound returns the raw text of an object (open '{') or array ('['),
// "" for null, and a type error for anything else.
func (d *scanner) compound(field string, open byte) (string, error) {
	switch d.peek() {
	case open:
		return d.span()
	case 'n':
		if d.null() {
			return "", nil
		}
	}
	if open == '{' {
		return "", d.mismatch(field, "object")
	}
	return "", d.mismatch(field, "array")
}

func (d *scanner) requestContext(ev *rawEvent) error {
	if d.null() {
		return nil
	}
	if d.peek() != '{' {
		return d.mismatch("requestContext", "object")
	}
	return d.object(func(key string) error {
		var err error
		switch key {
		case "elb":
			ev.elb = true
			err = d.skip()
		case "requestId":
			ev.rcRequestID, err = d.strOrNull("requestContext.requestId")
		case "stage":
			ev.rcStage, err = d.strOrNull("requestContext.stage")
		case "domainName":
			ev.rcDomain, err = d.strOrNull("requestContext.domainName")
		case "protocol":
			ev.rcProto, err = d.strOrNull("requestContext.protocol")
		case "http":
			err = d.subObject("requestContext.http", func(key string) error {
				var err error
				switch key {
				case "method":
					ev.rcMethod, err = d.strOrNull("requestContext.http.method")
				case "path":
					ev.rcPath, err = d.strOrNull("requestContext.http.path")
				case "protocol":
					ev.rcProto, err = d.strOrNull("requestContext.http.protocol")
				case "sourceIp":
					ev.rcSourceIP, err = d.strOrNull("requestContext.http.sourceIp")
				default:
					err = d.skip()
				}
				return ev.keep(err)
			})
		case "identity":
			err = d.subObject("requestContext.identity", func(key string) error {
				if key != "sourceIp" {
					return d.skip()
				}
				var err error
				ev.rcSourceIP, err = d.strOrNull("requestContext.identity.sourceIp")
				return ev.keep(err)
			})
		default:
			err = d.skip()
		}
		return ev.keep(err)
	})
}

// subObject reads an object member by member; null is an empty object.
func (d *scanner) subObject(field string, member func(string) error) error {
	if d.null() {
		return nil
	}
	if d.peek() != '{' {
		return d.mismatch(field, "object")
	}
	return d.object(member)
}

// kind classifies a parsed event.
func (ev *rawEvent) kind() Kind {
	switch {
	case ev.elb:
		return KindALB
	case ev.version == "2.0":
		if isFunctionURLDomain(ev.rcDomain) {
			return KindFunctionURL
		}
		return KindAPIGatewayV2
	case ev.hasHTTPMethod || ev.hasResource:
		return KindAPIGatewayV1
	}
	return KindUnknown
}

// isFunctionURLDomain reports whether a requestContext.domainName is a
// function URL's ("<url-id>.lambda-url.<region>.on.aws"); HTTP API events
// have the same shape but an execute-api or custom domain.
func isFunctionURLDomain(d string) bool {
	return strings.Contains(d, ".lambda-url.")
}

// toRequest reads the rest of a parsed event of kind k into q, using fs as
// storage for header fields, qs for query fields and cs for cookies.
func (ev *rawEvent) toRequest(k Kind, q *request, fs, qs []field, cs []string) (hs hdrs, err error) {
	q.kind = k
	q.requestID = ev.rcRequestID
	q.stage = ev.rcStage
	q.proto = ev.rcProto
	q.sourceIP = ev.rcSourceIP
	q.host = ev.rcDomain
	if ev.fieldErr != nil {
		return hs, badRequest(ev.fieldErr.Error())
	}
	switch k {
	case KindAPIGatewayV2, KindFunctionURL:
		q.method = ev.rcMethod
		q.path = ev.rawPath
		if q.path == "" {
			q.path = ev.rcPath
		}
		if k == KindAPIGatewayV2 {
			q.pathDecoded = true
			q.path = stripStage(q.path, q.stage)
		} else {
			q.stage = "" // function URLs have no stages
		}
		q.rawQuery = ev.rawQuery
		if hs.fields, err = appendFields(fs, ev.headers, false, "headers"); err != nil {
			return hs, err
		}
		if hs.cookies, err = appendCookies(cs, ev.cookies); err != nil {
			return hs, err
		}
	case KindAPIGatewayV1, KindALB:
		q.method = ev.httpMethod
		q.path = ev.path
		// An HTTP API sending payload format 1.0 says so and decodes the
		// path; a REST API sends no version and keeps the encoding.
		q.pathDecoded = k == KindAPIGatewayV1 && ev.version == "1.0"
		if ev.mvHeaders != "" {
			q.multiValue = true
			hs.fields, err = appendFields(fs, ev.mvHeaders, true, "multiValueHeaders")
		} else {
			hs.fields, err = appendFields(fs, ev.headers, false, "headers")
		}
		if err != nil {
			return hs, err
		}
		if ev.mvQuery != "" {
			q.multiValue = true
			qs, err = appendFields(qs, ev.mvQuery, true, "multiValueQueryStringParameters")
		} else {
			qs, err = appendFields(qs, ev.query, false, "queryStringParameters")
		}
		if err != nil {
			return hs, err
		}
		// API Gateway hands over decoded query values; ALB passes them as
		// the client sent them.
		q.rawQuery = buildQuery(qs, k == KindAPIGatewayV1)
		if k == KindALB {
			q.host = ""
			q.sourceIP = ""
			for _, f := range hs.fields {
				if strings.EqualFold(f.k, "X-Forwarded-For") {
					q.sourceIP = lastForwardedFor(f.v)
				}
			}
		}
	}
	return hs, ev.decodeBody(q)
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

func (ev *rawEvent) decodeBody(q *request) error {
	raw := ev.body
	if !ev.isBase64 {
		if ev.bodyEsc {
			q.bodyBytes = appendUnescaped(make([]byte, 0, len(raw)), raw)
			q.binaryBody = true
		} else {
			q.body = raw
		}
		return nil
	}
	if ev.bodyEsc { // base64 never needs escapes, but JSON allows "\/"
		raw = string(appendUnescaped(nil, raw))
	}
	b, err := decodeBase64(raw)
	if err != nil {
		return err
	}
	q.bodyBytes, q.binaryBody = b, true
	return nil
}

// decodeBase64 decodes a standard base64 body. API Gateway pads; some
// senders do not, so both are accepted. Line breaks are not.
func decodeBase64(s string) ([]byte, error) {
	enc := base64.StdEncoding
	if len(s)%4 != 0 {
		enc = base64.RawStdEncoding
	}
	b := make([]byte, enc.DecodedLen(len(s)))
	n, err := enc.Strict().Decode(b, []byte(s))
	if err != nil {
		return nil, badRequest("body is not valid base64: " + err.Error())
	}
	return b[:n], nil
}

// appendFields reads a JSON object of strings (multi false) or of arrays
// of strings (multi true) and appends its entries to fs in order. Null
// values count as empty strings (or no values), as encoding/json reads
// them into the aws-lambda-go maps.
func appendFields(fs []field, span string, multi bool, name string) ([]field, error) {
	if span == "" {
		return fs, nil
	}
	d := scanner{s: span}
	err := d.object(func(key string) error {
		if !multi {
			v, err := d.strOrNull(name)
			fs = append(fs, field{k: key, v: v})
			return err
		}
		if d.null() {
			return nil
		}
		if d.peek() != '[' {
			return d.mismatch(name, "object of string arrays")
		}
		return d.array(func() error {
			v, err := d.strOrNull(name)
			fs = append(fs, field{k: key, v: v})
			return err
		})
	})
	if err != nil {
		return fs, badRequest(err.Error())
	}
	return fs, nil
}

// appendCookies reads the v2 cookies array, leaving out empty entries.
func appendCookies(cs []string, span string) ([]string, error) {
	if span == "" {
		return cs, nil
	}
	d := scanner{s: span}
	err := d.array(func() error {
		c, err := d.strOrNull("cookies")
		if err == nil && c != "" {
			cs = append(cs, c)
		}
		return err
	})
	if err != nil {
		return cs, badRequest(err.Error())
	}
	return cs, nil
}
