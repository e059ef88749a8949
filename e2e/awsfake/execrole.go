package awsfake

import (
	"encoding/json"
	"encoding/xml"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"strings"
)

// A deployed function runs as its execution role, as on Lambda: its
// environment holds credentials of the role (AWS_ACCESS_KEY_ID,
// AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN, which Lambda sets for every
// function: developer guide, "Defined runtime environment variables"),
// and AWS_ENDPOINT_URL, which points the SDKs at this endpoint. A call
// signed with them is allowed only when an inline policy of the role
// allows its action on its resource (IAM policy evaluation: an explicit
// Deny wins, then an Allow is needed; the managed basic execution policy
// grants CloudWatch Logs alone).

// roleTokenPrefix marks the session token of a function's credentials; the
// role's name follows it.
const roleTokenPrefix = "awsfake-execution-role/"

// functionEnv is the environment a function version runs with.
func (s *Server) functionEnv(cfg fnConfig) map[string]string {
	env := maps.Clone(cfg.Env)
	if env == nil {
		env = map[string]string{}
	}
	roleName := cfg.Role[strings.LastIndex(cfg.Role, "/")+1:]
	env["AWS_ACCESS_KEY_ID"] = "ASIAAWSFAKEFUNCTION"
	env["AWS_SECRET_ACCESS_KEY"] = "awsfake-function-secret"
	env["AWS_SESSION_TOKEN"] = roleTokenPrefix + roleName
	env["AWS_ENDPOINT_URL"] = s.URL
	return env
}

// callerRole returns the execution role a request is signed as, when a
// function sent it. s.mu is held.
func (s *Server) callerRole(r *http.Request) (*role, string, bool) {
	name, ok := strings.CutPrefix(r.Header.Get("X-Amz-Security-Token"), roleTokenPrefix)
	if !ok {
		return nil, "", false
	}
	return s.roles[name], name, true
}

// functionDenied checks a call of a function against its role's inline
// policies: nil when the call is not a function's or is allowed, else the
// service's AccessDenied. s.mu is held.
func (s *Server) functionDenied(r *http.Request, service, action, resource string) *awsError {
	ro, name, ok := s.callerRole(r)
	if !ok {
		return nil
	}
	if ro != nil && ro.allows(action, resource) {
		return nil
	}
	caller := fmt.Sprintf("arn:aws:sts::%s:assumed-role/%s/function", s.opts.Account, name)
	msg := fmt.Sprintf("User: %s is not authorized to perform: %s on resource: %s because no identity-based policy allows the %s action", caller, action, resource, action)
	if service == "s3" {
		return errorf(http.StatusForbidden, "AccessDenied", "%s", msg)
	}
	return errorf(http.StatusForbidden, "AccessDeniedException", "%s", msg)
}

// allows evaluates the role's inline policies for one action on one
// resource. Conditions are not modelled: a statement with one never
// applies.
func (ro *role) allows(action, resource string) bool {
	allowed := false
	for _, doc := range ro.inline {
		if dec, err := url.QueryUnescape(doc); err == nil {
			doc = dec
		}
		var p struct {
			Statement statements
		}
		if json.Unmarshal([]byte(doc), &p) != nil {
			continue
		}
		for _, st := range p.Statement {
			if len(st.Condition) > 0 || !matchAny(st.Action, action) || !matchAny(st.Resource, resource) {
				continue
			}
			switch st.Effect {
			case "Deny":
				return false
			case "Allow":
				allowed = true
			}
		}
	}
	return allowed
}

// statements decodes a policy's Statement: one object or a list.
type statements []struct {
	Effect    string
	Action    stringOrList
	Resource  stringOrList
	Condition map[string]any
}

func (s *statements) UnmarshalJSON(b []byte) error {
	type list statements
	if len(b) > 0 && b[0] == '{' {
		var one list
		if err := json.Unmarshal(append(append([]byte{'['}, b...), ']'), &one); err != nil {
			return err
		}
		*s = statements(one)
		return nil
	}
	return json.Unmarshal(b, (*list)(s))
}

// stringOrList decodes a policy value that is a string or a list.
type stringOrList []string

func (l *stringOrList) UnmarshalJSON(b []byte) error {
	var one string
	if json.Unmarshal(b, &one) == nil {
		*l = []string{one}
		return nil
	}
	return json.Unmarshal(b, (*[]string)(l))
}

// matchAny reports whether v matches one of the patterns, where * matches
// any run of characters and ? one (IAM's wildcards; actions compare
// without regard to case).
func matchAny(patterns []string, v string) bool {
	for _, p := range patterns {
		if strings.Contains(p, ":") && !strings.HasPrefix(p, "arn:") {
			if globMatch(strings.ToLower(p), strings.ToLower(v)) {
				return true
			}
			continue
		}
		if globMatch(p, v) {
			return true
		}
	}
	return false
}

// s3Request is the action and resource ARN of an S3 request, for a
// function's policy (Service Authorization Reference: HeadObject needs
// s3:GetObject, listing s3:ListBucket on the bucket).
func s3Request(r *http.Request) (action, resource string) {
	bucket, key := s3Path(r)
	op := s3Op(r)
	switch op {
	case "HeadObject":
		op = "GetObject"
	case "ListObjects", "HeadBucket":
		op = "ListBucket"
	}
	resource = "arn:aws:s3:::" + bucket
	if key != "" {
		resource += "/" + key
	}
	return "s3:" + op, resource
}

// functionS3Denied checks an S3 call of a function: its action, and for a
// read of a missing object, s3:ListBucket, without which S3 answers 403
// AccessDenied instead of 404 NoSuchKey (S3 API reference, GetObject:
// "If you don't have the s3:ListBucket permission, Amazon S3 returns an
// HTTP status code 403 Access Denied error"). s.mu is held.
func (s *Server) functionS3Denied(r *http.Request) *awsError {
	action, resource := s3Request(r)
	if aerr := s.functionDenied(r, "s3", action, resource); aerr != nil {
		return aerr
	}
	if action != "s3:GetObject" {
		return nil
	}
	bucket, key := s3Path(r)
	if _, ok := s.S3.Object(bucket, key); ok {
		return nil
	}
	return s.functionDenied(r, "s3", "s3:ListBucket", "arn:aws:s3:::"+bucket)
}

// getRolePolicy answers IAM's GetRolePolicy: the document URL-encoded, as
// IAM returns it.
func getRolePolicy(ro *role, form url.Values) (any, *awsError) {
	name := form.Get("PolicyName")
	doc, ok := ro.inline[name]
	if !ok {
		return nil, errorf(http.StatusNotFound, "NoSuchEntity", "The role policy with name %s cannot be found.", name)
	}
	return struct {
		XMLName        xml.Name `xml:"R"`
		RoleName       string
		PolicyName     string
		PolicyDocument string
	}{RoleName: ro.name, PolicyName: name, PolicyDocument: url.QueryEscape(doc)}, nil
}
