package e2e

import (
	"io"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
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
	dir := filepath.Join(t.TempDir(), "streamshop")
	write := func(name, content string) { writeAppFile(t, dir, name, content) }
	newModule(t, dir, "example.com/streamshop")
	for _, f := range []string{"app/advanced/streaming/route.go", "app/advanced/pipe/route.go", "app/advanced/big/route.go", "pages/api/flush.go"} {
		b, err := os.ReadFile(filepath.Join("testdata", "apps", "approutes", filepath.FromSlash(f)))
		if err != nil {
			t.Fatal(err)
		}
		write(f, string(b))
	}
	write("pages/api/hello.go", `package hello

import "github.com/nextgo-dev/nextgo/runtime/api"

func Handler(req *api.Request, res *api.Response) {
	res.JSON(map[string]string{"message": "hi"})
}
`)
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
