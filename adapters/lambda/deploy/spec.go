package deploy

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/aws/aws-sdk-go-v2/aws"
	ltypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/nextgo-dev/nextgo/bundler/manifest"
	"github.com/nextgo-dev/nextgo/internal/lambdalimit"
)

// Function settings common to every nextgo function.
const (
	fnRuntime = ltypes.RuntimeProvidedal2023
	fnHandler = "bootstrap"
)

// reservedEnv are the environment variables Lambda sets itself and refuses
// in a function's configuration (Lambda developer guide, "Defined runtime
// environment variables": reserved keys cannot be set).
var reservedEnv = []string{
	"_HANDLER", "_X_AMZN_TRACE_ID", "AWS_ACCESS_KEY", "AWS_ACCESS_KEY_ID",
	"AWS_DEFAULT_REGION", "AWS_EXECUTION_ENV", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE",
	"AWS_LAMBDA_FUNCTION_NAME", "AWS_LAMBDA_FUNCTION_VERSION",
	"AWS_LAMBDA_INITIALIZATION_TYPE", "AWS_LAMBDA_LOG_GROUP_NAME",
	"AWS_LAMBDA_LOG_STREAM_NAME", "AWS_LAMBDA_RUNTIME_API", "AWS_REGION",
	"AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "LAMBDA_RUNTIME_DIR",
	"LAMBDA_TASK_ROOT",
}

// fnSpec is the desired state of one function.
type fnSpec struct {
	fn          *manifest.Function
	name        string
	arch        ltypes.Architecture
	codeSHA     string // base64, as Lambda reports CodeSha256
	env         map[string]string
	tags        map[string]string
	description string
	routeKeys   []string // the front's routes to it (DesiredFunction.RouteKeys)
}

func lambdaArch(goarch string) (ltypes.Architecture, error) {
	name, ok := lambdalimit.Architectures[goarch]
	if !ok {
		return "", fmt.Errorf("architecture %q: want arm64 or amd64", goarch)
	}
	return ltypes.Architecture(name), nil
}

// specs derives the function states to deploy from the desired state,
// with the values of their environment, which the build holds.
func (s *session) specs(d *Desired) ([]*fnSpec, error) {
	out := make([]*fnSpec, 0, len(d.Functions))
	for i := range d.Functions {
		df := &d.Functions[i]
		fn := d.byFn[df.Name]
		// Checked by CheckManifest, with Build.Env.
		env, err := fn.Environ(d.build.Env)
		if err != nil {
			return nil, err
		}
		s.cacheEnv(fn, env)
		out = append(out, &fnSpec{
			fn:          fn,
			name:        df.Name,
			arch:        ltypes.Architecture(df.Arch),
			codeSHA:     df.CodeSHA256,
			env:         env,
			tags:        maps.Clone(df.Tags),
			description: df.Description,
			routeKeys:   df.RouteKeys,
		})
	}
	return out, nil
}

// maxDescription is the longest function description Lambda takes, in
// characters (API reference, CreateFunction: Description, "Length
// Constraints: Minimum length of 0. Maximum length of 256.").
const maxDescription = 256

// description is the function's description: "nextgo <pattern> (<file>)",
// cut to 256 characters (never inside a character), so that it reads the
// same on every deploy.
func description(fn *manifest.Function) string {
	file := fn.File
	if file == "" {
		file = "no file: Next's 404 and redirects"
	}
	d := fmt.Sprintf("nextgo %s (%s)", routeLabel(fn), file)
	if utf8.RuneCountInString(d) <= maxDescription {
		return d
	}
	return string([]rune(d)[:maxDescription])
}

// routePattern is the pattern FunctionName names fn by: its pattern, or ""
// for the fallback.
func routePattern(fn *manifest.Function) string {
	if isFallback(fn) {
		return ""
	}
	return fn.Pattern
}

// codeDiff lists what differs in the code of c from the spec.
func codeDiff(c *ltypes.FunctionConfiguration, s *fnSpec) []string {
	var d []string
	if aws.ToString(c.CodeSha256) != s.codeSHA {
		d = append(d, "code changed")
	}
	if len(c.Architectures) != 1 || c.Architectures[0] != s.arch {
		d = append(d, fmt.Sprintf("architecture %s → %s", archString(c.Architectures), s.arch))
	}
	return d
}

func archString(a []ltypes.Architecture) string {
	if len(a) == 0 {
		return "x86_64"
	}
	parts := make([]string, len(a))
	for i, x := range a {
		parts[i] = string(x)
	}
	return strings.Join(parts, ",")
}

// configDiff lists what differs in the configuration of c from the spec.
func configDiff(c *ltypes.FunctionConfiguration, s *fnSpec, role string) []string {
	var d []string
	if c.Runtime != fnRuntime {
		d = append(d, fmt.Sprintf("runtime %s → %s", c.Runtime, fnRuntime))
	}
	if aws.ToString(c.Handler) != fnHandler {
		d = append(d, fmt.Sprintf("handler %q → %q", aws.ToString(c.Handler), fnHandler))
	}
	if t := aws.ToInt32(c.Timeout); int(t) != s.fn.MaxDuration {
		d = append(d, fmt.Sprintf("timeout %d s → %d s", t, s.fn.MaxDuration))
	}
	if m := aws.ToInt32(c.MemorySize); int(m) != s.fn.Memory {
		d = append(d, fmt.Sprintf("memory %d MB → %d MB", m, s.fn.Memory))
	}
	if aws.ToString(c.Role) != role {
		d = append(d, "execution role")
	}
	if aws.ToString(c.Description) != s.description {
		d = append(d, "description")
	}
	var cur map[string]string
	if c.Environment != nil {
		cur = c.Environment.Variables
	}
	if e := envDiff(cur, s.env); e != "" {
		d = append(d, "environment: "+e)
	}
	return d
}

// envDiff describes the difference between two environments by variable
// name only: "API_KEY changed, DEBUG added, OLD removed".
func envDiff(cur, want map[string]string) string {
	var parts []string
	for _, k := range slices.Sorted(maps.Keys(want)) {
		v, ok := cur[k]
		switch {
		case !ok:
			parts = append(parts, k+" added")
		case v != want[k]:
			parts = append(parts, k+" changed")
		}
	}
	for _, k := range slices.Sorted(maps.Keys(cur)) {
		if _, ok := want[k]; !ok {
			parts = append(parts, k+" removed")
		}
	}
	return strings.Join(parts, ", ")
}

// tagsDiff reports whether the function's tags lack or contradict the
// spec's (other tags are left alone).
func tagsDiff(cur map[string]string, s *fnSpec) bool {
	for k, v := range s.tags {
		if cur[k] != v {
			return true
		}
	}
	return false
}
