package e2e

import (
	"context"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigatewayv2"
	"github.com/nextgo-dev/nextgo/e2e/awsfake"
	"github.com/nextgo-dev/nextgo/e2e/awsfake/testbuild"
)

// TestDeploy60RoutesThrottled deploys a 60-route app through the local
// endpoint's Lambda control-plane quota (429 TooManyRequestsException
// over it): the deploy completes, and so do an unchanged redeploy and a
// one-route change. The API calls per function
// of each are logged (go test -v) for the record.
func TestDeploy60RoutesThrottled(t *testing.T) {
	// A quota under deploy's own pacing (12 per second): the deploy meets
	// TooManyRequestsException, as it does when other tools share the
	// account's quota, and goes on.
	s := newAWSStage(t, awsfake.Options{ControlPlaneRate: 10})
	const n = 60
	routes := func(changed string) []testbuild.Route {
		var out []testbuild.Route
		for i := range n {
			r := testbuild.Route{Name: fmt.Sprintf("api-r%02d", i), Pattern: fmt.Sprintf("/api/r%02d/[id]", i), Reply: "v1"}
			if i == 7 && changed != "" {
				r.Reply = changed
			}
			out = append(out, r)
		}
		return out
	}
	common := []string{"--skip-build", "--stage", "scale", "--concurrency", "8"}
	var start time.Time
	counts := func(step string) {
		t.Helper()
		var total, throttled, mutating int
		for _, c := range s.fake.Calls() {
			total++
			if c.Status == http.StatusTooManyRequests {
				throttled++
			}
			if c.Mutating && c.Status < 300 {
				mutating++
			}
		}
		t.Logf("%s (%s): %d API calls (%.1f per function), %d changing, %d throttled with 429", step, time.Since(start).Round(time.Second), total, float64(total)/n, mutating, throttled)
	}

	start = time.Now()
	res := s.deployJSON(append([]string{"--out", buildOf(t, "scaleshop", routes("")...)}, common...)...)
	if len(res.Summary.Created) != n {
		t.Fatalf("first deploy: %d created", len(res.Summary.Created))
	}
	counts("first deploy")
	throttled := 0
	for _, c := range s.fake.Calls() {
		if c.Status == http.StatusTooManyRequests {
			throttled++
		}
	}
	if throttled == 0 {
		t.Errorf("the first deploy of %d functions was never throttled: the endpoint's quota is not in force", n)
	}
	out, err := apigatewayv2.NewFromConfig(s.cfg).GetRoutes(context.Background(), &apigatewayv2.GetRoutesInput{ApiId: aws.String(res.APIID), MaxResults: aws.String("500")})
	if err != nil || len(out.Items) != n {
		t.Fatalf("routes after the first deploy: %d, %v", len(out.Items), err)
	}

	s.fake.ResetCalls()
	start = time.Now()
	again := s.deployJSON(append([]string{"--out", buildOf(t, "scaleshop", routes("")...)}, common...)...)
	if len(again.Summary.Unchanged) != n || len(s.fake.Mutations()) != 0 {
		t.Errorf("unchanged redeploy: %+v, mutations %d", again.Summary, len(s.fake.Mutations()))
	}
	counts("unchanged redeploy")

	s.fake.ResetCalls()
	start = time.Now()
	changed := s.deployJSON(append([]string{"--out", buildOf(t, "scaleshop", routes("v2")...)}, common...)...)
	if len(changed.Summary.Updated) != 1 || len(changed.Summary.Unchanged) != n-1 {
		t.Errorf("one-route change: %+v", changed.Summary)
	}
	counts("one-route change")
	for path, want := range map[string]string{"/api/r00/1": "v1", "/api/r07/1": "v2", "/api/r59/1": "v1"} {
		if status, out, body := reply(t, res.URL+path); status != 200 || out.Reply != want {
			t.Errorf("GET %s = %d %s, want %s", path, status, body, want)
		}
	}
}
