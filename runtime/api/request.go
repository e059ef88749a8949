package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/nextgo-dev/nextgo/runtime/router"
)

// Request is the request an API route's Handler receives: the
// *http.Request, with what Next.js adds to req already parsed.
//
// Its Body field is the parsed body and shadows the embedded
// http.Request's Body; the stream itself is Request.Request.Body (read
// already, unless the body parser is disabled).
type Request struct {
	*http.Request

	// Query is the query string merged with the route's dynamic
	// parameters, as Next's req.query: a parameter wins over a query value
	// of the same name, repeated names and catch-all parameters are lists,
	// and an optional catch-all that matched nothing is absent. For
	// /api/post/[pid] requested as /api/post/abc?x=1&x=2, Query encodes as
	// {"x":["1","2"],"pid":"abc"}. The query string is parsed as Node's
	// querystring parses it: '+' is a space, ?a gives a the value "",
	// malformed escapes are kept as written and decoded bytes that are not
	// UTF-8 become U+FFFD, and only the first 1000 pairs are read.
	Query Values

	// Cookies are the request cookies, parsed as Next's req.cookies
	// (nil, so empty, when the request has none).
	Cookies Cookies

	// Body is the parsed body, chosen by Content-Type as Next.js does:
	// for application/json and application/ld+json the decoded JSON value
	// (map[string]any, []any, string, float64, bool or nil; an empty body
	// is an empty map[string]any); for application/x-www-form-urlencoded a
	// Values; for anything else, or no Content-Type, the body as a string
	// ("" when there is none). Body is nil when the body parser is
	// disabled.
	Body any

	raw   []byte // the body as received
	text  []byte // raw decoded to UTF-8 by its charset
	media mediaInfo
	read  bool // raw and text hold the body
	tried bool // load read (or tried to read) the stream
}

// RawBody returns the body bytes as received. It is nil when the body
// parser is disabled, until Decode has read the stream.
func (r *Request) RawBody() []byte { return r.raw }

// Decode decodes the body into v according to its Content-Type:
//   - JSON bodies are unmarshalled with encoding/json (an empty body
//     decodes as {});
//   - urlencoded bodies fill a *Values or a *url.Values directly, and any
//     other v is unmarshalled from the body's JSON form (the object
//     Next.js would give as req.body, single values as strings);
//   - other bodies decode only into a *string or a *[]byte.
//
// With the body parser disabled, Decode reads the rest of the stream
// first, without a size limit.
func (r *Request) Decode(v any) error {
	if err := r.load(); err != nil {
		return err
	}
	switch r.media.kind {
	case kindJSON:
		text := r.text
		if len(text) == 0 {
			text = []byte("{}")
		}
		if err := json.Unmarshal(text, v); err != nil {
			return fmt.Errorf("api: decode JSON body: %w", err)
		}
		return nil
	case kindForm:
		form, ok := r.Body.(Values)
		if !ok {
			form = parseForm(string(r.text))
		}
		switch p := v.(type) {
		case *Values:
			*p = form
		case *url.Values:
			*p = form.URLValues()
		default:
			b, _ := form.MarshalJSON()
			if err := json.Unmarshal(b, v); err != nil {
				return fmt.Errorf("api: decode form body: %w", err)
			}
		}
		return nil
	}
	switch p := v.(type) {
	case *string:
		*p = string(r.text)
	case *[]byte:
		*p = bytes.Clone(r.raw)
	default:
		return fmt.Errorf("api: cannot decode a %s body into %T: send Content-Type: application/json or application/x-www-form-urlencoded", r.media.typ, v)
	}
	return nil
}

// load makes raw and text hold the body, reading the stream when the body
// parser is disabled.
func (r *Request) load() error {
	if r.read {
		return nil
	}
	var charset string
	r.media, charset = contentTypeOf(r.Header)
	dec, ok := decoderFor(charset)
	if !ok {
		return fmt.Errorf("api: unsupported charset %q", charset)
	}
	if r.tried {
		return errors.New("api: the body was already read")
	}
	r.tried = true
	if body := r.Request.Body; body != nil && body != http.NoBody {
		b, err := io.ReadAll(body)
		if err != nil {
			return fmt.Errorf("api: read body: %w", err)
		}
		r.raw = b
	}
	r.text = dec(r.raw)
	r.read = true
	return nil
}

// parseBody reads and parses the body for the handler; on failure it
// returns the status and message Next.js answers with.
func (r *Request) parseBody(lim *limits, probe []byte) (int, string) {
	var charset string
	r.media, charset = contentTypeOf(r.Header)
	// An unsupported charset fails before anything is read, body or not,
	// as raw-body's decoder lookup does.
	dec, ok := decoderFor(charset)
	if !ok {
		return http.StatusBadRequest, msgInvalidBody
	}
	if body := r.Request.Body; (body == nil || body == http.NoBody) && r.media.kind == kindText {
		// Nothing to read or decode: the body is "".
		r.read = true
		r.Body = ""
		return 0, ""
	}
	raw, err := readLimited(r.Request, lim.body, probe)
	switch err {
	case nil:
	case errBodyTooLarge:
		return http.StatusRequestEntityTooLarge, lim.tooLarge
	default:
		return http.StatusBadRequest, msgInvalidBody
	}
	r.raw = raw
	r.text = dec(raw)
	r.read = true
	switch r.media.kind {
	case kindJSON:
		if len(r.text) == 0 {
			r.Body = map[string]any{}
			break
		}
		var v any
		if err := json.Unmarshal(r.text, &v); err != nil {
			return http.StatusBadRequest, msgInvalidJSON
		}
		r.Body = v
	case kindForm:
		r.Body = parseForm(string(r.text))
	default:
		r.Body = string(r.text)
	}
	return 0, ""
}

// queryOf returns Next's req.query for r: the query string (up to a stray
// '#') merged with the route parameters in r's context.
func queryOf(r *http.Request) Values {
	var q Values
	if raw := r.URL.RawQuery; raw != "" {
		if i := strings.IndexByte(raw, '#'); i >= 0 {
			raw = raw[:i]
		}
		q = parseForm(raw)
	}
	if ps := router.ParamsFrom(r.Context()); len(ps) > 0 {
		q = withParams(q, ps)
	}
	return q
}

// requestURL is Next's req.url: the request target as received.
func requestURL(r *http.Request) string {
	if r.RequestURI != "" {
		return r.RequestURI
	}
	return r.URL.RequestURI()
}
