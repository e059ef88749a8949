package webhooks

import (
	"encoding/json"
	"io"
	"net/http"
	"os"

	"github.com/nextgo-dev/nextgo/runtime/api"

	"example.com/nextgo-template/lib/signature"
)

// Config turns the body parser off: the signature is over the raw bytes.
var Config = api.Config{BodyParser: api.BodyParser{Disabled: true}}

// maxBody is the largest payload read (GitHub caps deliveries at 25 MB;
// this app expects small events).
const maxBody = 1 << 20

// Handler verifies a GitHub delivery and answers its summary.
func Handler(req *api.Request, res *api.Response) {
	if req.Method != http.MethodPost {
		res.Header().Set("Allow", "POST")
		res.Status(http.StatusMethodNotAllowed).JSON(map[string]string{"error": "method not allowed"})
		return
	}
	secret := os.Getenv("GITHUB_WEBHOOK_SECRET")
	if secret == "" {
		res.Status(http.StatusInternalServerError).JSON(map[string]string{"error": "GITHUB_WEBHOOK_SECRET is not set"})
		return
	}
	// With the body parser off, the stream is the embedded request's Body.
	body, err := io.ReadAll(io.LimitReader(req.Request.Body, maxBody+1))
	if err != nil {
		res.Status(http.StatusBadRequest).JSON(map[string]string{"error": "unreadable body"})
		return
	}
	if len(body) > maxBody {
		res.Status(http.StatusRequestEntityTooLarge).JSON(map[string]string{"error": "payload too large"})
		return
	}
	if !signature.Verify(secret, body, req.Header.Get("X-Hub-Signature-256")) {
		res.Status(http.StatusUnauthorized).JSON(map[string]string{"error": "invalid signature"})
		return
	}
	var payload struct {
		Action     string `json:"action"`
		Repository struct {
			FullName string `json:"full_name"`
		} `json:"repository"`
	}
	if err := json.Unmarshal(body, &payload); err != nil {
		res.Status(http.StatusBadRequest).JSON(map[string]string{"error": "payload is not JSON"})
		return
	}
	res.Status(http.StatusOK).JSON(map[string]string{
		"event":      req.Header.Get("X-GitHub-Event"),
		"action":     payload.Action,
		"repository": payload.Repository.FullName,
	})
}
