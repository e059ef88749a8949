package deploy

import (
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	agtypes "github.com/aws/aws-sdk-go-v2/service/apigatewayv2/types"
	"github.com/nextgo-dev/nextgo/bundler/manifest"
)

func TestVariableConflict(t *testing.T) {
	tests := []struct {
		a, b string
		want bool
	}{
		{"ANY /api/post/{pid}", "ANY /api/post/{id}", true},
		{"GET /api/post/{pid}", "POST /api/post/{id}", true},
		{"ANY /api/post/{pid}/comments", "ANY /api/post/{id}", true},
		{"ANY /api/post/{pid}", "ANY /api/post/{pid}", false},
		{"ANY /api/post/{pid}", "ANY /api/post/{slug+}", false},
		{"ANY /api/post/{a+}", "ANY /api/post/{b+}", true},
		{"ANY /api/post/{pid}", "ANY /api/user/{id}", false},
		{"ANY /api/post/{pid}", "ANY /api/post/new", false},
		{"ANY /api/{a}/x/{b}", "ANY /api/{a}/x/{c}", true},
		{"ANY /api/{a}/x/{b}", "ANY /api/{a}/y/{c}", false},
		{"$default", "ANY /{x}", false},
		{"ANY /", "ANY /{x}", false},
	}
	for _, tt := range tests {
		if got := VariableConflict(tt.a, tt.b); got != tt.want {
			t.Errorf("VariableConflict(%q, %q) = %v, want %v", tt.a, tt.b, got, tt.want)
		}
		if got := VariableConflict(tt.b, tt.a); got != tt.want {
			t.Errorf("VariableConflict(%q, %q) = %v, want %v", tt.b, tt.a, got, tt.want)
		}
	}
}

// TestPlanRoutes checks the order of route steps: every step must be one
// API Gateway takes, given the routes that exist at that step.
func TestPlanRoutes(t *testing.T) {
	integ := &integrationPlan{id: "new", fn: &fnState{spec: &fnSpec{name: "f", fn: &manifest.Function{}}}}
	tests := []struct {
		name     string
		existing []string
		want     []string
		prune    bool
		steps    string
		kept     string
		err      string
	}{
		{name: "rename one route in place",
			existing: []string{"ANY /api/post/{pid}", "ANY /api/hello"},
			want:     []string{"ANY /api/post/{id}", "ANY /api/hello"},
			steps:    "update ANY /api/hello; update ANY /api/post/{pid}→ANY /api/post/{id}"},
		{name: "rename a variable two routes share: delete, then create",
			existing: []string{"ANY /api/post/{pid}", "ANY /api/post/{pid}/comments"},
			want:     []string{"ANY /api/post/{id}", "ANY /api/post/{id}/comments"},
			steps:    "delete ANY /api/post/{pid}; delete ANY /api/post/{pid}/comments; create ANY /api/post/{id}; create ANY /api/post/{id}/comments"},
		{name: "new routes first, stale ones last with prune",
			existing: []string{"ANY /api/old"},
			want:     []string{"ANY /api/new"},
			prune:    true,
			steps:    "create ANY /api/new; delete ANY /api/old"},
		{name: "stale routes kept without prune",
			existing: []string{"ANY /api/old"},
			want:     []string{"ANY /api/new"},
			steps:    "create ANY /api/new",
			kept:     "ANY /api/old"},
		{name: "a greedy sibling stays",
			existing: []string{"ANY /api/post/{pid}", "ANY /api/post/{slug+}"},
			want:     []string{"ANY /api/post/{id}", "ANY /api/post/{slug+}"},
			steps:    "update ANY /api/post/{slug+}; update ANY /api/post/{pid}→ANY /api/post/{id}"},
		{name: "conflicting wanted routes",
			want: []string{"ANY /api/{a}", "ANY /api/{b}/x"},
			err:  "routes ANY /api/{a} and ANY /api/{b}/x name the path variable at one level differently, which API Gateway refuses: use one name"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var existing []agtypes.Route
			for i, k := range tt.existing {
				existing = append(existing, agtypes.Route{RouteKey: aws.String(k), RouteId: aws.String(fmt.Sprint(i)), Target: aws.String("integrations/old")})
			}
			var want []*routePlan
			for _, k := range tt.want {
				want = append(want, &routePlan{key: k, integ: integ})
			}
			ops, kept, err := planRoutes(want, existing, tt.prune)
			if tt.err != "" || err != nil {
				if err == nil || err.Error() != tt.err {
					t.Fatalf("err = %v, want %q", err, tt.err)
				}
				return
			}
			var steps []string
			state := map[string]bool{}
			for _, k := range tt.existing {
				state[k] = true
			}
			for _, op := range ops {
				switch op.action {
				case Create:
					steps = append(steps, "create "+op.key)
				case Update:
					old := aws.ToString(op.route.RouteKey)
					if old != op.key {
						steps = append(steps, "update "+old+"→"+op.key)
					} else {
						steps = append(steps, "update "+op.key)
					}
					delete(state, old)
				case Delete:
					steps = append(steps, "delete "+aws.ToString(op.route.RouteKey))
					delete(state, aws.ToString(op.route.RouteKey))
					continue
				}
				for k := range state {
					if VariableConflict(op.key, k) {
						t.Errorf("step %q meets %s, which API Gateway refuses", steps[len(steps)-1], k)
					}
				}
				state[op.key] = true
			}
			if got := strings.Join(steps, "; "); got != tt.steps {
				t.Errorf("steps:\n%s\nwant\n%s", got, tt.steps)
			}
			var keptKeys []string
			for _, r := range kept {
				keptKeys = append(keptKeys, aws.ToString(r.RouteKey))
			}
			if got := strings.Join(keptKeys, "; "); got != tt.kept {
				t.Errorf("kept %q, want %q", got, tt.kept)
			}
		})
	}
}
