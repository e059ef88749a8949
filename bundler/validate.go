package bundler

import (
	"fmt"

	"github.com/nextgo-dev/nextgo/runtime/api"
)

// Lambda's limits, checked when a route is built.
const (
	MaxLambdaDuration = 900   // seconds
	MinLambdaMemory   = 128   // MB
	MaxLambdaMemory   = 10240 // MB
)

// validateConfig checks the statically read Config of r. Errors name the
// file and the line of the Config declaration.
func validateConfig(r Route) error {
	c := r.Config
	fail := func(format string, args ...any) error {
		return &PosError{File: r.File, Line: c.Line, Col: 1, Msg: fmt.Sprintf(format, args...)}
	}
	if c.MaxDuration < 0 || c.MaxDuration > MaxLambdaDuration {
		return fail("MaxDuration %d is out of range: a Lambda function runs for 1 to %d seconds", c.MaxDuration, MaxLambdaDuration)
	}
	if c.Memory != 0 && (c.Memory < MinLambdaMemory || c.Memory > MaxLambdaMemory) {
		return fail("Memory %d is out of range: Lambda takes %d to %d MB", c.Memory, MinLambdaMemory, MaxLambdaMemory)
	}
	for _, s := range []struct{ field, v string }{
		{"BodyParser.SizeLimit", c.SizeLimit}, {"ResponseLimit", c.ResponseLimit}, {"BodySizeLimit", c.BodySizeLimit},
	} {
		if s.v == "" {
			continue
		}
		if _, err := api.ParseSize(s.v); err != nil {
			return fail("%s %q is not a size: write it as the bytes package does, e.g. \"500kb\" or \"4mb\" (%v)", s.field, s.v, err)
		}
	}
	if r.Kind == KindRoute && c.Revalidate < 0 {
		return fail("Invalid segment configuration options detected for %q. Read more at https://nextjs.org/docs/app/api-reference/file-conventions/route-segment-config\nInvalid revalidate value %d on %q, must be a non-negative number or false", r.Pattern, c.Revalidate, r.Pattern)
	}
	return nil
}
