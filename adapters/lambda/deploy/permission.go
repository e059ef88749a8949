package deploy

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
)

// permissionSid is the statement id of the invoke permission nextgo adds
// to each live alias.
const permissionSid = "nextgo-http-api"

// permissionState is what the plan found about a function's invoke
// permission.
type permissionState int

const (
	permissionMissing permissionState = iota // no statement: add it
	permissionWrong                          // a statement for another API: replace it
	permissionOK
)

// readPermission checks the live alias's resource policy for the statement
// that lets the HTTP API apiID invoke it.
func (s *session) readPermission(ctx context.Context, name, apiID string) (permissionState, error) {
	out, err := s.lambda.GetPolicy(ctx, &lambda.GetPolicyInput{FunctionName: &name, Qualifier: aws.String(AliasName)})
	if errorCode(err) == "ResourceNotFoundException" {
		return permissionMissing, nil
	}
	if err != nil {
		return 0, fmt.Errorf("read policy of %s:%s: %w", name, AliasName, err)
	}
	var policy struct {
		Statement []struct {
			Sid       string
			Effect    string
			Action    stringList
			Principal struct{ Service stringList }
			Condition map[string]map[string]string
		}
	}
	if err := json.Unmarshal([]byte(aws.ToString(out.Policy)), &policy); err != nil {
		return 0, fmt.Errorf("read policy of %s:%s: %w", name, AliasName, err)
	}
	want := s.sourceARN(apiID)
	for _, st := range policy.Statement {
		if st.Sid != permissionSid {
			continue
		}
		if st.Effect == "Allow" && len(st.Action) == 1 && st.Action[0] == "lambda:InvokeFunction" &&
			len(st.Principal.Service) == 1 && st.Principal.Service[0] == "apigateway.amazonaws.com" &&
			sourceARN(st.Condition) == want {
			return permissionOK, nil
		}
		return permissionWrong, nil
	}
	return permissionMissing, nil
}

// sourceARN reads a statement's AWS:SourceArn condition, which Lambda
// reports under ArnLike for permissions added with a source ARN, and
// other tools write under StringLike or ArnEquals; condition keys are
// case-insensitive (IAM User Guide, "IAM JSON policy elements:
// Condition").
func sourceARN(cond map[string]map[string]string) string {
	for _, op := range []string{"ArnLike", "StringLike", "ArnEquals", "StringEquals"} {
		for k, v := range cond[op] {
			if strings.EqualFold(k, "AWS:SourceArn") {
				return v
			}
		}
	}
	return ""
}

// ensurePermission lets the HTTP API apiID, and only it, invoke the
// function's live alias.
func (s *session) ensurePermission(ctx context.Context, fn *fnState, apiID string) error {
	name := fn.spec.name
	state, err := s.readPermission(ctx, name, apiID)
	if err != nil {
		return err
	}
	switch state {
	case permissionOK:
		return nil
	case permissionWrong:
		_, err := s.lambda.RemovePermission(ctx, &lambda.RemovePermissionInput{
			FunctionName: &name, Qualifier: aws.String(AliasName), StatementId: aws.String(permissionSid),
		})
		if err != nil && errorCode(err) != "ResourceNotFoundException" {
			return fmt.Errorf("replace invoke permission of %s:%s: %w", name, AliasName, err)
		}
	}
	err = s.withConflictRetry(ctx, name, func() error {
		_, err := s.lambda.AddPermission(ctx, &lambda.AddPermissionInput{
			FunctionName: &name,
			Qualifier:    aws.String(AliasName),
			StatementId:  aws.String(permissionSid),
			Action:       aws.String("lambda:InvokeFunction"),
			Principal:    aws.String("apigateway.amazonaws.com"),
			SourceArn:    aws.String(s.sourceARN(apiID)),
		})
		return err
	})
	if err != nil {
		return fmt.Errorf("let API %s invoke %s:%s: %w", apiID, name, AliasName, err)
	}
	return nil
}

// joinErrors joins the non-nil errors of a forEach into one error whose
// message stays on one line ("a; b"). errors.Is and errors.As see each.
func joinErrors(errs []error) error {
	var list multiError
	for _, err := range errs {
		if err != nil {
			list = append(list, err)
		}
	}
	switch len(list) {
	case 0:
		return nil
	case 1:
		return list[0]
	}
	return list
}

type multiError []error

func (m multiError) Error() string {
	parts := make([]string, len(m))
	for i, err := range m {
		parts[i] = err.Error()
	}
	return strings.Join(parts, "; ")
}

func (m multiError) Unwrap() []error { return m }
