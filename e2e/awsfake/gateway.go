package awsfake

import (
	"archive/zip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/nextgo-dev/nextgo/adapters/lambda/runtimeapi"
	"github.com/nextgo-dev/nextgo/internal/lambdalimit"
)

// gatewayKind is how one kind of API Gateway API (HTTP API, REST API)
// answers on its own while it serves a deployed app.
type gatewayKind struct {
	requestIDHeader string
	newRequestID    func() string
	tooLarge        gatewayErr  // a request body over 10 MB
	timeout         gatewayErr  // no answer within the integration timeout
	failure         gatewayErr  // a function that fails or answers something unreadable
	payloadTooLarge *gatewayErr // a response over Lambda's 6 MB; nil: failure
}

// httpAPIKind is an HTTP API's: 500 {"message":"Internal Server Error"}
// for a function that fails (developer guide, "Troubleshooting issues with
// HTTP API Lambda integrations"; Knowledge Center, "api-gateway-http-lambda-
// integrations": the same answer for a missing invoke permission). No AWS
// statement of the 503 "Service Unavailable" past the 30 s integration
// timeout nor of the 413 "Request Entity Too Large" wording was found.
var httpAPIKind = &gatewayKind{
	requestIDHeader: "Apigw-Requestid",
	newRequestID:    newGatewayRequestID,
	tooLarge:        gatewayErr{status: http.StatusRequestEntityTooLarge, message: "Request Entity Too Large"},
	timeout:         gatewayErr{status: http.StatusServiceUnavailable, message: "Service Unavailable"},
	failure:         gatewayErr{status: http.StatusInternalServerError, message: "Internal Server Error"},
	payloadTooLarge: &gatewayErr{status: http.StatusRequestEntityTooLarge, message: "Request Entity Too Large"},
}

// restAPIKind is a REST API's (developer guide, "Gateway response types":
// REQUEST_TOO_LARGE 413 "Request Too Long" (payloads are at most 10 MB),
// INTEGRATION_TIMEOUT 504; "Output format of a Lambda function for proxy
// integration": any other output is 502).
var restAPIKind = &gatewayKind{
	requestIDHeader: "X-Amzn-Requestid",
	newRequestID:    newRequestID,
	tooLarge:        gatewayErr{status: http.StatusRequestEntityTooLarge, message: "Request Too Long"},
	timeout:         gatewayErr{status: http.StatusGatewayTimeout, message: "Endpoint request timed out"},
	failure:         gatewayErr{status: http.StatusBadGateway, message: "Internal server error"},
}

// callee is the function version a gateway request invokes, and how long
// the integration waits for it.
type callee struct {
	fn, version string
	cfg         fnConfig
	timeout     time.Duration
}

// gatewayCall is one request a gateway serves: the function it invokes,
// the event the function gets for the request's body, and how the
// function's answer is written to the client.
type gatewayCall struct {
	callee
	event func(body []byte) ([]byte, error)
	write func(w http.ResponseWriter, res *runtimeapi.Result) error
}

// serveGateway serves one request of a deployed API, as both kinds of API
// do: a request id, the route or resource (resolve, given the request id:
// a call, or the API's own answer), the body within 10 MB, the function
// invoked under the integration timeout, and its answer written on.
func (s *Server) serveGateway(w http.ResponseWriter, r *http.Request, k *gatewayKind, resolve func(reqID string) (*gatewayCall, *gatewayErr)) {
	reqID := k.newRequestID()
	w.Header().Set(k.requestIDHeader, reqID)
	call, gerr := resolve(reqID)
	if gerr != nil {
		if gerr.errorType != "" {
			w.Header().Set("X-Amzn-Errortype", gerr.errorType)
		}
		gatewayError(w, gerr.status, gerr.message)
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(nil, r.Body, runtimeapi.MaxGatewayPayload))
	if err != nil {
		gatewayError(w, k.tooLarge.status, k.tooLarge.message)
		return
	}
	payload, err := call.event(body)
	if err != nil {
		gatewayError(w, k.failure.status, k.failure.message)
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), call.timeout)
	defer cancel()
	res, err := s.invokeVersion(ctx, call.fn, call.version, call.cfg, payload)
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		gatewayError(w, k.timeout.status, k.timeout.message)
		return
	case k.payloadTooLarge != nil && errors.Is(err, runtimeapi.ErrPayloadTooLarge):
		gatewayError(w, k.payloadTooLarge.status, k.payloadTooLarge.message)
		return
	case err != nil:
		fmt.Fprintf(s.opts.FunctionOutput, "awsfake: invoke %s:%s: %v\n", call.fn, call.version, err)
		gatewayError(w, k.failure.status, k.failure.message)
		return
	}
	if err := call.write(w, res); err != nil {
		if errors.Is(err, runtimeapi.ErrStreamCut) {
			panic(http.ErrAbortHandler) // the client sees an incomplete response
		}
		gatewayError(w, k.failure.status, k.failure.message)
	}
}

// callee resolves the function name:qualifier that an API invokes on
// behalf of source (an execute-api ARN), or answers fail, as API Gateway
// answers a configuration error: a function, version or alias that does
// not exist, or a resource policy that does not let API Gateway invoke it
// for source (the function does not run). The caller holds s.mu.
func (s *Server) callee(name, qualifier, source string, fail *gatewayErr) (callee, *gatewayErr) {
	f := s.functions[name]
	if f == nil {
		return callee{}, fail
	}
	cfg, version, ok := f.resolve(qualifier)
	if !ok || !allowsInvoke(f.policies[qualifier], source) {
		return callee{}, fail
	}
	return callee{fn: name, version: version, cfg: cfg}, nil
}

// gateway serves the HTTP API apiID as API Gateway does.
func (s *Server) gateway(apiID string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.serveGateway(w, r, httpAPIKind, func(reqID string) (*gatewayCall, *gatewayErr) {
			if !utf8.ValidString(r.URL.Path) {
				// The event carries the decoded path as JSON: a path that
				// does not decode to UTF-8 cannot be handed to a function.
				return nil, &gatewayErr{status: http.StatusBadRequest, message: "Bad Request"}
			}
			t, gerr := s.resolve(apiID, r)
			if gerr != nil {
				return nil, gerr
			}
			t.timeout = runtimeapi.DefaultIntegrationTimeout
			return &gatewayCall{
				callee: t.callee,
				event: func(body []byte) ([]byte, error) {
					return runtimeapi.MarshalGatewayEvent(runtimeapi.GatewayEvent(r, runtimeapi.GatewayEventInput{
						RouteKey:       t.routeKey,
						PathParameters: t.params,
						RequestID:      reqID,
						APIID:          apiID,
						AccountID:      s.opts.Account,
						Stage:          "$default",
						Time:           time.Now(),
						Body:           body,
					}))
				},
				write: runtimeapi.WriteGatewayResponse,
			}, nil
		})
	})
}

// target is what an HTTP API request resolves to: the function version to
// run and the route it matched.
type target struct {
	callee
	routeKey string
	params   map[string]string
	payload  string
}

// gatewayError answers as API Gateway does on its own.
func gatewayError(w http.ResponseWriter, status int, message string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]string{"message": message})
}

type gatewayErr struct {
	status  int
	message string
	// errorType, when set, is the X-Amzn-Errortype header of the answer.
	errorType string
}

// resolve routes a request to a function version, or to API Gateway's own
// error answer.
func (s *Server) resolve(apiID string, r *http.Request) (*target, *gatewayErr) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a := s.apis[apiID]
	if a == nil {
		return nil, &gatewayErr{status: http.StatusNotFound, message: "Not Found"}
	}
	st := a.stages["$default"]
	if st == nil || !st.autoDeploy {
		// Only the $default stage with auto-deploy is served: what the
		// API holds is what is deployed.
		return nil, &gatewayErr{status: http.StatusNotFound, message: "Not Found"}
	}
	rt, params := matchRoute(a.routes, r.Method, r.URL.EscapedPath())
	if rt == nil {
		return nil, &gatewayErr{status: http.StatusNotFound, message: "Not Found"}
	}
	id, _ := strings.CutPrefix(rt.target, "integrations/")
	it := a.integrations[id]
	if it == nil {
		return nil, &gatewayErr{status: http.StatusInternalServerError, message: "Internal Server Error"}
	}
	name, qualifier, _ := lambdaTarget(it.uri)
	source := fmt.Sprintf("arn:aws:execute-api:%s:%s:%s/$default/%s/%s", s.opts.Region, s.opts.Account, a.id, r.Method, strings.TrimPrefix(r.URL.Path, "/"))
	if rt.key == defaultRouteKey {
		// The $default route invokes on behalf of api/stage/$default: a
		// permission scoped to methods and paths (…/*/GET/*) does not
		// cover it.
		source = fmt.Sprintf("arn:aws:execute-api:%s:%s:%s/$default/%s", s.opts.Region, s.opts.Account, a.id, defaultRouteKey)
	}
	c, gerr := s.callee(name, qualifier, source, &gatewayErr{status: http.StatusInternalServerError, message: "Internal Server Error"})
	if gerr != nil {
		return nil, gerr
	}
	return &target{callee: c, routeKey: rt.key, params: params, payload: it.payload}, nil
}

// allowsInvoke reports whether a resource policy lets API Gateway invoke
// the function on behalf of source.
func allowsInvoke(stmts []statement, source string) bool {
	for _, st := range stmts {
		if st.Effect != "Allow" || (st.Action != "lambda:InvokeFunction" && st.Action != "lambda:*") {
			continue
		}
		if st.Principal["Service"] != "apigateway.amazonaws.com" {
			continue
		}
		if want, ok := st.Condition["ArnLike"]["AWS:SourceArn"]; ok && !globMatch(want, source) {
			continue
		}
		return true
	}
	return false
}

// globMatch matches s against a pattern as IAM does (ARN conditions,
// policy actions and resources): '*' is any run of characters, '?' one.
func globMatch(pattern, s string) bool {
	for len(pattern) > 0 {
		switch pattern[0] {
		case '*':
			for i := len(s); i >= 0; i-- {
				if globMatch(pattern[1:], s[i:]) {
					return true
				}
			}
			return false
		case '?':
			if s == "" {
				return false
			}
			pattern, s = pattern[1:], s[1:]
		default:
			if s == "" || s[0] != pattern[0] {
				return false
			}
			pattern, s = pattern[1:], s[1:]
		}
	}
	return s == ""
}

// defaultRouteKey is the key of an HTTP API's catch-all route.
const defaultRouteKey = "$default"

// matchRoute selects the route for a request as API Gateway HTTP APIs do:
// among the routes whose path matches, the most specific path wins,
// comparing part by part (a literal over {var} over {var+}); then a route
// for the method over ANY; $default catches the rest.
func matchRoute(routes map[string]*route, method, escapedPath string) (*route, map[string]string) {
	parts := splitRequestPath(escapedPath)
	var (
		best       *route
		bestScore  []int
		bestParams map[string]string
		fallback   *route
	)
	for _, rt := range routes {
		if rt.key == defaultRouteKey {
			fallback = rt
			continue
		}
		m, p, _ := strings.Cut(rt.key, " ")
		if m != "ANY" && m != method {
			continue
		}
		score, params, ok := matchPath(p, parts)
		if !ok {
			continue
		}
		methodScore := 1
		if m == "ANY" {
			methodScore = 0
		}
		score = append(score, methodScore)
		if best == nil || compareScores(score, bestScore) > 0 || compareScores(score, bestScore) == 0 && rt.key < best.key {
			best, bestScore, bestParams = rt, score, params
		}
	}
	if best == nil && fallback != nil {
		return fallback, nil
	}
	return best, bestParams
}

// splitRequestPath splits a request path into its parts, percent-decoded
// one by one. A trailing slash leaves an empty last part.
func splitRequestPath(escaped string) []string {
	escaped = strings.TrimPrefix(escaped, "/")
	if escaped == "" {
		return nil
	}
	raw := strings.Split(escaped, "/")
	out := make([]string, len(raw))
	for i, p := range raw {
		if d, err := url.PathUnescape(p); err == nil {
			out[i] = d
		} else {
			out[i] = p
		}
	}
	return out
}

// matchPath matches a route path against request parts. The score has one
// entry per route part: 3 literal, 2 variable, 1 greedy variable.
func matchPath(routePath string, parts []string) ([]int, map[string]string, bool) {
	var segs []string
	if routePath != "/" {
		segs = strings.Split(strings.TrimPrefix(routePath, "/"), "/")
	}
	params := map[string]string{}
	score := make([]int, 0, len(segs))
	for i, seg := range segs {
		switch {
		case strings.HasPrefix(seg, "{") && strings.HasSuffix(seg, "+}"):
			rest := strings.Join(parts[min(i, len(parts)):], "/")
			if i >= len(parts) || rest == "" {
				return nil, nil, false
			}
			params[seg[1:len(seg)-2]] = rest
			return append(score, 1), params, true
		case i >= len(parts):
			return nil, nil, false
		case strings.HasPrefix(seg, "{") && strings.HasSuffix(seg, "}"):
			if parts[i] == "" {
				return nil, nil, false
			}
			params[seg[1:len(seg)-1]] = parts[i]
			score = append(score, 2)
		default:
			if parts[i] != seg {
				return nil, nil, false
			}
			score = append(score, 3)
		}
	}
	if len(segs) != len(parts) {
		return nil, nil, false
	}
	return score, params, true
}

func compareScores(a, b []int) int {
	for i := 0; i < len(a) && i < len(b); i++ {
		if a[i] != b[i] {
			return a[i] - b[i]
		}
	}
	return len(a) - len(b)
}

// invoke serves Lambda's Invoke API (API reference, Invoke): with
// X-Amz-Invocation-Type RequestResponse (the default) 200 and the
// function's answer; Event 202 once the event is queued, the function
// running after the answer; DryRun 204. The payload quota is 6 MB
// synchronous, 1 MB asynchronous (RequestTooLargeException, 413). A call
// from a function needs lambda:InvokeFunction on the function (qualified
// when a qualifier is given) in its role's policies.
func (s *Server) invoke(w http.ResponseWriter, r *http.Request) {
	typ := r.Header.Get("X-Amz-Invocation-Type")
	limit := runtimeapi.MaxRequestPayload
	if typ == "Event" {
		limit = lambdalimit.MaxAsyncRequest
	}
	payload, err := readBody(r, int64(limit)+1)
	s.mu.Lock()
	f, q, aerr := s.lookup(r.PathValue("name"))
	if aerr == nil {
		if qq := r.URL.Query().Get("Qualifier"); qq != "" {
			q = qq
		}
	}
	var (
		cfg     fnConfig
		version string
	)
	if aerr == nil {
		resource := f.arn
		if q != "" {
			resource += ":" + q
		}
		aerr = s.functionDenied(r, "lambda", "lambda:InvokeFunction", resource)
	}
	if aerr == nil {
		var ok bool
		if cfg, version, ok = f.resolve(q); !ok {
			aerr = lambdaNotFound("Function not found: %s:%s", f.arn, q)
		}
	}
	if aerr == nil && (err != nil || len(payload) > limit) {
		aerr = errorf(http.StatusRequestEntityTooLarge, "RequestTooLargeException", "Request must be smaller than %d bytes for the InvokeFunction operation", limit)
	}
	if aerr == nil && typ != "" && typ != "RequestResponse" && typ != "Event" && typ != "DryRun" {
		aerr = lambdaInvalid("1 validation error detected: Value '%s' at 'invocationType' failed to satisfy constraint: Member must satisfy enum value set: [Event, RequestResponse, DryRun]", typ)
	}
	if aerr == nil && typ == "Event" && len(payload) > 0 && !json.Valid(payload) {
		aerr = errorf(http.StatusBadRequest, "InvalidRequestContentException", "Could not parse request body into json")
	}
	status := http.StatusOK
	switch {
	case aerr != nil:
		status = aerr.status
	case typ == "Event":
		status = http.StatusAccepted
	case typ == "DryRun":
		status = http.StatusNoContent
	}
	s.record("lambda", "Invoke", r.PathValue("name"), status)
	closed := s.closed
	if aerr == nil && typ == "Event" && !closed {
		name := f.name
		s.inBackground(func() {
			if res, err := s.invokeVersion(context.Background(), name, version, cfg, payload); err == nil && res.Stream != nil {
				io.Copy(io.Discard, res.Stream)
				res.Stream.Close()
			}
		})
	}
	s.mu.Unlock()
	if aerr != nil {
		writeJSONError(w, "lambda", aerr)
		return
	}
	if typ == "Event" || typ == "DryRun" {
		w.Header().Set("X-Amzn-RequestId", newRequestID())
		w.WriteHeader(status)
		return
	}
	res, err := s.invokeVersion(r.Context(), f.name, version, cfg, payload)
	switch {
	case errors.Is(err, runtimeapi.ErrInvalidRequestContent):
		writeJSONError(w, "lambda", errorf(http.StatusBadRequest, "InvalidRequestContentException", "Could not parse request body into json"))
		return
	case err != nil:
		writeJSONError(w, "lambda", errorf(http.StatusInternalServerError, "ServiceException", "%v", err))
		return
	}
	if res.Stream != nil {
		defer res.Stream.Close()
		b, _ := io.ReadAll(res.Stream)
		res.Payload = b
	}
	w.Header().Set("X-Amz-Executed-Version", version)
	if res.FunctionError != "" {
		w.Header().Set("X-Amz-Function-Error", res.FunctionError)
	}
	w.Header().Set("Content-Type", "application/json")
	w.Write(res.Payload)
}

// invokeVersion runs one invocation of a function version in its pool.
func (s *Server) invokeVersion(ctx context.Context, name, version string, cfg fnConfig, payload []byte) (*runtimeapi.Result, error) {
	p, err := s.pool(name, version, cfg)
	if err != nil {
		return nil, err
	}
	return p.Invoke(ctx, payload)
}

// pool returns the pool running a function version, extracting its code
// on first use.
func (s *Server) pool(name, version string, cfg fnConfig) (*runtimeapi.Pool, error) {
	s.poolMu.Lock()
	defer s.poolMu.Unlock()
	key := name + ":" + version + ":" + cfg.CodeHex
	s.mu.Lock()
	p, closed := s.pools[key], s.closed
	s.mu.Unlock()
	if closed {
		return nil, runtimeapi.ErrClosed
	}
	if p != nil {
		return p, nil
	}
	bootstrap, err := s.extract(cfg.CodeHex)
	if err != nil {
		return nil, err
	}
	p = runtimeapi.NewPool(runtimeapi.Function{
		Name:           name,
		Bootstrap:      bootstrap,
		Env:            s.functionEnv(cfg),
		Timeout:        time.Duration(cfg.Timeout) * time.Second,
		MemoryMB:       cfg.MemorySize,
		MaxConcurrency: 4,
		Version:        version,
	}, runtimeapi.Options{Region: s.opts.Region, AccountID: s.opts.Account, Output: s.opts.FunctionOutput})
	s.mu.Lock()
	s.pools[key] = p
	s.mu.Unlock()
	return p, nil
}

// retirePools stops the processes of a deleted function. s.mu is held.
func (s *Server) retirePools(name string) {
	for key, p := range s.pools {
		if strings.HasPrefix(key, name+":") {
			delete(s.pools, key)
			s.inBackground(func() { p.Close() })
		}
	}
}

// extract unpacks a stored zip once and returns the path of its bootstrap.
// s.poolMu is held.
func (s *Server) extract(codeHex string) (string, error) {
	dir := filepath.Join(s.dir, "run", codeHex)
	bootstrap := filepath.Join(dir, "bootstrap")
	if _, ok := s.extracted[codeHex]; ok {
		return bootstrap, nil
	}
	zr, err := zip.OpenReader(filepath.Join(s.dir, "code", codeHex+".zip"))
	if err != nil {
		return "", fmt.Errorf("open code %s: %w", codeHex, err)
	}
	defer zr.Close()
	for _, zf := range zr.File {
		name := path.Clean(zf.Name)
		if strings.HasPrefix(name, "../") || name == ".." || path.IsAbs(name) {
			return "", fmt.Errorf("code %s: unsafe path %q", codeHex, zf.Name)
		}
		dst := filepath.Join(dir, filepath.FromSlash(name))
		if zf.FileInfo().IsDir() {
			if err := os.MkdirAll(dst, 0o755); err != nil {
				return "", err
			}
			continue
		}
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			return "", err
		}
		if err := writeZipFile(zf, dst); err != nil {
			return "", fmt.Errorf("code %s: %w", codeHex, err)
		}
	}
	s.extracted[codeHex] = bootstrap
	return bootstrap, nil
}

func writeZipFile(zf *zip.File, dst string) error {
	rc, err := zf.Open()
	if err != nil {
		return err
	}
	defer rc.Close()
	mode := zf.Mode().Perm()
	if mode == 0 {
		mode = 0o644
	}
	out, err := os.OpenFile(dst, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, mode)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, io.LimitReader(rc, 512<<20)); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

// newGatewayRequestID returns an id in the form API Gateway gives requests.
func newGatewayRequestID() string {
	return strings.ToUpper(newID(4)) + strings.ToLower(newID(3)) + "EMF="
}
