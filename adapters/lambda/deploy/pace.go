package deploy

import (
	"context"
	"sync"
	"time"

	"github.com/aws/smithy-go/middleware"
)

// lambdaRate is how many Lambda control-plane requests per second a
// session sends: under Lambda's quota of 15 (Lambda quotas, "Lambda API
// requests"), which GetPolicy has on its own too, while GetFunction's is
// 100. Pacing the calls keeps a large deploy from spending its time in
// TooManyRequestsException backoffs; those that still come (other tools
// share the account's quota) are retried.
const lambdaRate = 12

// pacer spaces out calls to at most rate per second.
type pacer struct {
	mu       sync.Mutex
	next     time.Time
	interval time.Duration
}

func newPacer(rate int) *pacer { return &pacer{interval: time.Second / time.Duration(rate)} }

// wait blocks until the caller's turn.
func (p *pacer) wait(ctx context.Context) error {
	p.mu.Lock()
	now := time.Now()
	if p.next.Before(now) {
		p.next = now
	}
	at := p.next
	p.next = p.next.Add(p.interval)
	p.mu.Unlock()
	if d := time.Until(at); d > 0 {
		t := time.NewTimer(d)
		defer t.Stop()
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
		}
	}
	return nil
}

// lambdaPacing paces every attempt of a Lambda call by its quota:
// GetFunction's is high enough not to pace, GetPolicy has a pacer of its
// own, every other operation but Invoke shares the control plane's.
func lambdaPacing() func(*middleware.Stack) error {
	control, policy := newPacer(lambdaRate), newPacer(lambdaRate)
	return func(st *middleware.Stack) error {
		return st.Finalize.Add(middleware.FinalizeMiddlewareFunc("nextgoPacing",
			func(ctx context.Context, in middleware.FinalizeInput, next middleware.FinalizeHandler) (middleware.FinalizeOutput, middleware.Metadata, error) {
				var p *pacer
				switch middleware.GetOperationName(ctx) {
				case "GetFunction", "Invoke":
				case "GetPolicy":
					p = policy
				default:
					p = control
				}
				if p != nil {
					if err := p.wait(ctx); err != nil {
						return middleware.FinalizeOutput{}, middleware.Metadata{}, err
					}
				}
				return next.HandleFinalize(ctx, in)
			}), middleware.After)
	}
}
