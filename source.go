// Package nextgo is the root of the nextgo module. It embeds the module's
// own runtime source so that the CLI can make `github.com/nextgo-dev/nextgo`
// resolvable for any app, offline, without a published module (see
// bundler.EnsureRuntime).
//
// The packages users import are runtime/api, runtime/server and
// runtime/navigation; the CLI is cmd/nextgo.
package nextgo

import "embed"

// Source holds the files an app's build needs from this module: go.mod,
// go.sum, the runtime and adapter packages and the internal packages they
// import.
//
//go:embed go.mod go.sum runtime adapters internal/pipeline internal/lambdalimit internal/linebatch internal/jsonstr internal/quietio
var Source embed.FS

// ModulePath is nextgo's own module path: the module apps require, and the
// prefix of the packages generated code imports.
const ModulePath = "github.com/nextgo-dev/nextgo"

// Version is the nextgo version. Builds record it, and it is part of every
// route's build inputs.
const Version = "0.1.0"
