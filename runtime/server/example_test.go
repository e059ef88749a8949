package server_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/nextgo-dev/nextgo/runtime/cache"
	"github.com/nextgo-dev/nextgo/runtime/router"
	"github.com/nextgo-dev/nextgo/runtime/server"
)

// show serves one request with h and prints the response.
func show(h http.Handler, r *http.Request, headers ...string) {
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, r)
	fmt.Println(rec.Code)
	for _, k := range headers {
		for _, v := range rec.Header().Values(k) {
			fmt.Printf("%s: %s\n", k, v)
		}
	}
	if rec.Body.Len() > 0 {
		fmt.Println(rec.Body.String())
	}
}

func ExampleNewHandler() {
	// What the generated code does for app/api/items/[slug]/route.go.
	get := func(req *server.Request) (*server.Response, error) {
		return server.JSON(map[string]string{
			"slug":  req.Param("slug"),
			"query": req.NextURL().Query().Get("query"),
		}), nil
	}
	h := server.NewHandler(server.Route{File: "app/api/items/[slug]/route.go", GET: server.Func(get)})

	r := httptest.NewRequest("GET", "/api/items/shoe?query=red", nil)
	r = r.WithContext(router.WithParams(r.Context(), router.Params{{Name: "slug", Values: []string{"shoe"}}}))
	show(h, r, "Content-Type")
	show(h, httptest.NewRequest("POST", "/api/items/shoe", nil), "Allow")
	// Output:
	// 200
	// Content-Type: application/json
	// {"query":"red","slug":"shoe"}
	// 405
	// Allow: GET, HEAD, OPTIONS
}

func ExampleRequest_Params() {
	// app/api/docs/[[...slug]]/route.go
	h := server.NewHandler(server.Route{File: "app/api/docs/[[...slug]]/route.go", GET: server.Func(func(req *server.Request) (*server.Response, error) {
		p, ok := req.Params().Lookup("slug")
		return server.Text(fmt.Sprintf("present=%v values=%q joined=%q", ok, p.Values, req.Param("slug"))), nil
	})})
	r := httptest.NewRequest("GET", "/api/docs/a/b", nil)
	r = r.WithContext(router.WithParams(r.Context(), router.Params{{Name: "slug", Values: []string{"a", "b"}, CatchAll: true}}))
	show(h, r)
	show(h, httptest.NewRequest("GET", "/api/docs", nil)) // the optional catch-all matched nothing
	// Output:
	// 200
	// present=true values=["a" "b"] joined="a/b"
	// 200
	// present=false values=[] joined=""
}

func ExampleHTTP() {
	h := server.NewHandler(server.Route{
		File: "app/api/hello/route.go",
		GET: server.HTTP(func(w http.ResponseWriter, r *http.Request) {
			server.Cookies(r.Context()).Set("seen", "yes")
			fmt.Fprint(w, "hello from net/http")
		}),
	})
	show(h, httptest.NewRequest("GET", "/api/hello", nil), "Set-Cookie")
	// Output:
	// 200
	// Set-Cookie: seen=yes; Path=/
	// hello from net/http
}

func ExampleJSON() {
	h := server.NewHandler(server.Route{File: "app/api/user/route.go", POST: server.Func(func(req *server.Request) (*server.Response, error) {
		var in struct{ Name string }
		if err := req.JSON(&in); err != nil {
			return server.JSON(map[string]string{"error": "invalid body"}, server.Init{Status: 400}), nil
		}
		return server.JSON(in, server.Init{Status: 201}), nil
	})})
	show(h, httptest.NewRequest("POST", "/api/user", strings.NewReader(`{"Name":"Ada"}`)), "Content-Type")
	show(h, httptest.NewRequest("POST", "/api/user", strings.NewReader(`{`)))
	// Output:
	// 201
	// Content-Type: application/json
	// {"Name":"Ada"}
	// 400
	// {"error":"invalid body"}
}

func ExampleText() {
	h := server.NewHandler(server.Route{File: "app/route.go", GET: server.Func(func(*server.Request) (*server.Response, error) {
		return server.Text("hello, world"), nil
	})})
	show(h, httptest.NewRequest("GET", "/", nil), "Content-Type")
	// Output:
	// 200
	// Content-Type: text/plain;charset=UTF-8
	// hello, world
}

func ExampleNewResponse() {
	h := server.NewHandler(server.Route{File: "app/export/route.go", GET: server.Func(func(*server.Request) (*server.Response, error) {
		// An io.Reader body is streamed; a file or a pipe works alike.
		csv := strings.NewReader("id,name\n1,Ada\n")
		return server.NewResponse(csv, server.Init{Headers: http.Header{"Content-Type": {"text/csv"}}}), nil
	})})
	show(h, httptest.NewRequest("GET", "/export", nil), "Content-Type")
	// Output:
	// 200
	// Content-Type: text/csv
	// id,name
	// 1,Ada
}

func ExampleStream() {
	h := server.NewHandler(server.Route{File: "app/events/route.go", GET: server.Func(func(req *server.Request) (*server.Response, error) {
		return server.Stream(func(w io.Writer) error {
			for i := 1; i <= 3; i++ {
				// Each write reaches the client at once.
				if _, err := fmt.Fprintf(w, "data: %d\n\n", i); err != nil {
					return err // the client went away
				}
			}
			return nil
		}, server.Init{Headers: http.Header{"Content-Type": {"text/event-stream"}}}), nil
	})})
	show(h, httptest.NewRequest("GET", "/events", nil), "Content-Type")
	// Output:
	// 200
	// Content-Type: text/event-stream
	// data: 1
	//
	// data: 2
	//
	// data: 3
}

func ExampleRedirect() {
	h := server.NewHandler(server.Route{File: "app/old/route.go", GET: server.Func(func(*server.Request) (*server.Response, error) {
		return server.Redirect("https://nextjs.org/"), nil
	})})
	show(h, httptest.NewRequest("GET", "/old", nil), "Location")
	// Output:
	// 307
	// Location: https://nextjs.org/
}

func ExampleResponse_SetCookie() {
	h := server.NewHandler(server.Route{File: "app/login/route.go", POST: server.Func(func(*server.Request) (*server.Response, error) {
		return server.Redirect("/dashboard", http.StatusSeeOther).
			SetCookie(&http.Cookie{Name: "session", Value: "abc 123", HttpOnly: true, SameSite: http.SameSiteLaxMode}), nil
	})})
	show(h, httptest.NewRequest("POST", "/login", nil), "Location", "Set-Cookie")
	// Output:
	// 303
	// Location: /dashboard
	// Set-Cookie: session=abc%20123; Path=/; HttpOnly; SameSite=lax
}

// currentTheme reads a cookie from deep in the call tree, with only the context.
func currentTheme(ctx context.Context) string {
	theme, ok := server.Cookies(ctx).Get("theme")
	if !ok {
		server.Cookies(ctx).Set("theme", "light")
		return "light (new)"
	}
	return theme
}

func ExampleCookies() {
	h := server.NewHandler(server.Route{File: "app/theme/route.go", GET: server.Func(func(req *server.Request) (*server.Response, error) {
		return server.Text(currentTheme(req.Context())), nil
	})})
	show(h, httptest.NewRequest("GET", "/theme", nil), "Set-Cookie")
	r := httptest.NewRequest("GET", "/theme", nil)
	r.Header.Set("Cookie", "theme=dark")
	show(h, r, "Set-Cookie")
	// Output:
	// 200
	// Set-Cookie: theme=light; Path=/
	// light (new)
	// 200
	// dark
}

func ExampleHeaders() {
	h := server.NewHandler(server.Route{File: "app/agent/route.go", GET: server.Func(func(req *server.Request) (*server.Response, error) {
		return server.Text("you are " + server.Headers(req.Context()).Get("User-Agent")), nil
	})})
	r := httptest.NewRequest("GET", "/agent", nil)
	r.Header.Set("User-Agent", "curl/8.0")
	show(h, r)
	// Output:
	// 200
	// you are curl/8.0
}

func ExampleRevalidatePath() {
	store := cache.New()
	n := 0
	items := server.NewHandler(server.Route{
		File:   "app/api/items/route.go",
		Config: server.Config{Dynamic: server.ForceStatic},
		GET: server.Func(func(*server.Request) (*server.Response, error) {
			n++
			return server.Text(fmt.Sprintf("generation %d", n)), nil
		}),
		Cache: store,
	})
	purge := server.NewHandler(server.Route{
		File: "app/api/purge/route.go",
		POST: server.Func(func(req *server.Request) (*server.Response, error) {
			if err := server.RevalidatePath(req.Context(), "/api/items"); err != nil {
				return nil, err
			}
			return server.JSON(map[string]bool{"revalidated": true}), nil
		}),
		Cache: store,
	})
	show(items, httptest.NewRequest("GET", "/api/items", nil), "X-Nextjs-Cache", "Cache-Control")
	show(items, httptest.NewRequest("GET", "/api/items", nil), "X-Nextjs-Cache")
	show(purge, httptest.NewRequest("POST", "/api/purge", nil))
	show(items, httptest.NewRequest("GET", "/api/items", nil), "X-Nextjs-Cache")
	show(items, httptest.NewRequest("GET", "/api/items", nil), "X-Nextjs-Cache")
	// Output:
	// 200
	// X-Nextjs-Cache: MISS
	// Cache-Control: s-maxage=31536000
	// generation 1
	// 200
	// X-Nextjs-Cache: HIT
	// generation 1
	// 200
	// {"revalidated":true}
	// 200
	// X-Nextjs-Cache: MISS
	// generation 2
	// 200
	// X-Nextjs-Cache: HIT
	// generation 2
}

// The app's routes, as the dispatcher would serve them.
func exampleApp() http.Handler {
	hello := func(version string) server.Method {
		return server.Func(func(req *server.Request) (*server.Response, error) {
			s := version
			if u := req.Header.Get("X-User"); u != "" {
				s += ", user " + u
			}
			return server.Text(s), nil
		})
	}
	mux := http.NewServeMux()
	mux.Handle("/api/v1/hello", server.NewHandler(server.Route{File: "app/api/v1/hello/route.go", GET: hello("v1")}))
	mux.Handle("/api/v2/hello", server.NewHandler(server.Route{File: "app/api/v2/hello/route.go", GET: hello("v2")}))
	return mux
}

func ExampleNext() {
	// middleware.go
	middleware := func(req *server.Request) (*server.Response, error) {
		token := req.Header.Get("Authorization")
		if token == "" {
			return server.JSON(map[string]string{"error": "unauthorized"}, server.Init{Status: 401}), nil
		}
		res := server.Next(server.WithRequestHeaders(http.Header{"X-User": {strings.TrimPrefix(token, "Bearer ")}}))
		res.Header.Set("X-Checked", "1")
		return res, nil
	}
	mw := server.NewMiddleware(server.MiddlewareRoute{
		File:   "middleware.go",
		Func:   middleware,
		Config: server.MiddlewareConfig{Matcher: []string{"/api/:path*"}},
	})
	app := mw.Wrap(exampleApp())

	show(app, httptest.NewRequest("GET", "/api/v1/hello", nil))
	r := httptest.NewRequest("GET", "/api/v1/hello", nil)
	r.Header.Set("Authorization", "Bearer ada")
	show(app, r, "X-Checked")
	// Output:
	// 401
	// {"error":"unauthorized"}
	// 200
	// X-Checked: 1
	// v1, user ada
}

func ExampleRewrite() {
	mw := server.NewMiddleware(server.MiddlewareRoute{
		File: "middleware.go",
		Func: func(req *server.Request) (*server.Response, error) {
			if strings.HasPrefix(req.URL.Path, "/api/v1/") && req.URL.Query().Get("beta") == "1" {
				return server.Rewrite("/api/v2/" + strings.TrimPrefix(req.URL.Path, "/api/v1/")), nil
			}
			return server.Next(), nil
		},
	})
	app := mw.Wrap(exampleApp())
	show(app, httptest.NewRequest("GET", "/api/v1/hello?beta=1", nil))
	show(app, httptest.NewRequest("GET", "/api/v1/hello", nil))
	// Output:
	// 200
	// v2
	// 200
	// v1
}

func ExampleCORS() {
	// The CORS example of Next's route-handler docs, for one route.
	cors := server.CORS(server.CORSOptions{
		AllowedOrigins: []string{"*"},
		AllowedMethods: []string{"GET", "POST", "PUT", "DELETE", "OPTIONS"},
		AllowedHeaders: []string{"Content-Type", "Authorization"},
	})
	h := server.NewHandler(server.Route{
		File: "app/api/hello/route.go",
		GET: server.Func(func(req *server.Request) (*server.Response, error) {
			return cors.Apply(req, server.Text("Hello, Next.js!")), nil
		}),
		OPTIONS: server.Func(func(req *server.Request) (*server.Response, error) {
			return cors.Preflight(req), nil
		}),
	})
	show(h, httptest.NewRequest("GET", "/api/hello", nil),
		"Access-Control-Allow-Origin", "Access-Control-Allow-Methods", "Access-Control-Allow-Headers")
	// Output:
	// 200
	// Access-Control-Allow-Origin: *
	// Access-Control-Allow-Methods: GET, POST, PUT, DELETE, OPTIONS
	// Access-Control-Allow-Headers: Content-Type, Authorization
	// Hello, Next.js!
}

func ExampleCORSPolicy_Wrap() {
	cors := server.CORS(server.CORSOptions{AllowedOrigins: []string{"https://acme.com"}, AllowedMethods: []string{"GET", "POST"}, MaxAge: 600})
	h := cors.Wrap(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "ok") }))
	r := httptest.NewRequest("OPTIONS", "/api/x", nil)
	r.Header.Set("Origin", "https://acme.com")
	r.Header.Set("Access-Control-Request-Method", "POST")
	show(h, r, "Access-Control-Allow-Origin", "Access-Control-Allow-Methods", "Access-Control-Max-Age", "Vary")
	// Output:
	// 204
	// Access-Control-Allow-Origin: https://acme.com
	// Access-Control-Allow-Methods: GET, POST
	// Access-Control-Max-Age: 600
	// Vary: Origin
}

func ExampleConfig_Validate() {
	err := server.Config{Revalidate: -1}.Validate("/api/items")
	fmt.Println(err)
	// Output:
	// Invalid segment configuration options detected for "/api/items". Read more at https://nextjs.org/docs/app/api-reference/file-conventions/route-segment-config: Invalid revalidate value -1 on "/api/items", must be a non-negative number at "Revalidate"
}

func ExampleAllow() {
	fmt.Println(server.Allow("GET", "POST"))
	// Output: GET, HEAD, OPTIONS, POST
}

func ExampleRequest_FormData() {
	h := server.NewHandler(server.Route{File: "app/signup/route.go", POST: server.Func(func(req *server.Request) (*server.Response, error) {
		form, err := req.FormData()
		if err != nil {
			return nil, err
		}
		return server.Text("welcome, " + form.Get("name")), nil
	})})
	r := httptest.NewRequest("POST", "/signup", strings.NewReader("name=Ada+Lovelace"))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	show(h, r)
	// Output:
	// 200
	// welcome, Ada Lovelace
}
