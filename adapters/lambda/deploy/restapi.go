package deploy

import (
	"context"
	"fmt"
	"maps"
	"path"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	ag1types "github.com/aws/aws-sdk-go-v2/service/apigateway/types"
	"github.com/aws/aws-sdk-go-v2/service/apigatewayv2"
	agtypes "github.com/aws/aws-sdk-go-v2/service/apigatewayv2/types"
)

// The REST API front.
//
// HTTP APIs cannot stream a response (AWS developer guide, "Stream the
// integration response for your proxy integrations in API Gateway": only
// REST APIs stream). An app with a streaming route is therefore deployed
// behind a REST API: one resource per route path, method ANY, a Lambda
// proxy integration with responseTransferMode STREAM and the
// .../2021-11-15/functions/<alias>/response-streaming-invocations URI for
// a streaming route, and a buffered Lambda proxy integration for every
// other route. The fallback function serves the root, the greedy resource
// /{proxy+} and every resource that is only a step on a route's path
// (a REST API answers 403 for a resource without a method). The API lists
// binaryMediaTypes "*/*", so bodies travel base64-encoded both ways.
// Changes reach the stage (named like the deploy stage) through a new
// deployment.

// REST API settings.
const (
	// restBufferedTimeoutMillis is a buffered REST integration's timeout,
	// the most API Gateway allows by default (29 s).
	restBufferedTimeoutMillis = 29_000
	// restStreamTimeoutMillis is the most a STREAM integration allows
	// (15 minutes).
	restStreamTimeoutMillis = 900_000
	// restFallbackPath is the resource of the fallback function.
	restFallbackPath = "/{proxy+}"
)

// restPlan is what the plan decided about the REST API.
type restPlan struct {
	client   *apigateway.Client
	api      *ag1types.RestApi            // nil: create it
	existing map[string]ag1types.Resource // by path
	nodes    []*restNode                  // wanted resources, parents first
	stale    []ag1types.Resource          // resources no route uses
	inTheWay []ag1types.Resource          // stale resources deleted before any is created
	prune    bool                         // delete stale
	changed  bool                         // the stage needs a new deployment
	oldHTTP  *agtypes.Api                 // the app's HTTP API from before a route streamed
}

// restNode is one wanted resource and the function behind its ANY method.
type restNode struct {
	path    string
	fn      *fnState // nil: no method (no fallback to serve it)
	stream  bool
	timeout int32
	put     bool // PutMethod and PutIntegration
	method  bool // the ANY method exists already
}

// uri is the integration URI of the node's function.
func (n *restNode) uri(region string) string {
	return RESTIntegrationURI("aws", region, n.fn.aliasARN(), n.stream)
}

// streamsAny reports whether a route of the build streams, which puts the
// app behind a REST API.
func streamsAny(fns []*fnState) bool {
	for _, st := range fns {
		if st.spec.fn.Streaming && !isFallback(st.spec.fn) {
			return true
		}
	}
	return false
}

// restNodes lays the routes out as REST API resources (restLayout) and
// pairs each with its function's state.
func restNodes(fns []*fnState) ([]*restNode, error) {
	routes := make([]restRoute, len(fns))
	for i, st := range fns {
		routes[i] = restRoute{name: st.spec.name, fn: st.spec.fn}
	}
	layout, err := restLayout(routes)
	if err != nil {
		return nil, err
	}
	return pairNodes(layout, fns), nil
}

// pairNodes pairs the resources of a REST layout with the states of their
// functions.
func pairNodes(layout []RecordResource, fns []*fnState) []*restNode {
	byName := make(map[string]*fnState, len(fns))
	for _, st := range fns {
		byName[st.spec.name] = st
	}
	nodes := make([]*restNode, len(layout))
	for i, r := range layout {
		nodes[i] = &restNode{path: r.Path, fn: byName[r.Function], stream: r.Stream, timeout: r.TimeoutMillis}
	}
	return nodes
}

// findRestAPI returns the REST API named and tagged for the app and stage.
func (s *session) findRestAPI(ctx context.Context, c *apigateway.Client) (*ag1types.RestApi, error) {
	name := APIName(s.app, s.stage)
	var found []ag1types.RestApi
	p := apigateway.NewGetRestApisPaginator(c, &apigateway.GetRestApisInput{Limit: aws.Int32(500)})
	for i := 0; p.HasMorePages() && i < maxPages; i++ {
		out, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("list REST APIs: %w", err)
		}
		for _, a := range out.Items {
			if aws.ToString(a.Name) == name && s.owns(a.Tags) {
				found = append(found, a)
			}
		}
	}
	return theOne(found, "REST APIs", name, func(a ag1types.RestApi) string { return aws.ToString(a.Id) })
}

// planREST compares the REST API with the functions of the build.
func (s *session) planREST(ctx context.Context, layout *DesiredRESTAPI, fns []*fnState, cs *changes) (*restPlan, error) {
	rp := &restPlan{client: apigateway.NewFromConfig(s.opts.AWS), existing: map[string]ag1types.Resource{}}
	nodes := pairNodes(layout.Resources, fns)
	rp.nodes = nodes
	var err error
	if rp.api, err = s.findRestAPI(ctx, rp.client); err != nil {
		return nil, err
	}
	name := APIName(s.app, s.stage)
	if rp.oldHTTP, err = s.findAPI(ctx); err != nil {
		return nil, err
	}
	if rp.oldHTTP != nil {
		s.addStale(cs, ResourceAPI, name, "HTTP API "+aws.ToString(rp.oldHTTP.ApiId)+": a route streams now, so the REST API serves the app")
	}
	if rp.api == nil {
		cs.add(Create, ResourceAPI, name, "REST API (a route streams: HTTP APIs cannot stream)")
		cs.add(Create, ResourceStage, s.stage, "a deployment of the REST API")
		rp.changed = true
	} else {
		cs.add(Unchanged, ResourceAPI, name, aws.ToString(rp.api.Id))
		if err := s.readREST(ctx, rp, cs); err != nil {
			return nil, err
		}
	}
	s.diffREST(rp, cs, s.opts.Prune)
	return rp, nil
}

// readREST reads the resources (with their methods) and the stage of the
// REST API rp.api into rp.
func (s *session) readREST(ctx context.Context, rp *restPlan, cs *changes) error {
	p := apigateway.NewGetResourcesPaginator(rp.client, &apigateway.GetResourcesInput{RestApiId: rp.api.Id, Embed: []string{"methods"}, Limit: aws.Int32(500)})
	for i := 0; p.HasMorePages() && i < maxPages; i++ {
		out, err := p.NextPage(ctx)
		if err != nil {
			return fmt.Errorf("read resources of REST API %s: %w", aws.ToString(rp.api.Id), err)
		}
		for _, r := range out.Items {
			rp.existing[aws.ToString(r.Path)] = r
		}
	}
	stages, err := rp.client.GetStages(ctx, &apigateway.GetStagesInput{RestApiId: rp.api.Id})
	if err != nil {
		return fmt.Errorf("read stages of REST API %s: %w", aws.ToString(rp.api.Id), err)
	}
	if !slices.ContainsFunc(stages.Item, func(st ag1types.Stage) bool { return aws.ToString(st.StageName) == s.stage }) {
		cs.add(Create, ResourceStage, s.stage, "a deployment of the REST API")
		rp.changed = true
	}
	return nil
}

// diffREST compares the wanted resources rp.nodes with the existing ones:
// which methods and integrations to put, which resources no route uses
// (deleted with prune) and which of those are in a wanted resource's way.
// A REST API allows one variable path part per parent ("A sibling ({id})
// of this resource already has a variable path part -- only one is
// allowed"), so a variable resource the build no longer has goes before
// its renamed successor is created, with or without prune: nothing is
// live before the new deployment, so the order costs no request.
func (s *session) diffREST(rp *restPlan, cs *changes, prune bool) {
	want := map[string]bool{}
	for _, n := range rp.nodes {
		want[n.path] = true
	}
	for _, p := range slices.Sorted(maps.Keys(rp.existing)) {
		if want[p] || !isRESTVariable(p) {
			continue
		}
		if gone := slices.ContainsFunc(rp.inTheWay, func(r ag1types.Resource) bool { return strings.HasPrefix(p, aws.ToString(r.Path)+"/") }); gone {
			continue
		}
		for _, n := range rp.nodes {
			if _, ok := rp.existing[n.path]; !ok && isRESTVariable(n.path) && path.Dir(n.path) == path.Dir(p) {
				rp.inTheWay = append(rp.inTheWay, rp.existing[p])
				cs.add(Delete, ResourceRoute, "ANY "+p, "in the way of ANY "+n.path+" (one variable path part per level): deleted before it is created")
				rp.changed = true
				break
			}
		}
	}
	for _, r := range rp.inTheWay { // with their descendants
		for p := range rp.existing {
			if p == aws.ToString(r.Path) || strings.HasPrefix(p, aws.ToString(r.Path)+"/") {
				delete(rp.existing, p)
			}
		}
	}
	for _, n := range rp.nodes {
		if n.fn == nil {
			continue
		}
		key := "ANY " + n.path
		mode := "buffered"
		if n.stream {
			mode = "STREAM"
		}
		cur, ok := rp.existing[n.path]
		var in *ag1types.Integration
		if ok {
			if m, ok := cur.ResourceMethods["ANY"]; ok {
				n.method = true
				in = m.MethodIntegration
			}
		}
		switch {
		case in == nil:
			n.put = true
			cs.add(Create, ResourceRoute, key, "→ "+n.fn.spec.name+" ("+mode+")")
		case aws.ToString(in.Uri) != n.uri(s.region) || in.Type != ag1types.IntegrationTypeAwsProxy ||
			(in.ResponseTransferMode == ag1types.ResponseTransferModeStream) != n.stream || in.TimeoutInMillis != n.timeout:
			n.put = true
			cs.add(Update, ResourceRoute, key, "→ "+n.fn.spec.name+" ("+mode+")")
		default:
			cs.add(Unchanged, ResourceRoute, key)
		}
		rp.changed = rp.changed || n.put
	}
	for _, p := range slices.Sorted(maps.Keys(rp.existing)) {
		if want[p] {
			continue
		}
		rp.stale = append(rp.stale, rp.existing[p])
		if prune {
			cs.add(Delete, ResourceRoute, "ANY "+p, "route no longer in the app")
		} else {
			cs.add(Keep, ResourceRoute, "ANY "+p, "route no longer in the app (--prune deletes it)")
		}
		rp.changed = rp.changed || prune
	}
	rp.prune = prune
}

// isRESTVariable reports whether the last part of a resource path is a
// path variable ({id} or {proxy+}).
func isRESTVariable(p string) bool {
	b := path.Base(p)
	return strings.HasPrefix(b, "{") && strings.HasSuffix(b, "}")
}

// restURL is the invoke URL of the REST API's stage.
func (s *session) restURL(id string) string {
	return fmt.Sprintf("https://%s.execute-api.%s.amazonaws.com/%s", id, s.region, s.stage)
}

// applyREST brings the REST API in line with the plan: API, invoke
// permissions, resources, methods and integrations, stale resources with
// --prune, and a deployment to the stage. It returns the API id and URL.
func (s *session) applyREST(ctx context.Context, rp *restPlan, fns []*fnState) (id, url string, err error) {
	c := rp.client
	if rp.api == nil {
		out, err := c.CreateRestApi(ctx, &apigateway.CreateRestApiInput{
			Name:                  aws.String(APIName(s.app, s.stage)),
			Description:           aws.String(fmt.Sprintf("nextgo app %s, stage %s", s.app, s.stage)),
			BinaryMediaTypes:      []string{"*/*"},
			EndpointConfiguration: &ag1types.EndpointConfiguration{Types: []ag1types.EndpointType{ag1types.EndpointTypeRegional}},
			Tags:                  s.tags(),
		})
		if err != nil {
			return "", "", fmt.Errorf("create REST API: %w", err)
		}
		rp.api = &ag1types.RestApi{Id: out.Id, Name: out.Name, RootResourceId: out.RootResourceId}
		rp.existing["/"] = ag1types.Resource{Id: out.RootResourceId, Path: aws.String("/")}
		s.logf("  created REST API %s", aws.ToString(out.Id))
	}
	id = aws.ToString(rp.api.Id)
	url = s.restURL(id)
	errs := forEach(ctx, s.opts.Concurrency, fns, func(ctx context.Context, st *fnState) error {
		return s.ensurePermission(ctx, st, id)
	})
	if err := joinErrors(errs); err != nil {
		return id, url, err
	}
	if err := s.applyRESTResources(ctx, rp, "nextgo deploy"); err != nil {
		return id, url, err
	}
	if rp.oldHTTP != nil && s.opts.Prune {
		_, err := s.apigw.DeleteApi(ctx, &apigatewayv2.DeleteApiInput{ApiId: rp.oldHTTP.ApiId})
		if err != nil && errorCode(err) != "NotFoundException" {
			return id, url, fmt.Errorf("delete HTTP API %s: %w", aws.ToString(rp.oldHTTP.ApiId), err)
		}
		s.logf("  deleted HTTP API %s", aws.ToString(rp.oldHTTP.ApiId))
	}
	return id, url, nil
}

// applyRESTResources brings the resources of the REST API rp.api in line
// with rp: the resources in the way go first (children with them), then
// the wanted resources are created parents first with their methods and
// integrations, stale resources are deleted when rp.prune, and a new
// deployment (described as description) takes the stage live if anything
// changed.
func (s *session) applyRESTResources(ctx context.Context, rp *restPlan, description string) error {
	c, id := rp.client, aws.ToString(rp.api.Id)
	for _, r := range rp.inTheWay {
		_, err := c.DeleteResource(ctx, &apigateway.DeleteResourceInput{RestApiId: &id, ResourceId: r.Id})
		if err != nil && errorCode(err) != "NotFoundException" {
			return fmt.Errorf("delete resource %s: %w", aws.ToString(r.Path), err)
		}
		s.logf("  deleted route ANY %s (in the way of its successor)", aws.ToString(r.Path))
	}
	ids := map[string]*string{}
	for p, r := range rp.existing {
		ids[p] = r.Id
	}
	for _, n := range rp.nodes { // parents first
		if ids[n.path] == nil {
			out, err := c.CreateResource(ctx, &apigateway.CreateResourceInput{
				RestApiId: &id, ParentId: ids[path.Dir(n.path)], PathPart: aws.String(path.Base(n.path)),
			})
			if err != nil {
				return fmt.Errorf("create resource %s: %w", n.path, err)
			}
			ids[n.path] = out.Id
		}
		if !n.put {
			continue
		}
		if !n.method {
			_, err := c.PutMethod(ctx, &apigateway.PutMethodInput{
				RestApiId: &id, ResourceId: ids[n.path], HttpMethod: aws.String("ANY"), AuthorizationType: aws.String("NONE"),
			})
			if err != nil {
				return fmt.Errorf("create method ANY %s: %w", n.path, err)
			}
		}
		mode := ag1types.ResponseTransferModeBuffered
		if n.stream {
			mode = ag1types.ResponseTransferModeStream
		}
		_, err := c.PutIntegration(ctx, &apigateway.PutIntegrationInput{
			RestApiId: &id, ResourceId: ids[n.path], HttpMethod: aws.String("ANY"),
			Type: ag1types.IntegrationTypeAwsProxy, IntegrationHttpMethod: aws.String("POST"),
			Uri: aws.String(n.uri(s.region)), TimeoutInMillis: aws.Int32(n.timeout), ResponseTransferMode: mode,
		})
		if err != nil {
			return fmt.Errorf("integrate ANY %s with %s: %w", n.path, n.fn.spec.name, err)
		}
	}
	if rp.prune {
		for _, r := range slices.Backward(rp.stale) { // children first
			_, err := c.DeleteResource(ctx, &apigateway.DeleteResourceInput{RestApiId: &id, ResourceId: r.Id})
			if err != nil && errorCode(err) != "NotFoundException" {
				return fmt.Errorf("delete resource %s: %w", aws.ToString(r.Path), err)
			}
			s.logf("  deleted route ANY %s", aws.ToString(r.Path))
		}
	}
	if !rp.changed {
		return nil
	}
	_, err := c.CreateDeployment(ctx, &apigateway.CreateDeploymentInput{
		RestApiId: &id, StageName: aws.String(s.stage), Description: aws.String(description),
	})
	if err != nil {
		return fmt.Errorf("deploy REST API %s to stage %s: %w", id, s.stage, err)
	}
	return nil
}

// apiPlan presents the REST API to the rest of the plan (permissions,
// result, release record) as an API without HTTP API routes.
func (rp *restPlan) apiPlan(s *session) *apiPlan {
	ap := &apiPlan{}
	if rp.api != nil {
		ap.state.api = newAPIRef(aws.ToString(rp.api.Id), s.restURL(aws.ToString(rp.api.Id)))
	}
	return ap
}

// planRemoveREST adds the app's REST API, if any, to a removal report and
// returns the step that deletes it.
func (s *session) planRemoveREST(ctx context.Context, rep *Report) (func(context.Context) error, error) {
	c := apigateway.NewFromConfig(s.opts.AWS)
	api, err := s.findRestAPI(ctx, c)
	if err != nil || api == nil {
		return func(context.Context) error { return nil }, err
	}
	rep.Changes = append(rep.Changes, Change{Action: Delete, Resource: ResourceAPI, Name: aws.ToString(api.Name),
		Reason: aws.ToString(api.Id) + ": REST API with its resources and stage"})
	return func(ctx context.Context) error {
		_, err := c.DeleteRestApi(ctx, &apigateway.DeleteRestApiInput{RestApiId: api.Id})
		if err != nil && errorCode(err) != "NotFoundException" {
			return fmt.Errorf("delete REST API %s: %w", aws.ToString(api.Id), err)
		}
		s.logf("  deleted REST API %s", aws.ToString(api.Id))
		return nil
	}, nil
}

// staleREST is the app's REST API once no route streams: the HTTP API
// serves the app, and the REST API is kept, or deleted with --prune.
type staleREST struct {
	client *apigateway.Client
	api    *ag1types.RestApi
}

// planStaleREST finds a REST API left from when a route streamed.
func (s *session) planStaleREST(ctx context.Context, cs *changes) (*staleREST, error) {
	c := apigateway.NewFromConfig(s.opts.AWS)
	api, err := s.findRestAPI(ctx, c)
	if err != nil || api == nil {
		return nil, err
	}
	s.addStale(cs, ResourceAPI, aws.ToString(api.Name), "REST API "+aws.ToString(api.Id)+": no route streams now, so the HTTP API serves the app")
	return &staleREST{client: c, api: api}, nil
}

// prune deletes the stale REST API with --prune.
func (st *staleREST) prune(ctx context.Context, s *session) error {
	if st == nil || !s.opts.Prune {
		return nil
	}
	_, err := st.client.DeleteRestApi(ctx, &apigateway.DeleteRestApiInput{RestApiId: st.api.Id})
	if err != nil && errorCode(err) != "NotFoundException" {
		return fmt.Errorf("delete REST API %s: %w", aws.ToString(st.api.Id), err)
	}
	s.logf("  deleted REST API %s", aws.ToString(st.api.Id))
	return nil
}

// record lists the REST API's resources as a release record keeps them:
// the wanted ones, and the stale ones the deploy keeps (without --prune)
// with the function their integration invokes.
func (rp *restPlan) record() []RecordResource {
	var out []RecordResource
	for _, n := range rp.nodes {
		r := RecordResource{Path: n.path}
		if n.fn != nil {
			r.Function, r.Stream, r.TimeoutMillis = n.fn.spec.name, n.stream, n.timeout
		}
		out = append(out, r)
	}
	if rp.prune {
		return out
	}
	for _, res := range rp.stale {
		r := RecordResource{Path: aws.ToString(res.Path)}
		if m, ok := res.ResourceMethods["ANY"]; ok && m.MethodIntegration != nil {
			in := m.MethodIntegration
			r.Function = integratedFunction(aws.ToString(in.Uri))
			r.Stream = in.ResponseTransferMode == ag1types.ResponseTransferModeStream
			r.TimeoutMillis = in.TimeoutInMillis
		}
		out = append(out, r)
	}
	slices.SortFunc(out, func(a, b RecordResource) int { return strings.Compare(a.Path, b.Path) })
	return out
}

// integratedFunction is the name of the function whose live alias a
// Lambda integration URI invokes
// (".../functions/arn:aws:lambda:<region>:<account>:function:<name>:live/invocations"),
// or "" for another URI.
func integratedFunction(uri string) string {
	_, rest, ok := strings.Cut(uri, ":function:")
	if !ok {
		return ""
	}
	name, _, ok := strings.Cut(rest, ":"+AliasName+"/")
	if !ok {
		return ""
	}
	return name
}

// planRestoreREST plans putting the REST API back as release to recorded
// it, for the functions fns (by name) of that release: resources the
// release did not have are deleted, and a new deployment takes the stage
// live. The changes go to cs.
func (s *session) planRestoreREST(ctx context.Context, to *Record, fns map[string]*fnState, cs *changes) (*restPlan, error) {
	rp := &restPlan{client: apigateway.NewFromConfig(s.opts.AWS), existing: map[string]ag1types.Resource{}}
	var err error
	if rp.api, err = s.findRestAPI(ctx, rp.client); err != nil {
		return nil, err
	}
	if rp.api == nil {
		return nil, fmt.Errorf("cannot restore release %d: the stage has no REST API (run nextgo deploy)", to.Release)
	}
	for _, r := range to.Resources {
		n := &restNode{path: r.Path, stream: r.Stream, timeout: r.TimeoutMillis}
		if r.Function != "" {
			if n.fn = fns[r.Function]; n.fn == nil {
				return nil, fmt.Errorf("release record %s: resource %s names function %s, which the release does not list", recordKey(to.Release), r.Path, r.Function)
			}
		}
		rp.nodes = append(rp.nodes, n)
	}
	slices.SortFunc(rp.nodes, func(a, b *restNode) int { return strings.Compare(a.path, b.path) }) // parents first
	if err := s.readREST(ctx, rp, cs); err != nil {
		return nil, err
	}
	s.diffREST(rp, cs, true)
	return rp, nil
}
