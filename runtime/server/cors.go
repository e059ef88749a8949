package server

import (
	"net/http"
	"strconv"
	"strings"
)

// CORSOptions configure a CORS policy.
type CORSOptions struct {
	// AllowedOrigins lists the origins allowed to read responses
	// ("https://acme.com"), compared case-insensitively; "*" allows any.
	AllowedOrigins []string
	// AllowedMethods is sent as Access-Control-Allow-Methods, e.g. GET,
	// POST, PUT, DELETE, OPTIONS.
	AllowedMethods []string
	// AllowedHeaders is sent as Access-Control-Allow-Headers, e.g.
	// Content-Type, Authorization.
	AllowedHeaders []string
	// ExposedHeaders is sent as Access-Control-Expose-Headers.
	ExposedHeaders []string
	// AllowCredentials sends Access-Control-Allow-Credentials: true. With
	// it, "*" echoes the request's origin, since browsers refuse "*" with
	// credentials.
	AllowCredentials bool
	// MaxAge, when positive, is sent on preflight responses as
	// Access-Control-Max-Age, in seconds.
	MaxAge int
}

// CORSPolicy adds CORS headers to responses and answers preflight requests.
// Build one with CORS and use it as a net/http wrapper (Wrap), as the app's
// middleware (Middleware), or inside a single route (Apply and Preflight).
type CORSPolicy struct {
	any     bool
	origins map[string]bool
	methods string
	headers string
	expose  string
	creds   bool
	maxAge  string
}

// CORS returns the policy of o. The headers it sends for an allowed origin
// are those of the CORS example of Next's route-handler docs:
// Access-Control-Allow-Origin, Access-Control-Allow-Methods and
// Access-Control-Allow-Headers (plus Expose-Headers and Allow-Credentials
// when configured), on preflight and actual responses alike. Responses to a
// list of origins carry Vary: Origin.
func CORS(o CORSOptions) *CORSPolicy {
	p := &CORSPolicy{
		origins: map[string]bool{},
		methods: strings.Join(o.AllowedMethods, ", "),
		headers: strings.Join(o.AllowedHeaders, ", "),
		expose:  strings.Join(o.ExposedHeaders, ", "),
		creds:   o.AllowCredentials,
	}
	for _, origin := range o.AllowedOrigins {
		if origin == "*" {
			p.any = true
			continue
		}
		p.origins[strings.ToLower(origin)] = true
	}
	if o.MaxAge > 0 {
		p.maxAge = strconv.Itoa(o.MaxAge)
	}
	return p
}

// IsPreflight reports whether r is a CORS preflight request: OPTIONS with
// Origin and Access-Control-Request-Method headers.
func IsPreflight(r *http.Request) bool {
	return r.Method == http.MethodOptions && r.Header.Get("Origin") != "" && r.Header.Get("Access-Control-Request-Method") != ""
}

// headersFor returns the CORS headers for a request from origin.
func (p *CORSPolicy) headersFor(origin string, preflight bool) http.Header {
	h := http.Header{}
	if !p.any || p.creds {
		h.Set("Vary", "Origin")
	}
	switch {
	case p.any && !p.creds:
		h.Set("Access-Control-Allow-Origin", "*")
	case origin != "" && (p.any || p.origins[strings.ToLower(origin)]):
		h.Set("Access-Control-Allow-Origin", origin)
	default:
		return h // not allowed: no CORS headers, the browser blocks it
	}
	if p.methods != "" {
		h.Set("Access-Control-Allow-Methods", p.methods)
	}
	if p.headers != "" {
		h.Set("Access-Control-Allow-Headers", p.headers)
	}
	if p.creds {
		h.Set("Access-Control-Allow-Credentials", "true")
	}
	if preflight {
		if p.maxAge != "" {
			h.Set("Access-Control-Max-Age", p.maxAge)
		}
	} else if p.expose != "" {
		h.Set("Access-Control-Expose-Headers", p.expose)
	}
	return h
}

// Apply adds the CORS headers for req to res and returns res: for the
// methods of a single route.
func (p *CORSPolicy) Apply(req *Request, res *Response) *Response {
	if res == nil {
		return nil
	}
	for k, vs := range p.headersFor(req.Header.Get("Origin"), false) {
		if k == "Vary" {
			res.Header.Add(k, vs[0])
			continue
		}
		res.Header[k] = vs
	}
	return res
}

// Preflight returns the answer to a preflight request: 204 with the CORS
// headers. A route exports it as its OPTIONS handler:
//
//	func OPTIONS(req *server.Request) (*server.Response, error) { return cors.Preflight(req), nil }
func (p *CORSPolicy) Preflight(req *Request) *Response {
	return NewResponse(nil, Init{Status: http.StatusNoContent, Headers: p.headersFor(req.Header.Get("Origin"), true)})
}

// Middleware is the policy as the app's middleware: it answers preflight
// requests itself and lets the others through with the CORS headers. Use it
// as `func Middleware(req *server.Request) (*server.Response, error) {
// return cors.Middleware(req) }`, with a Matcher to limit it.
func (p *CORSPolicy) Middleware(req *Request) (*Response, error) {
	if IsPreflight(req.Request) {
		return p.Preflight(req), nil
	}
	return p.Apply(req, Next()), nil
}

// Wrap returns next behind the policy: preflight requests are answered with
// 204, the others get the CORS headers and go on to next.
func (p *CORSPolicy) Wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		origin := r.Header.Get("Origin")
		if IsPreflight(r) {
			mergeHeader(w.Header(), p.headersFor(origin, true))
			w.WriteHeader(http.StatusNoContent)
			return
		}
		mergeHeader(w.Header(), p.headersFor(origin, false))
		next.ServeHTTP(w, r)
	})
}
