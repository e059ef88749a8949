// Package manifest is the description of a build that `nextgo build`
// writes as manifest.json beside the functions' artifacts, and that
// `nextgo start`, `nextgo invoke`, `nextgo deploy` and exports read: the
// app, the target's architecture, and per function its route, its
// settings, its artifact and the names and digest of its environment.
package manifest

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"maps"
	"slices"
)

// Version is the schema version written to manifest.json.
const Version = 2

// File is the manifest's file name in a build's output directory.
const File = "manifest.json"

// Manifest describes the output of `nextgo build`: one Lambda function per
// route. It is written as manifest.json in the output directory and read by
// `nextgo start`, `nextgo invoke` and `nextgo deploy`.
type Manifest struct {
	Version   int        `json:"version"`
	App       string     `json:"app"`       // project name (nextgo.json "name", else the module's last path element)
	Module    string     `json:"module"`    // the app's Go module path
	Arch      string     `json:"arch"`      // "arm64" or "amd64" (GOARCH spelling)
	Nextgo    string     `json:"nextgo"`    // nextgo version that built it
	Functions []Function `json:"functions"` // in route precedence order
}

// Function is one route compiled into one Lambda function.
type Function struct {
	Name          string   `json:"name"`                    // stable, DNS-safe, unique in the app: e.g. "api-post-pid"
	Pattern       string   `json:"pattern"`                 // Next-style route pattern: "/api/post/[pid]"
	File          string   `json:"file"`                    // route file relative to the app: "pages/api/post/[pid].go"
	Kind          string   `json:"kind"`                    // "api" (pages/api) or "route" (app/**/route.go)
	Methods       []string `json:"methods"`                 // methods served; API routes serve every method: ["*"]
	MaxDuration   int      `json:"maxDuration"`             // seconds: Lambda timeout
	Memory        int      `json:"memory"`                  // MB
	BodyLimit     int64    `json:"bodyLimit"`               // bytes; -1 when the body parser is disabled (no limit)
	BodyLimitText string   `json:"bodyLimitText,omitempty"` // the limit as configured ("1mb"), echoed in 413s
	Cache         string   `json:"cache"`                   // "none", "static" or "revalidate=N"
	Arch          string   `json:"arch"`                    // "arm64" or "amd64"
	Zip           string   `json:"zip"`                     // path of the zip, relative to the manifest's directory
	SHA256        string   `json:"sha256"`                  // hex SHA-256 of the zip
	Size          int64    `json:"size"`                    // zip size in bytes
	BinarySize    int64    `json:"binarySize"`              // size of bootstrap in bytes
	Streaming     bool     `json:"streaming"`               // the route streams: Function URL RESPONSE_STREAM
	SharedCache   bool     `json:"sharedCache,omitempty"`   // caches GETs or revalidates: uses the app's shared response cache

	// Env names the variables of the function's environment (the app's
	// production .env set) and EnvSHA256 digests them with their values, so
	// that a change is seen; the values themselves are never written: they
	// are read from the .env files when the function runs or is deployed
	// (see Environ).
	Env       []string `json:"env,omitempty"`
	EnvSHA256 string   `json:"envSha256,omitempty"`
}

// SetEnv records env as the function's environment: its names and digest.
func (f *Function) SetEnv(env map[string]string) {
	f.Env = slices.Sorted(maps.Keys(env))
	f.EnvSHA256 = ""
	if len(env) > 0 {
		f.EnvSHA256 = EnvDigest(env)
	}
}

// Environ returns the function's environment taken from env (the app's
// production .env set as read now): the variables f.Env names. It fails,
// naming the first variable concerned but never a value, when one is
// missing or when their values changed since the build.
func (f *Function) Environ(env map[string]string) (map[string]string, error) {
	out := make(map[string]string, len(f.Env))
	for _, k := range f.Env {
		v, ok := env[k]
		if !ok {
			return nil, fmt.Errorf("function %s: %s is no longer set (.env files or the environment): build again", f.Name, k)
		}
		out[k] = v
	}
	if len(out) > 0 && EnvDigest(out) != f.EnvSHA256 {
		return nil, fmt.Errorf("function %s: the environment changed since the build (.env files or the environment): build again", f.Name)
	}
	return out, nil
}

// EnvDigest is the hex SHA-256 of an environment: its names and values,
// sorted by name. It covers the whole set at once, never one value alone.
func EnvDigest(env map[string]string) string {
	h := sha256.New()
	for _, k := range slices.Sorted(maps.Keys(env)) {
		fmt.Fprintf(h, "%d:%s%d:%s", len(k), k, len(env[k]), env[k])
	}
	return hex.EncodeToString(h.Sum(nil))
}
