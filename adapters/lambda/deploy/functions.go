package deploy

import (
	"context"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	ltypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
)

// fnState is one function of the build: its spec, what AWS has, and what
// the plan decided.
type fnState struct {
	spec   *fnSpec
	arn    string                        // unqualified function ARN
	latest *ltypes.FunctionConfiguration // $LATEST; nil for a new function
	tags   map[string]string
	alias  *lambda.GetAliasOutput        // the live alias, nil when missing
	live   *ltypes.FunctionConfiguration // the version live points at

	create       bool // CreateFunction
	uploadCode   bool // UpdateFunctionCode
	updateConfig bool // UpdateFunctionConfiguration
	updateTags   bool // TagResource
	publish      bool // PublishVersion, then move live
	reasons      []string

	version string // after prepare: the version live is to point at
}

// aliasARN is the ARN API integrations invoke.
func (st *fnState) aliasARN() string { return st.arn + ":" + AliasName }

// readFunction reads the state of one function and decides what to do.
func (s *session) readFunction(ctx context.Context, spec *fnSpec, role string) (*fnState, error) {
	st := &fnState{spec: spec, arn: s.functionARN(spec.name)}
	out, err := s.lambda.GetFunction(ctx, &lambda.GetFunctionInput{FunctionName: &spec.name})
	if errorCode(err) == "ResourceNotFoundException" {
		st.create, st.publish = true, true
		st.reasons = []string{"new route " + routeLabel(spec.fn)}
		return st, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read function %s: %w", spec.name, err)
	}
	if out.Configuration == nil {
		return nil, fmt.Errorf("read function %s: no configuration in the response", spec.name)
	}
	st.latest = out.Configuration
	st.tags = out.Tags
	if st.tags == nil {
		// GetFunction leaves the tags out unless the caller may call
		// lambda:ListTags: ask for them, so that a missing permission is
		// said as one, not as a function that is not ours.
		tags, err := s.lambda.ListTags(ctx, &lambda.ListTagsInput{Resource: aws.String(st.arn)})
		if err != nil {
			return nil, fmt.Errorf("read tags of %s: %w", spec.name, err)
		}
		st.tags = tags.Tags
	}
	if arn := aws.ToString(out.Configuration.FunctionArn); arn != "" {
		st.arn = arn
	}
	if !s.owns(out.Tags) {
		return nil, fmt.Errorf("function %s exists but is not tagged %s=%s and %s=%s: nextgo leaves functions it did not create alone; delete or rename it",
			spec.name, TagApp, s.app, TagStage, s.stage)
	}
	if st.alias, err = s.readAlias(ctx, spec.name); err != nil {
		return nil, err
	}
	if st.alias != nil {
		// GetFunction of the alias: its quota is 100 requests per second,
		// GetFunctionConfiguration's the control plane's 15.
		live, err := s.lambda.GetFunction(ctx, &lambda.GetFunctionInput{
			FunctionName: &spec.name, Qualifier: aws.String(AliasName),
		})
		if err != nil {
			return nil, fmt.Errorf("read %s:%s: %w", spec.name, AliasName, err)
		}
		if live.Configuration == nil {
			return nil, fmt.Errorf("read %s:%s: no configuration in the response", spec.name, AliasName)
		}
		st.live = live.Configuration
	}
	st.decide(role)
	return st, nil
}

// decide compares the desired state with $LATEST and with the live version.
// The live version decides whether the function changes at all: a previous
// deploy that failed after updating $LATEST still needs a release.
func (st *fnState) decide(role string) {
	spec := st.spec
	latestCode := codeDiff(st.latest, spec)
	latestConfig := configDiff(st.latest, spec, role)
	failed := st.latest.LastUpdateStatus == ltypes.LastUpdateStatusFailed
	st.updateTags = tagsDiff(st.tags, spec)
	switch {
	case st.live == nil:
		st.publish = true
		st.reasons = append(st.reasons, "no "+AliasName+" alias yet")
	default:
		d := append(codeDiff(st.live, spec), configDiff(st.live, spec, role)...)
		if len(d) > 0 {
			st.publish = true
			st.reasons = append(st.reasons, d...)
		}
	}
	if !st.publish {
		if st.updateTags {
			st.reasons = append(st.reasons, "tags")
		}
		return
	}
	st.uploadCode = len(latestCode) > 0 || failed
	st.updateConfig = len(latestConfig) > 0 || failed
	if failed {
		st.reasons = append(st.reasons, "retrying the failed update of $LATEST")
	}
}

// action is the plan's action for the function itself.
func (st *fnState) action() Action {
	switch {
	case st.create:
		return Create
	case st.publish || st.updateTags:
		return Update
	}
	return Unchanged
}

// prepare creates or updates the function and publishes a version, waiting
// until each step is done. It never touches the live alias.
func (s *session) prepare(ctx context.Context, b *Build, st *fnState, role string) error {
	spec := st.spec
	name := spec.name
	if st.create {
		zip, err := b.zip(spec.fn)
		if err != nil {
			return fmt.Errorf("function %s: %w", name, err)
		}
		code, done, err := s.stageCode(ctx, spec, zip)
		if err != nil {
			return err
		}
		defer done()
		in := &lambda.CreateFunctionInput{
			FunctionName:  &name,
			Runtime:       fnRuntime,
			Handler:       aws.String(fnHandler),
			Role:          &role,
			Architectures: []ltypes.Architecture{spec.arch},
			Timeout:       aws.Int32(int32(spec.fn.MaxDuration)),
			MemorySize:    aws.Int32(int32(spec.fn.Memory)),
			Description:   aws.String(spec.description),
			Environment:   &ltypes.Environment{Variables: spec.env},
			Tags:          spec.tags,
			Code:          code,
			PackageType:   ltypes.PackageTypeZip,
		}
		var out *lambda.CreateFunctionOutput
		err = s.retryDo(ctx, 10, isRoleNotReady, func() error {
			var err error
			out, err = s.lambda.CreateFunction(ctx, in)
			return err
		})
		if err != nil {
			return fmt.Errorf("create function %s: %w", name, err)
		}
		if arn := aws.ToString(out.FunctionArn); arn != "" {
			st.arn = arn
		}
		s.logf("  created function %s", name)
		if err := s.waitActive(ctx, name, ""); err != nil {
			return fmt.Errorf("function %s did not become active: %w", name, err)
		}
	}
	if st.uploadCode {
		zip, err := b.zip(spec.fn)
		if err != nil {
			return fmt.Errorf("function %s: %w", name, err)
		}
		code, done, err := s.stageCode(ctx, spec, zip)
		if err != nil {
			return err
		}
		defer done()
		err = s.withConflictRetry(ctx, name, func() error {
			_, err := s.lambda.UpdateFunctionCode(ctx, &lambda.UpdateFunctionCodeInput{
				FunctionName:  &name,
				ZipFile:       code.ZipFile,
				S3Bucket:      code.S3Bucket,
				S3Key:         code.S3Key,
				Architectures: []ltypes.Architecture{spec.arch},
			})
			return err
		})
		if err != nil {
			return fmt.Errorf("update code of %s: %w", name, err)
		}
		if err := s.waitUpdated(ctx, name); err != nil {
			return fmt.Errorf("update code of %s: %w", name, err)
		}
		s.logf("  uploaded code of %s", name)
	}
	if st.updateConfig {
		err := s.retryDo(ctx, 10, isRoleNotReady, func() error {
			return s.withConflictRetry(ctx, name, func() error {
				_, err := s.lambda.UpdateFunctionConfiguration(ctx, &lambda.UpdateFunctionConfigurationInput{
					FunctionName: &name,
					Runtime:      fnRuntime,
					Handler:      aws.String(fnHandler),
					Role:         &role,
					Timeout:      aws.Int32(int32(spec.fn.MaxDuration)),
					MemorySize:   aws.Int32(int32(spec.fn.Memory)),
					Description:  aws.String(spec.description),
					Environment:  &ltypes.Environment{Variables: spec.env},
				})
				return err
			})
		})
		if err != nil {
			return fmt.Errorf("update configuration of %s: %w", name, err)
		}
		if err := s.waitUpdated(ctx, name); err != nil {
			return fmt.Errorf("update configuration of %s: %w", name, err)
		}
		s.logf("  updated configuration of %s", name)
	}
	if st.updateTags && !st.create {
		_, err := s.lambda.TagResource(ctx, &lambda.TagResourceInput{Resource: &st.arn, Tags: spec.tags})
		if err != nil {
			return fmt.Errorf("tag function %s: %w", name, err)
		}
	}
	if !st.publish {
		return nil
	}
	var out *lambda.PublishVersionOutput
	err := s.withConflictRetry(ctx, name, func() error {
		var err error
		out, err = s.lambda.PublishVersion(ctx, &lambda.PublishVersionInput{
			FunctionName: &name,
			CodeSha256:   aws.String(spec.codeSHA),
		})
		return err
	})
	if err != nil {
		return fmt.Errorf("publish a version of %s: %w", name, err)
	}
	v := aws.ToString(out.Version)
	if v == "" || v == "$LATEST" {
		return fmt.Errorf("publish a version of %s: no version number in the response", name)
	}
	if got := aws.ToString(out.CodeSha256); got != spec.codeSHA {
		return fmt.Errorf("publish a version of %s: version %s has code %s, want %s", name, v, got, spec.codeSHA)
	}
	if err := s.waitActive(ctx, name, v); err != nil {
		return fmt.Errorf("version %s of %s did not become active: %w", v, name, err)
	}
	st.version = v
	s.logf("  published %s version %s", name, v)
	return nil
}

// ownedFn is a function found in the account with this app's and stage's
// tags.
type ownedFn struct {
	name  string
	arn   string
	label string // the route it serves, from its description: a pattern or "$default"
	tags  map[string]string
	alias *lambda.GetAliasOutput
	// replacedBy is, for a function of a route the build still has, the
	// function that serves that route now: the function was named by an
	// earlier naming scheme and goes once the API points at its successor.
	replacedBy string
}

// descriptionLabel reads the route label out of a description written by
// description: "nextgo /api/post/[pid] (pages/api/post/[pid].go)".
func descriptionLabel(desc string) string {
	rest, ok := strings.CutPrefix(desc, "nextgo ")
	if !ok {
		return ""
	}
	label, _, ok := strings.Cut(rest, " (")
	if !ok {
		return ""
	}
	return label
}

// maxPages bounds every paginated listing.
const maxPages = 10000

// ownedFunctions lists the functions tagged for this app and stage, but
// for those named in known, which the caller has read already. Only
// names with the app's and stage's prefix are candidates, and each one's
// tags decide: an untagged function with a similar name is not listed.
func (s *session) ownedFunctions(ctx context.Context, known map[string]bool) ([]*ownedFn, error) {
	prefix := functionPrefix(s.app, s.stage)
	var out []*ownedFn
	p := lambda.NewListFunctionsPaginator(s.lambda, &lambda.ListFunctionsInput{})
	for i := 0; p.HasMorePages() && i < maxPages; i++ {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("list functions: %w", err)
		}
		for _, f := range page.Functions {
			name := aws.ToString(f.FunctionName)
			if !strings.HasPrefix(name, prefix) || known[name] {
				continue
			}
			arn := aws.ToString(f.FunctionArn)
			tags, err := s.lambda.ListTags(ctx, &lambda.ListTagsInput{Resource: &arn})
			if errorCode(err) == "ResourceNotFoundException" {
				continue // deleted meanwhile
			}
			if err != nil {
				return nil, fmt.Errorf("list tags of %s: %w", name, err)
			}
			if s.owns(tags.Tags) {
				out = append(out, &ownedFn{name: name, arn: arn, tags: tags.Tags, label: descriptionLabel(aws.ToString(f.Description))})
			}
		}
	}
	return out, nil
}

// readAlias reads the live alias of a function, nil when it has none.
func (s *session) readAlias(ctx context.Context, name string) (*lambda.GetAliasOutput, error) {
	a, err := s.lambda.GetAlias(ctx, &lambda.GetAliasInput{FunctionName: &name, Name: aws.String(AliasName)})
	if errorCode(err) == "ResourceNotFoundException" {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read alias %s:%s: %w", name, AliasName, err)
	}
	return a, nil
}

// stageCode returns where Lambda is to take a function's zip from: the
// request itself, or, for a zip over Lambda's 50 MB direct-upload limit,
// the deploy bucket, whose object done deletes once Lambda has the code.
func (s *session) stageCode(ctx context.Context, spec *fnSpec, zip []byte) (code *ltypes.FunctionCode, done func(), err error) {
	if len(zip) <= maxDirectZip {
		return &ltypes.FunctionCode{ZipFile: zip}, func() {}, nil
	}
	key := "code/" + spec.fn.SHA256 + ".zip"
	if err := s.putObject(ctx, key, zip); err != nil {
		return nil, nil, fmt.Errorf("function %s: its %d MB zip goes through S3: %w", spec.name, len(zip)>>20, err)
	}
	s.logf("  %s: %d MB zip staged in s3://%s/%s", spec.name, len(zip)>>20, s.bucket, key)
	return &ltypes.FunctionCode{S3Bucket: aws.String(s.bucket), S3Key: aws.String(key)}, func() {
		if err := s.deleteObjects(context.WithoutCancel(ctx), key); err != nil {
			s.logf("warning: %v", err)
		}
	}, nil
}
