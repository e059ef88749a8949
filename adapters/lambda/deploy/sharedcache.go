package deploy

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/url"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/nextgo-dev/nextgo/adapters/lambda/s3cache"
	"github.com/nextgo-dev/nextgo/bundler/manifest"
	"github.com/nextgo-dev/nextgo/runtime/cache"
)

// The app's shared response cache lives in the deploy bucket, under
// s3cache.KeyPrefix. Only the functions that cache GETs or revalidate
// (manifest.Function.SharedCache) are pointed at it, and only they run
// under the cache role, whose inline policy grants exactly what the
// store does: read and write the cache's objects, list the bucket (S3
// answers a GET of a missing key with 403 instead of 404 to a caller
// without s3:ListBucket), and invoke, asynchronously, the functions that
// regenerate their stale entries.

// CacheRoleName is the execution role of the functions of app and stage
// that use the response cache: "nextgo-<app>-<stage>-cache", capped like
// RoleName.
func CacheRoleName(app, stage string) string {
	return capName("nextgo-" + sanitizeName(app) + "-" + sanitizeName(stage) + "-cache")
}

// cachePolicyName is the cache role's inline policy.
const cachePolicyName = "nextgo-response-cache"

// cacheEnv points a function that uses the response cache at the store.
func (s *session) cacheEnv(fn *manifest.Function, env map[string]string) {
	if fn.SharedCache {
		env[cache.EnvStore] = s3cache.Name
		env[s3cache.EnvBucket] = s.bucket
	}
}

// cacheRolePlan is what the plan decided about the cache role.
type cacheRolePlan struct {
	role      *rolePlan // nil: no function uses the cache
	policy    string
	putPolicy bool
}

// roleFor is the execution role ARN of a function.
func (p *plan) roleFor(spec *fnSpec) string {
	if spec.fn.SharedCache && p.cacheRole.role != nil {
		return p.cacheRole.role.arn
	}
	return p.role.arn
}

// cachePolicy is the cache role's inline policy for the functions of specs.
func (s *session) cachePolicy(specs []*fnSpec) string {
	bucket := "arn:" + s.partition + ":s3:::" + s.bucket
	var regenerate []string
	for _, spec := range specs {
		if regenerates(spec.fn) {
			regenerate = append(regenerate, s.functionARN(spec.name))
		}
	}
	b, _ := json.Marshal(CachePolicy(bucket, bucket+"/"+s3cache.KeyPrefix+"*", regenerate))
	return string(b)
}

// planCacheRole reads the cache role and its policy, when a function uses
// the cache.
func (s *session) planCacheRole(ctx context.Context, want *DesiredCache, specs []*fnSpec, cs *changes) (*cacheRolePlan, error) {
	cp := &cacheRolePlan{}
	if want == nil {
		return cp, nil
	}
	users := 0
	for _, spec := range specs {
		if spec.fn.SharedCache {
			users++
		}
	}
	rp, err := s.planRoleNamed(ctx, want.Role.Name, cs)
	if err != nil {
		return nil, err
	}
	cp.role, cp.policy = rp, s.cachePolicy(specs)
	reason := fmt.Sprintf("the response cache in s3://%s/%s for %d functions", s.bucket, s3cache.KeyPrefix, users)
	if rp.create {
		cp.putPolicy = true
		cs.add(Create, ResourcePolicy, rp.name+"/"+cachePolicyName, reason)
		return cp, nil
	}
	out, err := s.iam.GetRolePolicy(ctx, &iam.GetRolePolicyInput{RoleName: &rp.name, PolicyName: aws.String(cachePolicyName)})
	switch {
	case errorCode(err) == "NoSuchEntity":
		cp.putPolicy = true
		cs.add(Create, ResourcePolicy, rp.name+"/"+cachePolicyName, reason)
	case err != nil:
		return nil, fmt.Errorf("read policy %s of role %s: %w", cachePolicyName, rp.name, err)
	case !samePolicy(aws.ToString(out.PolicyDocument), cp.policy):
		cp.putPolicy = true
		cs.add(Update, ResourcePolicy, rp.name+"/"+cachePolicyName, reason)
	default:
		cs.add(Unchanged, ResourcePolicy, rp.name+"/"+cachePolicyName)
	}
	return cp, nil
}

// samePolicy compares a policy document as IAM returns it (URL-encoded) with
// the one wanted.
func samePolicy(got, want string) bool {
	if dec, err := url.QueryUnescape(got); err == nil {
		got = dec
	}
	var a, b bytes.Buffer
	if json.Compact(&a, []byte(got)) != nil || json.Compact(&b, []byte(want)) != nil {
		return false
	}
	return a.String() == b.String()
}

// applyCacheRole creates or repairs the cache role and writes its policy.
func (s *session) applyCacheRole(ctx context.Context, cp *cacheRolePlan) error {
	if cp.role == nil {
		return nil
	}
	if err := s.applyRole(ctx, cp.role); err != nil {
		return err
	}
	if !cp.putPolicy {
		return nil
	}
	_, err := s.iam.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: &cp.role.name, PolicyName: aws.String(cachePolicyName), PolicyDocument: &cp.policy})
	if err != nil {
		return fmt.Errorf("write policy %s of role %s: %w", cachePolicyName, cp.role.name, err)
	}
	s.logf("  wrote policy %s of role %s", cachePolicyName, cp.role.name)
	return nil
}
