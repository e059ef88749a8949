// Package requestid carries the id of the request being served in its
// context, so that log records and request logs of one request can be tied
// together.
//
// `nextgo dev` gives every request an id, shown in the terminal's request
// log and in the dashboard at /_nextgo/; a handler's slog records made with
// the request's context (slog.InfoContext(req.Context(), ...)) carry it.
package requestid

import (
	"context"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"math/rand/v2"
	"net/http"
)

// Header is the request header through which a front that assigned an id
// (the `nextgo dev` supervisor) hands it to the server behind it.
const Header = "X-Nextgo-Request-Id"

type key struct{}

// idContext is ctx with a request id: context.WithValue's node and the
// boxed id in one allocation, as every request gets one.
type idContext struct {
	context.Context
	id string
}

// Value answers the request id's key with the node itself (no boxing).
func (c *idContext) Value(k any) any {
	if _, ok := k.(key); ok {
		return c
	}
	return c.Context.Value(k)
}

func (c *idContext) String() string {
	if s, ok := c.Context.(fmt.Stringer); ok {
		return s.String() + ".WithValue(requestid, " + c.id + ")"
	}
	return "context.WithValue(requestid, " + c.id + ")"
}

// With returns a copy of ctx carrying id.
func With(ctx context.Context, id string) context.Context {
	return &idContext{Context: ctx, id: id}
}

// From returns the request id ctx carries, or "".
func From(ctx context.Context) string {
	if c, ok := ctx.Value(key{}).(*idContext); ok {
		return c.id
	}
	return ""
}

// New returns a fresh random id: 16 lowercase hexadecimal digits. Ids are
// for telling requests apart in logs, not secrets: they come from a fast
// pseudo-random generator.
func New() string {
	var b [8]byte
	binary.LittleEndian.PutUint64(b[:], rand.Uint64())
	return hex.EncodeToString(b[:])
}

// Middleware gives every request an id in its context: the one in Header
// when a front set it, else the one the server put in the request's
// context already (With), else a new one. Header is removed, so that
// handlers see the request's headers as the client sent them.
func Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var id string
		if v, ok := r.Header[Header]; ok { // Header is in canonical form
			if len(v) > 0 {
				id = v[0]
			}
			delete(r.Header, Header)
		}
		if id == "" || len(id) > 64 {
			if From(r.Context()) != "" {
				next.ServeHTTP(w, r) // the server gave the request its id
				return
			}
			id = New()
		}
		next.ServeHTTP(w, r.WithContext(With(r.Context(), id)))
	})
}
