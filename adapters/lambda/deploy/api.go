package deploy

import (
	"context"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigatewayv2"
	agtypes "github.com/aws/aws-sdk-go-v2/service/apigatewayv2/types"
	"github.com/nextgo-dev/nextgo/internal/lambdalimit"
)

// HTTP API settings.
const (
	defaultStage  = "$default"
	payloadFormat = "2.0"
)

// apiState is the HTTP API of the app and stage as read from AWS.
type apiState struct {
	api          *agtypes.Api // nil when there is none yet
	stage        *agtypes.Stage
	routes       []agtypes.Route
	integrations []agtypes.Integration
}

// integrationPlan is the integration of one function.
type integrationPlan struct {
	fn       *fnState
	uri      string // the live alias ARN
	existing *agtypes.Integration
	update   bool
	id       string // known once it exists
}

// routePlan is one desired route.
type routePlan struct {
	key      string
	integ    *integrationPlan
	existing *agtypes.Route
}

// apiPlan is what the plan decided about the HTTP API.
type apiPlan struct {
	state             apiState
	createStage       bool
	updateStage       bool
	integrations      []*integrationPlan
	routes            []*routePlan
	routeOps          []routeOp // in order; see planRoutes
	keptRoutes        []agtypes.Route
	staleIntegrations []agtypes.Integration
	// replacedIntegrations invoke functions that a function of the build
	// replaces: deleted with or without --prune, once no route uses them.
	replacedIntegrations []agtypes.Integration
}

// findAPI returns the HTTP API named and tagged for the app and stage.
func (s *session) findAPI(ctx context.Context) (*agtypes.Api, error) {
	name := APIName(s.app, s.stage)
	apis, err := allPages(func(token *string) ([]agtypes.Api, *string, error) {
		out, err := s.apigw.GetApis(ctx, &apigatewayv2.GetApisInput{NextToken: token, MaxResults: aws.String("100")})
		if err != nil {
			return nil, nil, err
		}
		return out.Items, out.NextToken, nil
	})
	if err != nil {
		return nil, fmt.Errorf("list HTTP APIs: %w", err)
	}
	var found []agtypes.Api
	for _, a := range apis {
		if aws.ToString(a.Name) == name && a.ProtocolType == agtypes.ProtocolTypeHttp && s.owns(a.Tags) {
			found = append(found, a)
		}
	}
	return theOne(found, "HTTP APIs", name, func(a agtypes.Api) string { return aws.ToString(a.ApiId) })
}

// readAPI reads the HTTP API, its $default stage, routes and integrations.
func (s *session) readAPI(ctx context.Context) (apiState, error) {
	var st apiState
	api, err := s.findAPI(ctx)
	if err != nil || api == nil {
		return st, err
	}
	st.api = api
	id := api.ApiId
	out, err := s.apigw.GetStages(ctx, &apigatewayv2.GetStagesInput{ApiId: id})
	if err != nil {
		return st, fmt.Errorf("read stages of API %s: %w", aws.ToString(id), err)
	}
	for i := range out.Items {
		if aws.ToString(out.Items[i].StageName) == defaultStage {
			st.stage = &out.Items[i]
		}
	}
	st.routes, err = allPages(func(token *string) ([]agtypes.Route, *string, error) {
		out, err := s.apigw.GetRoutes(ctx, &apigatewayv2.GetRoutesInput{ApiId: id, NextToken: token, MaxResults: aws.String("100")})
		if err != nil {
			return nil, nil, err
		}
		return out.Items, out.NextToken, nil
	})
	if err != nil {
		return st, fmt.Errorf("read routes of API %s: %w", aws.ToString(id), err)
	}
	st.integrations, err = allPages(func(token *string) ([]agtypes.Integration, *string, error) {
		out, err := s.apigw.GetIntegrations(ctx, &apigatewayv2.GetIntegrationsInput{ApiId: id, NextToken: token, MaxResults: aws.String("100")})
		if err != nil {
			return nil, nil, err
		}
		return out.Items, out.NextToken, nil
	})
	if err != nil {
		return st, fmt.Errorf("read integrations of API %s: %w", aws.ToString(id), err)
	}
	return st, nil
}

// allPages collects the items of an API Gateway listing, for which the SDK
// has no paginator: list returns a page and the token of the next one; it
// is called for at most maxPages pages.
func allPages[T any](list func(token *string) ([]T, *string, error)) ([]T, error) {
	var all []T
	var token *string
	for range maxPages {
		items, next, err := list(token)
		if err != nil {
			return nil, err
		}
		all = append(all, items...)
		if token = next; aws.ToString(token) == "" {
			break
		}
	}
	return all, nil
}

// planAPI compares the HTTP API with the functions of the build.
func (s *session) planAPI(ctx context.Context, fns []*fnState, stale []*ownedFn, cs *changes) (*apiPlan, error) {
	state, err := s.readAPI(ctx)
	if err != nil {
		return nil, err
	}
	ap := &apiPlan{state: state}
	name := APIName(s.app, s.stage)
	if state.api == nil {
		cs.add(Create, ResourceAPI, name, "HTTP API, payload format "+payloadFormat)
		cs.add(Create, ResourceStage, defaultStage, "auto-deploy")
	} else {
		cs.add(Unchanged, ResourceAPI, name, aws.ToString(state.api.ApiId))
		switch {
		case state.stage == nil:
			ap.createStage = true
			cs.add(Create, ResourceStage, defaultStage, "auto-deploy")
		case !aws.ToBool(state.stage.AutoDeploy):
			ap.updateStage = true
			cs.add(Update, ResourceStage, defaultStage, "turn auto-deploy on")
		}
	}

	byURI := map[string]*agtypes.Integration{}
	for i := range state.integrations {
		in := &state.integrations[i]
		byURI[aws.ToString(in.IntegrationUri)] = in
	}
	wantURI := map[string]bool{}
	wantKey := map[string]bool{}
	for _, fn := range fns {
		ip := &integrationPlan{fn: fn, uri: fn.aliasARN()}
		wantURI[ip.uri] = true
		if in, ok := byURI[ip.uri]; ok {
			ip.existing = in
			ip.id = aws.ToString(in.IntegrationId)
			if d := integrationDiff(in); d != "" {
				ip.update = true
				cs.add(Update, ResourceIntegration, fn.spec.name, d)
			}
		} else {
			cs.add(Create, ResourceIntegration, fn.spec.name, "Lambda proxy to "+fn.spec.name+":"+AliasName)
		}
		ap.integrations = append(ap.integrations, ip)
		if fn.spec.fn.MaxDuration > lambdalimit.MaxIntegrationTimeout {
			s.logf("warning: %s: maxDuration %d s is longer than API Gateway's %d s integration timeout; requests are cut at %d s",
				routeLabel(fn.spec.fn), fn.spec.fn.MaxDuration, lambdalimit.MaxIntegrationTimeout, lambdalimit.MaxIntegrationTimeout)
		}
		for _, key := range fn.spec.routeKeys {
			if wantKey[key] {
				return nil, fmt.Errorf("route %s is served by two functions", key)
			}
			wantKey[key] = true
			ap.routes = append(ap.routes, &routePlan{key: key, integ: ip})
		}
	}
	ops, kept, err := planRoutes(ap.routes, state.routes, s.opts.Prune)
	if err != nil {
		return nil, err
	}
	ap.routeOps, ap.keptRoutes = ops, kept
	changed := map[string]bool{}
	for _, op := range ops {
		changed[op.key] = true
		if op.route != nil {
			changed[aws.ToString(op.route.RouteKey)] = true
		}
		cs.add(op.change())
	}
	for _, rp := range ap.routes {
		if !changed[rp.key] {
			cs.add(Unchanged, ResourceRoute, rp.key)
		}
	}
	for _, r := range kept {
		cs.add(Keep, ResourceRoute, aws.ToString(r.RouteKey), "route no longer in the app (--prune deletes it)")
	}
	replaced := map[string]bool{}
	for _, o := range stale {
		if o.replacedBy != "" {
			replaced[o.name+":"+AliasName] = true
		}
	}
	for _, in := range state.integrations {
		if wantURI[aws.ToString(in.IntegrationUri)] {
			continue
		}
		if replaced[integrationName(in)] {
			ap.replacedIntegrations = append(ap.replacedIntegrations, in)
			cs.add(Delete, ResourceIntegration, integrationName(in), "its function is replaced")
			continue
		}
		ap.staleIntegrations = append(ap.staleIntegrations, in)
		s.addStale(cs, ResourceIntegration, integrationName(in), "no function of the app uses it")
	}
	return ap, nil
}

// addStale records a resource that is no longer in the build: deleted with
// --prune, kept otherwise.
func (s *session) addStale(cs *changes, resource, name, reason string) {
	if s.opts.Prune {
		cs.add(Delete, resource, name, reason)
	} else {
		cs.add(Keep, resource, name, reason+" (--prune deletes it)")
	}
}

func integrationName(in agtypes.Integration) string {
	uri := aws.ToString(in.IntegrationUri)
	if i := strings.Index(uri, ":function:"); i >= 0 {
		return uri[i+len(":function:"):]
	}
	return aws.ToString(in.IntegrationId)
}

// integrationDiff describes how an integration differs from a Lambda proxy
// integration with payload format 2.0.
func integrationDiff(in *agtypes.Integration) string {
	var d []string
	if in.IntegrationType != agtypes.IntegrationTypeAwsProxy {
		d = append(d, fmt.Sprintf("type %s → %s", in.IntegrationType, agtypes.IntegrationTypeAwsProxy))
	}
	if aws.ToString(in.PayloadFormatVersion) != payloadFormat {
		d = append(d, fmt.Sprintf("payload format %s → %s", aws.ToString(in.PayloadFormatVersion), payloadFormat))
	}
	return strings.Join(d, ", ")
}

// applyAPI brings the HTTP API in line with the plan: API and stage,
// invoke permissions (before any route can reach a function),
// integrations, routes and, with --prune, stale routes and integrations.
// It returns the API id and URL.
func (s *session) applyAPI(ctx context.Context, ap *apiPlan) (id, url string, err error) {
	api := ap.state.api
	if api == nil {
		out, err := s.apigw.CreateApi(ctx, &apigatewayv2.CreateApiInput{
			Name:         aws.String(APIName(s.app, s.stage)),
			ProtocolType: agtypes.ProtocolTypeHttp,
			Description:  aws.String(fmt.Sprintf("nextgo app %s, stage %s", s.app, s.stage)),
			Tags:         s.tags(),
		})
		if err != nil {
			return "", "", fmt.Errorf("create HTTP API: %w", err)
		}
		api = &agtypes.Api{ApiId: out.ApiId, ApiEndpoint: out.ApiEndpoint, Name: out.Name}
		ap.createStage = true
		s.logf("  created HTTP API %s", aws.ToString(out.ApiId))
	}
	id, url = aws.ToString(api.ApiId), aws.ToString(api.ApiEndpoint)
	if ap.createStage {
		_, err := s.apigw.CreateStage(ctx, &apigatewayv2.CreateStageInput{
			ApiId: &id, StageName: aws.String(defaultStage), AutoDeploy: aws.Bool(true),
		})
		if err != nil {
			return id, url, fmt.Errorf("create stage %s of API %s: %w", defaultStage, id, err)
		}
	}
	if ap.updateStage {
		_, err := s.apigw.UpdateStage(ctx, &apigatewayv2.UpdateStageInput{
			ApiId: &id, StageName: aws.String(defaultStage), AutoDeploy: aws.Bool(true),
		})
		if err != nil {
			return id, url, fmt.Errorf("turn on auto-deploy of API %s: %w", id, err)
		}
	}

	errs := forEach(ctx, s.opts.Concurrency, ap.integrations, func(ctx context.Context, ip *integrationPlan) error {
		return s.ensurePermission(ctx, ip.fn, id)
	})
	if err := joinErrors(errs); err != nil {
		return id, url, err
	}

	for _, ip := range ap.integrations {
		switch {
		case ip.existing == nil:
			if err := s.createIntegration(ctx, id, ip); err != nil {
				return id, url, err
			}
		case ip.update:
			_, err := s.apigw.UpdateIntegration(ctx, &apigatewayv2.UpdateIntegrationInput{
				ApiId:                &id,
				IntegrationId:        aws.String(ip.id),
				IntegrationType:      agtypes.IntegrationTypeAwsProxy,
				IntegrationUri:       aws.String(ip.uri),
				PayloadFormatVersion: aws.String(payloadFormat),
			})
			if err != nil {
				return id, url, fmt.Errorf("update integration for %s: %w", ip.fn.spec.name, err)
			}
		}
	}
	if err := s.applyRouteOps(ctx, id, ap.routeOps); err != nil {
		return id, url, err
	}
	for _, in := range ap.replacedIntegrations {
		_, err := s.apigw.DeleteIntegration(ctx, &apigatewayv2.DeleteIntegrationInput{ApiId: &id, IntegrationId: in.IntegrationId})
		if err != nil && errorCode(err) != "NotFoundException" {
			return id, url, fmt.Errorf("delete integration %s: %w", integrationName(in), err)
		}
	}
	if !s.opts.Prune {
		return id, url, nil
	}
	for _, in := range ap.staleIntegrations {
		_, err := s.apigw.DeleteIntegration(ctx, &apigatewayv2.DeleteIntegrationInput{ApiId: &id, IntegrationId: in.IntegrationId})
		if err != nil && errorCode(err) != "NotFoundException" {
			return id, url, fmt.Errorf("delete integration %s: %w", integrationName(in), err)
		}
	}
	return id, url, nil
}

func newAPIRef(id, url string) *agtypes.Api {
	return &agtypes.Api{ApiId: aws.String(id), ApiEndpoint: aws.String(url)}
}

// createIntegration creates the Lambda proxy integration of ip.
func (s *session) createIntegration(ctx context.Context, apiID string, ip *integrationPlan) error {
	out, err := s.apigw.CreateIntegration(ctx, &apigatewayv2.CreateIntegrationInput{
		ApiId:                &apiID,
		IntegrationType:      agtypes.IntegrationTypeAwsProxy,
		IntegrationUri:       aws.String(ip.uri),
		PayloadFormatVersion: aws.String(payloadFormat),
		Description:          aws.String("nextgo " + routeLabel(ip.fn.spec.fn)),
	})
	if err != nil {
		return fmt.Errorf("create integration for %s: %w", ip.fn.spec.name, err)
	}
	ip.id = aws.ToString(out.IntegrationId)
	return nil
}

// theOne returns the one API of found that is named name and tagged for
// the app and stage, nil when there is none, and an error naming them all
// when there are several.
func theOne[T any](found []T, kind, name string, id func(T) string) (*T, error) {
	switch len(found) {
	case 0:
		return nil, nil
	case 1:
		return &found[0], nil
	}
	ids := make([]string, len(found))
	for i, a := range found {
		ids[i] = id(a)
	}
	return nil, fmt.Errorf("%d %s are named %s and tagged for this app and stage (%s): delete all but one",
		len(found), kind, name, strings.Join(ids, ", "))
}
