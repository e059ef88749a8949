package deploy

import (
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"maps"
	"path"
	"slices"
	"strings"

	"github.com/nextgo-dev/nextgo/adapters/lambda/s3cache"
	"github.com/nextgo-dev/nextgo/bundler/manifest"
	"github.com/nextgo-dev/nextgo/runtime/cache"
)

// Desired is what a deploy of one build brings one stage to: every name,
// tag, limit, route key and permission, computed from the build, the app
// and the stage alone, without a call to AWS. [Deploy] compares it with
// what AWS has and changes the difference; the CloudFormation exporter
// (package cloudformation) writes it as a template. Both read this one
// value, so the two cannot disagree.
//
// Values that depend on the account, region or partition (ARNs, the deploy
// bucket's name) are not in it: each consumer renders them, with
// [FunctionARN], [SourceARN], [RESTIntegrationURI] and [CachePolicy], from
// its own account, region and partition or from CloudFormation's pseudo
// parameters. Environment values are not in it either, only their names:
// the values stay with the [Build], and reach a function only through
// Deploy.
type Desired struct {
	App   string `json:"app"`   // the app name as resources spell it
	Stage string `json:"stage"` // the stage
	// Tags are set on every resource that takes tags.
	Tags map[string]string `json:"tags"`
	// Role is the execution role of the functions that do not use the
	// response cache.
	Role DesiredRole `json:"role"`
	// Cache is the app's shared response cache; nil when no function caches
	// GETs or revalidates.
	Cache     *DesiredCache     `json:"cache,omitempty"`
	Functions []DesiredFunction `json:"functions"`
	// Front is the API in front of the functions: FrontHTTP, or FrontREST
	// when a route streams (HTTP APIs cannot stream).
	Front string          `json:"front"`
	HTTP  *DesiredHTTPAPI `json:"httpApi,omitempty"`
	REST  *DesiredRESTAPI `json:"restApi,omitempty"`
	build *Build          // the values of the functions' environment
	byFn  map[string]*manifest.Function
}

// Settings every function and role of an app shares.
const (
	// Runtime is the Lambda runtime of every function.
	Runtime = string(fnRuntime)
	// Handler is the handler of every function: the bootstrap binary.
	Handler = fnHandler
	// TrustPolicy lets Lambda assume an execution role.
	TrustPolicy = trustPolicy
	// BasicExecutionPolicy is the managed policy attached to every
	// execution role (CloudWatch Logs), as an ARN without its
	// "arn:<partition>:iam::aws:policy/" prefix.
	BasicExecutionPolicy = "service-role/AWSLambdaBasicExecutionRole"
)

// DesiredRole is an execution role.
type DesiredRole struct {
	Name        string `json:"name"`
	Description string `json:"description"`
	// ManagedPolicy is attached to the role: BasicExecutionPolicy.
	ManagedPolicy string `json:"managedPolicy"`
}

// DesiredCache is the app's shared response cache: objects under Prefix in
// a bucket of the stage, read and written by the functions that use it,
// which run under Role, whose inline policy Policy allows exactly that.
type DesiredCache struct {
	Role DesiredRole `json:"role"`
	// PolicyName names the role's inline policy; CachePolicy writes it.
	PolicyName string `json:"policyName"`
	// Prefix is the key prefix of the cache's objects in the bucket.
	Prefix string `json:"prefix"`
	// Regenerate names the functions that regenerate their stale entries by
	// invoking themselves: the role may invoke them.
	Regenerate []string `json:"regenerate"`
	// StoreVar and Store select the store in a function's environment;
	// BucketVar names the bucket there.
	StoreVar  string `json:"storeVar"`
	Store     string `json:"store"`
	BucketVar string `json:"bucketVar"`
}

// DesiredFunction is one Lambda function: one route, or the app's fallback.
type DesiredFunction struct {
	Name  string `json:"name"`
	Route string `json:"route"` // the pattern, or "$default" for the fallback
	// RouteID is the route part of Name (see RouteID), stable across
	// builds: a readable form of the pattern and a hash of it.
	RouteID     string `json:"routeId"`
	File        string `json:"file,omitempty"`
	Zip         string `json:"zip"`        // relative to the build directory
	CodeSHA256  string `json:"codeSha256"` // base64, as Lambda reports it
	Runtime     string `json:"runtime"`
	Handler     string `json:"handler"`
	Arch        string `json:"architecture"` // arm64 or x86_64, as Lambda spells it
	Timeout     int    `json:"timeout"`      // seconds
	Memory      int    `json:"memory"`       // MB
	Description string `json:"description"`
	Role        string `json:"role"` // the name of its execution role
	// Env names the variables of its environment taken from the app's
	// production .env set. A function that uses the response cache also
	// gets DesiredCache's StoreVar and BucketVar, which are not listed.
	Env         []string          `json:"env"`
	SharedCache bool              `json:"sharedCache,omitempty"`
	Streaming   bool              `json:"streaming,omitempty"`
	Tags        map[string]string `json:"tags"`
	// RouteKeys are the front's routes to the function: HTTP API route
	// keys, or "ANY <resource path>" of the REST API.
	RouteKeys []string `json:"routeKeys"`
	// Permission lets the API invoke the live alias.
	Permission DesiredPermission `json:"permission"`
}

// DesiredPermission is the statement of a function's resource policy that
// lets the app's API invoke its live alias; its source ARN is the API's
// (see SourceARN).
type DesiredPermission struct {
	Qualifier   string `json:"qualifier"`
	StatementID string `json:"statementId"`
	Action      string `json:"action"`
	Principal   string `json:"principal"`
}

// DesiredHTTPAPI is the HTTP API of an app whose routes all buffer.
type DesiredHTTPAPI struct {
	Name          string `json:"name"`
	Description   string `json:"description"`
	Stage         string `json:"stage"` // "$default", deployed automatically
	PayloadFormat string `json:"payloadFormat"`
	// Routes maps each route key to the function behind it, sorted by
	// function as Functions is, then by key.
	Routes []DesiredRoute `json:"routes"`
}

// DesiredRoute is one HTTP API route and the function its integration
// invokes (through the live alias).
type DesiredRoute struct {
	Key      string `json:"key"`
	Function string `json:"function"`
}

// DesiredRESTAPI is the REST API of an app with a streaming route.
type DesiredRESTAPI struct {
	Name             string   `json:"name"`
	Description      string   `json:"description"`
	Stage            string   `json:"stage"` // named like the deploy stage
	BinaryMediaTypes []string `json:"binaryMediaTypes"`
	EndpointType     string   `json:"endpointType"`
	// Resources are its resources, parents first; each with a Function has
	// the method ANY integrated with it.
	Resources []RecordResource `json:"resources"`
}

// Desire computes the desired state of stage for the build b, which
// LoadBuild has checked. It calls nothing outside the process.
func Desire(b *Build, stage string) (*Desired, error) {
	if err := validateApp(b.Manifest.App); err != nil {
		return nil, err
	}
	if err := ValidateStage(stage); err != nil {
		return nil, err
	}
	app := sanitizeName(b.Manifest.App)
	d := &Desired{
		App: app, Stage: stage, Tags: ownerTags(app, stage),
		Role:  executionRole(RoleName(app, stage), app, stage),
		build: b, byFn: map[string]*manifest.Function{},
	}
	var users []*manifest.Function
	for i := range b.Manifest.Functions {
		if b.Manifest.Functions[i].SharedCache {
			users = append(users, &b.Manifest.Functions[i])
		}
	}
	if len(users) > 0 {
		d.Cache = &DesiredCache{
			Role:       executionRole(CacheRoleName(app, stage), app, stage),
			PolicyName: cachePolicyName,
			Prefix:     s3cache.KeyPrefix,
			Regenerate: []string{},
			StoreVar:   cache.EnvStore, Store: s3cache.Name, BucketVar: s3cache.EnvBucket,
		}
		for _, fn := range users {
			if regenerates(fn) {
				d.Cache.Regenerate = append(d.Cache.Regenerate, FunctionName(app, stage, routePattern(fn)))
			}
		}
	}
	streams := false
	for i := range b.Manifest.Functions {
		fn := &b.Manifest.Functions[i]
		arch, err := lambdaArch(fn.Arch)
		if err != nil {
			return nil, fmt.Errorf("function %s: %w", fn.Name, err)
		}
		raw, err := hex.DecodeString(fn.SHA256)
		if err != nil || len(raw) != 32 {
			return nil, fmt.Errorf("function %s: sha256 %q is not a hex SHA-256", fn.Name, fn.SHA256)
		}
		name := FunctionName(app, stage, routePattern(fn))
		role := d.Role.Name
		var env []string
		for _, k := range fn.Env {
			if fn.SharedCache && (k == cache.EnvStore || k == s3cache.EnvBucket) {
				continue // the cache's own value wins
			}
			env = append(env, k)
		}
		if fn.SharedCache {
			role = d.Cache.Role.Name
		}
		tags := ownerTags(app, stage)
		tags[TagRoute] = RouteID(routePattern(fn))
		d.Functions = append(d.Functions, DesiredFunction{
			Name: name, Route: routeLabel(fn), RouteID: RouteID(routePattern(fn)), File: fn.File,
			Zip: fn.Zip, CodeSHA256: base64.StdEncoding.EncodeToString(raw),
			Runtime: Runtime, Handler: Handler, Arch: string(arch),
			Timeout: fn.MaxDuration, Memory: fn.Memory, Description: description(fn),
			Role: role, Env: slices.Clip(append([]string{}, env...)), SharedCache: fn.SharedCache,
			Streaming: fn.Streaming && !isFallback(fn), Tags: tags,
			Permission: DesiredPermission{Qualifier: AliasName, StatementID: permissionSid, Action: "lambda:InvokeFunction", Principal: "apigateway.amazonaws.com"},
		})
		d.byFn[name] = fn
		streams = streams || (fn.Streaming && !isFallback(fn))
	}
	desc := fmt.Sprintf("nextgo app %s, stage %s", app, stage)
	if !streams {
		d.Front = FrontHTTP
		d.HTTP = &DesiredHTTPAPI{Name: APIName(app, stage), Description: desc, Stage: defaultStage, PayloadFormat: payloadFormat, Routes: []DesiredRoute{}}
		for i := range d.Functions {
			f := &d.Functions[i]
			keys, err := RouteKeys(*d.byFn[f.Name])
			if err != nil {
				return nil, err
			}
			f.RouteKeys = keys
			for _, k := range keys {
				d.HTTP.Routes = append(d.HTTP.Routes, DesiredRoute{Key: k, Function: f.Name})
			}
		}
		return d, nil
	}
	routes := make([]restRoute, len(d.Functions))
	for i, f := range d.Functions {
		routes[i] = restRoute{name: f.Name, fn: d.byFn[f.Name]}
	}
	res, err := restLayout(routes)
	if err != nil {
		return nil, err
	}
	d.Front = FrontREST
	d.REST = &DesiredRESTAPI{Name: APIName(app, stage), Description: desc, Stage: stage, BinaryMediaTypes: []string{"*/*"}, EndpointType: "REGIONAL", Resources: res}
	keys := map[string][]string{}
	for _, r := range res {
		if r.Function != "" {
			keys[r.Function] = append(keys[r.Function], "ANY "+r.Path)
		}
	}
	for i := range d.Functions {
		d.Functions[i].RouteKeys = append([]string{}, keys[d.Functions[i].Name]...)
	}
	return d, nil
}

// Function returns the desired function named name, nil when there is none.
func (d *Desired) Function(name string) *DesiredFunction {
	for i := range d.Functions {
		if d.Functions[i].Name == name {
			return &d.Functions[i]
		}
	}
	return nil
}

// ownerTags are the tags of every resource of app and stage.
func ownerTags(app, stage string) map[string]string {
	return map[string]string{TagApp: app, TagStage: stage}
}

// executionRole is an execution role of app and stage named name.
func executionRole(name, app, stage string) DesiredRole {
	return DesiredRole{
		Name:          name,
		Description:   fmt.Sprintf("nextgo execution role of %s (stage %s)", app, stage),
		ManagedPolicy: BasicExecutionPolicy,
	}
}

// regenerates reports whether fn regenerates its stale cache entries by
// invoking itself.
func regenerates(fn *manifest.Function) bool {
	return fn.SharedCache && strings.HasPrefix(fn.Cache, "revalidate=")
}

// FunctionARN is the unqualified ARN of function name. Its parts are
// strings as given, so the exporter can pass CloudFormation's
// "${AWS::Partition}"-style substitutions.
func FunctionARN(partition, region, account, name string) string {
	return fmt.Sprintf("arn:%s:lambda:%s:%s:function:%s", partition, region, account, name)
}

// SourceARN is the source ARN an invoke permission is scoped to: every
// stage, method and path of the API apiID.
func SourceARN(partition, region, account, apiID string) string {
	return fmt.Sprintf("arn:%s:execute-api:%s:%s:%s/*", partition, region, account, apiID)
}

// RESTIntegrationURI is the integration URI by which a REST API invokes
// the function alias aliasARN: Lambda's response-streaming-invocations
// path for a streaming integration, the buffered invocations path
// otherwise.
func RESTIntegrationURI(partition, region, aliasARN string, stream bool) string {
	if stream {
		return "arn:" + partition + ":apigateway:" + region + ":lambda:path/2021-11-15/functions/" + aliasARN + "/response-streaming-invocations"
	}
	return "arn:" + partition + ":apigateway:" + region + ":lambda:path/2015-03-31/functions/" + aliasARN + "/invocations"
}

// CachePolicy is the cache role's inline policy document: read and write
// the cache's objects (objectsARN, the bucket's ARN and the prefix and
// "*"), list the bucket (bucketARN: S3 answers a GET of a missing key with
// 403 instead of 404 to a caller without s3:ListBucket), and invoke the
// functions that regenerate (their unqualified ARNs, each also with
// ":*" for its versions).
func CachePolicy(bucketARN, objectsARN string, regenerate []string) PolicyDocument {
	doc := PolicyDocument{Version: "2012-10-17", Statement: []PolicyStatement{
		{Sid: "CacheEntries", Effect: "Allow", Action: []string{"s3:GetObject", "s3:PutObject"}, Resource: []string{objectsARN}},
		{Sid: "CacheMisses", Effect: "Allow", Action: []string{"s3:ListBucket"}, Resource: []string{bucketARN}},
	}}
	var arns []string
	for _, arn := range regenerate {
		arns = append(arns, arn, arn+":*")
	}
	if len(arns) > 0 {
		doc.Statement = append(doc.Statement, PolicyStatement{Sid: "RegenerateStaleEntries", Effect: "Allow", Action: []string{"lambda:InvokeFunction"}, Resource: arns})
	}
	return doc
}

// restRoute is a function and its route, as the REST layout reads them.
type restRoute struct {
	name string
	fn   *manifest.Function
}

// restLayout lays the routes out as REST API resources, parents first. It
// fails when two routes need different path variables under one parent,
// which a REST API refuses ("A sibling ({id}) of this resource already has
// a variable path part -- only one is allowed").
func restLayout(routes []restRoute) ([]RecordResource, error) {
	type node struct {
		path  string
		route *restRoute
	}
	nodes := map[string]*node{"/": {path: "/"}}
	owner := map[string]string{} // variable child path → route label
	var fallback *restRoute
	var add func(p string) *node
	add = func(p string) *node {
		if n := nodes[p]; n != nil {
			return n
		}
		add(path.Dir(p))
		n := &node{path: p}
		nodes[p] = n
		return n
	}
	for i := range routes {
		r := &routes[i]
		if isFallback(r.fn) {
			fallback = r
			continue
		}
		paths, err := apiPaths(r.fn.Pattern)
		if err != nil {
			return nil, err
		}
		for _, p := range paths {
			add(p).route = r
		}
	}
	if fallback != nil {
		add(restFallbackPath)
		for _, n := range nodes {
			if n.route == nil {
				n.route = fallback
			}
		}
	}
	sorted := slices.SortedFunc(maps.Values(nodes), func(a, b *node) int { return strings.Compare(a.path, b.path) })
	out := make([]RecordResource, 0, len(sorted))
	for _, n := range sorted {
		r := RecordResource{Path: n.path}
		if n.route != nil {
			r.Function = n.route.name
			r.Stream = n.route.fn.Streaming && !isFallback(n.route.fn)
			r.TimeoutMillis = restBufferedTimeoutMillis
			if r.Stream {
				r.TimeoutMillis = int32(min(n.route.fn.MaxDuration*1000+1000, restStreamTimeoutMillis))
			}
		}
		out = append(out, r)
		if n.path == "/" || !strings.HasPrefix(path.Base(n.path), "{") {
			continue
		}
		label := n.path
		if n.route != nil {
			label = routeLabel(n.route.fn)
		}
		parent := path.Dir(n.path)
		if other, ok := owner[parent]; ok {
			return nil, fmt.Errorf("routes %s and %s need two path variables under %s, which a REST API refuses (only one variable path part per level); an app with a streaming route is deployed behind a REST API", other, label, parent)
		}
		owner[parent] = label
	}
	return out, nil
}
