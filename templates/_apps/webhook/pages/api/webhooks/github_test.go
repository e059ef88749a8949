package webhooks

import (
	"net/http"
	"strings"
	"testing"

	"github.com/nextgo-dev/nextgo/runtime/routetest"

	"example.com/nextgo-template/lib/signature"
)

func TestGitHubWebhook(t *testing.T) {
	t.Setenv("GITHUB_WEBHOOK_SECRET", "test-secret")
	rt := routetest.API(t, "/api/webhooks/github", Handler, Config)
	// Whitespace matters: the signature is over the bytes as sent.
	payload := `{"action": "opened",  "repository": {"full_name": "acme/app"}}`
	signed := func(sig string) http.Header {
		return http.Header{"Content-Type": {"application/json"}, "X-Github-Event": {"issues"}, "X-Hub-Signature-256": {sig}}
	}
	tests := []struct {
		name   string
		req    routetest.Request
		status int
		body   string
	}{
		{"valid", routetest.Request{Method: "POST", Header: signed(signature.Sign("test-secret", []byte(payload))), Body: strings.NewReader(payload)},
			200, `{"action":"opened","event":"issues","repository":"acme/app"}`},
		{"tampered", routetest.Request{Method: "POST", Header: signed(signature.Sign("test-secret", []byte(payload))), Body: strings.NewReader(strings.Replace(payload, "opened", "closed", 1))},
			401, `{"error":"invalid signature"}`},
		{"unsigned", routetest.Request{Method: "POST", Body: strings.NewReader(payload)}, 401, `{"error":"invalid signature"}`},
		{"not JSON", routetest.Request{Method: "POST", Header: signed(signature.Sign("test-secret", []byte("x"))), Body: strings.NewReader("x")},
			400, `{"error":"payload is not JSON"}`},
		{"too large", routetest.Request{Method: "POST", Body: strings.NewReader(strings.Repeat("a", maxBody+1))}, 413, `{"error":"payload too large"}`},
		{"GET", routetest.Request{}, 405, `{"error":"method not allowed"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := rt.Do(tt.req)
			if res.Status != tt.status || res.Text() != tt.body {
				t.Fatalf("got %d %s, want %d %s", res.Status, res.Text(), tt.status, tt.body)
			}
		})
	}
}

func TestNoSecret(t *testing.T) {
	t.Setenv("GITHUB_WEBHOOK_SECRET", "")
	res := routetest.API(t, "/api/webhooks/github", Handler, Config).Do(routetest.Request{Method: "POST", Body: strings.NewReader("{}")})
	if res.Status != 500 || res.Text() != `{"error":"GITHUB_WEBHOOK_SECRET is not set"}` {
		t.Fatalf("got %d %s", res.Status, res.Text())
	}
}
