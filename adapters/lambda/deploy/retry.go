package deploy

import (
	"context"
	"math/rand/v2"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/smithy-go"
)

// maxBackoff caps one sleep of retryDo.
const maxBackoff = 8 * time.Second

// retryDo runs op up to attempts times while it fails with an error that
// retryable accepts, sleeping a jittered, doubling delay between attempts.
// It returns op's last error.
func (s *session) retryDo(ctx context.Context, attempts int, retryable func(error) bool, op func() error) error {
	var err error
	for i := range attempts {
		if err = op(); err == nil || !retryable(err) {
			return err
		}
		if i == attempts-1 {
			break
		}
		d := s.opts.backoff << i
		if d > maxBackoff || d <= 0 {
			d = maxBackoff
		}
		d = d/2 + rand.N(d/2+1)
		t := time.NewTimer(d)
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-t.C:
		}
	}
	return err
}

// isConflict reports Lambda's ResourceConflictException: another update of
// the function is in progress.
func isConflict(err error) bool {
	return errorCode(err) == "ResourceConflictException"
}

// isRoleNotReady reports the error Lambda returns while a new execution
// role has not propagated yet.
func isRoleNotReady(err error) bool {
	var ae smithy.APIError
	if !asAPIError(err, &ae) {
		return false
	}
	return ae.ErrorCode() == "InvalidParameterValueException" &&
		strings.Contains(ae.ErrorMessage(), "cannot be assumed by Lambda")
}

// withConflictRetry runs a mutating call on function name, retrying when
// Lambda reports an update in progress, after waiting for it to finish.
func (s *session) withConflictRetry(ctx context.Context, name string, op func() error) error {
	return s.retryDo(ctx, 6, isConflict, func() error {
		err := op()
		if isConflict(err) {
			// Best effort: the retry itself reports a persistent conflict.
			_ = s.waitUpdated(ctx, name)
		}
		return err
	})
}

// waitUpdated waits until the last update of the function's $LATEST is
// done, with the SDK's FunctionUpdatedV2 waiter.
func (s *session) waitUpdated(ctx context.Context, name string) error {
	w := lambda.NewFunctionUpdatedV2Waiter(s.lambda, func(o *lambda.FunctionUpdatedV2WaiterOptions) {
		o.MinDelay = s.opts.poll
		o.MaxDelay = 10 * s.opts.poll
	})
	return w.Wait(ctx, &lambda.GetFunctionInput{FunctionName: &name}, s.opts.WaitTimeout)
}

// waitActive waits until the function (qualifier "" for $LATEST, or a
// version) is Active, with the SDK's FunctionActiveV2 waiter.
func (s *session) waitActive(ctx context.Context, name, qualifier string) error {
	w := lambda.NewFunctionActiveV2Waiter(s.lambda, func(o *lambda.FunctionActiveV2WaiterOptions) {
		o.MinDelay = s.opts.poll
		o.MaxDelay = 10 * s.opts.poll
	})
	in := &lambda.GetFunctionInput{FunctionName: &name}
	if qualifier != "" {
		in.Qualifier = &qualifier
	}
	return w.Wait(ctx, in, s.opts.WaitTimeout)
}

// forEach runs fn on every item, at most limit at a time, and joins the
// errors. Every item runs even when another fails, so that one bad function
// does not hide the state of the others.
func forEach[T any](ctx context.Context, limit int, items []T, fn func(context.Context, T) error) []error {
	errs := make([]error, len(items))
	sem := make(chan struct{}, max(limit, 1))
	var wg sync.WaitGroup
	for i, it := range items {
		sem <- struct{}{}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			errs[i] = fn(ctx, it)
		}()
	}
	wg.Wait()
	return errs
}
