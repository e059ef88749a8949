package awsfake

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/nextgo-dev/nextgo/adapters/lambda/runtimeapi"
	"github.com/nextgo-dev/nextgo/runtime/mux"
)

// restTarget is what a REST API request resolves to.
type restTarget struct {
	callee
	resource  string
	params    map[string]string
	stage     string
	streaming bool // the integration's responseTransferMode is STREAM
}

// restGateway serves the deployed stages of REST API apiID at
// /<stage>/<path>, as https://<id>.execute-api.<region>.amazonaws.com does.
func (s *Server) restGateway(apiID string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.serveGateway(w, r, restAPIKind, func(reqID string) (*gatewayCall, *gatewayErr) {
			t, gerr := s.resolveREST(apiID, r)
			if gerr != nil {
				return nil, gerr
			}
			return &gatewayCall{
				callee: t.callee,
				event: func(body []byte) ([]byte, error) {
					// The stage is the first segment of the URL; the event's
					// path is what follows it.
					r2 := r.Clone(r.Context())
					escaped := strings.TrimPrefix(mux.RequestPath(r.URL), "/"+t.stage)
					if escaped == "" {
						escaped = "/"
					}
					r2.URL.RawPath = escaped
					r2.URL.Path, _ = url.PathUnescape(escaped)
					return json.Marshal(runtimeapi.RESTEvent(r2, runtimeapi.RESTEventInput{
						Resource: t.resource, PathParameters: t.params, RequestID: reqID,
						APIID: apiID, AccountID: s.opts.Account, Stage: t.stage, MountPrefix: "/" + t.stage, Time: time.Now(), Body: body,
					}))
				},
				write: func(w http.ResponseWriter, res *runtimeapi.Result) error {
					if t.streaming != (res.Stream != nil) {
						// A STREAM integration calls InvokeWithResponseStream
						// and needs the JSON prelude and its delimiter; a
						// buffered one calls Invoke and needs a proxy response
						// object. Either way a mismatch is a malformed Lambda
						// proxy response: 502.
						if res.Stream != nil {
							res.Stream.Close()
						}
						return errMalformedResponse
					}
					return runtimeapi.WriteRESTResponse(w, res)
				},
			}, nil
		})
	})
}

// errMalformedResponse is a function answer the gateway cannot pass on.
var errMalformedResponse = errors.New("malformed Lambda proxy response")

// resolveREST routes a request to the function of a deployed method.
func (s *Server) resolveREST(apiID string, r *http.Request) (*restTarget, *gatewayErr) {
	s.mu.Lock()
	defer s.mu.Unlock()
	// MISSING_AUTHENTICATION_TOKEN, 403: what a REST API answers for a
	// path or method it has no resource or method for (developer guide,
	// "Gateway response types for API Gateway").
	missing := &gatewayErr{status: http.StatusForbidden, message: "Missing Authentication Token", errorType: "MissingAuthenticationTokenException"}
	a := s.restAPIs[apiID]
	if a == nil {
		return nil, missing
	}
	stageName, rest, _ := strings.Cut(strings.TrimPrefix(r.URL.EscapedPath(), "/"), "/")
	st := a.stages[stageName]
	if st == nil {
		return nil, missing
	}
	d := a.deployments[st.deploymentID]
	var parts []string
	if rest != "" {
		parts = strings.Split(rest, "/")
	}
	res, params := matchResource(d.resources, d.resources[d.rootID], parts)
	if res == nil {
		return nil, missing
	}
	m := res.methods[r.Method]
	if m == nil {
		m = res.methods["ANY"]
	}
	if m == nil || m.integration == nil {
		return nil, missing
	}
	name, qualifier, streaming, ok := restLambdaTarget(m.integration.uri)
	// A configuration error at invoke time is 500 {"message": "Internal
	// server error"} (AWS Knowledge Center, "How do I troubleshoot
	// Internal server errors from API Gateway": the execution log says
	// "Execution failed due to configuration error"), for a missing
	// function as for a missing permission ("How do I resolve 'Invalid
	// permissions on Lambda function' errors from API Gateway REST APIs?":
	// "Method completed with status: 500").
	internal := &gatewayErr{status: http.StatusInternalServerError, message: "Internal server error"}
	if !ok {
		return nil, internal
	}
	// A REST API invokes on behalf of
	// arn:aws:execute-api:<region>:<account>:<api>/<stage>/<METHOD>/<resource path>.
	source := fmt.Sprintf("arn:aws:execute-api:%s:%s:%s/%s/%s%s", s.opts.Region, s.opts.Account, a.id, st.name, r.Method, resourcePath(d.resources, res))
	c, gerr := s.callee(name, qualifier, source, internal)
	if gerr != nil {
		return nil, gerr
	}
	c.timeout = time.Duration(m.integration.timeout) * time.Millisecond
	if streaming != (m.integration.transferMode == "STREAM") {
		// The streaming URI goes with STREAM, the 2015-03-31 one with
		// BUFFERED (developer guide, "Set up a Lambda proxy integration
		// with payload response streaming").
		return nil, internal
	}
	return &restTarget{callee: c, resource: resourcePath(d.resources, res), params: params, stage: st.name, streaming: streaming}, nil
}

// matchResource finds the resource for the path segments below r: a static
// child first, then the variable child, then a greedy child taking the
// rest; a branch whose path does not go on is left for the next. The
// resource is chosen by its path alone: one without a method for the
// request answers 403 even where a greedy resource higher up has one.
// Variables are decoded. The path is split at "/" before decoding, so an
// encoded slash (a%2Fb) stays inside its segment: a REST API passes the
// path on still encoded (captures in hotsock/voker#8, quoted in
// middleapi/standard-server#93), but no AWS statement says how its
// resource matching treats %2F. Nor is there one on a raw backslash: the
// gateway hands it on as sent (mux.RequestPath).
func matchResource(tree map[string]*restResource, r *restResource, parts []string) (*restResource, map[string]string) {
	if len(parts) == 0 {
		return r, nil
	}
	var static, variable, greedy *restResource
	for _, c := range tree {
		if c.parentID != r.id {
			continue
		}
		switch {
		case strings.HasSuffix(c.pathPart, "+}"):
			greedy = c
		case isVariablePart(c.pathPart):
			variable = c
		default:
			if seg, err := url.PathUnescape(parts[0]); err == nil && seg == c.pathPart {
				static = c
			}
		}
	}
	seg, _ := url.PathUnescape(parts[0])
	for _, c := range []*restResource{static, variable} {
		if c == nil {
			continue
		}
		if found, params := matchResource(tree, c, parts[1:]); found != nil {
			if c == variable {
				if params == nil {
					params = map[string]string{}
				}
				params[strings.Trim(c.pathPart, "{}")] = seg
			}
			return found, params
		}
	}
	if greedy != nil {
		all, _ := url.PathUnescape(strings.Join(parts, "/"))
		return greedy, map[string]string{strings.TrimSuffix(strings.Trim(greedy.pathPart, "{}"), "+"): all}
	}
	return nil, nil
}
