package public

import (
	"net/http"

	"github.com/nextgo-dev/nextgo/runtime/server"
)

// Handler is a plain net/http handler behind a CORS policy that lets any
// origin read it.
var Handler http.Handler = server.CORS(server.CORSOptions{
	AllowedOrigins: []string{"*"},
	AllowedMethods: []string{"GET"},
}).Wrap(http.HandlerFunc(public))

func public(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	w.Write([]byte(`{"public":true}`))
}
