package mux

import "net/http"

// recorder notes the status a handler sent, for the request log. It keeps
// streaming working: Flush passes through, and Unwrap lets
// http.ResponseController reach the connection.
type recorder struct {
	http.ResponseWriter
	status int
	file   string
}

func (r *recorder) WriteHeader(code int) {
	if r.status == 0 && code >= 200 {
		r.status = code
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *recorder) Write(p []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	return r.ResponseWriter.Write(p)
}

// Flush sends buffered data to the client.
func (r *recorder) Flush() {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	http.NewResponseController(r.ResponseWriter).Flush()
}

// Unwrap returns the underlying ResponseWriter.
func (r *recorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

// Started tells the request's Guard (pipeline.Starter) whether the
// response has started, so that a handler failing on the Guard's own
// goroutine is answered here only when it has not.
func (r *recorder) Started() bool { return r.status != 0 }
