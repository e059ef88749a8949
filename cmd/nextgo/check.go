package main

import (
	"encoding/json"
	"errors"
	"fmt"

	"github.com/nextgo-dev/nextgo/bundler"
	"github.com/spf13/cobra"
)

func newCheckCmd() *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "check [dir]",
		Short: "Type-check and vet the whole app: every route as it will be compiled, and every package",
		Long: `Check the whole app, as go vet ./... would if route folders were packages:
every route as nextgo compiles it (its own files, with its tests), the
middleware and every other package of the module. Every syntax, type and
import error of every package is reported, not only the first, then go vet's
analyzers run over everything that compiles. Errors name your files and
lines (pages/api/post/[pid].go:12:3). Use it where you would use go vet ./...

With --json, the report is one JSON object: {"routes", "packages",
"diagnostics": [{"file", "line", "col", "category", "message"}]}, where
category is "syntax", "type", "load" or the vet analyzer's name.`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			dir := appDir(args)
			driver, err := installDriver(dir)
			if err != nil {
				return err
			}
			var res *bundler.CheckResult
			p, err := bundler.Load(cmd.Context(), dir)
			var me *bundler.ModuleError
			switch {
			case errors.As(err, &me):
				return err
			case err != nil:
				// Routes that do not load: report them with every other
				// problem.
				res, err = bundler.CheckUnloadable(cmd.Context(), dir, driver, err)
			default:
				res, err = p.Check(cmd.Context(), driver)
			}
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			if asJSON {
				if res.Diagnostics == nil {
					res.Diagnostics = []bundler.Diagnostic{}
				}
				b, err := json.MarshalIndent(res, "", "  ")
				if err != nil {
					return err
				}
				fmt.Fprintln(out, string(b))
			} else {
				for _, d := range res.Diagnostics {
					fmt.Fprintln(cmd.ErrOrStderr(), d)
				}
			}
			if n := len(res.Diagnostics); n > 0 {
				return fmt.Errorf("check failed: %d %s", n, plural(n, "problem", "problems"))
			}
			if !asJSON {
				fmt.Fprintf(out, "✓ %d %s and %d %s check\n", res.Routes, plural(res.Routes, "route", "routes"), res.Packages, plural(res.Packages, "package", "packages"))
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the report as JSON")
	return cmd
}

// plural picks the word for n.
func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
