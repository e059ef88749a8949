package e2e

import (
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/nextgo-dev/nextgo/adapters/lambda/deploy"
	"github.com/nextgo-dev/nextgo/e2e/awsfake"
)

// TestDeployStreaming deploys an app with streaming routes (a route
// handler returning an io.Pipe's reader, an API route that flushes, a
// server.Stream of 7 MB) and a buffered one: deploy puts it behind a REST
// API whose streaming routes have STREAM integrations, and the deployed
// app streams each chunk as the handler writes it and a body past Lambda's
// 6 MB buffered limit whole.
func TestDeployStreaming(t *testing.T) {
	s := newAWSStage(t, awsfake.Options{})
	dir := streamingApp(t)
	res := s.deployJSON(dir, "--stage", "live", "--arch", runtime.GOARCH)
	if !strings.HasPrefix(res.URL, "https://"+res.APIID+".execute-api.us-east-1.amazonaws.com/live") {
		t.Errorf("URL %q: want the REST API's stage URL", res.URL)
	}
	base := s.appURL(res)
	if base == res.URL {
		t.Fatalf("no REST API %s on the endpoint", res.APIID)
	}
	t.Run("streaming", func(t *testing.T) { testStreaming(t, base) })
	t.Run("big stream", func(t *testing.T) { testBigStream(t, base) })
	t.Run("buffered", func(t *testing.T) {
		r, err := http.Get(base + "/api/hello")
		if err != nil {
			t.Fatal(err)
		}
		defer r.Body.Close()
		body, _ := io.ReadAll(r.Body)
		if r.StatusCode != 200 || strings.TrimSpace(string(body)) != `{"message":"hi"}` || r.Header.Get("Content-Type") != "application/json; charset=utf-8" {
			t.Errorf("GET /api/hello = %d %q %v", r.StatusCode, body, r.Header)
		}
	})

	// Next's 308s keep the stage of the default URL in front.
	t.Run("next routing", func(t *testing.T) { checkNextRouting(t, base, "/api/hello") })
	// nextgo start serves the same app behind the same kind of front, at
	// its root as a custom domain would.
	t.Run("next routing under start", func(t *testing.T) {
		srv := startNextgo(t, "start", dir, "/api/hello")
		checkNextRouting(t, srv.URL, "/api/hello")
	})

	// Deployed again unchanged: nothing to do, no new deployment.
	s.fake.ResetCalls()
	s.deployJSON(dir, "--stage", "live", "--arch", runtime.GOARCH)
	for _, c := range s.fake.Mutations() {
		if c.Service == "apigateway" {
			t.Errorf("unchanged app: %s %s", c.Op, c.Resource)
		}
	}

	// Without its streaming routes, the app goes back behind an HTTP API;
	// with --prune the REST API goes.
	for _, f := range []string{"app", "pages/api/flush.go"} {
		if err := os.RemoveAll(filepath.Join(dir, filepath.FromSlash(f))); err != nil {
			t.Fatal(err)
		}
	}
	plain := s.deployJSON(dir, "--stage", "live", "--arch", runtime.GOARCH, "--prune")
	if plain.APIID == res.APIID || s.fake.RESTEndpoint(res.APIID, "live") != "" {
		t.Errorf("after the streaming routes went: API %s (REST API %s still served: %v)", plain.APIID, res.APIID, s.fake.RESTEndpoint(res.APIID, "live") != "")
	}
	if r, err := http.Get(plain.URL + "/api/hello"); err != nil || r.StatusCode != 200 {
		t.Errorf("GET /api/hello on the HTTP API: %v %v", r, err)
	} else {
		r.Body.Close()
	}
	t.Run("next routing on the HTTP API", func(t *testing.T) { checkNextRouting(t, plain.URL, "/api/hello") })

	if _, stderr, err := s.nextgo("remove", dir, "--stage", "live", "--yes"); err != nil {
		t.Fatalf("remove: %v\n%s", err, stderr)
	}
	if r, err := http.Get(plain.URL + "/api/hello"); err == nil {
		r.Body.Close()
		t.Errorf("the HTTP API outlived remove: %d", r.StatusCode)
	}
}

// appURL is where the deployed app answers on the local endpoint: the URL
// deploy printed, or for a REST API (whose execute-api host does not
// resolve here) the endpoint's listener for the stage.
func (s *awsStage) appURL(res *deploy.Result) string {
	if strings.Contains(res.URL, ".execute-api.") {
		if u := s.fake.RESTEndpoint(res.APIID, res.Stage); u != "" {
			return u
		}
	}
	return res.URL
}

// streamRoute is an app-router route that streams "<v> first\n", then,
// once the file named by ?release= exists, "<v> second\n".
func streamRoute(v string) string {
	return `package stream

import (
	"io"
	"net/http"
	"os"
	"time"

	"github.com/nextgo-dev/nextgo/runtime/server"
)

func GET(req *server.Request) (*server.Response, error) {
	release := req.URL.Query().Get("release")
	pr, pw := io.Pipe()
	go func() {
		io.WriteString(pw, "` + v + ` first\n")
		second := "never released\n"
		for i := 0; i < 1000; i++ {
			if _, err := os.Stat(release); err == nil {
				second = "` + v + ` second\n"
				break
			}
			time.Sleep(10 * time.Millisecond)
		}
		io.WriteString(pw, second)
		pw.Close()
	}()
	return server.NewResponse(pr, server.Init{Headers: http.Header{"Content-Type": {"text/plain; charset=utf-8"}}}), nil
}
`
}

// apiRoute is an API route answering {"q":<its query and params>,"v":v}.
func apiRoute(pkg, v string) string {
	return `package ` + pkg + `

import "github.com/nextgo-dev/nextgo/runtime/api"

func Handler(req *api.Request, res *api.Response) {
	res.JSON(map[string]any{"v": "` + v + `", "q": req.Query})
}
`
}

// TestDeployStreamingRollback rolls back a stage behind a REST API (an app
// with a streaming route) after a release that renamed a path variable
// ([pid] → [id]), renamed a route (old → new) and added one: the
// rollback restores aliases, resources, methods and integrations and
// redeploys the stage, so every path answers as release 1 did and the
// streaming route still streams; a second rollback rolls forward.
func TestDeployStreamingRollback(t *testing.T) {
	s := newAWSStage(t, awsfake.Options{})
	dir := filepath.Join(t.TempDir(), "rbshop")
	write := func(name, content string) { writeAppFile(t, dir, name, content) }
	remove := func(name string) {
		if err := os.Remove(filepath.Join(dir, filepath.FromSlash(name))); err != nil {
			t.Fatal(err)
		}
	}
	newModule(t, dir, "example.com/rbshop")
	args := []string{dir, "--stage", "rb", "--arch", runtime.GOARCH}

	write("app/stream/route.go", streamRoute("v1"))
	write("pages/api/hello.go", apiRoute("api", "v1"))
	write("pages/api/post/[pid].go", apiRoute("post", "v1"))
	write("pages/api/old.go", apiRoute("api", "v1"))
	v1 := s.deployJSON(args...)
	base := s.appURL(v1)
	if base == v1.URL {
		t.Fatalf("no REST API %s on the endpoint", v1.APIID)
	}
	type want struct {
		path   string
		status int
		body   string
	}
	check := func(step string, wants ...want) {
		t.Helper()
		for _, w := range wants {
			r, err := http.Get(base + w.path)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(r.Body)
			r.Body.Close()
			if r.StatusCode != w.status || strings.TrimSpace(string(body)) != w.body {
				t.Errorf("%s: GET %s = %d %q, want %d %q", step, w.path, r.StatusCode, body, w.status, w.body)
			}
		}
	}
	release1 := []want{
		{"/api/hello", 200, `{"q":{},"v":"v1"}`},
		{"/api/post/7", 200, `{"q":{"pid":"7"},"v":"v1"}`},
		{"/api/old", 200, `{"q":{},"v":"v1"}`},
		{"/api/new", 404, "Not Found"},
		{"/api/added", 404, "Not Found"},
	}
	release2 := []want{
		{"/api/hello", 200, `{"q":{},"v":"v2"}`},
		{"/api/post/7", 200, `{"q":{"id":"7"},"v":"v2"}`},
		{"/api/new", 200, `{"q":{},"v":"v2"}`},
		{"/api/added", 200, `{"q":{},"v":"v2"}`},
	}
	check("release 1", release1...)
	checkStream(t, base+"/stream", nil, "v1 first\n", "v1 second\n")

	// Release 2: new code, a renamed variable, a renamed route, an added
	// route. /api/old stays (no --prune), still served by release 1's
	// function.
	write("app/stream/route.go", streamRoute("v2"))
	write("pages/api/hello.go", apiRoute("api", "v2"))
	remove("pages/api/post/[pid].go")
	write("pages/api/post/[id].go", apiRoute("post", "v2"))
	remove("pages/api/old.go")
	write("pages/api/new.go", apiRoute("api", "v2"))
	write("pages/api/added.go", apiRoute("api", "v2"))
	v2 := s.deployJSON(args...)
	if v2.APIID != v1.APIID {
		t.Fatalf("release 2 moved to API %s from %s", v2.APIID, v1.APIID)
	}
	check("release 2", append(release2, want{"/api/old", 200, `{"q":{},"v":"v1"}`})...)
	checkStream(t, base+"/stream", nil, "v2 first\n", "v2 second\n")

	stdout, stderr, err := s.nextgo("rollback", "--app", "rbshop", "--stage", "rb", "--json")
	if err != nil {
		t.Fatalf("rollback: %v\n%s", err, stderr)
	}
	var rep deploy.Report
	if err := json.Unmarshal([]byte(stdout), &rep); err != nil {
		t.Fatalf("rollback --json: %v\n%s", err, stdout)
	}
	if rep.Release != v2.Release || rep.Restored != v1.Release {
		t.Errorf("rollback report: release %d restored %d, want %d and %d", rep.Release, rep.Restored, v2.Release, v1.Release)
	}
	var moved []string
	for _, c := range rep.Changes {
		moved = append(moved, string(c.Action)+" "+c.Resource+" "+c.Name)
	}
	slices.Sort(moved)
	fn := func(pattern string) string { return deploy.FunctionName("rbshop", "rb", pattern) }
	wantMoved := []string{
		"create route ANY /api/post/{pid}",
		"delete route ANY /api/added",
		"delete route ANY /api/new",
		"delete route ANY /api/post/{id}",
		"update alias " + fn("/api/hello") + ":live",
		"update alias " + fn("/stream") + ":live",
		"update stage rb",
	}
	if !slices.Equal(moved, wantMoved) {
		t.Errorf("rollback moved\n%s\nwant\n%s", strings.Join(moved, "\n"), strings.Join(wantMoved, "\n"))
	}
	check("after rollback", release1...)
	checkStream(t, base+"/stream", nil, "v1 first\n", "v1 second\n")

	// A second rollback rolls forward again.
	if _, stderr, err := s.nextgo("rollback", "--app", "rbshop", "--stage", "rb"); err != nil {
		t.Fatalf("second rollback: %v\n%s", err, stderr)
	}
	check("after the second rollback", append(release2, want{"/api/old", 200, `{"q":{},"v":"v1"}`})...)
	checkStream(t, base+"/stream", nil, "v2 first\n", "v2 second\n")
}
