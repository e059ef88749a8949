package dashboard

import (
	"context"
	"embed"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
)

//go:embed assets
var assets embed.FS

// Handler returns the whole site: the dashboard under Prefix, and every
// other request recorded (Record) and served by app.
func (d *Dashboard) Handler(app http.Handler) http.Handler {
	recorded := d.Record(app)
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+Prefix+"{$}", serveAsset("index.html", "text/html; charset=utf-8"))
	mux.HandleFunc("GET "+Prefix+"app.js", serveAsset("app.js", "text/javascript; charset=utf-8"))
	mux.HandleFunc("GET "+Prefix+"style.css", serveAsset("style.css", "text/css; charset=utf-8"))
	mux.HandleFunc("GET "+Prefix+"events", d.serveEvents)
	mux.HandleFunc("GET "+Prefix+"api/state", d.serveState)
	mux.HandleFunc("GET "+Prefix+"api/requests/{id}", d.serveEntry)
	mux.HandleFunc("POST "+Prefix+"api/requests/{id}/replay", func(w http.ResponseWriter, r *http.Request) { d.replay(w, r, recorded) })
	mux.HandleFunc("POST "+Prefix+"api/invoke", d.serveInvoke)
	mux.Handle(strings.TrimSuffix(Prefix, "/"), http.RedirectHandler(Prefix, http.StatusTemporaryRedirect))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == strings.TrimSuffix(Prefix, "/") || strings.HasPrefix(r.URL.Path, Prefix) {
			mux.ServeHTTP(w, r)
			return
		}
		recorded.ServeHTTP(w, r)
	})
}

func serveAsset(name, contentType string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		b, err := assets.ReadFile("assets/" + name)
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", contentType)
		w.Header().Set("Cache-Control", "no-store")
		_, _ = w.Write(b)
	}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func (d *Dashboard) serveState(w http.ResponseWriter, r *http.Request) {
	d.sync()
	d.mu.Lock()
	state := map[string]any{"mode": d.opts.Mode, "routes": append([]Route(nil), d.routes...), "build": d.build, "entries": d.summaries()}
	d.mu.Unlock()
	writeJSON(w, http.StatusOK, state)
}

func (d *Dashboard) serveEntry(w http.ResponseWriter, r *http.Request) {
	e, ok := d.Entry(r.PathValue("id"))
	if !ok {
		writeJSON(w, http.StatusNotFound, map[string]string{"error": "no such request (the log keeps the last " + fmt.Sprint(d.opts.Keep) + ")"})
		return
	}
	writeJSON(w, http.StatusOK, e)
}

// serveEvents streams the dashboard's events: a snapshot first, then every
// change.
func (d *Dashboard) serveEvents(w http.ResponseWriter, r *http.Request) {
	rc := http.NewResponseController(w)
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	ch, cancel := d.subscribe()
	defer cancel()
	ping := time.NewTicker(15 * time.Second)
	defer ping.Stop()
	for {
		select {
		case ev := <-ch:
			b, err := json.Marshal(ev.data)
			if err != nil {
				continue
			}
			if _, err := fmt.Fprintf(w, "event: %s\ndata: %s\n\n", ev.name, b); err != nil {
				return
			}
		case <-ping.C:
			if _, err := io.WriteString(w, ": ping\n\n"); err != nil {
				return
			}
		case <-r.Context().Done():
			return
		}
		if err := rc.Flush(); err != nil {
			return
		}
	}
}

// replayInfo marks a replayed request: which one it replays, and where
// Record puts the new request's id.
type replayInfo struct {
	of string
	id *string
}

// replay sends a logged request again through the recorded app and
// answers with the new entry's id.
func (d *Dashboard) replay(w http.ResponseWriter, r *http.Request, recorded http.Handler) {
	e, ok := d.Entry(r.PathValue("id"))
	if !ok {
		writeJSON(w, http.StatusNotFound, map[string]string{"error": "no such request"})
		return
	}
	if e.RequestHeader == nil {
		writeJSON(w, http.StatusConflict, map[string]string{"error": "only this request's summary was kept (the dashboard was closed): it cannot be replayed"})
		return
	}
	if e.RequestBody.Truncated || e.RequestBody.Binary {
		writeJSON(w, http.StatusConflict, map[string]string{"error": "the request body was not kept whole: it cannot be replayed"})
		return
	}
	var newID string
	ctx := context.WithValue(r.Context(), replayKey{}, replayInfo{of: e.ID, id: &newID})
	req, err := http.NewRequestWithContext(ctx, e.Method, e.Path, strings.NewReader(e.RequestBody.Text))
	if err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": err.Error()})
		return
	}
	req.Header = e.RequestHeader.Clone()
	req.Host = r.Host
	req.RemoteAddr = r.RemoteAddr
	req.RequestURI = e.Path
	req.ContentLength = int64(len(e.RequestBody.Text))
	if req.ContentLength == 0 {
		req.Body = http.NoBody
	}
	recorded.ServeHTTP(&discardWriter{h: http.Header{}}, req)
	writeJSON(w, http.StatusOK, map[string]string{"id": newID})
}

// discardWriter is the ResponseWriter of a replay: the answer is kept by
// Record, nobody else reads it.
type discardWriter struct{ h http.Header }

func (d *discardWriter) Header() http.Header         { return d.h }
func (d *discardWriter) WriteHeader(int)             {}
func (d *discardWriter) Write(p []byte) (int, error) { return len(p), nil }
func (d *discardWriter) Flush()                      {}

func (d *Dashboard) serveInvoke(w http.ResponseWriter, r *http.Request) {
	if d.opts.Invoke == nil {
		writeJSON(w, http.StatusNotFound, map[string]string{"error": "the event composer runs under nextgo start"})
		return
	}
	var req InvokeRequest
	if err := json.NewDecoder(io.LimitReader(r.Body, 8<<20)).Decode(&req); err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid JSON: " + err.Error()})
		return
	}
	res, err := d.opts.Invoke(r.Context(), req)
	if err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": err.Error()})
		return
	}
	writeJSON(w, http.StatusOK, res)
}
