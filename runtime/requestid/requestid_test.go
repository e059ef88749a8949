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

type otherKey struct{}

// TestWithContext: the id's context passes other values, deadlines and
// cancellation through from its parent, and an inner id wins.
func TestWithContext(t *testing.T) {
	parent, cancel := context.WithCancel(context.WithValue(context.Background(), otherKey{}, "v"))
	ctx := With(parent, "outer")
	child := context.WithValue(ctx, otherKey{}, "w")
	for _, tc := range []struct {
		ctx       context.Context
		id, other string
	}{
		{ctx, "outer", "v"},
		{child, "outer", "w"},
		{With(child, "inner"), "inner", "w"},
	} {
		if got := From(tc.ctx); got != tc.id {
			t.Errorf("From = %q, want %q", got, tc.id)
		}
		if got := tc.ctx.Value(otherKey{}); got != tc.other {
			t.Errorf("Value(otherKey) = %v, want %q", got, tc.other)
		}
	}
	if got, want := ctx.(interface{ String() string }).String(), "context.Background.WithValue(requestid.otherKey, v).WithCancel.WithValue(requestid, outer)"; got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
	cancel()
	select {
	case <-child.Done():
	default:
		t.Fatal("cancelling the parent did not reach the id's context")
	}
	if child.Err() != context.Canceled {
		t.Errorf("Err() = %v", child.Err())
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
		name, header, server string // server: the id the server gave in the context
		want                 func(string) bool
	}{
		{"from the front", "req-1", "", func(id string) bool { return id == "req-1" }},
		{"none", "", "", func(id string) bool { return len(id) == 16 }},
		{"too long", strings.Repeat("x", 65), "", func(id string) bool { return len(id) == 16 }},
		{"from the server", "", "srv-1", func(id string) bool { return id == "srv-1" }},
		{"the front's over the server's", "req-2", "srv-2", func(id string) bool { return id == "req-2" }},
		{"the server's over a too long one", strings.Repeat("x", 65), "srv-3", func(id string) bool { return id == "srv-3" }},
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
			if tt.server != "" {
				r = r.WithContext(With(r.Context(), tt.server))
			}
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
