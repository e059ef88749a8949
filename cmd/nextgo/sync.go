package main

import (
	"context"
	"fmt"

	"github.com/nextgo-dev/nextgo/bundler"
	"github.com/spf13/cobra"
)

func newSyncCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "sync [dir]",
		Short: "Set the app up for the go command and editors (run it after cloning)",
		Long: `Make the app in dir (default: the current directory) an ordinary Go module
that builds against this nextgo:

  - write nextgo's runtime, embedded in this CLI, into .nextgo/runtime (the
    app's go.mod replaces github.com/nextgo-dev/nextgo with it: nextgo is not
    published to a module proxy), and the packages driver for editors into
    .nextgo/bin;
  - make go.mod require this nextgo's version, replace it with .nextgo/runtime
    and ignore the route trees (app and pages/api, which nextgo compiles);
  - write nextgo_imports.go, which lists the routes' imports for go mod tidy;
  - add nextgo's own checksums to go.sum and run go mod tidy.

.nextgo is not committed: after cloning an app, run nextgo sync once before
using the go command on it. After upgrading nextgo, run it to move the app to
the new version. Other nextgo commands keep .nextgo/runtime current and refuse
a go.mod that needs nextgo sync.`,
		Example: `  git clone example.com/shop && cd shop && nextgo sync`,
		Args:    cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			dir := appDir(args)
			if err := syncApp(cmd.Context(), dir); err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "✓ %s builds against nextgo's runtime in .nextgo/runtime; go.mod and go.sum are tidy\n", dir)
			return nil
		},
	}
}

// syncApp sets the app in dir up: runtime, go.mod, imports, go mod tidy
// and the packages driver.
func syncApp(ctx context.Context, dir string) error {
	if err := bundler.Sync(ctx, dir, bundler.SyncOptions{Tidy: true}); err != nil {
		return err
	}
	_, err := installDriver(dir)
	return err
}
