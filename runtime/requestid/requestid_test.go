package requestid

import (
	"context"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
)

func TestFromWith(t *testing.T) {
	if got := From(context.Background()); got != "" {
		t.Errorf("From(empty) = %q", got)
	}
	if got := From(With(context.Background(), "abc")); got != "abc" {
		t.Errorf("From(With(abc)) = %q", got)
	}
}

func TestNew(t *testing.T) {
	a, b := New(), New()
	if !regexp.MustCompile(`^[0-9a-f]{16}$`).MatchString(a) || a == b {
		t.Errorf("New() = %q, %q", a, b)
	}
}

func TestMiddleware(t *testing.T) {
	tests := []struct {
		name, header string
		want         func(string) bool
	}{
		{"from the front", "req-1", func(id string) bool { return id == "req-1" }},
		{"none", "", func(id string) bool { return len(id) == 16 }},
		{"too long", strings.Repeat("x", 65), func(id string) bool { return len(id) == 16 }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got string
			h := Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				got = From(r.Context())
				if v, ok := r.Header[Header]; ok {
					t.Errorf("the handler sees %s: %q", Header, v)
				}
			}))
			r := httptest.NewRequest("GET", "/", nil)
			if tt.header != "" {
				r.Header.Set(Header, tt.header)
			}
			h.ServeHTTP(httptest.NewRecorder(), r)
			if !tt.want(got) {
				t.Errorf("id = %q", got)
			}
		})
	}
}
