package lambda_test

import (
	"context"
	"encoding/base64"
	"net/http"
	"testing"

	"github.com/nextgo-dev/nextgo/adapters/lambda"
	"github.com/nextgo-dev/nextgo/runtime/mux"
)

// A raw backslash in an event's path reaches the dispatcher as sent, so it
// answers Next's 308 as it does for a repeated slash; an encoded one stays
// part of its segment.
func TestBackslashPathRedirects(t *testing.T) {
	mx, err := mux.New([]mux.Route{{Pattern: "/api/users", File: "pages/api/users.go", Handler: &okHandler{}}}, mux.Options{})
	if err != nil {
		t.Fatal(err)
	}
	h := lambda.NewHandler(mx, lambda.Options{})
	tests := []struct {
		path, query string
		status      int
		location    string
	}{
		{`/api\users`, "", 308, "/api/users"},
		{`/api\users`, "a=1&b", 308, "/api/users?a=1&b"},
		{`/api\\users\`, "", 308, "/api/users"},
		{`/api/users`, "", 200, ""},
	}
	for _, tt := range tests {
		ev := v2Event(func(ev map[string]any) {
			ev["rawPath"] = tt.path
			ev["rawQueryString"] = tt.query
			rcHTTP(ev)["path"] = tt.path
		})
		out, err := h.Invoke(context.Background(), ev)
		if err != nil {
			t.Fatal(err)
		}
		r := decodeReply(t, out)
		if r.IsBase64Encoded {
			b, _ := base64.StdEncoding.DecodeString(r.Body)
			r.Body = string(b)
		}
		if r.StatusCode != tt.status || r.Headers["Location"] != tt.location {
			t.Errorf("%s?%s: %d Location %q, want %d %q", tt.path, tt.query, r.StatusCode, r.Headers["Location"], tt.status, tt.location)
		}
		if tt.status == http.StatusPermanentRedirect && (r.Headers["Refresh"] != "0;url="+tt.location || r.Body != tt.location) {
			t.Errorf("%s: Refresh %q, body %q", tt.path, r.Headers["Refresh"], r.Body)
		}
	}
}
