// Package navigation ends a route handler's request from any depth of its
// call tree, as Next.js's redirect(), permanentRedirect(), notFound(),
// forbidden() and unauthorized() do.
//
// Each function panics with a sentinel value that runtime/server recovers
// and turns into the response: 307 or 308 with a Location header, or 404,
// 403 or 401, all with empty bodies (a redirect answering a form POST is a 303, as in
// Next). The precedent is http.ErrAbortHandler: code that recovers panics
// must re-panic these values; IsRedirect and IsNotFound recognise them. A
// handler may also return them as its error, to the same effect.
package navigation

import (
	"errors"
	"fmt"
	"net/http"
)

// ErrNotFound is the sentinel of NotFound.
var ErrNotFound = errors.New("navigation: not found")

// ErrForbidden and ErrUnauthorized are the sentinels of Forbidden and
// Unauthorized.
var (
	ErrForbidden    = errors.New("navigation: forbidden")
	ErrUnauthorized = errors.New("navigation: unauthorized")
)

// RedirectError is the sentinel of Redirect and PermanentRedirect.
type RedirectError struct {
	// URL is the Location of the redirect, verbatim.
	URL string
	// Status is http.StatusTemporaryRedirect (307) or
	// http.StatusPermanentRedirect (308).
	Status int
}

// Error describes the redirect.
func (e *RedirectError) Error() string {
	return fmt.Sprintf("navigation: redirect %d to %s", e.Status, e.URL)
}

// Redirect ends the request with a 307 redirect to url, sent verbatim as the
// Location header (relative URLs stay relative). An empty url, or one
// holding a control character (see CheckTarget), is refused: Redirect then
// panics with an ordinary error, which the runtime answers with a 500.
func Redirect(url string) {
	panic(newRedirect(url, http.StatusTemporaryRedirect))
}

// PermanentRedirect is Redirect with status 308.
func PermanentRedirect(url string) {
	panic(newRedirect(url, http.StatusPermanentRedirect))
}

// NotFound ends the request with a 404 and an empty body.
func NotFound() {
	panic(ErrNotFound)
}

// newRedirect returns the sentinel for url, or an ordinary error when url
// could split the response's header.
func newRedirect(url string, status int) error {
	if err := CheckURL(url); err != nil {
		return err
	}
	return &RedirectError{URL: url, Status: status}
}

// CheckURL reports whether url may be sent as a Location header: it must not
// be empty, and must pass CheckTarget.
func CheckURL(url string) error {
	if url == "" {
		return errors.New("navigation: empty redirect URL")
	}
	return CheckTarget(url)
}

// CheckTarget is the one check of a redirect target, used by every redirect
// helper (Redirect and PermanentRedirect here, server.Redirect and an API
// route's res.Redirect): it refuses every ASCII control character, 0x00 to
// 0x1f (CR, LF, NUL and tab among them) and 0x7f, so that no target can
// split or corrupt the Location header.
func CheckTarget(target string) error {
	for i := 0; i < len(target); i++ {
		if c := target[i]; c < 0x20 || c == 0x7f {
			return fmt.Errorf("navigation: redirect URL %q contains a CR, LF or NUL, or another control character, at byte %d", target, i)
		}
	}
	return nil
}

// IsRedirect reports whether v (a recovered panic value or an error) is or
// wraps a redirect sentinel, and returns it.
func IsRedirect(v any) (*RedirectError, bool) {
	err, ok := v.(error)
	if !ok {
		return nil, false
	}
	var re *RedirectError
	if errors.As(err, &re) {
		return re, true
	}
	return nil, false
}

// Forbidden ends the request with a 403 and an empty body, as Next's
// forbidden().
func Forbidden() {
	panic(ErrForbidden)
}

// Unauthorized ends the request with a 401 and an empty body, as Next's
// unauthorized().
func Unauthorized() {
	panic(ErrUnauthorized)
}

// AccessStatus reports the status of an access sentinel: 404 for NotFound,
// 403 for Forbidden, 401 for Unauthorized; v is a recovered panic value or
// an error.
func AccessStatus(v any) (int, bool) {
	err, ok := v.(error)
	switch {
	case !ok:
		return 0, false
	case errors.Is(err, ErrNotFound):
		return http.StatusNotFound, true
	case errors.Is(err, ErrForbidden):
		return http.StatusForbidden, true
	case errors.Is(err, ErrUnauthorized):
		return http.StatusUnauthorized, true
	}
	return 0, false
}

// IsNotFound reports whether v (a recovered panic value or an error) is or
// wraps ErrNotFound.
func IsNotFound(v any) bool {
	err, ok := v.(error)
	return ok && errors.Is(err, ErrNotFound)
}
