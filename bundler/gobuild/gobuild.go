// Package gobuild runs the go command over an app: every build, vet and
// module edit of nextgo goes through Run, and Build compiles any number of
// main packages in one go build invocation, so that they share the build
// cache and the compiler's parallelism. A failed build is reported as an
// *Error whose positions name the user's files (the staged sources carry
// //line directives) and whose advice names what the user imports.
package gobuild

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"regexp"
	"strings"

	"github.com/nextgo-dev/nextgo"
	"github.com/nextgo-dev/nextgo/bundler/stage"
)

// Run runs the go command in dir, with env on top of the process's
// environment, and returns its standard output; on failure the error is a
// *GoError carrying its standard error.
func Run(ctx context.Context, dir string, env []string, args ...string) ([]byte, error) {
	cmd := exec.CommandContext(ctx, "go", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		msg := strings.TrimSpace(stderr.String())
		if msg == "" {
			msg = err.Error()
		}
		return out, &GoError{Verb: args[0], Output: msg}
	}
	return out, nil
}

// GoError is a failed go command: its verb and what it printed.
type GoError struct {
	Verb   string
	Output string
}

// Error is "go <verb>: <output>".
func (e *GoError) Error() string { return "go " + e.Verb + ": " + e.Output }

// Flags are the go command flags of every build of an app.
func Flags() []string { return []string{"-buildvcs=false"} }

// Env is the environment, on top of the user's, of every go command that
// builds an app: GOFLAGS without any -mod flag, so that the go command
// reads the app's own go.mod and go.sum read-only (or its vendor folder),
// and a missing requirement is its error and advice (go get …), never a
// silent choice.
func Env() []string {
	var keep []string
	for _, f := range strings.Fields(os.Getenv("GOFLAGS")) {
		if f != "-mod" && !strings.HasPrefix(f, "-mod=") && !strings.HasPrefix(f, "--mod=") {
			keep = append(keep, f)
		}
	}
	return []string{"GOFLAGS=" + strings.Join(keep, " ")}
}

// Build compiles the main packages patterns of the app in dir in one go
// build invocation, with Flags then flags, into out (a file for one
// package, a folder ending in a path separator for several), with Env then
// env as the environment on top of the user's. A failed build is an
// *Error.
func Build(ctx context.Context, dir string, env, flags []string, out string, patterns ...string) error {
	args := append([]string{"build"}, Flags()...)
	args = append(args, flags...)
	args = append(args, "-o", out)
	args = append(args, patterns...)
	_, err := Run(ctx, dir, append(Env(), env...), args...)
	return Report(err)
}

// Error is the go command's report of a failed build, with file:line
// positions in the user's files.
type Error struct{ Output string }

// Error is the go command's report.
func (e *Error) Error() string { return e.Output }

// Report turns a failed go build or vet (a *GoError) into an *Error whose
// advice names what the user imports, and says when nextgo's runtime needs
// `nextgo sync`. Other errors, and nil, are returned as they are.
func Report(err error) error {
	var ge *GoError
	if errors.As(err, &ge) {
		out := userAdvice(ge.Output)
		if runtimeNeedsSync(out) {
			out += "\nnextgo's runtime needs modules that go.mod and go.sum do not list yet (a new nextgo?): run `nextgo sync`"
		}
		return &Error{Output: out}
	}
	return err
}

// runtimeNeedsSync reports whether the go command's report says that the
// runtime's own imports are missing from go.mod or go.sum.
func runtimeNeedsSync(out string) bool {
	return strings.Contains(out, "(imported by "+nextgo.ModulePath+"/") && strings.Contains(out, "missing go.sum entry") ||
		strings.Contains(out, "updates to go.mod needed")
}

// stagedAdvice matches the go command's advice for a missing checksum of a
// package that a staged route imports: it names the staged package, which
// the user cannot see; the package itself is what to get.
var stagedAdvice = regexp.MustCompile(`(missing go\.sum entry for module providing package (\S+) \(imported by \S+/` + stage.Dir + `/\S+\); to add:\n\s*go get )\S+`)

// userAdvice rewrites the go command's advice to name what the user imports.
func userAdvice(msg string) string {
	return stagedAdvice.ReplaceAllString(msg, "${1}${2}")
}
