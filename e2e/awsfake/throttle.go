package awsfake

import (
	"sync"
	"time"
)

// Lambda's request-rate quotas for its API (Lambda developer guide,
// "Lambda quotas", section "Lambda API requests"): control-plane API
// requests, which exclude invocations, GetFunction and GetPolicy, 15 per
// second per region; GetFunction 100 per second; GetPolicy 15 per second.
// A request over the rate answers 429 TooManyRequestsException with
// Reason "CallerRateLimitExceeded" (Lambda API reference, Common Errors and
// TooManyRequestsException), which the SDK's retryer backs off from.
const (
	lambdaControlPlaneRate = 15
	lambdaGetFunctionRate  = 100
	lambdaGetPolicyRate    = 15
)

// limits are the token buckets of the Lambda API's rate quotas.
type limits struct {
	mu      sync.Mutex
	buckets map[string]*bucket // by quota: "control", "GetFunction", "GetPolicy"
}

// bucket is a token bucket holding at most one second of requests.
type bucket struct {
	rate   float64
	tokens float64
	last   time.Time
}

// newLimits returns Lambda's quotas scaled to controlPlane requests per
// second (0 means 15), or nil (no throttling) when controlPlane < 0.
func newLimits(controlPlane float64) *limits {
	if controlPlane < 0 {
		return nil
	}
	if controlPlane == 0 {
		controlPlane = lambdaControlPlaneRate
	}
	scale := controlPlane / lambdaControlPlaneRate
	now := time.Now()
	l := &limits{buckets: map[string]*bucket{}}
	for name, rate := range map[string]float64{
		"control":     lambdaControlPlaneRate * scale,
		"GetFunction": lambdaGetFunctionRate * scale,
		"GetPolicy":   lambdaGetPolicyRate * scale,
	} {
		l.buckets[name] = &bucket{rate: rate, tokens: rate, last: now}
	}
	return l
}

// allow takes a token for a Lambda operation and reports whether the
// request is within its quota. Invocations are not limited here.
func (l *limits) allow(op string) bool {
	if l == nil || op == "Invoke" {
		return true
	}
	name := "control"
	if op == "GetFunction" || op == "GetPolicy" {
		name = op
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	b := l.buckets[name]
	now := time.Now()
	b.tokens = min(b.rate, b.tokens+now.Sub(b.last).Seconds()*b.rate)
	b.last = now
	if b.tokens < 1 {
		return false
	}
	b.tokens--
	return true
}
