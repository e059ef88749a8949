package plain

import (
	"io"
	"net/http"
)

func GET(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "plain get") }
