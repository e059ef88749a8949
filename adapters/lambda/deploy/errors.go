package deploy

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/smithy-go"
)

// ErrNoCredentials is the error (wrapped) when the SDK's credential chain
// finds no credentials.
var ErrNoCredentials = errors.New("no AWS credentials found: run `aws configure` (or `aws configure sso`), pass --profile NAME to use a profile of ~/.aws/config, or set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (or AWS_PROFILE)")

// checkCredentials retrieves the credentials once, so that a missing
// one is said in one line instead of as the SDK's chain of causes.
func checkCredentials(ctx context.Context, cfg aws.Config) error {
	if cfg.Credentials == nil {
		return ErrNoCredentials
	}
	if _, err := cfg.Credentials.Retrieve(ctx); err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return ErrNoCredentials
	}
	return nil
}

// networkAttempts is how many times a call that cannot reach its
// endpoint at all is tried, a second apart.
const networkAttempts = 3

// isNetworkError reports an error that means the endpoint was not
// reached: refused, unresolvable, unreachable, timed out.
func isNetworkError(err error) bool {
	var dns *net.DNSError
	var op *net.OpError
	return errors.As(err, &dns) || errors.As(err, &op) && op.Op == "dial"
}

// endpointOf returns the URL a failed request was sent to.
func endpointOf(err error) string {
	var ue *url.Error
	if errors.As(err, &ue) {
		if u, perr := url.Parse(ue.URL); perr == nil {
			return u.Scheme + "://" + u.Host
		}
		return ue.URL
	}
	return ""
}

// unreachable turns an error that never reached AWS into one line that
// names the endpoint.
func unreachable(err error) error {
	if !isNetworkError(err) {
		return err
	}
	cause := err
	var op *net.OpError
	if errors.As(err, &op) && op.Err != nil {
		cause = op.Err
	}
	what := "AWS"
	var oe *smithy.OperationError
	if errors.As(err, &oe) {
		what = oe.ServiceID + " (" + oe.OperationName + ")"
	}
	return fmt.Errorf("cannot reach %s at %s after %d attempts: %v (check the network, --region and AWS_ENDPOINT_URL)", what, endpointOf(err), networkAttempts, cause)
}

// progressRetryer retries as the SDK's retryer does, says each retry in
// the log, and gives up on an endpoint it cannot reach after
// networkAttempts tries a second apart rather than backing off for a
// minute in silence.
type progressRetryer struct {
	aws.RetryerV2
	log func(format string, args ...any)
}

func (r progressRetryer) RetryDelay(attempt int, err error) (time.Duration, error) {
	if isNetworkError(err) {
		if attempt >= networkAttempts {
			return 0, err
		}
		r.log("  cannot reach %s (%v): retrying in 1s (attempt %d of %d)", endpointOf(err), rootCause(err), attempt+1, networkAttempts)
		return time.Second, nil
	}
	d, derr := r.RetryerV2.RetryDelay(attempt, err)
	if derr == nil {
		r.log("  %s: retrying in %s (attempt %d of %d)", retryReason(err), d.Round(time.Millisecond), attempt+1, r.MaxAttempts())
	}
	return d, derr
}

func rootCause(err error) error {
	var op *net.OpError
	if errors.As(err, &op) && op.Err != nil {
		return op.Err
	}
	return err
}

// retryReason names a retried error briefly: its operation and code.
func retryReason(err error) string {
	var oe *smithy.OperationError
	op := ""
	if errors.As(err, &oe) {
		op = oe.ServiceID + " " + oe.OperationName + " "
	}
	if code := errorCode(err); code != "" {
		return op + code
	}
	return op + "error"
}

// deniedActionRE reads the action out of AWS's access-denied message:
// "... is not authorized to perform: lambda:ListTags on resource: arn ...".
var deniedActionRE = regexp.MustCompile(`not authorized to perform: ([a-z0-9-]+:[A-Za-z0-9*]+)(?: on resource: (\S+))?`)

// explain rewrites the errors a person acts on the same way: a refused
// permission names the action; an unreachable endpoint names it.
func explain(err error) error {
	if err == nil {
		return nil
	}
	switch code := errorCode(err); code {
	case "AccessDenied", "AccessDeniedException", "UnauthorizedOperation", "Forbidden", "ForbiddenException":
		action, resource := deniedAction(err)
		where := ""
		if resource != "" {
			where = " on " + resource
		}
		return fmt.Errorf("missing AWS permission %s%s: the deploying identity may not %s (`nextgo deploy --print-policy` prints the policy nextgo needs): %w", action, where, describeCall(err), errDenied)
	}
	return unreachable(err)
}

// errDenied is the cause of a missing-permission error.
var errDenied = errors.New("access denied")

// deniedAction names the IAM action a refused call needed: from AWS's
// message when it says, else from the operation.
func deniedAction(err error) (action, resource string) {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		if m := deniedActionRE.FindStringSubmatch(ae.ErrorMessage()); m != nil {
			return m[1], strings.TrimSuffix(m[2], ",")
		}
	}
	var oe *smithy.OperationError
	if errors.As(err, &oe) {
		return iamAction(oe.ServiceID, oe.OperationName), ""
	}
	return "(unknown action)", ""
}

// describeCall names the refused call: "call Lambda ListTags".
func describeCall(err error) string {
	var oe *smithy.OperationError
	if errors.As(err, &oe) {
		return "call " + oe.ServiceID + " " + oe.OperationName
	}
	return "make this call"
}

// iamAction is the IAM action of an SDK operation (Service Authorization
// Reference): Lambda's and IAM's are named after the operation; API
// Gateway's management API is authorised by HTTP method.
func iamAction(service, op string) string {
	switch service {
	case "Lambda":
		if op == "Invoke" {
			return "lambda:InvokeFunction"
		}
		return "lambda:" + op
	case "ApiGatewayV2":
		for prefix, verb := range map[string]string{"Get": "GET", "Create": "POST", "Update": "PATCH", "Delete": "DELETE"} {
			if strings.HasPrefix(op, prefix) {
				return "apigateway:" + verb
			}
		}
	case "IAM":
		return "iam:" + op
	case "STS":
		return "sts:" + op
	case "S3":
		switch op {
		case "HeadBucket", "ListObjectsV2":
			return "s3:ListBucket"
		case "GetBucketTagging":
			return "s3:GetBucketTagging"
		}
		return "s3:" + op
	}
	return strings.ToLower(service) + ":" + op
}
