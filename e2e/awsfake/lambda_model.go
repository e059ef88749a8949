package awsfake

import (
	"bytes"
	"encoding/json"
	"maps"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/nextgo-dev/nextgo/internal/lambdalimit"
)

// fnConfig is the versioned part of a function: code and configuration.
type fnConfig struct {
	Runtime     string
	Handler     string
	Role        string
	Description string
	Timeout     int
	MemorySize  int
	Env         map[string]string
	Arch        string
	CodeSHA     string // base64 SHA-256 of the zip, as Lambda reports it
	CodeHex     string // hex SHA-256: the stored zip's name
	CodeSize    int64
}

func (c fnConfig) equal(d fnConfig) bool {
	return c.Runtime == d.Runtime && c.Handler == d.Handler && c.Role == d.Role &&
		c.Description == d.Description && c.Timeout == d.Timeout && c.MemorySize == d.MemorySize &&
		maps.Equal(c.Env, d.Env) && c.Arch == d.Arch && c.CodeSHA == d.CodeSHA
}

// function is one Lambda function.
type function struct {
	name     string
	arn      string
	latest   fnConfig
	modified time.Time
	revision string

	state        string // Pending, Active, Failed
	lastUpdate   string // InProgress, Successful, Failed
	updateReason string
	pending      int    // reads left before the pending state settles
	settleState  string // state after pending
	settleUpdate string // lastUpdate after pending

	versions []*fnVersion // published, version i+1 at index i
	aliases  map[string]*fnAlias
	tags     map[string]string
	policies map[string][]statement // by qualifier; "" is the function itself
}

// fnVersion is one published version.
type fnVersion struct {
	number      string
	cfg         fnConfig
	description string
	modified    time.Time
	revision    string
	pending     int // reads left while Pending
}

// fnAlias is one alias.
type fnAlias struct {
	name        string
	version     string
	description string
	revision    string
}

// statement is one statement of a resource policy.
type statement struct {
	Sid       string                       `json:"Sid"`
	Effect    string                       `json:"Effect"`
	Principal map[string]string            `json:"Principal"`
	Action    string                       `json:"Action"`
	Resource  string                       `json:"Resource"`
	Condition map[string]map[string]string `json:"Condition,omitempty"`
}

// inProgress reports whether an update or creation has not settled yet.
func (f *function) inProgress() bool { return f.pending > 0 }

// read advances the pending state after a read of $LATEST.
func (f *function) read() {
	if f.pending == 0 {
		return
	}
	f.pending--
	if f.pending == 0 {
		f.state, f.lastUpdate = f.settleState, f.settleUpdate
	}
}

// version returns a published version by number.
func (f *function) version(n string) *fnVersion {
	for _, v := range f.versions {
		if v.number == n {
			return v
		}
	}
	return nil
}

// resolve returns the configuration a qualifier names: "" or $LATEST,
// a version number, or an alias (then also the version it points at).
func (f *function) resolve(q string) (cfg fnConfig, version string, ok bool) {
	switch {
	case q == "" || q == "$LATEST":
		return f.latest, "$LATEST", true
	case f.version(q) != nil:
		return f.version(q).cfg, q, true
	case f.aliases[q] != nil:
		v := f.version(f.aliases[q].version)
		if v == nil {
			return fnConfig{}, "", false
		}
		return v.cfg, v.number, true
	}
	return fnConfig{}, "", false
}

const lambdaTime = "2006-01-02T15:04:05.000-0700"

// configJSON renders a FunctionConfiguration as Lambda does.
func (f *function) configJSON(q string) map[string]any {
	cfg, version, _ := f.resolve(q)
	arn := f.arn
	modified, revision := f.modified, f.revision
	state, lastUpdate := f.state, f.lastUpdate
	description := cfg.Description
	if version != "$LATEST" {
		arn += ":" + q
		v := f.version(version)
		modified, revision = v.modified, v.revision
		state, lastUpdate = "Active", "Successful"
		if v.pending > 0 {
			state = "Pending"
		}
	}
	m := map[string]any{
		"FunctionName":     f.name,
		"FunctionArn":      arn,
		"Runtime":          cfg.Runtime,
		"Role":             cfg.Role,
		"Handler":          cfg.Handler,
		"CodeSize":         cfg.CodeSize,
		"Description":      description,
		"Timeout":          cfg.Timeout,
		"MemorySize":       cfg.MemorySize,
		"LastModified":     modified.UTC().Format(lambdaTime),
		"CodeSha256":       cfg.CodeSHA,
		"Version":          version,
		"TracingConfig":    map[string]string{"Mode": "PassThrough"},
		"RevisionId":       revision,
		"State":            state,
		"LastUpdateStatus": lastUpdate,
		"PackageType":      "Zip",
		"Architectures":    []string{cfg.Arch},
		"EphemeralStorage": map[string]int{"Size": 512},
		"LoggingConfig":    map[string]string{"LogFormat": "Text", "LogGroup": "/aws/lambda/" + f.name},
	}
	if len(cfg.Env) > 0 {
		m["Environment"] = map[string]any{"Variables": cfg.Env}
	}
	if state == "Pending" {
		m["StateReason"] = "The function is being created."
		m["StateReasonCode"] = "Creating"
	}
	if lastUpdate == "Failed" && version == "$LATEST" {
		m["LastUpdateStatusReason"] = f.updateReason
		m["LastUpdateStatusReasonCode"] = "InternalError"
	}
	return m
}

// policyJSON renders the resource policy of a qualifier.
func (f *function) policyJSON(q string) string {
	doc := map[string]any{"Version": "2012-10-17", "Id": "default", "Statement": f.policies[q]}
	b, _ := json.Marshal(doc)
	return string(b)
}

// reservedEnv are the variables Lambda refuses in a configuration.
var reservedEnv = []string{
	"_HANDLER", "_X_AMZN_TRACE_ID", "AWS_ACCESS_KEY", "AWS_ACCESS_KEY_ID",
	"AWS_DEFAULT_REGION", "AWS_EXECUTION_ENV", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE",
	"AWS_LAMBDA_FUNCTION_NAME", "AWS_LAMBDA_FUNCTION_VERSION",
	"AWS_LAMBDA_INITIALIZATION_TYPE", "AWS_LAMBDA_LOG_GROUP_NAME",
	"AWS_LAMBDA_LOG_STREAM_NAME", "AWS_LAMBDA_RUNTIME_API", "AWS_REGION",
	"AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "LAMBDA_RUNTIME_DIR",
	"LAMBDA_TASK_ROOT",
}

var (
	envKeyRE       = regexp.MustCompile(`^[a-zA-Z]([a-zA-Z0-9_])+$`)
	functionNameRE = regexp.MustCompile(`^[a-zA-Z0-9-_]{1,64}$`)
	tagRE          = regexp.MustCompile(`^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$`)
	sidRE          = regexp.MustCompile(`^[a-zA-Z0-9-_]{1,100}$`)
	aliasNameRE    = regexp.MustCompile(`^[a-zA-Z0-9-_]{1,128}$`)
	digitsRE       = regexp.MustCompile(`^[0-9]+$`)
)

// runtimes are the runtimes the fake accepts.
var runtimes = []string{"provided.al2023", "provided.al2", "nodejs22.x", "nodejs20.x", "python3.13", "python3.12", "java21"}

// checkEnv validates an environment as Lambda does. The 4 KB limit is on
// the JSON of the variables map, which Lambda quotes in its error
// ("exceeded the 4KB limit. String measured: {...}",
// github-aws-runners/terraform-aws-github-runner#3594).
func checkEnv(env map[string]string) *awsError {
	var reserved []string
	for k := range env {
		if slices.Contains(reservedEnv, k) {
			reserved = append(reserved, k)
		}
		if !envKeyRE.MatchString(k) {
			return lambdaValidation("1 validation error detected: Value at 'environment.variables' failed to satisfy constraint: Map keys must satisfy constraint: [Member must satisfy regular expression pattern: [a-zA-Z]([a-zA-Z0-9_])+]")
		}
	}
	if len(reserved) > 0 {
		slices.Sort(reserved)
		return lambdaInvalid("Lambda was unable to configure your environment variables because the environment variables you have provided contains reserved keys that are currently not supported for modification. Reserved keys used in this request: %s", strings.Join(reserved, ", "))
	}
	var measured bytes.Buffer
	enc := json.NewEncoder(&measured)
	enc.SetEscapeHTML(false)
	enc.Encode(env)
	if s := strings.TrimSuffix(measured.String(), "\n"); len(env) > 0 && len(s) > lambdalimit.MaxEnvironment {
		return lambdaInvalid("Lambda was unable to configure your environment variables because the environment variables you have provided exceeded the 4KB limit. String measured: %s", s)
	}
	return nil
}

// checkTags validates tags as Lambda does.
func checkTags(tags map[string]string) *awsError {
	if len(tags) > 50 {
		return lambdaInvalid("Number of tags exceeds resource tag limit.")
	}
	for k, v := range tags {
		if k == "" || utf8.RuneCountInString(k) > 128 || !tagRE.MatchString(k) || strings.HasPrefix(strings.ToLower(k), "aws:") {
			return lambdaInvalid("Tag key %q is not valid: 1 to 128 letters, digits, spaces and _.:/=+-@, not starting with aws:", k)
		}
		if utf8.RuneCountInString(v) > 256 || !tagRE.MatchString(v) {
			return lambdaInvalid("Tag value %q of key %q is not valid: up to 256 letters, digits, spaces and _.:/=+-@", v, k)
		}
	}
	return nil
}
