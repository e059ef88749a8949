package server

import (
	"net/http"
	"testing"
)

// The options of the CORS example in Next's route-handler docs.
var docsCORS = CORSOptions{
	AllowedOrigins: []string{"*"},
	AllowedMethods: []string{"GET", "POST", "PUT", "DELETE", "OPTIONS"},
	AllowedHeaders: []string{"Content-Type", "Authorization"},
}

var docsHeaders = map[string]string{
	"Access-Control-Allow-Origin":  "*",
	"Access-Control-Allow-Methods": "GET, POST, PUT, DELETE, OPTIONS",
	"Access-Control-Allow-Headers": "Content-Type, Authorization",
	"Vary":                         "<absent>",
}

// TestCORSRoute: the docs example, as one route's GET and OPTIONS.
func TestCORSRoute(t *testing.T) {
	cors := CORS(docsCORS)
	h := NewHandler(Route{
		File:    "app/api/cors/route.go",
		GET:     Func(func(req *Request) (*Response, error) { return cors.Apply(req, Text("Hello, Next.js!")), nil }),
		OPTIONS: Func(func(req *Request) (*Response, error) { return cors.Preflight(req), nil }),
	})
	srv := serve(t, h)
	do(t, srv.URL, "GET", "").check(t, 200, "Hello, Next.js!", docsHeaders)
	do(t, srv.URL, "GET", "", "Origin", "https://acme.com").check(t, 200, "Hello, Next.js!", docsHeaders)
	do(t, srv.URL, "OPTIONS", "", "Origin", "https://acme.com", "Access-Control-Request-Method", "POST").check(t, 204, "", docsHeaders)
	// The route exports OPTIONS, so GET's Allow comes from nowhere else.
	do(t, srv.URL, "POST", "").check(t, 405, "", map[string]string{"Allow": "GET, HEAD, OPTIONS"})
}

// TestCORSMiddleware: the docs' middleware example, with a list of origins.
func TestCORSMiddleware(t *testing.T) {
	cors := CORS(CORSOptions{
		AllowedOrigins: []string{"https://acme.com", "https://my-app.org"},
		AllowedMethods: []string{"GET", "POST", "PUT", "DELETE", "OPTIONS"},
		AllowedHeaders: []string{"Content-Type", "Authorization"},
		ExposedHeaders: []string{"X-Total"},
		MaxAge:         600,
	})
	mw := NewMiddleware(MiddlewareRoute{File: "middleware.go", Func: cors.Middleware, Config: MiddlewareConfig{Matcher: []string{"/api/:path*"}}})
	route := NewHandler(Route{File: "app/api/x/route.go", GET: text("data")})
	srv := serve(t, mw.Wrap(route))

	allowed := map[string]string{
		"Access-Control-Allow-Origin":   "https://acme.com",
		"Access-Control-Allow-Methods":  "GET, POST, PUT, DELETE, OPTIONS",
		"Access-Control-Allow-Headers":  "Content-Type, Authorization",
		"Access-Control-Expose-Headers": "X-Total",
		"Access-Control-Max-Age":        "<absent>",
		"Vary":                          "Origin",
	}
	do(t, srv.URL+"/api/x", "GET", "", "Origin", "https://acme.com").check(t, 200, "data", allowed)
	do(t, srv.URL+"/api/x", "OPTIONS", "", "Origin", "https://ACME.com", "Access-Control-Request-Method", "PUT").check(t, 204, "", map[string]string{
		"Access-Control-Allow-Origin":   "https://ACME.com",
		"Access-Control-Allow-Methods":  "GET, POST, PUT, DELETE, OPTIONS",
		"Access-Control-Max-Age":        "600",
		"Access-Control-Expose-Headers": "<absent>",
		"Vary":                          "Origin",
		"Allow":                         "<absent>",
	})
	denied := map[string]string{
		"Access-Control-Allow-Origin":  "<absent>",
		"Access-Control-Allow-Methods": "<absent>",
		"Vary":                         "Origin",
	}
	do(t, srv.URL+"/api/x", "GET", "", "Origin", "https://evil.com").check(t, 200, "data", denied)
	do(t, srv.URL+"/api/x", "OPTIONS", "", "Origin", "https://evil.com", "Access-Control-Request-Method", "GET").check(t, 204, "", denied)
	do(t, srv.URL+"/api/x", "GET", "").check(t, 200, "data", denied)
	// A plain OPTIONS (not a preflight) reaches the route's automatic OPTIONS.
	do(t, srv.URL+"/api/x", "OPTIONS", "").check(t, 204, "", map[string]string{"Allow": "GET, HEAD, OPTIONS"})
}

func TestCORSWrap(t *testing.T) {
	cors := CORS(CORSOptions{AllowedOrigins: []string{"*"}, AllowCredentials: true, AllowedMethods: []string{"GET"}})
	inner := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Add("Vary", "Accept")
		_, _ = w.Write([]byte("inner"))
	})
	srv := serve(t, cors.Wrap(inner))
	do(t, srv.URL, "GET", "", "Origin", "https://a.io").check(t, 200, "inner", map[string]string{
		"Access-Control-Allow-Origin":      "https://a.io",
		"Access-Control-Allow-Credentials": "true",
		"Access-Control-Allow-Methods":     "GET",
		"Vary":                             "Origin\nAccept",
	})
	do(t, srv.URL, "OPTIONS", "", "Origin", "https://a.io", "Access-Control-Request-Method", "GET").check(t, 204, "", map[string]string{
		"Access-Control-Allow-Origin":      "https://a.io",
		"Access-Control-Allow-Credentials": "true",
	})
	// No Origin: with credentials nothing can be echoed.
	do(t, srv.URL, "GET", "").check(t, 200, "inner", map[string]string{"Access-Control-Allow-Origin": "<absent>"})
	if CORS(docsCORS).Apply(nil, nil) != nil {
		t.Error("Apply(nil) != nil")
	}
}
