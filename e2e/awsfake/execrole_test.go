package awsfake

import (
	"net/http/httptest"
	"testing"
)

func TestRoleAllows(t *testing.T) {
	ro := &role{name: "app-cache", inline: map[string]string{
		"cache": `{"Version":"2012-10-17","Statement":[
			{"Effect":"Allow","Action":["s3:GetObject","s3:PutObject"],"Resource":"arn:aws:s3:::bucket/cache/*"},
			{"Effect":"Allow","Action":"s3:ListBucket","Resource":["arn:aws:s3:::bucket"]},
			{"Effect":"Deny","Action":"s3:PutObject","Resource":"arn:aws:s3:::bucket/cache/locked"},
			{"Effect":"Allow","Action":"lambda:*","Resource":"*","Condition":{"StringEquals":{"aws:SourceVpc":"vpc-1"}}}]}`,
		"one": `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"Lambda:InvokeFunction","Resource":"arn:aws:lambda:us-east-1:1:function:f:?"}}`,
	}}
	for _, tc := range []struct {
		action, resource string
		want             bool
	}{
		{"s3:GetObject", "arn:aws:s3:::bucket/cache/abc", true},
		{"s3:PutObject", "arn:aws:s3:::bucket/cache/a/b", true},
		{"s3:GetObject", "arn:aws:s3:::bucket/releases/000001.json", false},
		{"s3:GetObject", "arn:aws:s3:::other/cache/abc", false},
		{"s3:DeleteObject", "arn:aws:s3:::bucket/cache/abc", false},
		{"s3:ListBucket", "arn:aws:s3:::bucket", true},
		{"s3:PutObject", "arn:aws:s3:::bucket/cache/locked", false}, // an explicit Deny wins
		{"lambda:InvokeFunction", "arn:aws:lambda:us-east-1:1:function:f:3", true},
		{"lambda:InvokeFunction", "arn:aws:lambda:us-east-1:1:function:f:10", false},
		{"lambda:InvokeFunction", "arn:aws:lambda:us-east-1:1:function:g", false}, // the conditional Allow does not apply
	} {
		if got := ro.allows(tc.action, tc.resource); got != tc.want {
			t.Errorf("allows(%s, %s) = %v, want %v", tc.action, tc.resource, got, tc.want)
		}
	}
}

// A function's S3 calls are checked against its role; a read of a missing
// object without s3:ListBucket is 403, not 404.
func TestFunctionS3Access(t *testing.T) {
	s, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	s.roles["reader"] = &role{name: "reader", inline: map[string]string{"p": `{"Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}]}`}}
	s.roles["lister"] = &role{name: "lister", inline: map[string]string{"p": `{"Statement":[{"Effect":"Allow","Action":["s3:GetObject","s3:ListBucket"],"Resource":["arn:aws:s3:::b/*","arn:aws:s3:::b"]}]}`}}
	env := s.functionEnv(fnConfig{Role: "arn:aws:iam::123456789012:role/reader", Env: map[string]string{"A": "1"}})
	if env["A"] != "1" || env["AWS_ENDPOINT_URL"] != s.URL || env["AWS_SESSION_TOKEN"] != roleTokenPrefix+"reader" {
		t.Fatalf("function environment %v", env)
	}
	for _, tc := range []struct {
		role, method, path string
		want               int // 0: allowed
	}{
		{"reader", "GET", "/b/missing", 403},
		{"lister", "GET", "/b/missing", 0},
		{"reader", "PUT", "/b/k", 403},
		{"nobody", "GET", "/b/k", 403}, // a role that does not exist
		{"", "GET", "/b/missing", 0},   // not a function's call
	} {
		r := httptest.NewRequest(tc.method, "/b", nil)
		r.URL.Path = tc.path
		if tc.role != "" {
			r.Header.Set("X-Amz-Security-Token", roleTokenPrefix+tc.role)
		}
		s.mu.Lock()
		aerr := s.functionS3Denied(r)
		s.mu.Unlock()
		got := 0
		if aerr != nil {
			got = aerr.status
			if aerr.code != "AccessDenied" {
				t.Errorf("%s %s as %s: code %s", tc.method, tc.path, tc.role, aerr.code)
			}
		}
		if got != tc.want {
			t.Errorf("%s %s as %s: %d, want %d", tc.method, tc.path, tc.role, got, tc.want)
		}
	}
}
