package deploy

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"slices"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
)

// trustPolicy lets Lambda assume the execution role.
const trustPolicy = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}`

// basicExecutionPolicy is the only policy nextgo attaches: CloudWatch Logs.
func (s *session) basicExecutionPolicy() string {
	return "arn:" + s.partition + ":iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"
}

// rolePlan is what the plan decided about the execution role.
type rolePlan struct {
	name        string
	arn         string
	create      bool
	attach      bool // attach the basic execution policy
	updateTrust bool
}

// planRole reads the execution role.
func (s *session) planRole(ctx context.Context, cs *changes) (*rolePlan, error) {
	return s.planRoleNamed(ctx, RoleName(s.app, s.stage), cs)
}

// planRoleNamed reads an execution role of the app and stage by name.
func (s *session) planRoleNamed(ctx context.Context, name string, cs *changes) (*rolePlan, error) {
	rp := &rolePlan{name: name, arn: fmt.Sprintf("arn:%s:iam::%s:role/%s", s.partition, s.account, name)}
	out, err := s.iam.GetRole(ctx, &iam.GetRoleInput{RoleName: &rp.name})
	if errorCode(err) == "NoSuchEntity" {
		rp.create, rp.attach = true, true
		cs.add(Create, ResourceRole, rp.name, "execution role with "+s.basicExecutionPolicy())
		return rp, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read role %s: %w", rp.name, err)
	}
	if !s.owns(iamTags(out.Role.Tags)) {
		return nil, fmt.Errorf("role %s exists but is not tagged %s=%s and %s=%s: nextgo leaves roles it did not create alone",
			rp.name, TagApp, s.app, TagStage, s.stage)
	}
	if arn := aws.ToString(out.Role.Arn); arn != "" {
		rp.arn = arn
	}
	rp.updateTrust = !trustsLambda(aws.ToString(out.Role.AssumeRolePolicyDocument))
	attached, err := s.attachedPolicies(ctx, rp.name)
	if err != nil {
		return nil, err
	}
	rp.attach = !slices.Contains(attached, s.basicExecutionPolicy())
	var reasons []string
	if rp.updateTrust {
		reasons = append(reasons, "trust policy does not let Lambda assume it")
	}
	if rp.attach {
		reasons = append(reasons, "basic execution policy not attached")
	}
	if len(reasons) > 0 {
		cs.add(Update, ResourceRole, rp.name, reasons...)
	} else {
		cs.add(Unchanged, ResourceRole, rp.name)
	}
	return rp, nil
}

// applyRole creates or repairs the execution role.
func (s *session) applyRole(ctx context.Context, rp *rolePlan) error {
	if rp.create {
		var tags []iamtypes.Tag
		for k, v := range s.tags() {
			tags = append(tags, iamtypes.Tag{Key: aws.String(k), Value: aws.String(v)})
		}
		slices.SortFunc(tags, func(a, b iamtypes.Tag) int {
			if *a.Key < *b.Key {
				return -1
			}
			return 1
		})
		out, err := s.iam.CreateRole(ctx, &iam.CreateRoleInput{
			RoleName:                 &rp.name,
			AssumeRolePolicyDocument: aws.String(trustPolicy),
			Description:              aws.String(fmt.Sprintf("nextgo execution role of %s (stage %s)", s.app, s.stage)),
			Tags:                     tags,
		})
		if errorCode(err) == "EntityAlreadyExists" {
			return fmt.Errorf("create role %s: created meanwhile by another deploy; run again: %w", rp.name, err)
		}
		if err != nil {
			return fmt.Errorf("create role %s: %w", rp.name, err)
		}
		if arn := aws.ToString(out.Role.Arn); arn != "" {
			rp.arn = arn
		}
		s.logf("  created role %s", rp.name)
	}
	if rp.updateTrust {
		_, err := s.iam.UpdateAssumeRolePolicy(ctx, &iam.UpdateAssumeRolePolicyInput{
			RoleName: &rp.name, PolicyDocument: aws.String(trustPolicy),
		})
		if err != nil {
			return fmt.Errorf("update trust policy of %s: %w", rp.name, err)
		}
	}
	if rp.attach {
		_, err := s.iam.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{
			RoleName: &rp.name, PolicyArn: aws.String(s.basicExecutionPolicy()),
		})
		if err != nil {
			return fmt.Errorf("attach %s to %s: %w", s.basicExecutionPolicy(), rp.name, err)
		}
	}
	return nil
}

// attachedPolicies lists the managed policies attached to a role.
func (s *session) attachedPolicies(ctx context.Context, role string) ([]string, error) {
	var arns []string
	p := iam.NewListAttachedRolePoliciesPaginator(s.iam, &iam.ListAttachedRolePoliciesInput{RoleName: &role})
	for i := 0; p.HasMorePages() && i < maxPages; i++ {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("list policies of role %s: %w", role, err)
		}
		for _, ap := range page.AttachedPolicies {
			arns = append(arns, aws.ToString(ap.PolicyArn))
		}
	}
	return arns, nil
}

// deleteRole detaches and deletes the role's policies, then the role.
func (s *session) deleteRole(ctx context.Context, role string) error {
	attached, err := s.attachedPolicies(ctx, role)
	if err != nil {
		return err
	}
	for _, arn := range attached {
		if _, err := s.iam.DetachRolePolicy(ctx, &iam.DetachRolePolicyInput{RoleName: &role, PolicyArn: &arn}); err != nil {
			return fmt.Errorf("detach %s from %s: %w", arn, role, err)
		}
	}
	p := iam.NewListRolePoliciesPaginator(s.iam, &iam.ListRolePoliciesInput{RoleName: &role})
	for i := 0; p.HasMorePages() && i < maxPages; i++ {
		page, err := p.NextPage(ctx)
		if err != nil {
			return fmt.Errorf("list inline policies of %s: %w", role, err)
		}
		for _, name := range page.PolicyNames {
			if _, err := s.iam.DeleteRolePolicy(ctx, &iam.DeleteRolePolicyInput{RoleName: &role, PolicyName: &name}); err != nil {
				return fmt.Errorf("delete inline policy %s of %s: %w", name, role, err)
			}
		}
	}
	if _, err := s.iam.DeleteRole(ctx, &iam.DeleteRoleInput{RoleName: &role}); err != nil {
		return fmt.Errorf("delete role %s: %w", role, err)
	}
	return nil
}

func iamTags(tags []iamtypes.Tag) map[string]string {
	m := make(map[string]string, len(tags))
	for _, t := range tags {
		m[aws.ToString(t.Key)] = aws.ToString(t.Value)
	}
	return m
}

// trustsLambda reports whether a trust policy (URL-encoded, as IAM returns
// it, or plain) lets lambda.amazonaws.com assume the role.
func trustsLambda(doc string) bool {
	if dec, err := url.QueryUnescape(doc); err == nil {
		doc = dec
	}
	var p struct {
		Statement []struct {
			Effect    string
			Action    stringList
			Principal struct{ Service stringList }
		}
	}
	if json.Unmarshal([]byte(doc), &p) != nil {
		return false
	}
	for _, st := range p.Statement {
		if st.Effect == "Allow" && slices.Contains(st.Action, "sts:AssumeRole") && slices.Contains(st.Principal.Service, "lambda.amazonaws.com") {
			return true
		}
	}
	return false
}

// stringList decodes an IAM policy value that is a string or a list of
// strings.
type stringList []string

func (l *stringList) UnmarshalJSON(b []byte) error {
	var one string
	if json.Unmarshal(b, &one) == nil {
		*l = []string{one}
		return nil
	}
	var many []string
	if err := json.Unmarshal(b, &many); err != nil {
		return err
	}
	*l = many
	return nil
}
