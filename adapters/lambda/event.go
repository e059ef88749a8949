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

// rawEvent holds the fields the event sources read, straight from the
// JSON text, in one pass, named as the events spell them: the event's
// source is only known at the end, so every source's fields are read, and
// its lists go to eventLists whatever they turn out to be.
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

	mvHeaders bool // multiValueHeaders is present (not null)
	mvQuery   bool // multiValueQueryStringParameters is present (not null)

	elb         bool
	rcRequestID string
	rcStage     string
	rcDomain    string
	rcMethod    string // requestContext.http.method
	rcPath      string // requestContext.http.path
	rcRESTPath  string // requestContext.path (REST API, payload 1.0)
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

// eventLists receive an event's header fields (from multiValueHeaders
// when present, else from headers), query fields (likewise) and cookies.
// They are kept apart from rawEvent so that their arrays can stay on the
// stack (see hdrs).
type eventLists struct {
	headers []field
	query   []field
	cookies []string
}

// parseEvent reads an event, appending its lists to ls. Lists go in and
// out by value: stored through a pointer, their arrays would escape to
// the heap.
func parseEvent(s string, ev *rawEvent, ls eventLists) (eventLists, error) {
	d := scanner{s: s}
	if d.peek() != '{' {
		if err := d.skip(); err != nil {
			return ls, err
		}
		if err := d.end(); err != nil {
			return ls, err
		}
		return ls, errNotObjectEvent
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
			if ev.mvHeaders {
				err = d.skip()
				break
			}
			ls.headers, err = d.fields(ev, key, false, ls.headers[:0])
		case "multiValueHeaders":
			if d.null() {
				break
			}
			ev.mvHeaders = d.peek() == '{'
			ls.headers, err = d.fields(ev, key, true, ls.headers[:0])
		case "queryStringParameters":
			if ev.mvQuery {
				err = d.skip()
				break
			}
			ls.query, err = d.fields(ev, key, false, ls.query[:0])
		case "multiValueQueryStringParameters":
			if d.null() {
				break
			}
			ev.mvQuery = d.peek() == '{'
			ls.query, err = d.fields(ev, key, true, ls.query[:0])
		case "cookies":
			ls.cookies, err = d.cookies(ev, ls.cookies[:0])
		case "requestContext":
			err = d.requestContext(ev)
		default:
			err = d.skip()
		}
		return ev.keep(err)
	})
	if err != nil {
		return ls, err
	}
	return ls, d.end()
}

var errNotObjectEvent = errors.New("event is not a JSON object")

// fields reads an object of strings (multi false) or of arrays of
// strings (multi true), appending its entries to dst in order. Null values
// count as empty strings (or no values), as encoding/json reads them into
// the aws-lambda-go maps; values of other types are type errors.
func (d *scanner) fields(ev *rawEvent, name string, multi bool, dst []field) ([]field, error) {
	if d.null() {
		return dst, nil
	}
	if d.peek() != '{' {
		return dst, d.mismatch(name, "object")
	}
	err := d.object(func(key string) error {
		if !multi {
			v, err := d.strOrNull(name)
			if err == nil {
				dst = append(dst, field{k: key, v: v})
			}
			return ev.keep(err)
		}
		if d.null() {
			return nil
		}
		if d.peek() != '[' {
			return ev.keep(d.mismatch(name, "object of string arrays"))
		}
		return d.array(func() error {
			v, err := d.strOrNull(name)
			if err == nil {
				dst = append(dst, field{k: key, v: v})
			}
			return ev.keep(err)
		})
	})
	return dst, err
}

// cookies reads the v2 cookies array, appending its non-empty entries to
// dst.
func (d *scanner) cookies(ev *rawEvent, dst []string) ([]string, error) {
	if d.null() {
		return dst, nil
	}
	if d.peek() != '[' {
		return dst, d.mismatch("cookies", "array")
	}
	err := d.array(func() error {
		c, err := d.strOrNull("cookies")
		if err == nil && c != "" {
			dst = append(dst, c)
		}
		return ev.keep(err)
	})
	return dst, err
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
		case "path":
			ev.rcRESTPath, err = d.strOrNull("requestContext.path")
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

// toRequest completes q, which src has read from the event, with the
// event's lists (headers, query, cookies) and body, and returns the header
// lists for newHTTPRequest.
func (ev *rawEvent) toRequest(q *request, ls eventLists) (hs hdrs, err error) {
	hs.fields = ls.headers
	if ev.fieldErr != nil {
		return hs, badRequest(ev.fieldErr.Error())
	}
	switch q.query {
	case queryDecoded:
		q.rawQuery = buildQuery(ls.query, true)
	case querySent:
		q.rawQuery = buildQuery(ls.query, false)
	}
	if q.cookies {
		hs.cookies = ls.cookies
	}
	if q.forwardedFor {
		q.sourceIP = ""
		for _, f := range ls.headers {
			if strings.EqualFold(f.k, "X-Forwarded-For") {
				q.sourceIP = lastForwardedFor(f.v)
			}
		}
	}
	return hs, ev.decodeBody(q)
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

// decodeBase64 decodes a standard base64 body; padding is optional. It
// decodes from the string in steps through a small buffer, as converting
// a large body to []byte at once would copy it.
func decodeBase64(s string) ([]byte, error) {
	enc := base64.StdEncoding
	if len(s)%4 != 0 {
		enc = base64.RawStdEncoding
	}
	out := make([]byte, enc.DecodedLen(len(s)))
	var buf [4096]byte // a multiple of 4: only the last step can hold padding
	n := 0
	for len(s) > 0 {
		k := copy(buf[:], s)
		m, err := enc.Decode(out[n:], buf[:k])
		if err != nil {
			return nil, badRequest("body is not valid base64: " + err.Error())
		}
		n += m
		s = s[k:]
	}
	return out[:n], nil
}
