package localaws

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/nextgo-dev/nextgo/adapters/lambda/runtimeapi"
	"github.com/nextgo-dev/nextgo/internal/lambdalimit"
)

// Lambda quotas (developer guide, "Lambda quotas"): an invocation payload
// is at most 6 MB synchronous and 1 MB asynchronous.
const (
	maxSyncPayload  = runtimeapi.MaxRequestPayload
	maxAsyncPayload = lambdalimit.MaxAsyncRequest
)

// maxPending bounds the asynchronous invocations queued at once; past it
// Invoke answers 429, as Lambda does when it throttles.
const maxPending = 1000

// serveInvoke answers Lambda's Invoke operation (API reference, Invoke:
// POST /2015-03-31/functions/{FunctionName}/invocations?Qualifier=):
//
//   - X-Amz-Invocation-Type RequestResponse (the default): 200 with the
//     function's payload, X-Amz-Executed-Version, and X-Amz-Function-Error
//     when the function failed;
//   - Event: 202 with no body once the event is queued; the function runs
//     after the answer;
//   - DryRun: 204.
//
// An unknown function or qualifier is 404 ResourceNotFoundException, a
// payload over the quota 413 RequestTooLargeException, a payload that is
// not JSON 400 InvalidRequestContentException, another invocation type
// 400 InvalidParameterValueException.
func (e *Endpoint) serveInvoke(w http.ResponseWriter, r *http.Request) {
	rest := strings.TrimPrefix(r.URL.Path, "/2015-03-31/functions/")
	ref, ok := strings.CutSuffix(rest, "/invocations")
	if !ok || r.Method != http.MethodPost {
		lambdaError(w, http.StatusNotFound, "UnknownOperationException", "Unknown operation "+r.Method+" "+r.URL.Path)
		return
	}
	name, qualifier := functionRef(ref)
	if q := r.URL.Query().Get("Qualifier"); q != "" {
		qualifier = q
	}
	e.mu.Lock()
	pool := e.pools[name]
	e.mu.Unlock()
	if pool == nil || (qualifier != "" && qualifier != pool.Function().Version) {
		arn := "arn:aws:lambda:" + runtimeapi.DefaultRegion + ":" + runtimeapi.DefaultAccountID + ":function:" + name
		if qualifier != "" {
			arn += ":" + qualifier
		}
		lambdaError(w, http.StatusNotFound, "ResourceNotFoundException", "Function not found: "+arn)
		return
	}
	typ := r.Header.Get("X-Amz-Invocation-Type")
	limit := int64(maxSyncPayload)
	switch typ {
	case "", "RequestResponse":
	case "Event":
		limit = maxAsyncPayload
	case "DryRun":
		w.WriteHeader(http.StatusNoContent)
		return
	default:
		lambdaError(w, http.StatusBadRequest, "InvalidParameterValueException", fmt.Sprintf("1 validation error detected: Value '%s' at 'invocationType' failed to satisfy constraint: Member must satisfy enum value set: [Event, RequestResponse, DryRun]", typ))
		return
	}
	payload, err := io.ReadAll(io.LimitReader(r.Body, limit+1))
	if err != nil {
		lambdaError(w, http.StatusBadRequest, "InvalidRequestContentException", "Could not read the request body")
		return
	}
	if int64(len(payload)) > limit {
		lambdaError(w, http.StatusRequestEntityTooLarge, "RequestTooLargeException", fmt.Sprintf("Request must be smaller than %d bytes for the InvokeFunction operation", limit))
		return
	}
	if len(payload) > 0 && !json.Valid(payload) {
		lambdaError(w, http.StatusBadRequest, "InvalidRequestContentException", "Could not parse request body into json")
		return
	}
	if typ == "Event" {
		e.mu.Lock()
		if e.closed || e.pending >= maxPending {
			e.mu.Unlock()
			lambdaError(w, http.StatusTooManyRequests, "TooManyRequestsException", "Rate Exceeded.")
			return
		}
		e.pending++
		e.async.Add(1)
		e.mu.Unlock()
		go func() {
			defer e.async.Done()
			res, err := pool.Invoke(e.ctx, payload)
			if err == nil && res.Stream != nil {
				io.Copy(io.Discard, res.Stream)
				res.Stream.Close()
			}
			e.mu.Lock()
			e.pending--
			e.mu.Unlock()
		}()
		w.WriteHeader(http.StatusAccepted)
		return
	}
	res, err := pool.Invoke(r.Context(), payload)
	if err != nil {
		if errors.Is(err, runtimeapi.ErrClosed) {
			lambdaError(w, http.StatusServiceUnavailable, "ServiceException", "the function is shutting down")
		}
		return
	}
	body := res.Payload
	if res.Stream != nil {
		body, _ = io.ReadAll(res.Stream)
		res.Stream.Close()
	}
	w.Header().Set("X-Amz-Executed-Version", pool.Function().Version)
	if res.FunctionError != "" {
		w.Header().Set("X-Amz-Function-Error", res.FunctionError)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	w.Write(body)
}

// functionRef splits a FunctionName (a name, a partial ARN
// "123456789012:function:name" or an ARN, each optionally ":qualifier")
// into name and qualifier.
func functionRef(ref string) (name, qualifier string) {
	if i := strings.Index(ref, "function:"); i >= 0 {
		ref = ref[i+len("function:"):]
	}
	name, qualifier, _ = strings.Cut(ref, ":")
	return name, qualifier
}

// lambdaError writes an error in Lambda's REST-JSON shape.
func lambdaError(w http.ResponseWriter, status int, code, message string) {
	w.Header().Set("X-Amzn-ErrorType", code)
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]string{"Type": "User", "Message": message})
}
