package awsfake

import (
	"fmt"
	"net/http"
	"strings"
)

// Deny makes every call that needs one of the IAM actions ("lambda:ListTags",
// "apigateway:DELETE", "s3:PutObject", ...) fail as AWS fails a call the
// caller's policy does not allow, until Allow. Lambda's GetFunction leaves
// the tags out of its answer while lambda:ListTags is denied, as Lambda does.
func (s *Server) Deny(actions ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, a := range actions {
		s.denied[a] = true
	}
}

// Allow undoes Deny.
func (s *Server) Allow(actions ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, a := range actions {
		delete(s.denied, a)
	}
}

// gate decides, before an operation runs, whether it fails anyway: an
// injected fault, a denied action, or the rate quota. s.mu must be held.
func (s *Server) gate(service, op, resource string) *awsError {
	if f := s.takeFault(op); f != nil {
		return faultError(service, f)
	}
	if action := iamAction(service, op); s.denied[action] {
		return s.accessDenied(service, action, resource)
	}
	if service == "lambda" && !s.limits.allow(op) {
		return throttleError(service)
	}
	return nil
}

// iamAction is the IAM action an operation needs (Service Authorization
// Reference: Lambda's actions are named after its operations, except
// Invoke (lambda:InvokeFunction); API Gateway's management API is
// authorised by HTTP method, apigateway:GET/POST/PATCH/DELETE; S3's
// bucket listing and HeadBucket need s3:ListBucket, HeadObject
// s3:GetObject).
func iamAction(service, op string) string {
	switch service {
	case "lambda":
		if op == "Invoke" {
			return "lambda:InvokeFunction"
		}
	case "apigateway":
		switch {
		case strings.HasPrefix(op, "Get"):
			return "apigateway:GET"
		case strings.HasPrefix(op, "Create"):
			return "apigateway:POST"
		case strings.HasPrefix(op, "Update"):
			return "apigateway:PATCH"
		case strings.HasPrefix(op, "Delete"):
			return "apigateway:DELETE"
		}
	case "s3":
		switch op {
		case "ListObjects", "HeadBucket":
			return "s3:ListBucket"
		case "HeadObject":
			return "s3:GetObject"
		case "ListBuckets":
			return "s3:ListAllMyBuckets"
		case "DeleteObjects":
			return "s3:DeleteObject"
		}
	}
	return service + ":" + op
}

// accessDenied is the error a service answers a call its caller may not
// make: 403 AccessDeniedException from Lambda and API Gateway (REST-JSON),
// 403 AccessDenied from IAM, STS (query protocol) and S3, with the message
// AWS gives (IAM User Guide, "Troubleshoot access denied error messages").
func (s *Server) accessDenied(service, action, resource string) *awsError {
	caller := fmt.Sprintf("arn:aws:iam::%s:user/test", s.opts.Account)
	arn := resource
	switch service {
	case "lambda":
		if !strings.HasPrefix(arn, "arn:") {
			arn = fmt.Sprintf("arn:aws:lambda:%s:%s:function:%s", s.opts.Region, s.opts.Account, resource)
		}
	case "apigateway":
		arn = fmt.Sprintf("arn:aws:apigateway:%s::/apis", s.opts.Region)
		if resource != "" {
			arn += "/" + resource
		}
	case "iam":
		arn = fmt.Sprintf("arn:aws:iam::%s:role/%s", s.opts.Account, resource)
	case "s3":
		arn = "arn:aws:s3:::" + resource
	default:
		arn = "*"
	}
	msg := fmt.Sprintf("User: %s is not authorized to perform: %s on resource: %s because no identity-based policy allows the %s action", caller, action, arn, action)
	switch service {
	case "lambda", "apigateway":
		return errorf(http.StatusForbidden, "AccessDeniedException", "%s", msg)
	case "s3":
		return errorf(http.StatusForbidden, "AccessDenied", "%s", msg)
	}
	return errorf(http.StatusForbidden, "AccessDenied", "%s", msg)
}
