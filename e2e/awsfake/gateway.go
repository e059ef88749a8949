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
)

// target is what a request resolves to: the function version to run.
type target struct {
	fn       string
	version  string
	cfg      fnConfig
	routeKey string
	params   map[string]string
	payload  string
}

// gateway serves the HTTP API apiID as API Gateway does.
func (s *Server) gateway(apiID string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		reqID := newGatewayRequestID()
		w.Header().Set("Apigw-Requestid", reqID)
		if !utf8.ValidString(r.URL.Path) {
			// The event carries the decoded path as JSON: a path that does
			// not decode to UTF-8 cannot be handed to a function.
			gatewayError(w, http.StatusBadRequest, "Bad Request")
			return
		}
		t, gerr := s.resolve(apiID, r)
		if gerr != nil {
			gatewayError(w, gerr.status, gerr.message)
			return
		}
		body, err := io.ReadAll(http.MaxBytesReader(nil, r.Body, runtimeapi.MaxGatewayPayload))
		if err != nil {
			gatewayError(w, http.StatusRequestEntityTooLarge, "Request Entity Too Large")
			return
		}
		event := runtimeapi.GatewayEvent(r, runtimeapi.GatewayEventInput{
			RouteKey:       t.routeKey,
			PathParameters: t.params,
			RequestID:      reqID,
			APIID:          apiID,
			AccountID:      s.opts.Account,
			Stage:          "$default",
			Time:           time.Now(),
			Body:           body,
		})
		payload, err := runtimeapi.MarshalGatewayEvent(event)
		if err != nil {
			gatewayError(w, http.StatusInternalServerError, "Internal Server Error")
			return
		}
		ctx, cancel := context.WithTimeout(r.Context(), runtimeapi.DefaultIntegrationTimeout)
		defer cancel()
		res, err := s.invokeVersion(ctx, t.fn, t.version, t.cfg, payload)
		switch {
		case errors.Is(err, context.DeadlineExceeded):
			gatewayError(w, http.StatusServiceUnavailable, "Service Unavailable")
			return
		case errors.Is(err, runtimeapi.ErrPayloadTooLarge):
			gatewayError(w, http.StatusRequestEntityTooLarge, "Request Entity Too Large")
			return
		case err != nil:
			fmt.Fprintf(s.opts.FunctionOutput, "awsfake: invoke %s:%s: %v\n", t.fn, t.version, err)
			gatewayError(w, http.StatusInternalServerError, "Internal Server Error")
			return
		}
		if err := runtimeapi.WriteGatewayResponse(w, res); err != nil {
			if errors.Is(err, runtimeapi.ErrStreamCut) {
				panic(http.ErrAbortHandler) // the client sees an incomplete response
			}
			gatewayError(w, http.StatusInternalServerError, "Internal Server Error")
		}
	})
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
}

// resolve routes a request to a function version, or to API Gateway's own
// error answer.
func (s *Server) resolve(apiID string, r *http.Request) (*target, *gatewayErr) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a := s.apis[apiID]
	if a == nil {
		return nil, &gatewayErr{http.StatusNotFound, "Not Found"}
	}
	st := a.stages["$default"]
	if st == nil || !st.autoDeploy {
		// Only the $default stage with auto-deploy is served: what the
		// API holds is what is deployed.
		return nil, &gatewayErr{http.StatusNotFound, "Not Found"}
	}
	rt, params := matchRoute(a.routes, r.Method, r.URL.EscapedPath())
	if rt == nil {
		return nil, &gatewayErr{http.StatusNotFound, "Not Found"}
	}
	id, _ := strings.CutPrefix(rt.target, "integrations/")
	it := a.integrations[id]
	if it == nil {
		return nil, &gatewayErr{http.StatusInternalServerError, "Internal Server Error"}
	}
	name, qualifier, _ := lambdaTarget(it.uri)
	f := s.functions[name]
	if f == nil {
		return nil, &gatewayErr{http.StatusInternalServerError, "Internal Server Error"}
	}
	cfg, version, ok := f.resolve(qualifier)
	if !ok {
		return nil, &gatewayErr{http.StatusInternalServerError, "Internal Server Error"}
	}
	source := fmt.Sprintf("arn:aws:execute-api:%s:%s:%s/$default/%s/%s", s.opts.Region, s.opts.Account, a.id, r.Method, strings.TrimPrefix(r.URL.Path, "/"))
	if rt.key == defaultRouteKey {
		// The $default route invokes on behalf of api/stage/$default: a
		// permission scoped to methods and paths (…/*/GET/*) does not
		// cover it.
		source = fmt.Sprintf("arn:aws:execute-api:%s:%s:%s/$default/%s", s.opts.Region, s.opts.Account, a.id, defaultRouteKey)
	}
	if !allowsInvoke(f.policies[qualifier], source) {
		// API Gateway cannot invoke a function whose resource policy
		// does not allow it: 500, and the function does not run.
		return nil, &gatewayErr{http.StatusInternalServerError, "Internal Server Error"}
	}
	return &target{fn: name, version: version, cfg: cfg, routeKey: rt.key, params: params, payload: it.payload}, nil
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

// globMatch matches ARN patterns: '*' is any run of characters, '?' one.
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
		limit = 1 << 20
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
