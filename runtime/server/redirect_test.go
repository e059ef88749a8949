package server

import (
	"net/http/httptest"
	"strings"
	"testing"
)

// Redirect refuses a target holding any ASCII control character: the
// response is a logged 500 without a Location header.
func TestRedirectRefusesEveryControlCharacter(t *testing.T) {
	var targets []string
	for c := 0; c < 0x20; c++ {
		targets = append(targets, "/a"+string(rune(c))+"b")
	}
	targets = append(targets, "/a\x7fb")
	for _, url := range targets {
		log, buf := testLogger()
		h := NewHandler(Route{File: "app/f/route.go", Logger: log, GET: Func(func(*Request) (*Response, error) { return Redirect(url), nil })})
		w := httptest.NewRecorder()
		h.ServeHTTP(w, httptest.NewRequest("GET", "/f", nil))
		if w.Code != 500 || w.Header().Get("Location") != "" || w.Body.Len() != 0 {
			t.Errorf("Redirect(%q): %d, Location %q, body %q", url, w.Code, w.Header().Get("Location"), w.Body)
		}
		for _, want := range []string{`msg="error in app/f/route.go"`, "server: Redirect: navigation: redirect URL", "another control character, at byte 2"} {
			if !strings.Contains(buf.String(), want) {
				t.Errorf("Redirect(%q) log lacks %q:\n%s", url, want, buf)
			}
		}
	}
	h := NewHandler(Route{File: "app/f/route.go", GET: Func(func(*Request) (*Response, error) { return Redirect("/a b?c=ü"), nil })})
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest("GET", "/f", nil))
	if w.Code != 307 || w.Header().Get("Location") != "/a b?c=ü" {
		t.Errorf("plain target: %d %q", w.Code, w.Header().Get("Location"))
	}
}
