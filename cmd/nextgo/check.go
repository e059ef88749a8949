package main

import (
	"fmt"

	"github.com/nextgo-dev/nextgo/bundler"
	"github.com/spf13/cobra"
)

func newCheckCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "check [dir]",
		Short: "Type-check every route as it will be compiled",
		Long: `Stage every route exactly as nextgo dev and nextgo build compile it and run
the Go type checker and vet over them. Errors name your files and lines
(pages/api/post/[pid].go:12:3). Use it where you would use go vet ./...`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			p, err := bundler.Load(cmd.Context(), appDir(args))
			if err != nil {
				return err
			}
			if _, err := p.Prepare(cmd.Context()); err != nil {
				return err
			}
			if err := p.Check(cmd.Context()); err != nil {
				fmt.Fprintln(cmd.ErrOrStderr(), err)
				return fmt.Errorf("check failed")
			}
			fmt.Fprintf(cmd.OutOrStdout(), "✓ %d routes type-check\n", len(p.Table.Routes))
			return nil
		},
	}
}
