package devloop

import (
	"fmt"
	"html/template"
	"io"
	"net/http"
	"strings"
)

// wantsHTML reports whether the client is a browser asking for a page.
func wantsHTML(r *http.Request) bool {
	return strings.Contains(r.Header.Get("Accept"), "text/html")
}

// writeFailure answers 500 with a build failure: an HTML page with code
// frames for a browser, the compiler's text otherwise.
func writeFailure(w http.ResponseWriter, r *http.Request, title string, f *failure) {
	h := w.Header()
	h.Set("Cache-Control", "no-store")
	if wantsHTML(r) {
		h.Set("Content-Type", "text/html; charset=utf-8")
		w.WriteHeader(http.StatusInternalServerError)
		_ = failurePage.Execute(w, struct {
			Title string
			F     *failure
		}{title, f})
		return
	}
	h.Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(http.StatusInternalServerError)
	fmt.Fprintf(w, "%s\n\n%s\n", title, f.Output)
}

// writeText answers with a short plain-text message.
func writeText(w http.ResponseWriter, status int, msg string) {
	h := w.Header()
	h.Set("Content-Type", "text/plain; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = io.WriteString(w, msg+"\n")
}

var failurePage = template.Must(template.New("failure").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{{.Title}} · nextgo dev</title>
<style>
body{font:14px/1.5 ui-sans-serif,system-ui,sans-serif;margin:0;background:#111;color:#eee}
main{max-width:60rem;margin:2rem auto;padding:0 1rem}
h1{color:#ff6b6b;font-size:1.3rem}
.frame{background:#1c1c1c;border:1px solid #333;border-radius:6px;margin:1rem 0;overflow:auto}
.frame h2{font:600 13px ui-monospace,monospace;margin:0;padding:.5rem .8rem;border-bottom:1px solid #333}
.frame pre,pre.out{margin:0;padding:.5rem .8rem;font:13px/1.5 ui-monospace,monospace}
.mark{background:#4a1f1f;display:block}
a{color:#7cc4ff}
</style></head><body><main>
<h1>{{.Title}}</h1>
{{range .F.Frames}}<div class="frame"><h2>{{.File}}:{{.Line}}{{if .Col}}:{{.Col}}{{end}}: {{.Message}}</h2>
<pre>{{range .Source}}<span{{if .Mark}} class="mark"{{end}}>{{printf "%4d" .N}} | {{.Text}}</span>
{{end}}</pre></div>{{end}}
<pre class="out">{{.F.Output}}</pre>
<p>Fix the file and save: the page answers with the new code. <a href="/_nextgo/">Dashboard</a></p>
</main></body></html>
`))
