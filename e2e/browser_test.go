package e2e

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// One headless browser serves every browser test of the package: started
// on first use, stopped by TestMain.
var browser struct {
	once   sync.Once
	ctx    context.Context
	cancel context.CancelFunc
	err    error
	dir    string
}

// chromiumPath finds the browser: Debian's chromium, which .ci/run
// installs.
func chromiumPath() (string, error) {
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p, nil
		}
	}
	return "", fmt.Errorf("no chromium on PATH (.ci/run installs it: apt-get install -y chromium)")
}

// browserTab returns a new tab of the shared browser, closed with the test.
func browserTab(t *testing.T) context.Context {
	t.Helper()
	browser.once.Do(func() {
		path, err := chromiumPath()
		if err != nil {
			browser.err = err
			return
		}
		browser.dir, err = os.MkdirTemp("", "nextgo-chromium-")
		if err != nil {
			browser.err = err
			return
		}
		opts := []chromedp.ExecAllocatorOption{
			chromedp.ExecPath(path),
			chromedp.Flag("headless", true),
			chromedp.Flag("no-sandbox", true),
			chromedp.Flag("disable-gpu", true),
			chromedp.Flag("disable-quic", true),
			chromedp.Flag("no-first-run", true),
			chromedp.Flag("disable-background-networking", true),
			chromedp.Flag("disable-component-update", true),
			chromedp.Flag("disable-sync", true),
			chromedp.UserDataDir(browser.dir),
		}
		actx, acancel := chromedp.NewExecAllocator(context.Background(), opts...)
		bctx, bcancel := chromedp.NewContext(actx)
		if err := chromedp.Do(bctx); err != nil { // starts the browser
			bcancel()
			acancel()
			browser.err = fmt.Errorf("start %s: %w", path, err)
			return
		}
		browser.ctx = bctx
		browser.cancel = func() { bcancel(); acancel() }
	})
	if browser.err != nil {
		t.Fatal(browser.err)
	}
	tab, cancel := chromedp.NewContext(browser.ctx)
	tab, timeout := context.WithTimeout(tab, 3*time.Minute)
	t.Cleanup(func() { timeout(); cancel() })
	return tab
}

// stopBrowser ends the shared browser, if one started.
func stopBrowser() {
	if browser.cancel != nil {
		browser.cancel()
	}
	if browser.dir != "" {
		os.RemoveAll(browser.dir)
	}
}

// run runs browser actions, failing the test on error.
func run(t *testing.T, tab context.Context, what string, actions ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	if err := chromedp.Do(tab, actions...); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// eval evaluates a JavaScript expression in the tab.
func eval[T any](t *testing.T, tab context.Context, js string) T {
	t.Helper()
	v, err := chromedp.Run(tab, chromedp.Evaluate[T](js))
	if err != nil {
		t.Fatalf("evaluate %s: %v", js, err)
	}
	return v
}

// text returns the text of the first element matching the CSS selector.
func text(t *testing.T, tab context.Context, sel string) string {
	t.Helper()
	return eval[string](t, tab, fmt.Sprintf(`(document.querySelector(%q)||{}).textContent||""`, sel))
}

// waitText waits until the element sel's text contains want.
func waitText(t *testing.T, tab context.Context, sel, want string) {
	t.Helper()
	js := fmt.Sprintf(`(() => { const e = document.querySelector(%q); return !!e && e.textContent.includes(%q); })()`, sel, want)
	if _, err := chromedp.Run(tab, chromedp.Poll[bool](js, chromedp.WithPollingTimeout(60*time.Second))); err != nil {
		t.Fatalf("%s never showed %q (%v); it shows %q", sel, want, err, text(t, tab, sel))
	}
}

// entryID waits for the request log to show a request for path and
// returns its id (the newest one).
func entryID(t *testing.T, tab context.Context, path string) string {
	t.Helper()
	js := fmt.Sprintf(`(() => { for (const tr of document.querySelectorAll("#requests tbody tr")) { if (tr.children[2].textContent === %q) return tr.dataset.id; } return ""; })()`, path)
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		if id := eval[string](t, tab, js); id != "" {
			return id
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("the request log never showed %s; it shows %q", path, text(t, tab, "#requests tbody"))
	return ""
}

// loggedRoute answers and logs a line with the request's context.
const loggedRoute = `package api

import (
	"log/slog"

	"github.com/nextgo-dev/nextgo/runtime/api"
)

func Handler(req *api.Request, res *api.Response) {
	slog.InfoContext(req.Context(), "hello from the logged route", "q", req.Query.Get("q"))
	res.JSON(map[string]string{"logged": req.Query.Get("q")})
}
`

// checkRequestLog drives the dashboard at base (already loaded in tab):
// a request sent with an HTTP client appears live; its detail shows its
// headers and its log line; replay adds a new entry.
func checkRequestLog(t *testing.T, tab context.Context, base string) {
	resp, body := do(t, "GET", base+"/api/logged?q=browser", map[string][]string{"X-Dashboard-Test": {"shown"}}, nil)
	if resp.StatusCode != 200 || body != `{"logged":"browser"}` {
		t.Fatalf("GET /api/logged: %d %q", resp.StatusCode, body)
	}
	id := entryID(t, tab, "/api/logged?q=browser")
	waitText(t, tab, fmt.Sprintf(`#requests tr[data-id=%q]`, id), "pages/api/logged.go")
	run(t, tab, "open the request", chromedp.Click(chromedp.CSS(fmt.Sprintf(`#requests tr[data-id=%q]`, id))))
	waitText(t, tab, "#d-id", id)
	waitText(t, tab, "#d-reqh", "X-Dashboard-Test")
	waitText(t, tab, "#d-reqh", "shown")
	waitText(t, tab, "#d-resb", `{"logged":"browser"}`)
	waitText(t, tab, "#d-logs", "hello from the logged route")
	run(t, tab, "replay", chromedp.Click(chromedp.CSS("#replay")))
	waitText(t, tab, "#requests tbody", "↻ "+id)
	rows := eval[int](t, tab, fmt.Sprintf(`[...document.querySelectorAll("#requests tbody tr")].filter(tr => tr.children[2].textContent === %q).length`, "/api/logged?q=browser"))
	if rows != 2 {
		t.Errorf("after replay the log shows %d entries of the request, want 2", rows)
	}
}

// TestDashboardDev loads /_nextgo/ under nextgo dev in a real browser.
func TestDashboardDev(t *testing.T) {
	dir := copyApp(t, "basic")
	writeAppFile(t, dir, "pages/api/logged.go", loggedRoute)
	s := startNextgo(t, "dev", dir, "/api/user")
	tab := browserTab(t)
	run(t, tab, "load the dashboard", chromedp.Navigate(s.URL+"/_nextgo/"), chromedp.WaitVisible(chromedp.CSS(`body[data-ready="1"]`)))
	waitText(t, tab, "#build", "Ready")
	waitText(t, tab, `#routes tr[data-pattern="/api/post/[pid]"]`, "pages/api/post/[pid].go")
	waitText(t, tab, `#routes tr[data-pattern="/api/logged"]`, "1mb")
	checkRequestLog(t, tab, s.URL)

	// A broken edit shows the build error with its code frame, live.
	writeAppFile(t, dir, "pages/api/logged.go", strings.Replace(loggedRoute, `req.Query.Get("q")})`, `undefinedName})`, 1))
	if resp, _ := do(t, "GET", s.URL+"/api/logged", nil, nil); resp.StatusCode != 500 {
		t.Fatalf("broken route: %d", resp.StatusCode)
	}
	waitText(t, tab, "#frames", "pages/api/logged.go:11:")
	waitText(t, tab, "#frames .mark", "undefinedName")
	waitText(t, tab, "#build", "1 failed to compile")
}

// TestDashboardStart loads /_nextgo/ under nextgo start: the functions with
// their cold starts, the request log and the event composer with each kind
// of event.
func TestDashboardStart(t *testing.T) {
	dir := copyApp(t, "single")
	writeAppFile(t, dir, "pages/api/logged.go", loggedRoute)
	s := startNextgo(t, "start", dir, "/api/light")
	tab := browserTab(t)
	run(t, tab, "load the dashboard", chromedp.Navigate(s.URL+"/_nextgo/"), chromedp.WaitVisible(chromedp.CSS(`body[data-ready="1"]`)))
	waitText(t, tab, "#mode", "start")
	waitText(t, tab, `#routes tr[data-pattern="/api/light"]`, "pages/api/light.go")
	// The ready probe started /api/light's function cold.
	waitText(t, tab, `#routes tr[data-pattern="/api/light"] td:nth-child(11)`, "1")
	checkRequestLog(t, tab, s.URL)
	waitText(t, tab, "#requests tbody", "cold (init")
	do(t, "GET", s.URL+"/api/light", nil, nil)
	waitText(t, tab, "#requests tbody", "warm")

	fn := eval[string](t, tab, `[...document.querySelectorAll("#c-fn option")].find(o => o.textContent.startsWith("/api/logged ")).value`)
	marks := map[string]string{"v1": `"httpMethod": "POST"`, "v2": `"version": "2.0"`, "alb": `"targetGroupArn"`, "url": `"domainPrefix": "local"`}
	for _, kind := range []string{"v1", "v2", "alb", "url"} {
		run(t, tab, "compose "+kind,
			chromedp.SetValue(chromedp.CSS("#c-fn"), fn),
			chromedp.SetValue(chromedp.CSS("#c-kind"), kind),
			chromedp.SetValue(chromedp.CSS("#c-method"), "POST"),
			chromedp.SetValue(chromedp.CSS("#c-path"), "/api/logged?q="+kind),
			chromedp.Click(chromedp.CSS("#invoke")))
		waitText(t, tab, "#c-response", fmt.Sprintf(`{\"logged\":\"%s\"}`, kind))
		waitText(t, tab, "#c-response", `"statusCode": 200`)
		waitText(t, tab, "#c-event", marks[kind])
	}
}
