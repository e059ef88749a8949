package deploy

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigatewayv2"
	agtypes "github.com/aws/aws-sdk-go-v2/service/apigatewayv2/types"
)

// API Gateway refuses a route whose path has, at some level, a path
// variable named differently from the variable of an existing route at
// that level under the same parent path: 409 ConflictException "The
// provided route key "GET /a/{id}" has a conflicting variable on the same
// hierarchical level as "GET /a/{pid}"". Renaming pages/api/post/[pid].go
// to [id].go therefore cannot create ANY /api/post/{id} while ANY
// /api/post/{pid} exists. planRoutes orders the route changes so that no
// step meets the rule: a renamed route's key is updated in place when
// that alone is conflict-free, else the routes in the way are deleted just
// before their successors are created (the $default route's fallback
// function answers those paths meanwhile).

// routeOp is one step of a route change.
type routeOp struct {
	action Action         // Create, Update or Delete
	key    string         // the route key after the step (Create, Update)
	route  *agtypes.Route // the existing route (Update, Delete)
	integ  *integrationPlan
}

// routeVar reads a path part as a variable: its name and whether it is
// greedy ({name+}); ok is false for a literal part.
func routeVar(part string) (name string, greedy, ok bool) {
	if !strings.HasPrefix(part, "{") || !strings.HasSuffix(part, "}") {
		return "", false, false
	}
	name = part[1 : len(part)-1]
	name, greedy = strings.CutSuffix(name, "+")
	return name, greedy, true
}

// routeParts returns the path parts of a route key ("ANY /a/{b}" → [a
// {b}]); none for $default.
func routeParts(key string) []string {
	_, path, ok := strings.Cut(key, " ")
	if !ok {
		return nil
	}
	path = strings.Trim(path, "/")
	if path == "" {
		return nil
	}
	return strings.Split(path, "/")
}

// VariableConflict reports whether API Gateway refuses route keys a and b
// side by side: under a common parent path, at the same level, both have a
// path variable of the same kind (greedy or not) with different names.
func VariableConflict(a, b string) bool {
	pa, pb := routeParts(a), routeParts(b)
	for i := 0; i < len(pa) && i < len(pb); i++ {
		na, ga, va := routeVar(pa[i])
		nb, gb, vb := routeVar(pb[i])
		switch {
		case va && vb && ga == gb && na != nb:
			return true
		case pa[i] != pb[i]:
			return false
		}
	}
	return false
}

// sameShape reports whether two route keys differ in variable names alone.
func sameShape(a, b string) bool {
	ma, _, _ := strings.Cut(a, " ")
	mb, _, _ := strings.Cut(b, " ")
	pa, pb := routeParts(a), routeParts(b)
	if ma != mb || len(pa) != len(pb) {
		return false
	}
	for i := range pa {
		_, ga, va := routeVar(pa[i])
		_, gb, vb := routeVar(pb[i])
		if va != vb || ga != gb || !va && pa[i] != pb[i] {
			return false
		}
	}
	return true
}

// checkRouteConflicts reports two wanted route keys that API Gateway
// refuses side by side.
func checkRouteConflicts(keys []string) error {
	for i, a := range keys {
		for _, b := range keys[i+1:] {
			if VariableConflict(a, b) {
				return fmt.Errorf("routes %s and %s name the path variable at one level differently, which API Gateway refuses: use one name", a, b)
			}
		}
	}
	return nil
}

// planRoutes orders the steps that turn the existing routes into the
// wanted ones. Existing routes the build no longer has are deleted at the
// end with prune, and returned as kept otherwise, unless one is in a
// wanted route's way: then it goes first, with or without prune.
func planRoutes(want []*routePlan, existing []agtypes.Route, prune bool) (ops []routeOp, kept []agtypes.Route, err error) {
	wantKeys := make([]string, len(want))
	for i, rp := range want {
		wantKeys[i] = rp.key
	}
	if err := checkRouteConflicts(wantKeys); err != nil {
		return nil, nil, err
	}
	byKey := map[string]*agtypes.Route{}
	for i := range existing {
		byKey[aws.ToString(existing[i].RouteKey)] = &existing[i]
	}
	state := map[string]bool{} // keys that exist at this step
	for k := range byKey {
		state[k] = true
	}
	stale := map[string]*agtypes.Route{}
	for k, r := range byKey {
		if !slices.Contains(wantKeys, k) {
			stale[k] = r
		}
	}
	var pending []*routePlan
	for _, rp := range want {
		if r := byKey[rp.key]; r != nil {
			rp.existing = r
			if aws.ToString(r.Target) != "integrations/"+rp.integ.id || rp.integ.id == "" {
				ops = append(ops, routeOp{action: Update, key: rp.key, route: r, integ: rp.integ})
			}
			continue
		}
		pending = append(pending, rp)
	}
	conflicts := func(key string) []string {
		var out []string
		for k := range state {
			if VariableConflict(key, k) {
				out = append(out, k)
			}
		}
		slices.Sort(out)
		return out
	}
	for len(pending) > 0 {
		progress := false
		for i := 0; i < len(pending); i++ {
			rp := pending[i]
			c := conflicts(rp.key)
			switch {
			case len(c) == 0:
				ops = append(ops, routeOp{action: Create, key: rp.key, integ: rp.integ})
			case len(c) == 1 && stale[c[0]] != nil && sameShape(c[0], rp.key):
				// A renamed variable: the route takes the new key in place.
				ops = append(ops, routeOp{action: Update, key: rp.key, route: stale[c[0]], integ: rp.integ})
				delete(state, c[0])
				delete(stale, c[0])
			default:
				continue
			}
			state[rp.key] = true
			pending = slices.Delete(pending, i, i+1)
			i--
			progress = true
		}
		if progress || len(pending) == 0 {
			continue
		}
		// No single step is conflict-free: delete the stale routes in the
		// way of the first pending route, then go on.
		for _, k := range conflicts(pending[0].key) {
			r := stale[k]
			if r == nil {
				return nil, nil, fmt.Errorf("route %s conflicts with route %s, which the build also has", pending[0].key, k)
			}
			ops = append(ops, routeOp{action: Delete, route: r, key: pending[0].key})
			delete(state, k)
			delete(stale, k)
		}
	}
	for _, k := range slices.Sorted(maps.Keys(stale)) {
		if prune {
			ops = append(ops, routeOp{action: Delete, route: stale[k]})
		} else {
			kept = append(kept, *stale[k])
		}
	}
	return ops, kept, nil
}

// change describes the step in a plan.
func (op routeOp) change() (Action, string, string, string) {
	to := ""
	if op.integ != nil {
		to = "→ " + op.integ.fn.spec.name
	}
	switch op.action {
	case Create:
		return Create, ResourceRoute, op.key, to
	case Update:
		if old := aws.ToString(op.route.RouteKey); old != op.key {
			return Update, ResourceRoute, op.key, "renamed from " + old + " (one variable name per path level) " + to
		}
		return Update, ResourceRoute, op.key, to
	}
	old := aws.ToString(op.route.RouteKey)
	if op.key != "" {
		return Delete, ResourceRoute, old, "in the way of " + op.key + " (one variable name per path level): deleted just before it is created"
	}
	return Delete, ResourceRoute, old, "route no longer in the app"
}

// applyRouteOps carries out route steps in order.
func (s *session) applyRouteOps(ctx context.Context, apiID string, ops []routeOp) error {
	for _, op := range ops {
		switch op.action {
		case Create:
			_, err := s.apigw.CreateRoute(ctx, &apigatewayv2.CreateRouteInput{
				ApiId: &apiID, RouteKey: aws.String(op.key), Target: aws.String("integrations/" + op.integ.id),
			})
			if err != nil {
				return fmt.Errorf("create route %s: %w", op.key, err)
			}
		case Update:
			in := &apigatewayv2.UpdateRouteInput{ApiId: &apiID, RouteId: op.route.RouteId, Target: aws.String("integrations/" + op.integ.id)}
			if old := aws.ToString(op.route.RouteKey); old != op.key {
				in.RouteKey = aws.String(op.key)
				s.logf("  route %s → %s", old, op.key)
			}
			if _, err := s.apigw.UpdateRoute(ctx, in); err != nil {
				return fmt.Errorf("update route %s: %w", op.key, err)
			}
		case Delete:
			_, err := s.apigw.DeleteRoute(ctx, &apigatewayv2.DeleteRouteInput{ApiId: &apiID, RouteId: op.route.RouteId})
			if err != nil && errorCode(err) != "NotFoundException" {
				return fmt.Errorf("delete route %s: %w", aws.ToString(op.route.RouteKey), err)
			}
			s.logf("  deleted route %s", aws.ToString(op.route.RouteKey))
		}
	}
	return nil
}
