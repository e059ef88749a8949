package main

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/nextgo-dev/nextgo/adapters/lambda/deploy"
	"github.com/nextgo-dev/nextgo/bundler"
	"github.com/nextgo-dev/nextgo/bundler/dotenv"
	"github.com/nextgo-dev/nextgo/bundler/routes"
	"github.com/spf13/cobra"
)

func newBuildCmd() *cobra.Command {
	var arch, out string
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "build [dir]",
		Short: "Compile one AWS Lambda function per route",
		Long: `Compile every route into its own Lambda function: a bootstrap for
provided.al2023 (GOOS=linux, CGO_ENABLED=0, -trimpath, -tags lambda.norpc,
stripped), zipped deterministically, with manifest.json describing each
function (pattern, file, methods, maxDuration, memory, body limit, cache,
zip SHA-256 and size). Routes whose inputs did not change are not re-linked.`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			p, err := bundler.Load(cmd.Context(), appDir(args))
			if err != nil {
				return err
			}
			if len(p.Table.Routes) == 0 {
				return errNoRoutes
			}
			// Read here for the checks below; the manifest records only
			// the names.
			env, _, err := dotenv.Load(p.Dir, dotenv.Production)
			if err != nil {
				return err
			}
			opts := bundler.BuildOptions{Arch: arch, Out: out, Env: env}
			if !asJSON {
				opts.Progress = cmd.ErrOrStderr()
				opts.Live = isTerminal(opts.Progress)
			}
			res, err := p.Build(cmd.Context(), opts)
			if err != nil {
				return err
			}
			for _, w := range res.Warnings {
				fmt.Fprintln(cmd.ErrOrStderr(), " ⚠", w)
			}
			// What Lambda or API Gateway would refuse fails the build, not
			// a later deploy.
			if err := deploy.CheckManifest(res.Manifest, env); err != nil {
				return err
			}
			if asJSON {
				enc := json.NewEncoder(cmd.OutOrStdout())
				enc.SetIndent("", "  ")
				return enc.Encode(res.Manifest)
			}
			writeBuildTable(cmd.OutOrStdout(), res)
			return nil
		},
	}
	cmd.Flags().StringVar(&arch, "arch", "", "function architecture: arm64 or amd64 (default: nextgo.json's architecture, else arm64)")
	cmd.Flags().StringVar(&out, "out", "", "output directory (default <dir>/"+bundler.DefaultOut+")")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the manifest as JSON")
	return cmd
}

// writeBuildTable prints the functions Next-style.
func writeBuildTable(w io.Writer, res *bundler.BuildResult) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "Route\tKind\tMethods\tSize\tmaxDuration\tMemory\tBody limit\tCache")
	for i, f := range res.Manifest.Functions {
		tree := "├"
		if i == 0 {
			tree = "┌"
		}
		if i == len(res.Manifest.Functions)-1 {
			tree = "└"
		}
		pattern := f.Pattern
		if f.Kind == string(routes.KindFallback) {
			pattern = "(other paths)"
		}
		fmt.Fprintf(tw, "%s λ %s\t%s\t%s\t%s\t%ds\t%d MB\t%s\t%s\n", tree, pattern, f.Kind, strings.Join(f.Methods, ","),
			humanBytes(f.BinarySize), f.MaxDuration, f.Memory, bodyLimit(f.BodyLimit), f.Cache)
	}
	tw.Flush()
	fmt.Fprintf(w, "\nλ %d functions (%s) in %s; %d rebuilt\n", len(res.Manifest.Functions), res.Manifest.Arch, res.Dir, len(res.Built))
}

func bodyLimit(n int64) string {
	if n < 0 {
		return "none"
	}
	return humanBytes(n)
}

// humanBytes renders n in binary units, as the bytes package spells them.
func humanBytes(n int64) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f kB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}
