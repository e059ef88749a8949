package pipeline

import (
	"io"
	"net/http"
	"strconv"
)

// Text answers status with a short plain-text body (text/plain, UTF-8,
// not to be sniffed): the runtime's own 400, 404, 500, 502 and 504.
func Text(w http.ResponseWriter, status int, msg string) {
	h := w.Header()
	h["Content-Type"] = textPlain
	h["X-Content-Type-Options"] = noSniff
	w.WriteHeader(status)
	_, _ = io.WriteString(w, msg)
}

var (
	textPlain = []string{"text/plain; charset=utf-8"}
	noSniff   = []string{"nosniff"}
)

// Bare answers status with msg and no Content-Type, as Next's API routes
// answer their own errors (413 "Body exceeded 1mb limit", 400 "Invalid
// JSON", 500 "Internal Server Error"). It drops the headers that described
// another body.
func Bare(w http.ResponseWriter, status int, msg string) {
	BareHeader(w.Header(), len(msg))
	w.WriteHeader(status)
	_, _ = io.WriteString(w, msg)
}

// BareHeader prepares h for a Bare answer of n bytes: no Content-Type (and
// none sniffed by net/http), its Content-Length, and none of the headers
// that described another body.
func BareHeader(h http.Header, n int) {
	for _, k := range [...]string{"Content-Length", "Content-Encoding", "Transfer-Encoding", "Etag"} {
		delete(h, k)
	}
	h["Content-Type"] = nil
	h["Content-Length"] = []string{strconv.Itoa(n)}
}

// TooLargeMessage is the body of the 413 for a body over limit, the limit
// as configured ("1mb"): "Body exceeded 1mb limit".
func TooLargeMessage(limit string) string { return "Body exceeded " + limit + " limit" }

// TooLarge answers 413 with TooLargeMessage(limit) (see Bare).
func TooLarge(w http.ResponseWriter, limit string) {
	Bare(w, http.StatusRequestEntityTooLarge, TooLargeMessage(limit))
}

// BodyAllowed reports whether a response with status may carry a body
// (RFC 9110: not 1xx, 204 or 304).
func BodyAllowed(status int) bool {
	return status >= 200 && status != http.StatusNoContent && status != http.StatusNotModified
}
