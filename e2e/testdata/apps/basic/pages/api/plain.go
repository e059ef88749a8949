package api

import (
	"io"
	"net/http"
)

// Handler is plain net/http code.
func Handler(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain")
	io.WriteString(w, "plain "+r.Method)
}
