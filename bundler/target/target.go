// Package target is the bundler's platform seam: a Target says how an
// app's routes become programs for one platform (how many, with which
// generated main and settings), how the go command compiles them (GOOS,
// GOARCH, build tags, flags) and what each binary is packaged as. The
// bundler stages, compiles, packages and records a build through this one
// interface, as ko puts its builders behind build.Interface.
//
// Lambda builds one function per route, plus a fallback function for the
// paths no route serves, each a bootstrap in a zip (Lambda); Dev builds
// the one process of `nextgo dev` that serves every route (Dev). A new
// platform is one more implementation of Target.
package target

import (
	"github.com/nextgo-dev/nextgo/bundler/routes"
	"github.com/nextgo-dev/nextgo/bundler/stage"
)

// Target is a platform an app is built for.
type Target interface {
	// Name names the target: the stage folder of its generated mains and
	// the prefix of its binaries' folder.
	Name() string
	// Arch resolves the GOARCH to build for from arch as asked (""
	// for the target's default), refusing one the platform cannot run.
	Arch(arch string) (string, error)
	// Programs returns the programs the app is built into, in the table's
	// order, each with its generated main and its settings, and warnings
	// naming settings the platform cannot honour. Errors name the file and
	// line of the setting at fault.
	Programs(app stage.App, t *routes.Table) ([]Program, []string, error)
	// Imports are the packages of nextgo that the target's generated mains
	// may import, so that the app's go.mod keeps their modules.
	Imports() []string
	// GoEnv is the environment, on top of the user's, of the go build
	// that compiles the programs for arch: GOOS, GOARCH, CGO_ENABLED.
	GoEnv(arch string) []string
	// BuildFlags are the go build flags of every program: build tags,
	// linker flags, -trimpath.
	BuildFlags() []string
	// Artifact is the path, slash-separated and relative to the build's
	// output directory, of the artifact of the program named name.
	Artifact(name string) string
	// Package turns a program's binary into the artifact the platform
	// runs. The same binary gives the same bytes.
	Package(bin []byte) ([]byte, error)
}

// Program is one executable a target builds from the app.
type Program struct {
	// Name names the program: its binary and, on Lambda, its function
	// ("api-post-_pid", "_fallback").
	Name string
	// Dir is the stage-relative folder of its main package
	// ("lambda/api-post-_pid", "dev").
	Dir string
	// Main is its generated main.go.
	Main []byte
	// Route is the route it serves, the fallback route for the paths no
	// route serves, or the zero Route for a program that serves them all.
	Route routes.Route
	// Settings are its resolved settings.
	Settings Effective
}

// Effective is a route's resolved settings for its function: its Config
// with the project's defaults applied.
type Effective struct {
	MaxDuration int   // seconds
	Memory      int   // MB
	BodyLimit   int64 // bytes; -1: no limit (body parser disabled)
	// BodyLimitText is the limit as configured ("1mb"), echoed in 413s.
	BodyLimitText string
	Cache         string
	Streaming     bool
	// SharedCache: the function caches GETs or revalidates, so it links
	// the shared store (adapters/lambda/s3cache), which its environment
	// may choose.
	SharedCache bool
}
