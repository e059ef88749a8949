package lambda_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/nextgo-dev/nextgo/adapters/lambda"
	"github.com/nextgo-dev/nextgo/runtime/mux"
)

// Next's 308 keeps the part of the client's URL in front of the event's
// path: a REST API's stage on its default URL (requestContext.path has it,
// path does not), a custom domain's base path, a named HTTP API stage;
// nothing on a custom domain mapped at its root. The events are in
// testdata/mount; both the JSON and the struct entry points answer alike.
func TestRedirectKeepsMountPrefix(t *testing.T) {
	mx, err := mux.New([]mux.Route{{Pattern: "/api/users", File: "pages/api/users.go", Handler: &okHandler{}}}, mux.Options{})
	if err != nil {
		t.Fatal(err)
	}
	h := lambda.NewHandler(mx, lambda.Options{})
	tests := []struct {
		event, location string
	}{
		{"rest-default-url.json", "/prod/api/users"},
		{"rest-default-url-query.json", "/prod/api/users?a=1&a=2"},
		{"rest-default-url-repeated.json", "/prod/api/users"},
		{"rest-default-url-backslash.json", "/prod/api/users"},
		{"rest-custom-domain.json", "/api/users"},
		{"rest-base-path.json", "/v1/api/users"},
		{"httpapi-named-stage.json", "/prod/api/users"},
		{"httpapi-default-stage.json", "/api/users"},
	}
	for _, tt := range tests {
		t.Run(tt.event, func(t *testing.T) {
			payload, err := os.ReadFile(filepath.Join("testdata", "mount", tt.event))
			if err != nil {
				t.Fatal(err)
			}
			out, err := h.Invoke(context.Background(), payload)
			if err != nil {
				t.Fatal(err)
			}
			for name, out := range map[string][]byte{"Invoke": out, "struct": serveStruct(t, h, payload)} {
				var r struct {
					StatusCode        int                 `json:"statusCode"`
					Headers           map[string]string   `json:"headers"`
					MultiValueHeaders map[string][]string `json:"multiValueHeaders"`
					Body              string              `json:"body"`
					IsBase64Encoded   bool                `json:"isBase64Encoded"`
				}
				if err := json.Unmarshal(out, &r); err != nil {
					t.Fatal(err)
				}
				if r.IsBase64Encoded {
					b, _ := base64.StdEncoding.DecodeString(r.Body)
					r.Body = string(b)
				}
				header := func(k string) string {
					if v, ok := r.Headers[k]; ok {
						return v
					}
					if vs := r.MultiValueHeaders[k]; len(vs) == 1 {
						return vs[0]
					}
					return ""
				}
				if r.StatusCode != 308 || header("Location") != tt.location || header("Refresh") != "0;url="+tt.location || r.Body != tt.location {
					t.Errorf("%s: %d Location %q Refresh %q body %q, want 308 %q", name, r.StatusCode, header("Location"), header("Refresh"), r.Body, tt.location)
				}
			}
		})
	}
}
