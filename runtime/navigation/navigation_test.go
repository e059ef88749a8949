package navigation

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

// recovered runs f and returns what it panicked with.
func recovered(f func()) (v any) {
	defer func() { v = recover() }()
	f()
	return nil
}

func TestSentinels(t *testing.T) {
	tests := []struct {
		name     string
		f        func()
		url      string
		status   int
		notFound bool
	}{
		{"Redirect", func() { Redirect("https://nextjs.org/") }, "https://nextjs.org/", 307, false},
		{"Redirect relative", func() { Redirect("/login?next=%2Fa") }, "/login?next=%2Fa", 307, false},
		{"PermanentRedirect", func() { PermanentRedirect("/new") }, "/new", 308, false},
		{"NotFound", NotFound, "", 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := recovered(tt.f)
			if v == nil {
				t.Fatal("did not panic")
			}
			re, isRedirect := IsRedirect(v)
			if isRedirect != (tt.status != 0) {
				t.Fatalf("IsRedirect = %v", isRedirect)
			}
			if isRedirect && (re.URL != tt.url || re.Status != tt.status) {
				t.Errorf("got %d %q, want %d %q", re.Status, re.URL, tt.status, tt.url)
			}
			if IsNotFound(v) != tt.notFound {
				t.Errorf("IsNotFound = %v, want %v", !tt.notFound, tt.notFound)
			}
		})
	}
}

func TestRedirectRefusesHeaderSplitting(t *testing.T) {
	for _, url := range []string{"/a\r\nSet-Cookie: x=1", "/a\nb", "/a\rb", "/a\x00b", ""} {
		for _, f := range []func(string){Redirect, PermanentRedirect} {
			v := recovered(func() { f(url) })
			err, ok := v.(error)
			if !ok {
				t.Fatalf("Redirect(%q) panicked with %v, want an error", url, v)
			}
			if _, isRedirect := IsRedirect(err); isRedirect {
				t.Errorf("Redirect(%q) produced a redirect sentinel", url)
			}
			if !strings.HasPrefix(err.Error(), "navigation: ") {
				t.Errorf("error %q lacks the package prefix", err)
			}
		}
	}
}

func TestWrappedSentinels(t *testing.T) {
	wrapped := fmt.Errorf("loading item: %w", ErrNotFound)
	if !IsNotFound(wrapped) {
		t.Error("IsNotFound(wrapped) = false")
	}
	re := &RedirectError{URL: "/x", Status: 307}
	got, ok := IsRedirect(fmt.Errorf("auth: %w", re))
	if !ok || got != re {
		t.Errorf("IsRedirect(wrapped) = %v, %v", got, ok)
	}
	for _, v := range []any{nil, "not found", 404, errors.New("navigation: not found")} {
		if IsNotFound(v) {
			t.Errorf("IsNotFound(%#v) = true", v)
		}
		if _, ok := IsRedirect(v); ok {
			t.Errorf("IsRedirect(%#v) = true", v)
		}
	}
	if got := re.Error(); got != "navigation: redirect 307 to /x" {
		t.Errorf("Error() = %q", got)
	}
}

func TestAccessStatus(t *testing.T) {
	catch := func(f func()) (v any) {
		defer func() { v = recover() }()
		f()
		return nil
	}
	tests := []struct {
		v      any
		status int
		ok     bool
	}{
		{catch(NotFound), 404, true},
		{catch(Forbidden), 403, true},
		{catch(Unauthorized), 401, true},
		{fmt.Errorf("wrapped: %w", ErrForbidden), 403, true},
		{catch(func() { Redirect("/x") }), 0, false},
		{"a string", 0, false},
		{nil, 0, false},
	}
	for _, tt := range tests {
		status, ok := AccessStatus(tt.v)
		if status != tt.status || ok != tt.ok {
			t.Errorf("AccessStatus(%v) = %d, %v; want %d, %v", tt.v, status, ok, tt.status, tt.ok)
		}
	}
}

// controlTargets are redirect targets holding each ASCII control character.
func controlTargets() []string {
	var ts []string
	for c := 0; c < 0x20; c++ {
		ts = append(ts, "/a"+string(rune(c))+"b")
	}
	return append(ts, "/a\x7fb")
}

func TestRedirectRefusesEveryControlCharacter(t *testing.T) {
	helpers := []struct {
		name string
		f    func(string)
	}{{"Redirect", Redirect}, {"PermanentRedirect", PermanentRedirect}}
	for _, h := range helpers {
		for _, url := range controlTargets() {
			v := recovered(func() { h.f(url) })
			err, ok := v.(error)
			if !ok {
				t.Fatalf("%s(%q) panicked with %v, want an error", h.name, url, v)
			}
			if _, isRedirect := IsRedirect(err); isRedirect {
				t.Errorf("%s(%q) produced a redirect sentinel", h.name, url)
			}
			want := fmt.Sprintf("navigation: redirect URL %q contains a CR, LF or NUL, or another control character, at byte 2", url)
			if err.Error() != want {
				t.Errorf("%s(%q): %q, want %q", h.name, url, err, want)
			}
		}
		for _, url := range []string{"/a b", "/ü", "https://example.com/x?y=1#z", "/a~!*'()"} {
			v := recovered(func() { h.f(url) })
			if re, ok := IsRedirect(v); !ok || re.URL != url {
				t.Errorf("%s(%q) = %v, want a redirect", h.name, url, v)
			}
		}
	}
}
