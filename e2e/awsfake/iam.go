package awsfake

import (
	"encoding/json"
	"encoding/xml"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// role is one IAM role.
type role struct {
	name        string
	id          string
	arn         string
	path        string
	trust       string // the policy document as given
	description string
	tags        map[string]string
	attached    []string          // managed policy ARNs
	inline      map[string]string // name → document
	created     time.Time
	propagation int // CreateFunction calls left that fail as if not propagated
}

// trustsLambda reports whether the trust policy lets Lambda assume the role.
func (ro *role) trustsLambda() bool {
	var p struct {
		Statement []struct {
			Effect    string
			Action    any
			Principal struct{ Service any }
		}
	}
	if json.Unmarshal([]byte(ro.trust), &p) != nil {
		return false
	}
	has := func(v any, want string) bool {
		switch x := v.(type) {
		case string:
			return x == want
		case []any:
			return slices.Contains(x, any(want))
		}
		return false
	}
	for _, st := range p.Statement {
		if st.Effect == "Allow" && has(st.Action, "sts:AssumeRole") && has(st.Principal.Service, "lambda.amazonaws.com") {
			return true
		}
	}
	return false
}

type xmlTag struct {
	Key   string
	Value string
}

type xmlRole struct {
	Path                     string
	RoleName                 string
	RoleId                   string
	Arn                      string
	CreateDate               string
	AssumeRolePolicyDocument string
	Description              string `xml:",omitempty"`
	MaxSessionDuration       int
	Tags                     []xmlTag `xml:"Tags>member,omitempty"`
}

func (ro *role) xml() xmlRole {
	x := xmlRole{
		Path: ro.path, RoleName: ro.name, RoleId: ro.id, Arn: ro.arn,
		CreateDate:               ro.created.UTC().Format(apigwTime),
		AssumeRolePolicyDocument: url.QueryEscape(ro.trust),
		Description:              ro.description,
		MaxSessionDuration:       3600,
	}
	for _, k := range slices.Sorted(maps.Keys(ro.tags)) {
		x.Tags = append(x.Tags, xmlTag{k, ro.tags[k]})
	}
	return x
}

// queryOp is one IAM or STS operation, run with s.mu held. It returns the
// <Action>Result element's content.
type queryOp func(form url.Values) (any, *awsError)

var roleNameRE = regexp.MustCompile(`^[\w+=,.@-]{1,64}$`)

func noSuchRole(name string) *awsError {
	return errorf(http.StatusNotFound, "NoSuchEntity", "The role with name %s cannot be found.", name)
}

// serveQuery answers an IAM or STS query-protocol request.
func (s *Server) serveQuery(w http.ResponseWriter, r *http.Request, service string) {
	if err := r.ParseForm(); err != nil {
		writeXMLError(w, service, errorf(http.StatusBadRequest, "MalformedQueryString", "%v", err))
		return
	}
	form := r.PostForm
	action := form.Get("Action")
	var op queryOp
	if service == "sts" {
		if action == "GetCallerIdentity" {
			op = s.getCallerIdentity
		}
	} else {
		op = map[string]queryOp{
			"CreateRole":               s.createRole,
			"GetRole":                  s.onRole(getRole),
			"DeleteRole":               s.onRole(s.deleteRole),
			"AttachRolePolicy":         s.onRole(attachRolePolicy),
			"DetachRolePolicy":         s.onRole(detachRolePolicy),
			"ListAttachedRolePolicies": s.onRole(listAttachedRolePolicies),
			"ListRolePolicies":         s.onRole(listRolePolicies),
			"PutRolePolicy":            s.onRole(putRolePolicy),
			"GetRolePolicy":            s.onRole(getRolePolicy),
			"DeleteRolePolicy":         s.onRole(deleteRolePolicy),
			"UpdateAssumeRolePolicy":   s.onRole(updateAssumeRolePolicy),
			"ListRoleTags":             s.onRole(listRoleTags),
			"TagRole":                  s.onRole(tagRole),
		}[action]
	}
	s.mu.Lock()
	var (
		out  any
		aerr *awsError
	)
	if op == nil {
		aerr = errorf(http.StatusBadRequest, "InvalidAction", "Could not find operation %s for version %s", action, form.Get("Version"))
	} else if aerr = s.gate(service, action, form.Get("RoleName")); aerr == nil {
		out, aerr = op(form)
	}
	status := http.StatusOK
	if aerr != nil {
		status = aerr.status
	}
	resource := form.Get("RoleName")
	s.record(service, action, resource, status)
	s.mu.Unlock()
	if aerr != nil {
		writeXMLError(w, service, aerr)
		return
	}
	inner, err := xml.Marshal(out)
	if err != nil {
		writeXMLError(w, service, errorf(http.StatusInternalServerError, "ServiceFailure", "%v", err))
		return
	}
	// <ActionResponse xmlns=...><ActionResult>...</ActionResult><ResponseMetadata>...</ResponseMetadata></ActionResponse>
	// out marshals as <X>fields</X>; keep its children only.
	children := stripRoot(inner)
	doc := fmt.Sprintf(`<%sResponse xmlns="%s"><%sResult>%s</%sResult><ResponseMetadata><RequestId>%s</RequestId></ResponseMetadata></%sResponse>`,
		action, xmlns(service), action, children, action, newRequestID(), action)
	w.Header().Set("Content-Type", "text/xml")
	w.Write([]byte(xml.Header + doc))
}

// stripRoot returns the content of the root element of an XML fragment.
func stripRoot(b []byte) string {
	s := string(b)
	i := strings.IndexByte(s, '>')
	j := strings.LastIndexByte(s, '<')
	if i < 0 || j <= i {
		return ""
	}
	return s[i+1 : j]
}

func (s *Server) getCallerIdentity(url.Values) (any, *awsError) {
	return struct {
		XMLName xml.Name `xml:"R"`
		Arn     string
		UserId  string
		Account string
	}{
		Arn:     fmt.Sprintf("arn:aws:iam::%s:user/test", s.opts.Account),
		UserId:  "AIDAFAKEUSERID0000000",
		Account: s.opts.Account,
	}, nil
}

// formTags reads Tags.member.N.Key/Value.
func formTags(form url.Values) map[string]string {
	tags := map[string]string{}
	for i := 1; i <= 50; i++ {
		k := form.Get("Tags.member." + strconv.Itoa(i) + ".Key")
		if k == "" {
			break
		}
		tags[k] = form.Get("Tags.member." + strconv.Itoa(i) + ".Value")
	}
	return tags
}

func (s *Server) createRole(form url.Values) (any, *awsError) {
	name := form.Get("RoleName")
	if !roleNameRE.MatchString(name) {
		return nil, errorf(http.StatusBadRequest, "ValidationError", "1 validation error detected: Value '%s' at 'roleName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]+", name)
	}
	if s.roles[name] != nil {
		return nil, errorf(http.StatusConflict, "EntityAlreadyExists", "Role with name %s already exists.", name)
	}
	trust := form.Get("AssumeRolePolicyDocument")
	if aerr := checkPolicy(trust); aerr != nil {
		return nil, aerr
	}
	path := form.Get("Path")
	if path == "" {
		path = "/"
	}
	ro := &role{
		name: name, id: "AROA" + strings.ToUpper(newID(17)), path: path,
		arn:   fmt.Sprintf("arn:aws:iam::%s:role%s%s", s.opts.Account, path, name),
		trust: trust, description: form.Get("Description"), tags: formTags(form),
		inline: map[string]string{}, created: time.Now(), propagation: s.opts.RolePropagation,
	}
	s.roles[name] = ro
	return roleResult{Role: ro.xml()}, nil
}

// emptyResult is the <Action>Result of an operation that returns nothing.
type emptyResult struct {
	XMLName xml.Name `xml:"R"`
}

// roleResult is the <Action>Result of CreateRole and GetRole.
type roleResult struct {
	XMLName xml.Name `xml:"R"`
	Role    xmlRole
}

// roleOp is an IAM operation on the role its RoleName parameter names, run
// with s.mu held.
type roleOp func(ro *role, form url.Values) (any, *awsError)

// onRole makes a query operation of op: it finds the role first, or fails
// with NoSuchEntity.
func (s *Server) onRole(op roleOp) queryOp {
	return func(form url.Values) (any, *awsError) {
		name := form.Get("RoleName")
		ro := s.roles[name]
		if ro == nil {
			return nil, noSuchRole(name)
		}
		return op(ro, form)
	}
}

// checkPolicy refuses a policy document that is not JSON, as IAM does.
func checkPolicy(doc string) *awsError {
	if !json.Valid([]byte(doc)) {
		return errorf(http.StatusBadRequest, "MalformedPolicyDocument", "This policy contains invalid Json")
	}
	return nil
}

func getRole(ro *role, _ url.Values) (any, *awsError) {
	return roleResult{Role: ro.xml()}, nil
}

func (s *Server) deleteRole(ro *role, _ url.Values) (any, *awsError) {
	if len(ro.attached) > 0 || len(ro.inline) > 0 {
		return nil, errorf(http.StatusConflict, "DeleteConflict", "Cannot delete entity, must detach all policies first.")
	}
	delete(s.roles, ro.name)
	return emptyResult{}, nil
}

var managedPolicyRE = regexp.MustCompile(`^arn:aws:iam::(aws|\d{12}):policy/.+$`)

func attachRolePolicy(ro *role, form url.Values) (any, *awsError) {
	arn := form.Get("PolicyArn")
	if !managedPolicyRE.MatchString(arn) {
		return nil, errorf(http.StatusBadRequest, "InvalidInput", "ARN %s is not valid.", arn)
	}
	if !slices.Contains(ro.attached, arn) {
		ro.attached = append(ro.attached, arn)
	}
	return emptyResult{}, nil
}

func detachRolePolicy(ro *role, form url.Values) (any, *awsError) {
	arn := form.Get("PolicyArn")
	i := slices.Index(ro.attached, arn)
	if i < 0 {
		return nil, errorf(http.StatusNotFound, "NoSuchEntity", "Policy %s was not found.", arn)
	}
	ro.attached = slices.Delete(ro.attached, i, i+1)
	return emptyResult{}, nil
}

func listAttachedRolePolicies(ro *role, _ url.Values) (any, *awsError) {
	type attached struct {
		PolicyName string
		PolicyArn  string
	}
	out := struct {
		XMLName          xml.Name   `xml:"R"`
		AttachedPolicies []attached `xml:"AttachedPolicies>member"`
		IsTruncated      bool
	}{}
	for _, arn := range ro.attached {
		out.AttachedPolicies = append(out.AttachedPolicies, attached{arn[strings.LastIndexByte(arn, '/')+1:], arn})
	}
	return out, nil
}

func listRolePolicies(ro *role, _ url.Values) (any, *awsError) {
	return struct {
		XMLName     xml.Name `xml:"R"`
		PolicyNames []string `xml:"PolicyNames>member"`
		IsTruncated bool
	}{PolicyNames: slices.Sorted(maps.Keys(ro.inline))}, nil
}

func putRolePolicy(ro *role, form url.Values) (any, *awsError) {
	doc := form.Get("PolicyDocument")
	if aerr := checkPolicy(doc); aerr != nil {
		return nil, aerr
	}
	ro.inline[form.Get("PolicyName")] = doc
	return emptyResult{}, nil
}

func deleteRolePolicy(ro *role, form url.Values) (any, *awsError) {
	name := form.Get("PolicyName")
	if _, ok := ro.inline[name]; !ok {
		return nil, errorf(http.StatusNotFound, "NoSuchEntity", "The role policy with name %s cannot be found.", name)
	}
	delete(ro.inline, name)
	return emptyResult{}, nil
}

func updateAssumeRolePolicy(ro *role, form url.Values) (any, *awsError) {
	doc := form.Get("PolicyDocument")
	if aerr := checkPolicy(doc); aerr != nil {
		return nil, aerr
	}
	ro.trust = doc
	return emptyResult{}, nil
}

func listRoleTags(ro *role, _ url.Values) (any, *awsError) {
	return struct {
		XMLName     xml.Name `xml:"R"`
		Tags        []xmlTag `xml:"Tags>member"`
		IsTruncated bool
	}{Tags: ro.xml().Tags}, nil
}

func tagRole(ro *role, form url.Values) (any, *awsError) {
	for k, v := range formTags(form) {
		ro.tags[k] = v
	}
	return emptyResult{}, nil
}
