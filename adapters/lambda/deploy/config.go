package deploy

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/apigatewayv2"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"
)

// maxAttempts is how many times the SDK tries one call that fails with a
// retryable error (throttling, 5xx, network).
const maxAttempts = 8

// LoadAWSConfig loads the SDK configuration with the default chain:
// credentials from the environment, shared config and credentials files
// (profiles, SSO) or an instance role; the region from region, else the
// environment or profile. profile, when not empty, selects a shared-config
// profile. AWS_ENDPOINT_URL (and the per-service AWS_ENDPOINT_URL_<SERVICE>
// variables) redirect calls to another AWS-compatible endpoint.
//
// Throttled and failed calls are retried up to 8 times with jittered
// exponential backoff.
func LoadAWSConfig(ctx context.Context, region, profile string) (aws.Config, error) {
	opts := []func(*config.LoadOptions) error{
		config.WithRetryer(func() aws.Retryer {
			return retry.NewStandard(func(o *retry.StandardOptions) {
				o.MaxAttempts = maxAttempts
				o.MaxBackoff = 20 * time.Second
				// Every throttled call is retried with backoff: no
				// client-side quota of retries that a deploy through
				// Lambda's control-plane rate would exhaust.
				o.RateLimiter = ratelimit.None
			})
		}),
	}
	if region != "" {
		opts = append(opts, config.WithRegion(region))
	}
	if profile != "" {
		opts = append(opts, config.WithSharedConfigProfile(profile))
	}
	cfg, err := config.LoadDefaultConfig(ctx, opts...)
	var missing config.SharedConfigProfileNotExistError
	if errors.As(err, &missing) {
		return aws.Config{}, fmt.Errorf("AWS profile %q is not in ~/.aws/config or ~/.aws/credentials: run `aws configure --profile %s`, or pass another --profile", missing.Profile, missing.Profile)
	}
	if err != nil {
		return aws.Config{}, fmt.Errorf("load AWS configuration: %w", err)
	}
	if cfg.Region == "" {
		return aws.Config{}, errors.New("no AWS region: pass --region, set AWS_REGION or set a region in the profile")
	}
	return cfg, nil
}

// Options configures Deploy, Rollback and Remove.
type Options struct {
	// AWS is the SDK configuration, usually from LoadAWSConfig. Its Region
	// is the region deployed to.
	AWS aws.Config
	// Stage names one deployment of the app ("dev", "prod"): every
	// resource is named and tagged with it.
	Stage string
	// DryRun computes and reports the plan and makes no mutating call.
	DryRun bool
	// Prune deletes the functions and routes tagged for the app and stage
	// that the build no longer has. Without it they are reported and kept.
	Prune bool
	// Concurrency bounds how many functions are changed at once; 0 means 4.
	Concurrency int
	// KeepReleases is how many releases a deploy keeps (their records and
	// the function versions they use); older versions that no alias points
	// at are deleted. 0 means DefaultKeepReleases.
	KeepReleases int
	// WaitTimeout bounds each wait for a function or version to become
	// ready; 0 means 5 minutes.
	WaitTimeout time.Duration
	// Log receives the plan and progress lines; nil discards them.
	// Lines come from concurrent work but are written one whole line per
	// Write, never two at once. Environment values are never written.
	Log io.Writer

	// backoff is the base delay of the retries this package does itself
	// (role propagation, update conflicts); 0 means 1 s.
	backoff time.Duration
	// poll is the first delay between two reads of a waiter; 0 means 1 s.
	poll time.Duration
	// unpaced sends Lambda calls as fast as they come, for tests against
	// an endpoint without a rate quota.
	unpaced bool
}

// session is one command's view of AWS: clients, identity, app and stage.
type session struct {
	opts      Options
	logMu     sync.Mutex // serialises writes to log
	app       string
	stage     string
	region    string
	account   string
	partition string
	log       io.Writer

	bucket string // the deploy bucket: BucketName

	lambda *lambda.Client
	apigw  *apigatewayv2.Client
	iam    *iam.Client
	sts    *sts.Client
	s3     *s3.Client
}

// DefaultKeepReleases is how many releases a deploy keeps by default.
const DefaultKeepReleases = 10

func newSession(ctx context.Context, app string, opts Options) (*session, error) {
	if err := validateApp(app); err != nil {
		return nil, err
	}
	if err := ValidateStage(opts.Stage); err != nil {
		return nil, err
	}
	if opts.AWS.Region == "" {
		return nil, errors.New("no AWS region: pass --region, set AWS_REGION or set a region in the profile")
	}
	if opts.Concurrency <= 0 {
		opts.Concurrency = 4
	}
	if opts.WaitTimeout <= 0 {
		opts.WaitTimeout = 5 * time.Minute
	}
	if opts.backoff <= 0 {
		opts.backoff = time.Second
	}
	if opts.poll <= 0 {
		opts.poll = time.Second
	}
	if err := checkCredentials(ctx, opts.AWS); err != nil {
		return nil, err
	}
	cfg := opts.AWS.Copy()
	base := cfg.Retryer
	var s *session
	cfg.Retryer = func() aws.Retryer {
		var r aws.Retryer = retry.NewStandard()
		if base != nil {
			r = base()
		}
		v2, ok := r.(aws.RetryerV2)
		if !ok {
			return r
		}
		return progressRetryer{RetryerV2: v2, log: func(format string, args ...any) { s.logf(format, args...) }}
	}
	opts.AWS = cfg
	s = &session{
		opts:   opts,
		app:    sanitizeName(app),
		stage:  opts.Stage,
		region: opts.AWS.Region,
		log:    opts.Log,
		lambda: lambda.NewFromConfig(opts.AWS, func(o *lambda.Options) {
			if !opts.unpaced {
				o.APIOptions = append(o.APIOptions, lambdaPacing())
			}
		}),
		apigw: apigatewayv2.NewFromConfig(opts.AWS),
		iam:   iam.NewFromConfig(opts.AWS),
		sts:   sts.NewFromConfig(opts.AWS),
		s3: s3.NewFromConfig(opts.AWS, func(o *s3.Options) {
			// An endpoint of one's own (AWS_ENDPOINT_URL) serves buckets
			// by path, not by host name.
			o.UsePathStyle = opts.AWS.BaseEndpoint != nil
		}),
	}
	if s.opts.KeepReleases <= 0 {
		s.opts.KeepReleases = DefaultKeepReleases
	}
	if s.log == nil {
		s.log = io.Discard
	}
	id, err := s.sts.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		if e := explain(err); e != err {
			return nil, e
		}
		return nil, fmt.Errorf("identify the AWS account: %w", err)
	}
	s.account = aws.ToString(id.Account)
	s.partition = "aws"
	if parts := strings.SplitN(aws.ToString(id.Arn), ":", 3); len(parts) == 3 && parts[0] == "arn" && parts[1] != "" {
		s.partition = parts[1]
	}
	if s.account == "" {
		return nil, errors.New("identify the AWS account: the caller identity has no account")
	}
	s.bucket = BucketName(s.account, s.region, s.app, s.stage)
	return s, nil
}

// logf writes one line to the log.
func (s *session) logf(format string, args ...any) {
	line := fmt.Sprintf(format+"\n", args...)
	s.logMu.Lock()
	defer s.logMu.Unlock()
	io.WriteString(s.log, line)
}

// tags are the ownership tags of every resource of the session.
func (s *session) tags() map[string]string {
	return ownerTags(s.app, s.stage)
}

// owns reports whether tags mark a resource of this app and stage.
func (s *session) owns(tags map[string]string) bool {
	return tags[TagApp] == s.app && tags[TagStage] == s.stage
}

// functionARN is the unqualified ARN of a function of this account.
func (s *session) functionARN(name string) string {
	return FunctionARN(s.partition, s.region, s.account, name)
}

// roleARN is the ARN of the execution role.
func (s *session) roleARN() string {
	return fmt.Sprintf("arn:%s:iam::%s:role/%s", s.partition, s.account, RoleName(s.app, s.stage))
}

// sourceARN scopes invoke permissions to one HTTP API.
func (s *session) sourceARN(apiID string) string {
	return SourceARN(s.partition, s.region, s.account, apiID)
}

// errorCode returns the AWS error code of err, or "".
func errorCode(err error) string {
	var ae smithy.APIError
	if asAPIError(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}

func asAPIError(err error, target *smithy.APIError) bool {
	return err != nil && errors.As(err, target)
}
