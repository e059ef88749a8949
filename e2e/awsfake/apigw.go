package awsfake

import (
	"encoding/json"
	"maps"
	"net"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/nextgo-dev/nextgo/internal/lambdalimit"
)

// api is one API Gateway v2 API.
type api struct {
	id           string
	name         string
	description  string
	protocol     string
	tags         map[string]string
	created      time.Time
	endpoint     string
	stages       map[string]*stage
	routes       map[string]*route
	integrations map[string]*integration

	ln  net.Listener
	srv *http.Server
}

func (a *api) close() {
	if a.srv != nil {
		a.srv.Close()
	}
}

type stage struct {
	name        string
	description string
	autoDeploy  bool
	created     time.Time
	updated     time.Time
}

type route struct {
	id       string
	key      string
	target   string
	authType string
}

type integration struct {
	id          string
	typ         string
	uri         string
	payload     string
	method      string
	description string
	timeout     int
}

const apigwTime = "2006-01-02T15:04:05Z"

func (a *api) json() map[string]any {
	return map[string]any{
		"apiEndpoint":               a.endpoint,
		"apiId":                     a.id,
		"name":                      a.name,
		"description":               a.description,
		"protocolType":              a.protocol,
		"routeSelectionExpression":  "${request.method} ${request.path}",
		"apiKeySelectionExpression": "$request.header.x-api-key",
		"disableExecuteApiEndpoint": false,
		"createdDate":               a.created.UTC().Format(apigwTime),
		"tags":                      a.tags,
	}
}

func (st *stage) json() map[string]any {
	return map[string]any{
		"stageName":       st.name,
		"description":     st.description,
		"autoDeploy":      st.autoDeploy,
		"createdDate":     st.created.UTC().Format(apigwTime),
		"lastUpdatedDate": st.updated.UTC().Format(apigwTime),
		"defaultRouteSettings": map[string]any{
			"detailedMetricsEnabled": false,
		},
		"stageVariables": map[string]string{},
		"tags":           map[string]string{},
	}
}

func (r *route) json() map[string]any {
	m := map[string]any{
		"routeId":           r.id,
		"routeKey":          r.key,
		"apiKeyRequired":    false,
		"authorizationType": r.authType,
	}
	if r.target != "" {
		m["target"] = r.target
	}
	return m
}

func (in *integration) json() map[string]any {
	return map[string]any{
		"integrationId":        in.id,
		"integrationType":      in.typ,
		"integrationUri":       in.uri,
		"integrationMethod":    in.method,
		"payloadFormatVersion": in.payload,
		"description":          in.description,
		"connectionType":       "INTERNET",
		"timeoutInMillis":      in.timeout,
	}
}

func notFound(format string, args ...any) *awsError {
	return errorf(http.StatusNotFound, "NotFoundException", format, args...)
}

func badRequest(format string, args ...any) *awsError {
	return errorf(http.StatusBadRequest, "BadRequestException", format, args...)
}

func conflict(format string, args ...any) *awsError {
	return errorf(http.StatusConflict, "ConflictException", format, args...)
}

// serveAPIGateway routes an API Gateway v2 REST-JSON request.
func (s *Server) serveAPIGateway(w http.ResponseWriter, r *http.Request) {
	mux := http.NewServeMux()
	route := func(pattern, op string, h restOp) {
		mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) { s.runAPIGateway(w, r, op, h) })
	}
	const apis = "/v2/apis"
	route("GET "+apis, "GetApis", s.getApis)
	route("POST "+apis, "CreateApi", s.createApi)
	route("GET "+apis+"/{apiId}", "GetApi", s.withAPI(func(a *api, r *http.Request, _ []byte) (int, any, *awsError) {
		return http.StatusOK, a.json(), nil
	}))
	route("DELETE "+apis+"/{apiId}", "DeleteApi", s.withAPI(s.deleteApi))
	route("GET "+apis+"/{apiId}/stages", "GetStages", s.withAPI(s.getStages))
	route("POST "+apis+"/{apiId}/stages", "CreateStage", s.withAPI(s.createStage))
	route("GET "+apis+"/{apiId}/stages/{stage}", "GetStage", s.withAPI(s.getStage))
	route("PATCH "+apis+"/{apiId}/stages/{stage}", "UpdateStage", s.withAPI(s.updateStage))
	route("DELETE "+apis+"/{apiId}/stages/{stage}", "DeleteStage", s.withAPI(s.deleteStage))
	route("GET "+apis+"/{apiId}/routes", "GetRoutes", s.withAPI(s.getRoutes))
	route("POST "+apis+"/{apiId}/routes", "CreateRoute", s.withAPI(s.createRoute))
	route("GET "+apis+"/{apiId}/routes/{routeId}", "GetRoute", s.withAPI(s.getRoute))
	route("PATCH "+apis+"/{apiId}/routes/{routeId}", "UpdateRoute", s.withAPI(s.updateRoute))
	route("DELETE "+apis+"/{apiId}/routes/{routeId}", "DeleteRoute", s.withAPI(s.deleteRoute))
	route("GET "+apis+"/{apiId}/integrations", "GetIntegrations", s.withAPI(s.getIntegrations))
	route("POST "+apis+"/{apiId}/integrations", "CreateIntegration", s.withAPI(s.createIntegration))
	route("GET "+apis+"/{apiId}/integrations/{integrationId}", "GetIntegration", s.withAPI(s.getIntegration))
	route("PATCH "+apis+"/{apiId}/integrations/{integrationId}", "UpdateIntegration", s.withAPI(s.updateIntegration))
	route("DELETE "+apis+"/{apiId}/integrations/{integrationId}", "DeleteIntegration", s.withAPI(s.deleteIntegration))
	s.routeRESTAPIs(route) // version 1: REST APIs
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeJSONError(w, "apigateway", notFound("Unknown operation %s %s", r.Method, r.URL.Path))
	})
	mux.ServeHTTP(w, r)
}

func (s *Server) runAPIGateway(w http.ResponseWriter, r *http.Request, op string, h restOp) {
	body, err := readBody(r, lambdalimit.MaxGatewayRequest)
	if err != nil {
		writeJSONError(w, "apigateway", errorf(http.StatusRequestEntityTooLarge, "PayloadTooLargeException", "Request too large"))
		return
	}
	s.runREST(w, r, "apigateway", op, r.PathValue("apiId"), body, h)
}

// withAPI resolves the API of the path.
func (s *Server) withAPI(h func(a *api, r *http.Request, body []byte) (int, any, *awsError)) restOp {
	return withPathAPI(func() map[string]*api { return s.apis }, func(id string) *awsError {
		return notFound("Invalid API identifier specified %s:%s", s.opts.Account, id)
	}, h)
}

// withPathAPI resolves the API named by the path's {apiId} among those
// apis returns (read at each request), or answers missing(id).
func withPathAPI[T any](apis func() map[string]T, missing func(id string) *awsError, h func(a T, r *http.Request, body []byte) (int, any, *awsError)) restOp {
	return func(r *http.Request, body []byte) (int, any, *awsError) {
		a, ok := apis()[r.PathValue("apiId")]
		if !ok {
			return 0, nil, missing(r.PathValue("apiId"))
		}
		return h(a, r, body)
	}
}

// page slices a listing by the maxResults and nextToken parameters.
func page[T any](r *http.Request, items []T) ([]T, string) {
	limit := 25
	if n, err := strconv.Atoi(r.URL.Query().Get("maxResults")); err == nil && n > 0 && n <= 500 {
		limit = n
	}
	start, end, next := window(len(items), r.URL.Query().Get("nextToken"), limit)
	return items[start:end], next
}

// window is one page of a listing of n items: from the position the
// client sent back (the previous page's token; an unreadable one starts
// at 0, one past the end gives an empty page), at most limit items, and
// the token of the next page ("" after the last).
func window(n int, from string, limit int) (start, end int, next string) {
	start, _ = strconv.Atoi(from)
	if start < 0 || start > n {
		start = n
	}
	end = min(start+limit, n)
	if end < n {
		next = strconv.Itoa(end)
	}
	return start, end, next
}

// list answers a listing of the resources in m, in the order of their ids
// (or names), a page at a time.
func list[T interface{ json() map[string]any }](r *http.Request, m map[string]T) (int, any, *awsError) {
	ids, next := page(r, slices.Sorted(maps.Keys(m)))
	items := []map[string]any{}
	for _, id := range ids {
		items = append(items, m[id].json())
	}
	out := map[string]any{"items": items}
	if next != "" {
		out["nextToken"] = next
	}
	return http.StatusOK, out, nil
}

func (s *Server) getApis(r *http.Request, _ []byte) (int, any, *awsError) {
	return list(r, s.apis)
}

func (s *Server) createApi(r *http.Request, body []byte) (int, any, *awsError) {
	var in struct {
		Name         string            `json:"name"`
		Description  string            `json:"description"`
		ProtocolType string            `json:"protocolType"`
		Tags         map[string]string `json:"tags"`
		Target       string            `json:"target"`
	}
	if err := json.Unmarshal(body, &in); err != nil {
		return 0, nil, badRequest("Invalid request body: %v", err)
	}
	if in.Name == "" || len(in.Name) > 128 {
		return 0, nil, badRequest("Invalid API name specified")
	}
	if in.ProtocolType != "HTTP" {
		return 0, nil, badRequest("Only protocolType HTTP is supported here")
	}
	if in.Target != "" {
		return 0, nil, badRequest("Quick create (target) is not supported here")
	}
	if aerr := checkTags(in.Tags); aerr != nil {
		return 0, nil, badRequest("%s", aerr.message)
	}
	a := &api{
		id: newID(10), name: in.Name, description: in.Description, protocol: in.ProtocolType,
		tags: map[string]string{}, created: time.Now(),
		stages: map[string]*stage{}, routes: map[string]*route{}, integrations: map[string]*integration{},
	}
	for k, v := range in.Tags {
		a.tags[k] = v
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, nil, errorf(http.StatusInternalServerError, "InternalServerErrorException", "listen: %v", err)
	}
	a.ln = ln
	a.endpoint = "http://" + ln.Addr().String()
	a.srv = &http.Server{Handler: s.gateway(a.id), ReadHeaderTimeout: 10 * time.Second}
	go a.srv.Serve(ln)
	s.apis[a.id] = a
	return http.StatusCreated, a.json(), nil
}

func (s *Server) deleteApi(a *api, _ *http.Request, _ []byte) (int, any, *awsError) {
	delete(s.apis, a.id)
	s.inBackground(a.close)
	return http.StatusNoContent, nil, nil
}

func (s *Server) getStages(a *api, r *http.Request, _ []byte) (int, any, *awsError) {
	return list(r, a.stages)
}

var stageNameRE = regexp.MustCompile(`^(\$default|[a-zA-Z0-9_-]{1,128})$`)

func (s *Server) createStage(a *api, _ *http.Request, body []byte) (int, any, *awsError) {
	var in struct {
		StageName   string `json:"stageName"`
		Description string `json:"description"`
		AutoDeploy  bool   `json:"autoDeploy"`
	}
	if err := json.Unmarshal(body, &in); err != nil {
		return 0, nil, badRequest("Invalid request body: %v", err)
	}
	if !stageNameRE.MatchString(in.StageName) {
		return 0, nil, badRequest("Stage name only allows a-zA-Z0-9_- or $default")
	}
	if a.stages[in.StageName] != nil {
		return 0, nil, conflict("Stage already exists")
	}
	now := time.Now()
	st := &stage{name: in.StageName, description: in.Description, autoDeploy: in.AutoDeploy, created: now, updated: now}
	a.stages[st.name] = st
	return http.StatusCreated, st.json(), nil
}

func (s *Server) stageOf(a *api, r *http.Request) (*stage, *awsError) {
	st := a.stages[r.PathValue("stage")]
	if st == nil {
		return nil, notFound("Invalid stage identifier specified")
	}
	return st, nil
}

func (s *Server) getStage(a *api, r *http.Request, _ []byte) (int, any, *awsError) {
	st, aerr := s.stageOf(a, r)
	if aerr != nil {
		return 0, nil, aerr
	}
	return http.StatusOK, st.json(), nil
}

func (s *Server) updateStage(a *api, r *http.Request, body []byte) (int, any, *awsError) {
	st, aerr := s.stageOf(a, r)
	if aerr != nil {
		return 0, nil, aerr
	}
	var in struct {
		Description *string `json:"description"`
		AutoDeploy  *bool   `json:"autoDeploy"`
	}
	if err := json.Unmarshal(body, &in); err != nil {
		return 0, nil, badRequest("Invalid request body: %v", err)
	}
	if in.Description != nil {
		st.description = *in.Description
	}
	if in.AutoDeploy != nil {
		st.autoDeploy = *in.AutoDeploy
	}
	st.updated = time.Now()
	return http.StatusOK, st.json(), nil
}

func (s *Server) deleteStage(a *api, r *http.Request, _ []byte) (int, any, *awsError) {
	st, aerr := s.stageOf(a, r)
	if aerr != nil {
		return 0, nil, aerr
	}
	delete(a.stages, st.name)
	return http.StatusNoContent, nil, nil
}

func (s *Server) getRoutes(a *api, r *http.Request, _ []byte) (int, any, *awsError) {
	return list(r, a.routes)
}

var routeMethods = []string{"ANY", "GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"}

var pathVarRE = regexp.MustCompile(`^\{[a-zA-Z0-9._-]+\+?\}$`)

// checkRouteKey validates a route key as API Gateway does for HTTP APIs.
func checkRouteKey(key string) *awsError {
	if key == defaultRouteKey {
		return nil
	}
	method, path, ok := strings.Cut(key, " ")
	if !ok || !slices.Contains(routeMethods, method) {
		return badRequest("Unable to create route %s: the route key must be $default or an HTTP method (or ANY) followed by a path", key)
	}
	if !strings.HasPrefix(path, "/") {
		return badRequest("Unable to create route %s: the path must start with /", key)
	}
	if path == "/" {
		return nil
	}
	segs := strings.Split(path[1:], "/")
	for i, seg := range segs {
		if seg == "" {
			return badRequest("Unable to create route %s: empty path part", key)
		}
		if strings.ContainsAny(seg, "{}") {
			if !pathVarRE.MatchString(seg) {
				return badRequest("Unable to create route %s: invalid path variable %s", key, seg)
			}
			if strings.HasSuffix(seg, "+}") && i != len(segs)-1 {
				return badRequest("Unable to create route %s: the greedy path variable %s must be the last path part", key, seg)
			}
		}
	}
	return nil
}

// variableConflict refuses a route key whose path has, at a level where
// another route's path has a path variable under the same parent path, a
// variable of the same kind with another name: 409 ConflictException. AWS
// answers it with this message, reported from real deploys that renamed a
// path parameter (plutomi/plutomi#271: "The provided route key "GET
// /public/orgs/{orgId}/stages/{stageId}/questions" has a conflicting
// variable on the same hierarchical level as "GET
// /public/orgs/{orgId}/stages/{stage_id}/questions" (Service:
// AmazonApiGatewayV2; Status Code: 409; Error Code: ConflictException)"),
// the resource-tree rule an API Gateway engineer confirmed as by design
// for REST APIs ("only one variable path part per parent",
// amazon-archives/aws-apigateway-importer#202). The method plays no part:
// the tree is one of paths. A greedy variable beside a plain one at one
// level (/post/{pid} and /post/{slug+}, as Next's [pid] and [...slug]) is
// accepted: no AWS statement or report refuses it, and the developer
// guide's route priority ("Create routes for HTTP APIs": routes with path
// variables, then greedy path variables) has both kinds match one request.
// Two greedy variables with different names at one level
// (/post/{a+}, /post/{b+}) are refused as two variables of one kind with
// different names are: no AWS statement or report names greedy variables
// either way, so this follows the reported rule, uncited for that case.
func variableConflict(a *api, self *route, key string) *awsError {
	for _, ids := range slices.Sorted(maps.Keys(a.routes)) {
		other := a.routes[ids]
		if other == self || !variablesConflict(key, other.key) {
			continue
		}
		return conflict("The provided route key %q has a conflicting variable on the same hierarchical level as %q", key, other.key)
	}
	return nil
}

// variablesConflict reports whether two route keys have, under a common
// parent path, variables of the same kind with different names at one
// level.
func variablesConflict(a, b string) bool {
	pa, pb := keyParts(a), keyParts(b)
	for i := 0; i < len(pa) && i < len(pb); i++ {
		va, vb := strings.HasPrefix(pa[i], "{"), strings.HasPrefix(pb[i], "{")
		ga, gb := strings.HasSuffix(pa[i], "+}"), strings.HasSuffix(pb[i], "+}")
		switch {
		case va && vb && ga == gb && pa[i] != pb[i]:
			return true
		case pa[i] != pb[i]:
			return false
		}
	}
	return false
}

// keyParts splits the path of a route key into its parts.
func keyParts(key string) []string {
	_, path, ok := strings.Cut(key, " ")
	if path = strings.Trim(path, "/"); !ok || path == "" {
		return nil
	}
	return strings.Split(path, "/")
}

func (s *Server) checkTarget(a *api, target string) *awsError {
	if target == "" {
		return nil
	}
	id, ok := strings.CutPrefix(target, "integrations/")
	if !ok || a.integrations[id] == nil {
		return badRequest("Invalid target %s: no such integration", target)
	}
	return nil
}

func (s *Server) createRoute(a *api, _ *http.Request, body []byte) (int, any, *awsError) {
	var in struct {
		RouteKey          string `json:"routeKey"`
		Target            string `json:"target"`
		AuthorizationType string `json:"authorizationType"`
	}
	if err := json.Unmarshal(body, &in); err != nil {
		return 0, nil, badRequest("Invalid request body: %v", err)
	}
	if aerr := checkRouteKey(in.RouteKey); aerr != nil {
		return 0, nil, aerr
	}
	for _, rt := range a.routes {
		if rt.key == in.RouteKey {
			return 0, nil, conflict("Route with key %s already exists for this API", in.RouteKey)
		}
	}
	if aerr := variableConflict(a, nil, in.RouteKey); aerr != nil {
		return 0, nil, aerr
	}
	if aerr := s.checkTarget(a, in.Target); aerr != nil {
		return 0, nil, aerr
	}
	rt := &route{id: newID(7), key: in.RouteKey, target: in.Target, authType: "NONE"}
	if in.AuthorizationType != "" && in.AuthorizationType != "NONE" {
		return 0, nil, badRequest("Only authorizationType NONE is supported here")
	}
	a.routes[rt.id] = rt
	return http.StatusCreated, rt.json(), nil
}

func (s *Server) routeOf(a *api, r *http.Request) (*route, *awsError) {
	rt := a.routes[r.PathValue("routeId")]
	if rt == nil {
		return nil, notFound("Invalid Route identifier specified %s", r.PathValue("routeId"))
	}
	return rt, nil
}

func (s *Server) getRoute(a *api, r *http.Request, _ []byte) (int, any, *awsError) {
	rt, aerr := s.routeOf(a, r)
	if aerr != nil {
		return 0, nil, aerr
	}
	return http.StatusOK, rt.json(), nil
}

func (s *Server) updateRoute(a *api, r *http.Request, body []byte) (int, any, *awsError) {
	rt, aerr := s.routeOf(a, r)
	if aerr != nil {
		return 0, nil, aerr
	}
	var in struct {
		RouteKey *string `json:"routeKey"`
		Target   *string `json:"target"`
	}
	if err := json.Unmarshal(body, &in); err != nil {
		return 0, nil, badRequest("Invalid request body: %v", err)
	}
	if in.RouteKey != nil {
		if aerr := checkRouteKey(*in.RouteKey); aerr != nil {
			return 0, nil, aerr
		}
		for _, other := range a.routes {
			if other != rt && other.key == *in.RouteKey {
				return 0, nil, conflict("Route with key %s already exists for this API", *in.RouteKey)
			}
		}
		if aerr := variableConflict(a, rt, *in.RouteKey); aerr != nil {
			return 0, nil, aerr
		}
		rt.key = *in.RouteKey
	}
	if in.Target != nil {
		if aerr := s.checkTarget(a, *in.Target); aerr != nil {
			return 0, nil, aerr
		}
		rt.target = *in.Target
	}
	return http.StatusOK, rt.json(), nil
}

func (s *Server) deleteRoute(a *api, r *http.Request, _ []byte) (int, any, *awsError) {
	rt, aerr := s.routeOf(a, r)
	if aerr != nil {
		return 0, nil, aerr
	}
	delete(a.routes, rt.id)
	return http.StatusNoContent, nil, nil
}

func (s *Server) getIntegrations(a *api, r *http.Request, _ []byte) (int, any, *awsError) {
	return list(r, a.integrations)
}

type integrationInput struct {
	IntegrationType      *string `json:"integrationType"`
	IntegrationUri       *string `json:"integrationUri"`
	IntegrationMethod    *string `json:"integrationMethod"`
	PayloadFormatVersion *string `json:"payloadFormatVersion"`
	Description          *string `json:"description"`
	TimeoutInMillis      *int    `json:"timeoutInMillis"`
}

// apply sets and validates integration fields.
func (in integrationInput) apply(it *integration) *awsError {
	if in.IntegrationType != nil {
		it.typ = *in.IntegrationType
	}
	if in.IntegrationUri != nil {
		it.uri = *in.IntegrationUri
	}
	if in.IntegrationMethod != nil {
		it.method = *in.IntegrationMethod
	}
	if in.PayloadFormatVersion != nil {
		it.payload = *in.PayloadFormatVersion
	}
	if in.Description != nil {
		it.description = *in.Description
	}
	if in.TimeoutInMillis != nil {
		if *in.TimeoutInMillis < 50 || *in.TimeoutInMillis > 30000 {
			return badRequest("timeoutInMillis must be between 50 and 30000")
		}
		it.timeout = *in.TimeoutInMillis
	}
	if it.typ != "AWS_PROXY" {
		return badRequest("Only integrationType AWS_PROXY is supported here")
	}
	if it.payload != "1.0" && it.payload != "2.0" {
		return badRequest("PayloadFormatVersion must be 1.0 or 2.0 for AWS_PROXY integrations")
	}
	if _, _, ok := lambdaTarget(it.uri); !ok {
		return badRequest("Invalid integration URI specified: %s", it.uri)
	}
	return nil
}

// lambdaTarget reads the function name and qualifier of an integration
// URI: a Lambda function ARN, qualified or not, or the long form
// arn:aws:apigateway:<region>:lambda:path/2015-03-31/functions/<arn>/invocations.
func lambdaTarget(uri string) (name, qualifier string, ok bool) {
	if rest, found := strings.CutPrefix(uri, "arn:aws:apigateway:"); found {
		i := strings.Index(rest, "/functions/")
		j := strings.LastIndex(rest, "/invocations")
		if i < 0 || j < i {
			return "", "", false
		}
		uri = rest[i+len("/functions/") : j]
	}
	parts := strings.Split(uri, ":")
	if len(parts) < 7 || len(parts) > 8 || parts[0] != "arn" || parts[2] != "lambda" || parts[5] != "function" || parts[6] == "" {
		return "", "", false
	}
	if len(parts) == 8 {
		qualifier = parts[7]
	}
	return parts[6], qualifier, true
}

func (s *Server) createIntegration(a *api, _ *http.Request, body []byte) (int, any, *awsError) {
	var in integrationInput
	if err := json.Unmarshal(body, &in); err != nil {
		return 0, nil, badRequest("Invalid request body: %v", err)
	}
	it := &integration{id: newID(7), method: "POST", timeout: 30000}
	if aerr := in.apply(it); aerr != nil {
		return 0, nil, aerr
	}
	a.integrations[it.id] = it
	return http.StatusCreated, it.json(), nil
}

func (s *Server) integrationOf(a *api, r *http.Request) (*integration, *awsError) {
	it := a.integrations[r.PathValue("integrationId")]
	if it == nil {
		return nil, notFound("Invalid Integration identifier specified")
	}
	return it, nil
}

func (s *Server) getIntegration(a *api, r *http.Request, _ []byte) (int, any, *awsError) {
	it, aerr := s.integrationOf(a, r)
	if aerr != nil {
		return 0, nil, aerr
	}
	return http.StatusOK, it.json(), nil
}

func (s *Server) updateIntegration(a *api, r *http.Request, body []byte) (int, any, *awsError) {
	it, aerr := s.integrationOf(a, r)
	if aerr != nil {
		return 0, nil, aerr
	}
	var in integrationInput
	if err := json.Unmarshal(body, &in); err != nil {
		return 0, nil, badRequest("Invalid request body: %v", err)
	}
	next := *it
	if aerr := in.apply(&next); aerr != nil {
		return 0, nil, aerr
	}
	*it = next
	return http.StatusOK, it.json(), nil
}

func (s *Server) deleteIntegration(a *api, r *http.Request, _ []byte) (int, any, *awsError) {
	it, aerr := s.integrationOf(a, r)
	if aerr != nil {
		return 0, nil, aerr
	}
	for _, rt := range a.routes {
		if rt.target == "integrations/"+it.id {
			return 0, nil, conflict("Integration %s is used by route %s and cannot be deleted", it.id, rt.key)
		}
	}
	delete(a.integrations, it.id)
	return http.StatusNoContent, nil, nil
}
