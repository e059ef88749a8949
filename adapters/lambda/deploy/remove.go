package deploy

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigatewayv2"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
)

// Remove deletes everything tagged for app and stage: the HTTP API (with
// its routes, integrations and stage) or REST API, every function (with its versions,
// alias and permissions), the deploy bucket (with the release records)
// and the execution role. Nothing without both tags
// is touched. With opts.DryRun it only reports what it would delete.
// Removing a stage that has nothing deployed is not an error.
func Remove(ctx context.Context, app string, opts Options) (_ *Report, err error) {
	defer func() { err = explain(err) }()
	s, err := newSession(ctx, app, opts)
	if err != nil {
		return nil, err
	}
	rep := &Report{App: s.app, Stage: s.stage, Region: s.region, DryRun: opts.DryRun}
	api, err := s.findAPI(ctx)
	if err != nil {
		return nil, err
	}
	if api != nil {
		rep.Changes = append(rep.Changes, Change{Action: Delete, Resource: ResourceAPI, Name: aws.ToString(api.Name),
			Reason: aws.ToString(api.ApiId) + " with its routes, integrations and stage"})
	}
	removeREST, err := s.planRemoveREST(ctx, rep)
	if err != nil {
		return nil, err
	}
	owned, err := s.ownedFunctions(ctx, nil)
	if err != nil {
		return nil, err
	}
	for _, o := range owned {
		rep.Changes = append(rep.Changes, Change{Action: Delete, Resource: ResourceFunction, Name: o.name,
			Reason: "route " + o.tags[TagRoute] + ", with its versions, alias and permissions"})
	}
	var roles []string
	for _, role := range []string{RoleName(s.app, s.stage), CacheRoleName(s.app, s.stage)} {
		out, err := s.iam.GetRole(ctx, &iam.GetRoleInput{RoleName: &role})
		switch {
		case errorCode(err) == "NoSuchEntity":
		case err != nil:
			return nil, fmt.Errorf("read role %s: %w", role, err)
		case !s.owns(iamTags(out.Role.Tags)):
			s.logf("warning: role %s is not tagged for %s/%s: left alone", role, s.app, s.stage)
		default:
			roles = append(roles, role)
			rep.Changes = append(rep.Changes, Change{Action: Delete, Resource: ResourceRole, Name: role, Reason: "execution role"})
		}
	}
	bucket, err := s.readBucket(ctx)
	if err != nil {
		return nil, err
	}
	if bucket == bucketOwned {
		rep.Changes = append(rep.Changes, Change{Action: Delete, Resource: ResourceBucket, Name: s.bucket, Reason: "release records"})
	}
	if opts.DryRun {
		return rep, nil
	}
	if api != nil {
		_, err := s.apigw.DeleteApi(ctx, &apigatewayv2.DeleteApiInput{ApiId: api.ApiId})
		if err != nil && errorCode(err) != "NotFoundException" {
			return nil, fmt.Errorf("delete HTTP API %s: %w", aws.ToString(api.ApiId), err)
		}
		s.logf("  deleted HTTP API %s", aws.ToString(api.ApiId))
	}
	if err := removeREST(ctx); err != nil {
		return nil, err
	}
	errs := forEach(ctx, s.opts.Concurrency, owned, func(ctx context.Context, o *ownedFn) error {
		_, err := s.lambda.DeleteFunction(ctx, &lambda.DeleteFunctionInput{FunctionName: &o.name})
		if err != nil && errorCode(err) != "ResourceNotFoundException" {
			return fmt.Errorf("delete function %s: %w", o.name, err)
		}
		s.logf("  deleted function %s", o.name)
		return nil
	})
	if err := joinErrors(errs); err != nil {
		return nil, err
	}
	if bucket == bucketOwned {
		if err := s.removeBucket(ctx); err != nil {
			return nil, err
		}
		s.logf("  deleted bucket %s", s.bucket)
	}
	for _, role := range roles {
		if err := s.deleteRole(ctx, role); err != nil {
			return nil, err
		}
		s.logf("  deleted role %s", role)
	}
	return rep, nil
}
