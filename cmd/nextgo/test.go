package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"slices"
	"strings"

	"github.com/nextgo-dev/nextgo/bundler"
	"github.com/nextgo-dev/nextgo/bundler/dotenv"
	"github.com/spf13/cobra"
)

func newTestCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "test [dir] [-- go test flags]",
		Short: "Run the tests placed next to routes, and the app's own",
		Long: `Run go test on the app: the *_test.go files placed next to routes, each
compiled with its route as nextgo stages it (a test under pages/api is named
after its route: user.go, user_test.go; a test under app/ belongs to the
route of its folder), and the app's own packages outside pages/api and app/.
Tests call a route in process with github.com/nextgo-dev/nextgo/runtime/routetest.

The test set of the .env files is loaded (.env.test.local, .env.test, .env;
the real environment wins). Flags after -- go to go test; package names in
its output are the route files.`,
		Example: `  nextgo test
  nextgo test myapp -- -run TestUser -v -count=1`,
		Args: func(cmd *cobra.Command, args []string) error {
			if n := cmd.ArgsLenAtDash(); n >= 0 {
				args = args[:n]
			}
			return cobra.MaximumNArgs(1)(cmd, args)
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			var flags []string
			if n := cmd.ArgsLenAtDash(); n >= 0 {
				args, flags = args[:n], args[n:]
			}
			return runTest(cmd.Context(), appDir(args), flags, cmd.OutOrStdout(), cmd.ErrOrStderr())
		},
	}
}

func runTest(ctx context.Context, dir string, flags []string, stdout, stderr io.Writer) error {
	p, err := bundler.Load(ctx, dir)
	if err != nil {
		return err
	}
	pkgs, release, err := p.PrepareTests(ctx)
	if err != nil {
		return err
	}
	defer release()
	if len(pkgs) == 0 {
		fmt.Fprintln(stdout, "no tests: put *_test.go files next to your routes or in the app's packages")
		return nil
	}
	env, _, err := dotenv.Load(p.Dir, dotenv.Test)
	if err != nil {
		return err
	}
	args := append([]string{"test"}, p.GoFlags()...)
	args = append(args, flags...)
	args = append(args, pkgs...)
	c := exec.CommandContext(ctx, "go", args...)
	c.Dir = p.Dir
	c.Env = append(os.Environ(), p.GoEnv()...)
	for k, v := range env {
		if _, set := os.LookupEnv(k); !set {
			c.Env = append(c.Env, k+"="+v)
		}
	}
	c.Stderr = stderr
	jsonOut := slices.ContainsFunc(flags, func(f string) bool { return f == "-json" || f == "-json=true" })
	if jsonOut {
		c.Stdout = stdout
		return testErr(c.Run())
	}
	pipe, err := c.StdoutPipe()
	if err != nil {
		return err
	}
	if err := c.Start(); err != nil {
		return fmt.Errorf("run go test: %w", err)
	}
	names := stagedNames(p)
	sc := bufio.NewScanner(pipe)
	sc.Buffer(make([]byte, 64<<10), 4<<20)
	for sc.Scan() {
		fmt.Fprintln(stdout, names.Replace(sc.Text()))
	}
	_, _ = io.Copy(stdout, pipe) // a line past the buffer's limit
	return testErr(c.Wait())
}

// stagedNames replaces the import paths of staged route packages with the
// route files in go test's output.
func stagedNames(p *bundler.Project) *strings.Replacer {
	var pairs []string
	for _, r := range p.Table.Routes {
		pairs = append(pairs, p.RoutePackage(r), r.File)
	}
	// Longest first, so that api-post is not replaced inside api-post-_pid.
	sortPairsByLength(pairs)
	return strings.NewReplacer(pairs...)
}

func sortPairsByLength(pairs []string) {
	type pair struct{ from, to string }
	ps := make([]pair, 0, len(pairs)/2)
	for i := 0; i+1 < len(pairs); i += 2 {
		ps = append(ps, pair{pairs[i], pairs[i+1]})
	}
	slices.SortStableFunc(ps, func(a, b pair) int { return len(b.from) - len(a.from) })
	for i, p := range ps {
		pairs[2*i], pairs[2*i+1] = p.from, p.to
	}
}

// testErr turns go test's failure into a one-line error; its output has
// the details.
func testErr(err error) error {
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return fmt.Errorf("tests failed")
	}
	if err != nil {
		return fmt.Errorf("run go test: %w", err)
	}
	return nil
}
