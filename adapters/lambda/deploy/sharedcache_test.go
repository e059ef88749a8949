package deploy

import (
	"net/url"
	"strings"
	"testing"

	"github.com/nextgo-dev/nextgo/bundler/manifest"
)

func TestCacheRoleName(t *testing.T) {
	if got := CacheRoleName("shop", "prod"); got != "nextgo-shop-prod-cache" {
		t.Errorf("CacheRoleName = %q", got)
	}
	long := CacheRoleName(strings.Repeat("a", 64), "prod")
	if len(long) != 64 || long == CacheRoleName(strings.Repeat("a", 63)+"b", "prod") {
		t.Errorf("a long name %q is not capped and unique", long)
	}
	if CacheRoleName("shop", "prod") == RoleName("shop", "prod") {
		t.Error("the cache role is the execution role")
	}
}

func TestCachePolicy(t *testing.T) {
	s := &session{app: "shop", stage: "prod", region: "eu-west-1", account: "123456789012", partition: "aws", bucket: "nextgo-shop-prod-0a1b2c3d"}
	spec := func(route, cache string, shared bool) *fnSpec {
		return &fnSpec{name: FunctionName("shop", "prod", route), fn: &manifest.Function{Pattern: route, Cache: cache, SharedCache: shared}}
	}
	specs := []*fnSpec{
		spec("/items", "revalidate=60", true),
		spec("/static", "static", true),
		spec("/api/purge", "none", true),
		spec("/api/plain", "none", false),
	}
	items := "arn:aws:lambda:eu-west-1:123456789012:function:" + FunctionName("shop", "prod", "/items")
	want := `{"Version":"2012-10-17","Statement":[` +
		`{"Sid":"CacheEntries","Effect":"Allow","Action":["s3:GetObject","s3:PutObject"],"Resource":["arn:aws:s3:::nextgo-shop-prod-0a1b2c3d/cache/*"]},` +
		`{"Sid":"CacheMisses","Effect":"Allow","Action":["s3:ListBucket"],"Resource":["arn:aws:s3:::nextgo-shop-prod-0a1b2c3d"]},` +
		`{"Sid":"RegenerateStaleEntries","Effect":"Allow","Action":["lambda:InvokeFunction"],"Resource":["` + items + `","` + items + `:*"]}]}`
	got := s.cachePolicy(specs)
	if got != want {
		t.Fatalf("policy\n%s\nwant\n%s", got, want)
	}
	// Without a route that regenerates, no invoke permission at all.
	if p := s.cachePolicy(specs[1:]); strings.Contains(p, "lambda:") {
		t.Errorf("policy without revalidating routes: %s", p)
	}
	// IAM returns documents URL-encoded, and may space them.
	if !samePolicy(url.QueryEscape(want), want) || !samePolicy(strings.ReplaceAll(want, ",", ", "), want) {
		t.Error("samePolicy: an equal document differs")
	}
	if samePolicy(strings.Replace(want, "s3:PutObject", "s3:DeleteObject", 1), want) || samePolicy("{", want) {
		t.Error("samePolicy: a different document is the same")
	}

	env := map[string]string{}
	s.cacheEnv(specs[0].fn, env)
	if env["NEXTGO_RESPONSE_CACHE"] != "s3" || env["NEXTGO_RESPONSE_CACHE_BUCKET"] != s.bucket {
		t.Errorf("cache env %v", env)
	}
	env = map[string]string{}
	s.cacheEnv(specs[3].fn, env)
	if len(env) != 0 {
		t.Errorf("a function without the cache got %v", env)
	}
}
