// Package cloudformation writes what `nextgo deploy` creates for one stage
// as an AWS CloudFormation template: the engine behind `nextgo export
// cloudformation`.
//
// The template is rendered from [deploy.Desired], the one value deploy
// itself brings AWS to, so names, tags, limits, route keys and permissions
// cannot differ from a deploy's. What depends on the account, region and
// partition (ARNs) is written with CloudFormation's pseudo parameters.
//
// Environment values never enter the template: each variable of the app's
// production .env set is a parameter marked NoEcho, and the functions'
// environments refer to it. Each function's Code is the path of its zip
// relative to the template, as `aws cloudformation package` expects, so
// `package` then `deploy` works on the template as written.
//
// Logical ids are derived from the routes, as function names are
// ([deploy.RouteID]: a readable form of the pattern and a hash of it): a
// route's resources keep their ids when other routes come or go.
package cloudformation

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"maps"
	"path"
	"slices"
	"strings"

	"github.com/nextgo-dev/nextgo/adapters/lambda/deploy"
)

// FormatVersion is the template format version every template declares.
const FormatVersion = "2010-09-09"

// CloudFormation's template quotas (CloudFormation User Guide, "Understand
// CloudFormation quotas": resources, parameters and outputs declared in a
// template).
const (
	MaxResources  = 500
	MaxParameters = 200
	MaxOutputs    = 200
)

// Template is a CloudFormation template.
type Template struct {
	AWSTemplateFormatVersion string               `json:"AWSTemplateFormatVersion"`
	Description              string               `json:"Description"`
	Parameters               map[string]Parameter `json:"Parameters,omitempty"`
	Resources                map[string]Resource  `json:"Resources"`
	Outputs                  map[string]Output    `json:"Outputs"`
}

// Parameter is a template parameter.
type Parameter struct {
	Type        string `json:"Type"`
	NoEcho      bool   `json:"NoEcho,omitempty"`
	Description string `json:"Description,omitempty"`
}

// Resource is a template resource.
type Resource struct {
	Type       string         `json:"Type"`
	DependsOn  []string       `json:"DependsOn,omitempty"`
	Properties map[string]any `json:"Properties"`
}

// Output is a template output.
type Output struct {
	Description string `json:"Description,omitempty"`
	Value       any    `json:"Value"`
}

// Options configures New.
type Options struct {
	// CodeDir is the build directory (where the manifest's zip paths
	// start) relative to the template's directory, slash-separated: each
	// function's Code is CodeDir joined with its zip. "" when the template
	// is written into the build directory.
	CodeDir string
}

// Logical ids of the resources that are one per app.
const (
	IDExecutionRole = "ExecutionRole"
	IDCacheRole     = "CacheRole"
	IDCacheBucket   = "CacheBucket"
	IDHTTPAPI       = "HttpApi"
	IDHTTPStage     = "HttpApiStage"
	IDRESTAPI       = "RestApi"
	IDRESTStage     = "RestApiStage"
	// IDURL is the output of the API's URL.
	IDURL = "ApiUrl"
)

// Logical id suffixes of a function's resources, after its FunctionID.
const (
	SuffixFunction    = "Function"
	SuffixVersion     = "Version"
	SuffixAlias       = "Alias"
	SuffixPermission  = "Permission"
	SuffixIntegration = "Integration"
	SuffixRoute       = "Route" // then a hash of the route key
	SuffixName        = "Name"  // the output of the function's name
)

// Intrinsic functions.
func ref(id string) map[string]any { return map[string]any{"Ref": id} }
func getAtt(id, attr string) map[string]any {
	return map[string]any{"Fn::GetAtt": []any{id, attr}}
}
func sub(s string) map[string]any { return map[string]any{"Fn::Sub": s} }

// Pseudo parameters in Fn::Sub form, for deploy's ARN builders.
const (
	partition = "${AWS::Partition}"
	region    = "${AWS::Region}"
	account   = "${AWS::AccountId}"
)

// New renders d as a template.
func New(d *deploy.Desired, opts Options) (*Template, error) {
	t := &Template{
		AWSTemplateFormatVersion: FormatVersion,
		Description:              fmt.Sprintf("nextgo app %s, stage %s: what `nextgo deploy --stage %s` creates", d.App, d.Stage, d.Stage),
		Parameters:               map[string]Parameter{},
		Resources:                map[string]Resource{},
		Outputs:                  map[string]Output{},
	}
	t.Resources[IDExecutionRole] = role(d.Role, d.Tags, nil)
	if c := d.Cache; c != nil {
		t.Resources[IDCacheBucket] = Resource{Type: "AWS::S3::Bucket", Properties: map[string]any{"Tags": tagList(d.Tags)}}
		var regen []string
		for _, name := range c.Regenerate {
			regen = append(regen, deploy.FunctionARN(partition, region, account, name))
		}
		bucket := "${" + IDCacheBucket + ".Arn}"
		doc := deploy.CachePolicy(bucket, bucket+"/"+c.Prefix+"*", regen)
		t.Resources[IDCacheRole] = role(c.Role, d.Tags, []any{map[string]any{"PolicyName": c.PolicyName, "PolicyDocument": subStrings(doc)}})
	}
	apiID := IDHTTPAPI
	if d.Front == deploy.FrontREST {
		apiID = IDRESTAPI
	}
	for i := range d.Functions {
		f := &d.Functions[i]
		id := FunctionID(f.RouteID)
		env := map[string]any{}
		for _, k := range f.Env {
			p := ParameterID(k)
			env[k] = ref(p)
			t.Parameters[p] = Parameter{Type: "String", NoEcho: true, Description: "The value of " + k + " (the app's production .env set)"}
		}
		if f.SharedCache {
			env[d.Cache.StoreVar] = d.Cache.Store
			env[d.Cache.BucketVar] = ref(IDCacheBucket)
		}
		roleID := IDExecutionRole
		if f.Role != d.Role.Name {
			roleID = IDCacheRole
		}
		props := map[string]any{
			"FunctionName":  f.Name,
			"Description":   f.Description,
			"Runtime":       f.Runtime,
			"Handler":       f.Handler,
			"Architectures": []any{f.Arch},
			"Timeout":       f.Timeout,
			"MemorySize":    f.Memory,
			"Role":          getAtt(roleID, "Arn"),
			"PackageType":   "Zip",
			"Code":          path.Join(opts.CodeDir, f.Zip),
			"Tags":          tagList(f.Tags),
		}
		if len(env) > 0 {
			props["Environment"] = map[string]any{"Variables": env}
		}
		t.Resources[id+SuffixFunction] = Resource{Type: "AWS::Lambda::Function", Properties: props}
		t.Resources[id+SuffixVersion] = Resource{Type: "AWS::Lambda::Version", Properties: map[string]any{
			"FunctionName": ref(id + SuffixFunction),
			// The code's hash makes Lambda publish exactly the zip packaged
			// with the template; a description naming the configuration
			// replaces the version, so publishes anew, when either changes.
			"CodeSha256":  f.CodeSHA256,
			"Description": "nextgo configuration " + digest(f),
		}}
		t.Resources[id+SuffixAlias] = Resource{Type: "AWS::Lambda::Alias", Properties: map[string]any{
			"FunctionName":    ref(id + SuffixFunction),
			"FunctionVersion": getAtt(id+SuffixVersion, "Version"),
			"Name":            f.Permission.Qualifier,
		}}
		t.Resources[id+SuffixPermission] = Resource{Type: "AWS::Lambda::Permission", Properties: map[string]any{
			"FunctionName": ref(id + SuffixAlias),
			"Action":       f.Permission.Action,
			"Principal":    f.Permission.Principal,
			"SourceArn":    sub(deploy.SourceARN(partition, region, account, "${"+apiID+"}")),
		}}
		t.Outputs[id+SuffixName] = Output{Description: "The Lambda function of " + f.Route, Value: ref(id + SuffixFunction)}
	}
	switch d.Front {
	case deploy.FrontHTTP:
		httpAPI(t, d)
	case deploy.FrontREST:
		restAPI(t, d)
	default:
		return nil, fmt.Errorf("unknown API front %q", d.Front)
	}
	switch {
	case len(t.Resources) > MaxResources:
		return nil, fmt.Errorf("the template of %s has %d resources, over CloudFormation's %d per stack (%d routes)", d.App, len(t.Resources), MaxResources, len(d.Functions))
	case len(t.Parameters) > MaxParameters:
		return nil, fmt.Errorf("the template of %s has %d parameters (one per .env variable), over CloudFormation's %d", d.App, len(t.Parameters), MaxParameters)
	case len(t.Outputs) > MaxOutputs:
		return nil, fmt.Errorf("the template of %s has %d outputs (one per function and the URL), over CloudFormation's %d", d.App, len(t.Outputs), MaxOutputs)
	}
	return t, nil
}

// httpAPI adds the HTTP API: its $default stage, an integration per
// function (to the live alias) and its routes.
func httpAPI(t *Template, d *deploy.Desired) {
	h := d.HTTP
	t.Resources[IDHTTPAPI] = Resource{Type: "AWS::ApiGatewayV2::Api", Properties: map[string]any{
		"Name": h.Name, "ProtocolType": "HTTP", "Description": h.Description, "Tags": tagMap(d.Tags),
	}}
	t.Resources[IDHTTPStage] = Resource{Type: "AWS::ApiGatewayV2::Stage", Properties: map[string]any{
		"ApiId": ref(IDHTTPAPI), "StageName": h.Stage, "AutoDeploy": true,
	}}
	ids := map[string]string{}
	routeIDs := map[string]string{}
	for i := range d.Functions {
		f := &d.Functions[i]
		id := FunctionID(f.RouteID)
		ids[f.Name], routeIDs[f.Name] = id, f.RouteID
		t.Resources[id+SuffixIntegration] = Resource{Type: "AWS::ApiGatewayV2::Integration", Properties: map[string]any{
			"ApiId":                ref(IDHTTPAPI),
			"IntegrationType":      "AWS_PROXY",
			"IntegrationUri":       ref(id + SuffixAlias),
			"PayloadFormatVersion": h.PayloadFormat,
			"Description":          "nextgo " + f.Route,
		}}
	}
	for _, r := range h.Routes {
		id := ids[r.Function]
		t.Resources[HTTPRouteID(routeIDs[r.Function], r.Key)] = Resource{Type: "AWS::ApiGatewayV2::Route", Properties: map[string]any{
			"ApiId": ref(IDHTTPAPI), "RouteKey": r.Key, "Target": sub("integrations/${" + id + SuffixIntegration + "}"),
		}}
	}
	t.Outputs[IDURL] = Output{Description: "The URL of the app", Value: getAtt(IDHTTPAPI, "ApiEndpoint")}
}

// restAPI adds the REST API: a resource per path, the method ANY on each
// resource a function serves (a STREAM integration for a streaming route),
// a deployment of them all and the stage.
func restAPI(t *Template, d *deploy.Desired) {
	r := d.REST
	t.Resources[IDRESTAPI] = Resource{Type: "AWS::ApiGateway::RestApi", Properties: map[string]any{
		"Name": r.Name, "Description": r.Description,
		"BinaryMediaTypes":      anyList(r.BinaryMediaTypes),
		"EndpointConfiguration": map[string]any{"Types": []any{r.EndpointType}},
		"Tags":                  tagList(d.Tags),
	}}
	fnIDs := map[string]string{}
	for i := range d.Functions {
		fnIDs[d.Functions[i].Name] = FunctionID(d.Functions[i].RouteID)
	}
	var methods []string
	for _, res := range r.Resources {
		resourceID := getAtt(IDRESTAPI, "RootResourceId")
		id := "RestRoot"
		if res.Path != "/" {
			id = ResourceID(res.Path)
			parent := getAtt(IDRESTAPI, "RootResourceId")
			if dir := path.Dir(res.Path); dir != "/" {
				parent = ref(ResourceID(dir))
			}
			t.Resources[id] = Resource{Type: "AWS::ApiGateway::Resource", Properties: map[string]any{
				"RestApiId": ref(IDRESTAPI), "ParentId": parent, "PathPart": path.Base(res.Path),
			}}
			resourceID = ref(id)
		}
		if res.Function == "" {
			continue
		}
		mode := "BUFFERED"
		if res.Stream {
			mode = "STREAM"
		}
		alias := "${" + fnIDs[res.Function] + SuffixAlias + "}"
		t.Resources[id+"Method"] = Resource{Type: "AWS::ApiGateway::Method", Properties: map[string]any{
			"RestApiId": ref(IDRESTAPI), "ResourceId": resourceID, "HttpMethod": "ANY", "AuthorizationType": "NONE",
			"Integration": map[string]any{
				"Type":                  "AWS_PROXY",
				"IntegrationHttpMethod": "POST",
				"Uri":                   sub(deploy.RESTIntegrationURI(partition, region, alias, res.Stream)),
				"TimeoutInMillis":       res.TimeoutMillis,
				"ResponseTransferMode":  mode,
			},
		}}
		methods = append(methods, id+"Method")
	}
	// A REST API serves its methods as they were when deployed: the
	// deployment is named after them, so a change deploys anew.
	layout, _ := json.Marshal(r.Resources)
	deployment := "RestDeployment" + shortHash(string(layout))
	slices.Sort(methods)
	t.Resources[deployment] = Resource{Type: "AWS::ApiGateway::Deployment", DependsOn: methods, Properties: map[string]any{
		"RestApiId": ref(IDRESTAPI), "Description": "nextgo deploy",
	}}
	t.Resources[IDRESTStage] = Resource{Type: "AWS::ApiGateway::Stage", Properties: map[string]any{
		"RestApiId": ref(IDRESTAPI), "DeploymentId": ref(deployment), "StageName": r.Stage,
	}}
	t.Outputs[IDURL] = Output{Description: "The URL of the app", Value: sub("https://${" + IDRESTAPI + "}.execute-api.${AWS::Region}.${AWS::URLSuffix}/${" + IDRESTStage + "}")}
}

// role is an execution role with its inline policies.
func role(r deploy.DesiredRole, tags map[string]string, policies []any) Resource {
	var trust any
	json.Unmarshal([]byte(deploy.TrustPolicy), &trust)
	props := map[string]any{
		"RoleName":                 r.Name,
		"Description":              r.Description,
		"AssumeRolePolicyDocument": trust,
		"ManagedPolicyArns":        []any{sub("arn:" + partition + ":iam::aws:policy/" + r.ManagedPolicy)},
		"Tags":                     tagList(tags),
	}
	if len(policies) > 0 {
		props["Policies"] = policies
	}
	return Resource{Type: "AWS::IAM::Role", Properties: props}
}

// subStrings turns a policy document into template values: a string with
// a ${...} substitution becomes an Fn::Sub.
func subStrings(doc deploy.PolicyDocument) any {
	b, _ := json.Marshal(doc)
	var v any
	json.Unmarshal(b, &v)
	return mapLeaves(v, func(leaf any) any {
		if x, ok := leaf.(string); ok && strings.Contains(x, "${") {
			return sub(x)
		}
		return leaf
	})
}

// mapLeaves replaces, in place, each leaf of v (a value decoded from JSON:
// maps, slices and scalars) with f's result, and returns v.
func mapLeaves(v any, f func(any) any) any {
	switch x := v.(type) {
	case []any:
		for i := range x {
			x[i] = mapLeaves(x[i], f)
		}
	case map[string]any:
		for k := range x {
			x[k] = mapLeaves(x[k], f)
		}
	default:
		return f(v)
	}
	return v
}

// tagList is tags as CloudFormation's list of Key and Value, sorted.
func tagList(tags map[string]string) []any {
	out := []any{}
	for _, k := range slices.Sorted(maps.Keys(tags)) {
		out = append(out, map[string]any{"Key": k, "Value": tags[k]})
	}
	return out
}

// tagMap is tags as a map, as API Gateway v2 resources take them.
func tagMap(tags map[string]string) map[string]any {
	out := map[string]any{}
	for k, v := range tags {
		out[k] = v
	}
	return out
}

func anyList(s []string) []any {
	out := make([]any, len(s))
	for i, v := range s {
		out[i] = v
	}
	return out
}

// maxReadable caps the readable part of a logical id.
const maxReadable = 96

// FunctionID is the logical id prefix of the resources of the function
// whose deploy.RouteID is routeID: "Route", the readable part in
// CamelCase and the route's hash ("RouteApiPostPid24a2ea83" for
// "/api/post/[pid]"); "Fallback" for the app's fallback function. Like
// the function's name, it depends on that route alone.
func FunctionID(routeID string) string {
	readable, hash, ok := cutHash(routeID)
	if !ok {
		return camel(routeID) // the fallback's "_fallback"
	}
	return "Route" + camel(readable) + hash
}

// HTTPRouteID is the logical id of the HTTP API route key of the function
// whose deploy.RouteID is routeID: its FunctionID, "Route" and 8 hex
// digits of the key's SHA-256.
func HTTPRouteID(routeID, key string) string {
	return FunctionID(routeID) + SuffixRoute + shortHash(key)
}

// ResourceID is the logical id of the REST API resource of path: "Path",
// the path in CamelCase and 8 hex digits of its SHA-256.
func ResourceID(p string) string {
	return "Path" + camel(p) + shortHash(p)
}

// ParameterID is the template parameter of the environment variable
// name: "Env", its letters and digits, and 8 hex digits of its SHA-256
// (API_KEY and APIKEY stay apart).
func ParameterID(name string) string {
	return "Env" + camel(name) + shortHash(name)
}

// cutHash splits a RouteID into its readable part and its hash.
func cutHash(routeID string) (readable, hash string, ok bool) {
	i := strings.LastIndexByte(routeID, '-')
	if i < 0 || len(routeID)-i-1 != 8 {
		return "", "", false
	}
	if _, err := hex.DecodeString(routeID[i+1:]); err != nil {
		return "", "", false
	}
	return routeID[:i], routeID[i+1:], true
}

// camel joins the runs of letters and digits of s, each starting with a
// capital, capped at maxReadable characters.
func camel(s string) string {
	var b strings.Builder
	up := true
	for _, c := range s {
		alnum := c < 128 && ('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9')
		if !alnum {
			up = true
			continue
		}
		if up && 'a' <= c && c <= 'z' {
			c -= 'a' - 'A'
		}
		up = false
		if b.Len() < maxReadable {
			b.WriteRune(c)
		}
	}
	return b.String()
}

// shortHash is 8 hex digits of the SHA-256 of s.
func shortHash(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:4])
}

// digest names a function's configuration as Lambda versions it: 16 hex
// digits of the SHA-256 of its code hash, settings, role and variable
// names (never a value).
func digest(f *deploy.DesiredFunction) string {
	b, _ := json.Marshal([]any{f.CodeSHA256, f.Runtime, f.Handler, f.Arch, f.Timeout, f.Memory, f.Description, f.Role, f.Env, f.SharedCache})
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:8])
}
