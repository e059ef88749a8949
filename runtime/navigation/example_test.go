package navigation_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/nextgo-dev/nextgo/runtime/navigation"
	"github.com/nextgo-dev/nextgo/runtime/server"
)

// requireUser is a helper deep in the call tree: it ends the request with a
// redirect when nobody is signed in.
func requireUser(ctx context.Context) string {
	user, ok := server.Cookies(ctx).Get("user")
	if !ok {
		navigation.Redirect("/login")
	}
	return user
}

func serveOnce(h http.Handler, r *http.Request) {
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, r)
	parts := []string{fmt.Sprint(rec.Code)}
	for _, s := range []string{rec.Header().Get("Location"), strings.TrimSpace(rec.Body.String())} {
		if s != "" {
			parts = append(parts, s)
		}
	}
	fmt.Println(strings.Join(parts, " "))
}

func ExampleRedirect() {
	h := server.NewHandler(server.Route{File: "app/api/me/route.go", GET: server.Func(func(req *server.Request) (*server.Response, error) {
		return server.Text("hello " + requireUser(req.Context())), nil
	})})
	serveOnce(h, httptest.NewRequest("GET", "/api/me", nil))
	r := httptest.NewRequest("GET", "/api/me", nil)
	r.Header.Set("Cookie", "user=ada")
	serveOnce(h, r)
	// Output:
	// 307 /login
	// 200 hello ada
}

func ExamplePermanentRedirect() {
	h := server.NewHandler(server.Route{File: "app/api/old/route.go", GET: server.Func(func(*server.Request) (*server.Response, error) {
		navigation.PermanentRedirect("/api/new")
		return nil, nil
	})})
	serveOnce(h, httptest.NewRequest("GET", "/api/old", nil))
	// Output:
	// 308 /api/new
}

func ExampleNotFound() {
	items := map[string]string{"1": "shoe"}
	h := server.NewHandler(server.Route{File: "app/api/items/route.go", GET: server.Func(func(req *server.Request) (*server.Response, error) {
		item, ok := items[req.URL.Query().Get("id")]
		if !ok {
			navigation.NotFound()
		}
		return server.Text(item), nil
	})})
	serveOnce(h, httptest.NewRequest("GET", "/api/items?id=1", nil))
	serveOnce(h, httptest.NewRequest("GET", "/api/items?id=2", nil))
	// Output:
	// 200 shoe
	// 404
}

func ExampleIsRedirect() {
	// Code that recovers panics passes the navigation sentinels on.
	safely := func(f func()) {
		defer func() {
			if v := recover(); v != nil {
				if _, ok := navigation.IsRedirect(v); ok || navigation.IsNotFound(v) {
					panic(v)
				}
				fmt.Println("recovered:", v)
			}
		}()
		f()
	}
	safely(func() { panic("ordinary failure") })
	func() {
		defer func() { re, _ := navigation.IsRedirect(recover()); fmt.Println("redirect to", re.URL) }()
		safely(func() { navigation.Redirect("/elsewhere") })
	}()
	// Output:
	// recovered: ordinary failure
	// redirect to /elsewhere
}

// Forbidden and Unauthorized end the request with 403 and 401, as Next's
// forbidden() and unauthorized().
func ExampleForbidden() {
	h := server.NewHandler(server.Route{File: "app/admin/route.go", GET: server.Func(func(req *server.Request) (*server.Response, error) {
		switch req.Header.Get("X-Role") {
		case "":
			navigation.Unauthorized()
		case "admin":
			return server.Text("welcome"), nil
		}
		navigation.Forbidden()
		return nil, nil
	})})
	for _, role := range []string{"", "guest", "admin"} {
		r := httptest.NewRequest("GET", "/admin", nil)
		if role != "" {
			r.Header.Set("X-Role", role)
		}
		serveOnce(h, r)
	}
	// Output:
	// 401
	// 403
	// 200 welcome
}
