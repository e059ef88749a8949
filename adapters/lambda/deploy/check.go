package deploy

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"regexp"
	"slices"

	"github.com/nextgo-dev/nextgo/bundler/manifest"
	"github.com/nextgo-dev/nextgo/internal/lambdalimit"
)

// Limits of Lambda and API Gateway that CheckManifest enforces before
// anything changes.
const (
	// maxEnvSize is Lambda's limit on a function's environment: 4 KB,
	// measured on the JSON of the variables map. Lambda answers a larger
	// one with InvalidParameterValueException "Lambda was unable to
	// configure your environment variables because the environment
	// variables you have provided exceeded the 4KB limit. String measured:
	// {"KEY":"value",...}" (github-aws-runners/terraform-aws-github-runner#3594).
	maxEnvSize = lambdalimit.MaxEnvironment
	// maxRoutes and maxIntegrations are API Gateway's quotas per HTTP API
	// (API Gateway developer guide, "Quotas for configuring and running an
	// HTTP API": routes per API 300, integrations per API 300).
	maxRoutes       = 300
	maxIntegrations = 300
	// maxDirectZip is the largest zip Lambda takes in the request itself
	// (Lambda quotas: "50 MB (zipped, when uploaded through the Lambda API
	// or SDKs)"); larger zips go through the deploy bucket.
	maxDirectZip = lambdalimit.MaxZipUpload
	// maxUnzipped is Lambda's limit on a function's unzipped code (Lambda
	// quotas: "250 MB (unzipped)").
	maxUnzipped = lambdalimit.MaxUnzipped
)

// envNameRE is the pattern of environment variable names in Lambda's API
// model (Environment.Variables keys: [a-zA-Z]([a-zA-Z0-9_])+).
var envNameRE = regexp.MustCompile(`^[a-zA-Z][a-zA-Z0-9_]+$`)

// CheckManifest reports the first thing in a build that Lambda or API
// Gateway would refuse, as one line naming the route or the variable:
// an environment variable name outside Lambda's pattern or reserved by
// Lambda, an environment over 4 KB as Lambda measures it, more routes or
// integrations than an HTTP API holds, code over Lambda's unzipped limit.
// `nextgo build`, `nextgo deploy` and `--dry-run` call it before any
// change.
//
// env holds the values of the variables the manifest names (the app's
// production .env set): a variable missing from it, or values changed since
// the build, are errors too (see manifest.Function.Environ).
func CheckManifest(m *manifest.Manifest, env map[string]string) error {
	routes, integrations := 0, 0
	for i := range m.Functions {
		fn := &m.Functions[i]
		label := routeLabel(fn)
		fnEnv, err := fn.Environ(env)
		if err != nil {
			return err
		}
		for _, k := range fn.Env {
			switch {
			case !envNameRE.MatchString(k):
				return fmt.Errorf("route %s: environment variable %q: Lambda takes names of a letter then letters, digits and '_' ([a-zA-Z][a-zA-Z0-9_]+)", label, k)
			case slices.Contains(reservedEnv, k):
				return fmt.Errorf("route %s: environment variable %s is reserved by Lambda, which sets it itself: remove it from the production .env files", label, k)
			}
		}
		if n := envSize(fnEnv); n > maxEnvSize {
			return fmt.Errorf("route %s: its environment is %d bytes as Lambda measures it (the JSON of the variables), over Lambda's 4 KB; the largest is %s", label, n, largestVar(fnEnv))
		}
		if fn.BinarySize > maxUnzipped {
			return fmt.Errorf("route %s: its code is %d MB unzipped, over Lambda's 250 MB", label, fn.BinarySize>>20)
		}
		keys, err := RouteKeys(*fn)
		if err != nil {
			return err
		}
		routes += len(keys)
		integrations++
	}
	if routes > maxRoutes {
		return fmt.Errorf("the app needs %d API Gateway routes, over the HTTP API quota of %d", routes, maxRoutes)
	}
	if integrations > maxIntegrations {
		return fmt.Errorf("the app needs %d API Gateway integrations (one per route file), over the HTTP API quota of %d", integrations, maxIntegrations)
	}
	return nil
}

// envSize is the size of an environment as Lambda measures it: the bytes
// of its JSON object.
func envSize(env map[string]string) int {
	if len(env) == 0 {
		return 0
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.Encode(env)
	return buf.Len() - 1 // the encoder's newline
}

// largestVar names the variable taking the most room.
func largestVar(env map[string]string) string {
	best, size := "", -1
	for _, k := range slices.Sorted(maps.Keys(env)) {
		if n := len(k) + len(env[k]); n > size {
			best, size = k, n
		}
	}
	return fmt.Sprintf("%s (%d bytes)", best, size)
}
