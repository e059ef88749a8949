package api

import (
	"bytes"
	"fmt"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"
)

// res.Redirect refuses a target holding any ASCII control character: the
// response is a logged 500 without a Location header.
func TestRedirectRefusesEveryControlCharacter(t *testing.T) {
	var targets []string
	for c := 0; c < 0x20; c++ {
		targets = append(targets, "/a"+string(rune(c))+"b")
	}
	targets = append(targets, "/a\x7fb")
	for _, url := range targets {
		var logs bytes.Buffer
		h := NewHandler(Route{File: "pages/api/r.go", Logger: slog.New(slog.NewTextHandler(&logs, nil)),
			Handler: func(_ *Request, res *Response) { res.Redirect(url) }})
		w := httptest.NewRecorder()
		h.ServeHTTP(w, httptest.NewRequest("GET", "/api/r", nil))
		if w.Code != 500 || w.Header().Get("Location") != "" || w.Body.String() != "Internal Server Error" {
			t.Errorf("Redirect(%q): %d, Location %q, body %q", url, w.Code, w.Header().Get("Location"), w.Body)
		}
		want := fmt.Sprintf("api: redirect target %q refused: navigation: redirect URL %q contains a CR, LF or NUL, or another control character, at byte 2", url, url)
		if got := logs.String(); !strings.Contains(got, fmt.Sprintf("msg=%q", want)) {
			t.Errorf("Redirect(%q) log lacks %q:\n%s", url, want, got)
		}
	}
	h := NewHandler(Route{File: "pages/api/r.go", Handler: func(_ *Request, res *Response) { res.Redirect("/a b?c=ü") }})
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest("GET", "/api/r", nil))
	if w.Code != 307 || w.Header().Get("Location") != "/a b?c=ü" {
		t.Errorf("plain target: %d %q", w.Code, w.Header().Get("Location"))
	}
}
