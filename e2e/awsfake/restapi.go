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
)

// API Gateway REST APIs (version 1 of the API Gateway API, restJson1 on
// /restapis), as nextgo deploy uses them for an app with a streaming route:
// resources, methods, Lambda proxy integrations (buffered or STREAM),
// deployments and stages. Every rule below is one AWS states; the
// operations' paths and shapes are those of the API Gateway API model
// (aws/api-models-aws, apigateway 2015-07-09) as aws-sdk-go-v2's
// service/apigateway serializes them.

// restAPI is one REST API.
type restAPI struct {
	id, name, description string
	tags                  map[string]string
	binaryMediaTypes      []string
	created               time.Time
	rootID                string
	resources             map[string]*restResource // by id
	deployments           map[string]*restDeployment
	stages                map[string]*restStage

	endpoint string
	srv      *http.Server
}

type restResource struct {
	id, parentID, pathPart string
	methods                map[string]*restMethod
}

type restMethod struct {
	httpMethod, authType string
	integration          *restIntegration
}

type restIntegration struct {
	typ, httpMethod, uri, transferMode string
	timeout                            int
}

// restDeployment is a snapshot of the API's resources: a stage serves the
// deployment it points at, not the API as it is now.
type restDeployment struct {
	id, description string
	created         time.Time
	resources       map[string]*restResource
	rootID          string
}

type restStage struct {
	name, deploymentID string
	created, updated   time.Time
}

func epoch(t time.Time) int64 { return t.Unix() }

func (a *restAPI) json() map[string]any {
	return map[string]any{
		"id":                        a.id,
		"name":                      a.name,
		"description":               a.description,
		"createdDate":               epoch(a.created),
		"binaryMediaTypes":          a.binaryMediaTypes,
		"apiKeySource":              "HEADER",
		"endpointConfiguration":     map[string]any{"types": []string{"REGIONAL"}},
		"disableExecuteApiEndpoint": false,
		"rootResourceId":            a.rootID,
		"tags":                      a.tags,
	}
}

// path is the resource's full path, "/" for the root.
func resourcePath(tree map[string]*restResource, r *restResource) string {
	var parts []string
	for r != nil && r.parentID != "" {
		parts = append(parts, r.pathPart)
		r = tree[r.parentID]
	}
	slices.Reverse(parts)
	return "/" + strings.Join(parts, "/")
}

func (m *restMethod) json() map[string]any {
	out := map[string]any{"httpMethod": m.httpMethod, "authorizationType": m.authType, "apiKeyRequired": false}
	if m.integration != nil {
		out["methodIntegration"] = m.integration.json()
	}
	return out
}

func (in *restIntegration) json() map[string]any {
	return map[string]any{
		"type":                 in.typ,
		"httpMethod":           in.httpMethod,
		"uri":                  in.uri,
		"timeoutInMillis":      in.timeout,
		"responseTransferMode": in.transferMode,
		"passthroughBehavior":  "WHEN_NO_MATCH",
		"cacheKeyParameters":   []string{},
	}
}

func resourceJSON(tree map[string]*restResource, r *restResource, embedMethods bool) map[string]any {
	out := map[string]any{"id": r.id, "path": resourcePath(tree, r)}
	if r.parentID != "" {
		out["parentId"], out["pathPart"] = r.parentID, r.pathPart
	}
	if embedMethods && len(r.methods) > 0 {
		ms := map[string]any{}
		for k, m := range r.methods {
			ms[k] = m.json()
		}
		out["resourceMethods"] = ms
	}
	return out
}

func (st *restStage) json() map[string]any {
	return map[string]any{"stageName": st.name, "deploymentId": st.deploymentID,
		"createdDate": epoch(st.created), "lastUpdatedDate": epoch(st.updated)}
}

// routeRESTAPIs adds the REST API operations to the API Gateway mux.
func (s *Server) routeRESTAPIs(route func(pattern, op string, h restOp)) {
	const apis = "/restapis"
	route("GET "+apis, "GetRestApis", s.getRestApis)
	route("POST "+apis, "CreateRestApi", s.createRestApi)
	route("GET "+apis+"/{apiId}", "GetRestApi", s.withRestAPI(func(a *restAPI, _ *http.Request, _ []byte) (int, any, *awsError) {
		return http.StatusOK, a.json(), nil
	}))
	route("DELETE "+apis+"/{apiId}", "DeleteRestApi", s.withRestAPI(s.deleteRestApi))
	route("GET "+apis+"/{apiId}/resources", "GetResources", s.withRestAPI(s.getResources))
	route("POST "+apis+"/{apiId}/resources/{parentId}", "CreateResource", s.withRestAPI(s.createResource))
	route("DELETE "+apis+"/{apiId}/resources/{resourceId}", "DeleteResource", s.withRestAPI(s.deleteResource))
	route("PUT "+apis+"/{apiId}/resources/{resourceId}/methods/{httpMethod}", "PutMethod", s.withRestAPI(s.putMethod))
	route("DELETE "+apis+"/{apiId}/resources/{resourceId}/methods/{httpMethod}", "DeleteMethod", s.withRestAPI(s.deleteMethod))
	route("PUT "+apis+"/{apiId}/resources/{resourceId}/methods/{httpMethod}/integration", "PutIntegration", s.withRestAPI(s.putIntegration))
	route("GET "+apis+"/{apiId}/resources/{resourceId}/methods/{httpMethod}/integration", "GetIntegration", s.withRestAPI(s.getIntegrationV1))
	route("POST "+apis+"/{apiId}/deployments", "CreateDeployment", s.withRestAPI(s.createDeployment))
	route("GET "+apis+"/{apiId}/stages", "GetStages", s.withRestAPI(s.getRestStages))
	route("POST "+apis+"/{apiId}/stages", "CreateStage", s.withRestAPI(s.createRestStage))
	route("PATCH "+apis+"/{apiId}/stages/{stage}", "UpdateStage", s.withRestAPI(s.updateRestStage))
}

// Error shapes: the API model (aws/api-models-aws,
// api-gateway/service/2015-07-09) gives NotFoundException 404,
// BadRequestException 400 and ConflictException 409 (smithy.api#httpError)
// and lists, for each operation, which of them it throws: CreateResource,
// PutMethod, PutIntegration, CreateDeployment, CreateStage and UpdateStage
// all three, DeleteResource and GetIntegration BadRequest and NotFound,
// GetRestApi BadRequest and NotFound. The status and code of every refusal
// below follow those lists; where a message's wording is AWS's as users
// captured it, the report is named beside it, and where no AWS statement of
// the wording was found, the comment says so.

// withRestAPI resolves the REST API of the path: an unknown id is
// NotFoundException "Invalid REST API identifier specified", AWS's answer
// to get-rest-api with an unknown id as the AWS CLI printed it
// (aws/aws-cli#2534) and as the service answered serverless (404, with a
// request id: serverless/serverless#433).
func (s *Server) withRestAPI(h func(a *restAPI, r *http.Request, body []byte) (int, any, *awsError)) restOp {
	return withPathAPI(func() map[string]*restAPI { return s.restAPIs }, func(string) *awsError {
		return notFound("Invalid REST API identifier specified")
	}, h)
}

// v1Page slices a v1 listing by its position and limit parameters (limit
// at most 500, default 25: API Gateway API model, GetRestApis and
// GetResources) and answers {"item": [...], "position": ...}.
func v1Page(r *http.Request, items []map[string]any) (int, any, *awsError) {
	limit := 25
	if l := r.URL.Query().Get("limit"); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil || n < 1 || n > 500 {
			return 0, nil, badRequest("1 validation error detected: Value '%s' at 'limit' failed to satisfy constraint: Member must have value less than or equal to 500", l)
		}
		limit = n
	}
	start, end, next := window(len(items), r.URL.Query().Get("position"), limit)
	out := map[string]any{"item": items[start:end]}
	if next != "" {
		out["position"] = next
	}
	return http.StatusOK, out, nil
}

func (s *Server) getRestApis(r *http.Request, _ []byte) (int, any, *awsError) {
	var items []map[string]any
	for _, id := range slices.Sorted(maps.Keys(s.restAPIs)) {
		items = append(items, s.restAPIs[id].json())
	}
	return v1Page(r, items)
}

func (s *Server) createRestApi(r *http.Request, body []byte) (int, any, *awsError) {
	var in struct {
		Name                  string            `json:"name"`
		Description           string            `json:"description"`
		BinaryMediaTypes      []string          `json:"binaryMediaTypes"`
		Tags                  map[string]string `json:"tags"`
		EndpointConfiguration *struct {
			Types []string `json:"types"`
		} `json:"endpointConfiguration"`
	}
	if err := json.Unmarshal(body, &in); err != nil {
		// Not an AWS wording: a body the SDK would never send.
		return 0, nil, badRequest("Invalid request body: %v", err)
	}
	if in.Name == "" {
		// name is @required in the API model's CreateRestApiRequest.
		return 0, nil, badRequest("Invalid REST API name specified")
	}
	if in.EndpointConfiguration != nil && !slices.Equal(in.EndpointConfiguration.Types, []string{"REGIONAL"}) {
		// Not an AWS rule: this endpoint serves regional APIs only.
		return 0, nil, badRequest("Only REGIONAL endpoints are served here")
	}
	if aerr := checkTags(in.Tags); aerr != nil {
		return 0, nil, badRequest("%s", aerr.message)
	}
	now := time.Now()
	a := &restAPI{
		id: newID(10), name: in.Name, description: in.Description, tags: map[string]string{},
		binaryMediaTypes: in.BinaryMediaTypes, created: now, rootID: newID(10),
		resources:   map[string]*restResource{},
		deployments: map[string]*restDeployment{}, stages: map[string]*restStage{},
	}
	maps.Copy(a.tags, in.Tags)
	a.resources[a.rootID] = &restResource{id: a.rootID, methods: map[string]*restMethod{}}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, nil, errorf(http.StatusInternalServerError, "InternalServerErrorException", "listen: %v", err)
	}
	a.endpoint = "http://" + ln.Addr().String()
	a.srv = &http.Server{Handler: s.restGateway(a.id), ReadHeaderTimeout: 10 * time.Second}
	go a.srv.Serve(ln)
	if s.restAPIs == nil {
		s.restAPIs = map[string]*restAPI{}
	}
	s.restAPIs[a.id] = a
	return http.StatusCreated, a.json(), nil
}

// RESTEndpoint returns the base URL of a REST API's stage, the address
// execute-api would give it (https://<id>.execute-api.<region>.amazonaws.com/<stage>).
func (s *Server) RESTEndpoint(apiID, stage string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if a := s.restAPIs[apiID]; a != nil {
		return a.endpoint + "/" + stage
	}
	return ""
}

func (s *Server) deleteRestApi(a *restAPI, _ *http.Request, _ []byte) (int, any, *awsError) {
	delete(s.restAPIs, a.id)
	s.inBackground(func() { a.srv.Close() })
	return http.StatusAccepted, nil, nil
}

func (s *Server) getResources(a *restAPI, r *http.Request, _ []byte) (int, any, *awsError) {
	embed := slices.Contains(r.URL.Query()["embed"], "methods")
	ids := slices.SortedFunc(maps.Keys(a.resources), func(x, y string) int {
		return strings.Compare(resourcePath(a.resources, a.resources[x]), resourcePath(a.resources, a.resources[y]))
	})
	items := []map[string]any{}
	for _, id := range ids {
		items = append(items, resourceJSON(a.resources, a.resources[id], embed))
	}
	return v1Page(r, items)
}

// pathPartRE is the form of a resource's path part. AWS: "Resource's path
// part only allow a-zA-Z0-9._- and curly braces at the beginning and the
// end." (BadRequestException, quoted in
// awslabs/aws-api-gateway-developer-portal#424); a greedy variable ends in
// "+" ("Set up a proxy integration with a proxy resource", developer
// guide).
var pathPartRE = regexp.MustCompile(`^([a-zA-Z0-9._-]+|\{[a-zA-Z0-9._-]+\+?\})$`)

func isVariablePart(p string) bool { return strings.HasPrefix(p, "{") }

func (s *Server) createResource(a *restAPI, r *http.Request, body []byte) (int, any, *awsError) {
	parent := a.resources[r.PathValue("parentId")]
	if parent == nil {
		// NotFoundException "Invalid Resource identifier specified", as
		// AWS answered a CloudFormation deploy (Status Code: 404, Error
		// Code: NotFoundException; serverless/serverless#5005).
		return 0, nil, notFound("Invalid Resource identifier specified")
	}
	var in struct {
		PathPart string `json:"pathPart"`
	}
	if err := json.Unmarshal(body, &in); err != nil {
		return 0, nil, badRequest("Invalid request body: %v", err)
	}
	if !pathPartRE.MatchString(in.PathPart) {
		// BadRequestException with AWS's own wording, as AWS answered it
		// (with a request id) in claudiajs/claudia#11 and in an import
		// error quoted in serverless/blog#629; the greedy "+" before the
		// closing brace is the developer guide's {proxy+} ("Set up a
		// proxy integration with a proxy resource").
		return 0, nil, badRequest("Resource's path part only allow a-zA-Z0-9._- and curly braces at the beginning and the end.")
	}
	for _, sib := range a.resources {
		if sib.parentID != parent.id {
			continue
		}
		if sib.pathPart == in.PathPart {
			// 409 ConflictException, as AWS answered a CloudFormation
			// deploy ("Another resource with the same parent already has
			// this name: collections (Service: ApiGateway, Status Code:
			// 409, Request ID: …)", quoted in a user's deploy notes found
			// with the search tool); no AWS document states it.
			return 0, nil, conflict("Another resource with the same parent already has this name: %s", in.PathPart)
		}
		if isVariablePart(sib.pathPart) && isVariablePart(in.PathPart) {
			// One variable path part per parent, greedy or not: "A
			// sibling ({bizId}) of this resource already has a variable
			// path part -- only one is allowed" (BadRequestException;
			// amazon-archives/aws-apigateway-importer#202, answered by
			// AWS as by design; serverless-nextjs/serverless-next.js#206
			// with {proxy+}).
			return 0, nil, badRequest("A sibling (%s) of this resource already has a variable path part -- only one is allowed", sib.pathPart)
		}
	}
	res := &restResource{id: newID(10), parentID: parent.id, pathPart: in.PathPart, methods: map[string]*restMethod{}}
	a.resources[res.id] = res
	return http.StatusCreated, resourceJSON(a.resources, res, false), nil
}

func (s *Server) deleteResource(a *restAPI, r *http.Request, _ []byte) (int, any, *awsError) {
	res := a.resources[r.PathValue("resourceId")]
	if res == nil {
		return 0, nil, notFound("Invalid Resource identifier specified")
	}
	if res.id == a.rootID {
		// BadRequestException (DeleteResource's errors in the API model);
		// no AWS statement of the wording was found.
		return 0, nil, badRequest("Cannot delete root resource")
	}
	var drop func(id string)
	drop = func(id string) {
		for _, c := range a.resources {
			if c.parentID == id {
				drop(c.id)
			}
		}
		delete(a.resources, id)
	}
	drop(res.id)
	return http.StatusAccepted, nil, nil
}

// restMethods are the methods a REST API method can be (developer guide,
// "Set up a method": GET, POST, PUT, PATCH, DELETE, HEAD, OPTIONS, ANY).
var restMethods = []string{"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "ANY"}

func (s *Server) methodOf(a *restAPI, r *http.Request) (*restResource, *restMethod, *awsError) {
	res := a.resources[r.PathValue("resourceId")]
	if res == nil {
		return nil, nil, notFound("Invalid Resource identifier specified")
	}
	m := res.methods[r.PathValue("httpMethod")]
	if m == nil {
		// NotFoundException "Invalid Method identifier specified"
		// (hashicorp/terraform-provider-aws#815: PutIntegration before
		// PutMethod).
		return res, nil, notFound("Invalid Method identifier specified")
	}
	return res, m, nil
}

func (s *Server) putMethod(a *restAPI, r *http.Request, body []byte) (int, any, *awsError) {
	res := a.resources[r.PathValue("resourceId")]
	if res == nil {
		return 0, nil, notFound("Invalid Resource identifier specified")
	}
	method := r.PathValue("httpMethod")
	if !slices.Contains(restMethods, method) {
		// BadRequestException (PutMethod's errors); the wording is the
		// one a CloudFormation lint rule quotes from AWS, unattested by
		// AWS documents.
		return 0, nil, badRequest("Invalid HttpMethod specified. Valid options are %s", strings.Join(restMethods, ","))
	}
	var in struct {
		AuthorizationType string `json:"authorizationType"`
	}
	if err := json.Unmarshal(body, &in); err != nil {
		return 0, nil, badRequest("Invalid request body: %v", err)
	}
	if in.AuthorizationType == "" {
		// authorizationType is @required in PutMethodRequest.
		return 0, nil, badRequest("Invalid authorization type specified")
	}
	if res.methods[method] != nil {
		// 409 ConflictException "Method already exists for this
		// resource": reproduced by an AWS CLI maintainer against the
		// service (aws/aws-cli#3992), who points to UpdateMethod instead.
		return 0, nil, conflict("Method already exists for this resource")
	}
	m := &restMethod{httpMethod: method, authType: in.AuthorizationType}
	res.methods[method] = m
	return http.StatusCreated, m.json(), nil
}

func (s *Server) deleteMethod(a *restAPI, r *http.Request, _ []byte) (int, any, *awsError) {
	res, m, aerr := s.methodOf(a, r)
	if aerr != nil {
		return 0, nil, aerr
	}
	delete(res.methods, m.httpMethod)
	return http.StatusNoContent, nil, nil
}

// Integration timeouts (developer guide, "Amazon API Gateway quotas":
// 50 ms to 29 s for a buffered integration; "Stream the integration
// response": up to 15 minutes with responseTransferMode STREAM).
const (
	minIntegrationTimeoutMillis    = 50
	maxBufferedTimeoutMillis       = 29_000
	maxStreamIntegrationTimeoutMin = 15
)

func (s *Server) putIntegration(a *restAPI, r *http.Request, body []byte) (int, any, *awsError) {
	_, m, aerr := s.methodOf(a, r)
	if aerr != nil {
		return 0, nil, aerr
	}
	var in struct {
		Type                 string `json:"type"`
		HTTPMethod           string `json:"httpMethod"`
		URI                  string `json:"uri"`
		TimeoutInMillis      *int   `json:"timeoutInMillis"`
		ResponseTransferMode string `json:"responseTransferMode"`
	}
	if err := json.Unmarshal(body, &in); err != nil {
		return 0, nil, badRequest("Invalid request body: %v", err)
	}
	if in.Type != "AWS_PROXY" {
		// Not an AWS rule: this endpoint runs Lambda proxy integrations
		// only.
		return 0, nil, badRequest("Only AWS_PROXY (Lambda proxy) integrations are served here")
	}
	if in.HTTPMethod == "" {
		// A Lambda proxy integration needs its integration HTTP method
		// (developer guide, "Set up a Lambda proxy integration": POST).
		// The wording is AWS's answer as users quote it when the AWS CLI
		// leaves integrationHttpMethod out; no AWS document states it.
		return 0, nil, badRequest("Enumeration value for HttpMethod must be non-empty")
	}
	mode := in.ResponseTransferMode
	switch mode {
	case "":
		mode = "BUFFERED" // the default transfer mode
	case "BUFFERED", "STREAM":
	default:
		// BUFFERED and STREAM are the two modes (developer guide, "Set
		// up a Lambda proxy integration with payload response
		// streaming"); no AWS statement of this wording was found.
		return 0, nil, badRequest("Invalid response transfer mode specified: %s", mode)
	}
	if _, _, _, ok := restLambdaTarget(in.URI); !ok {
		// The URI's form is the API model's (PutIntegrationRequest.uri:
		// "arn:aws:apigateway:{region}:{service}:path|action/..."); the
		// wording, as users report AWS's answer to a malformed one, is
		// unattested by AWS documents.
		return 0, nil, badRequest("Invalid ARN specified in the request")
	}
	timeout := maxBufferedTimeoutMillis
	if in.TimeoutInMillis != nil {
		timeout = *in.TimeoutInMillis
	}
	limit := maxBufferedTimeoutMillis
	if mode == "STREAM" {
		limit = maxStreamIntegrationTimeoutMin * 60_000
	}
	if timeout < minIntegrationTimeoutMillis || timeout > limit {
		// The API model: PutIntegrationRequest.timeoutInMillis is "Custom
		// timeout between 50 and 29,000 milliseconds"; the wording is
		// unattested by AWS documents.
		return 0, nil, badRequest("Timeout should be between %d ms and %d ms", minIntegrationTimeoutMillis, limit)
	}
	m.integration = &restIntegration{typ: in.Type, httpMethod: in.HTTPMethod, uri: in.URI, transferMode: mode, timeout: timeout}
	return http.StatusCreated, m.integration.json(), nil
}

func (s *Server) getIntegrationV1(a *restAPI, r *http.Request, _ []byte) (int, any, *awsError) {
	_, m, aerr := s.methodOf(a, r)
	if aerr != nil {
		return 0, nil, aerr
	}
	if m.integration == nil {
		// NotFoundException (GetIntegration's errors); the wording is
		// CreateDeployment's (below), unattested for GetIntegration.
		return 0, nil, notFound("No integration defined for method")
	}
	return http.StatusOK, m.integration.json(), nil
}

// restLambdaTarget reads a Lambda integration URI: the buffered
// arn:aws:apigateway:<region>:lambda:path/2015-03-31/functions/<arn>/invocations
// or the streaming
// arn:aws:apigateway:<region>:lambda:path/2021-11-15/functions/<arn>/response-streaming-invocations
// (developer guide, "Set up a Lambda proxy integration with payload
// response streaming").
func restLambdaTarget(uri string) (name, qualifier string, streaming, ok bool) {
	rest, found := strings.CutPrefix(uri, "arn:aws:apigateway:")
	if !found {
		return "", "", false, false
	}
	var fn string
	switch {
	case strings.Contains(rest, ":lambda:path/2015-03-31/functions/") && strings.HasSuffix(rest, "/invocations"):
		fn = rest[strings.Index(rest, "/functions/")+len("/functions/") : len(rest)-len("/invocations")]
	case strings.Contains(rest, ":lambda:path/2021-11-15/functions/") && strings.HasSuffix(rest, "/response-streaming-invocations"):
		fn = rest[strings.Index(rest, "/functions/")+len("/functions/") : len(rest)-len("/response-streaming-invocations")]
		streaming = true
	default:
		return "", "", false, false
	}
	name, qualifier, ok = lambdaTarget(fn)
	return name, qualifier, streaming, ok
}

func (s *Server) createDeployment(a *restAPI, _ *http.Request, body []byte) (int, any, *awsError) {
	var in struct {
		StageName   string `json:"stageName"`
		Description string `json:"description"`
	}
	if err := json.Unmarshal(body, &in); err != nil {
		return 0, nil, badRequest("Invalid request body: %v", err)
	}
	methods := 0
	for _, res := range a.resources {
		for _, m := range res.methods {
			methods++
			if m.integration == nil {
				// BadRequestException "No integration defined for method"
				// (amazon-archives/aws-apigateway-importer#29,
				// hashicorp/terraform-provider-aws#21210).
				return 0, nil, badRequest("No integration defined for method")
			}
		}
	}
	if methods == 0 {
		// BadRequestException "The REST API doesn't contain any methods"
		// (Clarifai/lambdafai#57; anomalyco/sst#3976, deploying a new
		// stage before its methods).
		return 0, nil, badRequest("The REST API doesn't contain any methods")
	}
	d := &restDeployment{id: newID(6), description: in.Description, created: time.Now(), rootID: a.rootID,
		resources: map[string]*restResource{}}
	for id, res := range a.resources {
		c := &restResource{id: res.id, parentID: res.parentID, pathPart: res.pathPart, methods: map[string]*restMethod{}}
		for k, m := range res.methods {
			in := *m.integration
			c.methods[k] = &restMethod{httpMethod: m.httpMethod, authType: m.authType, integration: &in}
		}
		d.resources[id] = c
	}
	a.deployments[d.id] = d
	if in.StageName != "" {
		if !stageNameRE.MatchString(in.StageName) || in.StageName == "$default" {
			// The API model: CreateStageRequest.stageName "can only
			// contain alphanumeric characters, hyphens, and underscores.
			// Maximum length is 128 characters." The wording is
			// unattested by AWS documents.
			return 0, nil, badRequest("Stage name only allows a-zA-Z0-9_")
		}
		now := time.Now()
		if st := a.stages[in.StageName]; st != nil {
			st.deploymentID, st.updated = d.id, now
		} else {
			a.stages[in.StageName] = &restStage{name: in.StageName, deploymentID: d.id, created: now, updated: now}
		}
	}
	return http.StatusCreated, map[string]any{"id": d.id, "description": d.description, "createdDate": epoch(d.created)}, nil
}

func (s *Server) getRestStages(a *restAPI, _ *http.Request, _ []byte) (int, any, *awsError) {
	items := []map[string]any{}
	for _, name := range slices.Sorted(maps.Keys(a.stages)) {
		items = append(items, a.stages[name].json())
	}
	return http.StatusOK, map[string]any{"item": items}, nil
}

func (s *Server) createRestStage(a *restAPI, _ *http.Request, body []byte) (int, any, *awsError) {
	var in struct {
		StageName    string `json:"stageName"`
		DeploymentID string `json:"deploymentId"`
	}
	if err := json.Unmarshal(body, &in); err != nil {
		return 0, nil, badRequest("Invalid request body: %v", err)
	}
	if a.deployments[in.DeploymentID] == nil {
		// NotFoundException and (next) ConflictException: CreateStage's
		// errors in the API model; neither wording is attested by AWS.
		return 0, nil, notFound("Invalid Deployment identifier specified")
	}
	if a.stages[in.StageName] != nil {
		return 0, nil, conflict("Stage already exists")
	}
	now := time.Now()
	st := &restStage{name: in.StageName, deploymentID: in.DeploymentID, created: now, updated: now}
	a.stages[st.name] = st
	return http.StatusCreated, st.json(), nil
}

func (s *Server) updateRestStage(a *restAPI, r *http.Request, body []byte) (int, any, *awsError) {
	st := a.stages[r.PathValue("stage")]
	if st == nil {
		// NotFoundException (UpdateStage's errors); the wording is
		// unattested by AWS documents.
		return 0, nil, notFound("Invalid Stage identifier specified")
	}
	var in struct {
		PatchOperations []struct {
			Op, Path, Value string
		} `json:"patchOperations"`
	}
	if err := json.Unmarshal(body, &in); err != nil {
		return 0, nil, badRequest("Invalid request body: %v", err)
	}
	for _, op := range in.PatchOperations {
		if op.Op != "replace" || op.Path != "/deploymentId" {
			// Not an AWS rule: this endpoint patches the deployment only.
			return 0, nil, badRequest("Invalid patch path %s", op.Path)
		}
		if a.deployments[op.Value] == nil {
			return 0, nil, notFound("Invalid Deployment identifier specified")
		}
		st.deploymentID, st.updated = op.Value, time.Now()
	}
	return http.StatusOK, st.json(), nil
}
