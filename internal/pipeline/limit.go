package pipeline

import (
	"net/http"

	"github.com/nextgo-dev/nextgo/runtime/httpguard"
)

// LimitBody applies a body-size limit of limit bytes (limit < 0: none) to
// r, the limit as configured being text ("1mb"). A request that declares a
// longer body (Content-Length) is answered at once with TooLarge, the
// connection closed after it so that the body is never read, and LimitBody
// reports false: the handler must not run. Otherwise r.Body is bounded
// (http.MaxBytesReader), so that reading past the limit fails with an
// *http.MaxBytesError.
func LimitBody(w http.ResponseWriter, r *http.Request, limit int64, text string) bool {
	if limit < 0 || r.Body == nil || r.Body == http.NoBody {
		return true
	}
	if r.ContentLength > limit {
		Refuse(w)
		TooLarge(w, text)
		return false
	}
	r.Body = http.MaxBytesReader(w, r.Body, limit)
	return true
}

// Refuse prepares w for an answer made before the request body is read:
// the connection closes after it instead of being drained for the next
// request (httpguard.CloseEarly). Call it before writing the status.
func Refuse(w http.ResponseWriter) { httpguard.CloseEarly(w) }
