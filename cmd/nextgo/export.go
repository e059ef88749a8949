package main

import (
	"fmt"
	"maps"
	"path/filepath"
	"slices"

	"github.com/nextgo-dev/nextgo/adapters/lambda/cloudformation"
	"github.com/nextgo-dev/nextgo/adapters/lambda/deploy"
	"github.com/spf13/cobra"
)

func newExportCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "export",
		Short: "Write the app's infrastructure for another deployment tool",
		Long: `Write what nextgo deploy creates in the format of another deployment tool, so
that the app can go through a team's own pipeline (code review, change sets,
drift detection) instead of nextgo deploy.`,
		Args: cobra.NoArgs,
	}
	cmd.AddCommand(newExportCloudFormationCmd())
	return cmd
}

func newExportCloudFormationCmd() *cobra.Command {
	var (
		format, out, stage, buildOut, arch string
		skipBuild                          bool
	)
	cmd := &cobra.Command{
		Use:   "cloudformation [dir]",
		Short: "Write the app as an AWS CloudFormation template",
		Long: `Build the app, then write one AWS CloudFormation template that creates what
nextgo deploy creates for the stage: the execution role (and the response
cache's role, scoped policy and bucket when a route caches or revalidates), one
Lambda function per route (provided.al2023, bootstrap, the route's maxDuration
as timeout, its memory and architecture, tags), a published version and a
"live" alias per function, and the API: an HTTP API with a route per nextgo
route and the fallback function on $default, or, when a route streams, a REST
API with STREAM integrations; invoke permissions are scoped to that API. Names,
tags, limits, route keys and permissions come from the same plan as deploy's
(compare nextgo deploy --dry-run --json).

The template is written beside the zips, in the build directory
(<dir>/.nextgo/build/template.yaml by default), and each function's Code is its
zip's path relative to the template, so it deploys with no edit:

  aws cloudformation package --template-file .nextgo/build/template.yaml \
    --s3-bucket BUCKET --output-template-file packaged.yaml
  aws cloudformation deploy --template-file packaged.yaml --stack-name STACK \
    --capabilities CAPABILITY_NAMED_IAM --parameter-overrides EnvAPIKEY…=…

Environment values are never written: each variable of the production .env
set is a parameter marked NoEcho (its name is printed), and the functions'
environments refer to it. Logical ids come from the routes, like function
names, so exporting again after adding a route adds that route's resources
and changes no other route's.`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			f, err := cloudformation.ParseFormat(format)
			if err != nil {
				return err
			}
			if err := deploy.ValidateStage(stage); err != nil {
				return err
			}
			ctx := cmd.Context()
			dir := appDir(args)
			stderr := cmd.ErrOrStderr()
			b, err := loadBuild(ctx, stderr, dir, buildOut, arch, skipBuild)
			if err != nil {
				return err
			}
			d, err := deploy.Desire(b, stage)
			if err != nil {
				return err
			}
			file := out
			if file == "" {
				file = filepath.Join(b.Dir, f.DefaultFile())
			}
			t, err := cloudformation.WriteFile(file, b.Dir, d, f)
			if err != nil {
				return err
			}
			w := cmd.OutOrStdout()
			fmt.Fprintf(w, "wrote %s: %d resources for %d functions of %s (stage %s) behind %s API\n",
				file, len(t.Resources), len(d.Functions), d.App, d.Stage, map[string]string{deploy.FrontHTTP: "an HTTP", deploy.FrontREST: "a REST"}[d.Front])
			names := map[string]string{}
			for _, fn := range d.Functions {
				for _, k := range fn.Env {
					names[cloudformation.ParameterID(k)] = k
				}
			}
			for _, p := range slices.Sorted(maps.Keys(names)) {
				fmt.Fprintf(w, "  parameter %s: the value of %s\n", p, names[p])
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&format, "format", string(cloudformation.YAML), "template format: yaml or json")
	cmd.Flags().StringVarP(&out, "out", "o", "", "template file (default <build dir>/template.<format>)")
	cmd.Flags().StringVarP(&stage, "stage", "s", "dev", "stage the template creates: resources are named and tagged with it")
	cmd.Flags().StringVar(&buildOut, "build-dir", "", "build output directory (default <dir>/.nextgo/build)")
	cmd.Flags().BoolVar(&skipBuild, "skip-build", false, "export the last build in --build-dir as it is")
	cmd.Flags().StringVar(&arch, "arch", "", "function architecture when building: arm64 or amd64 (default: nextgo.json's architecture, else arm64)")
	cmd.RegisterFlagCompletionFunc("format", cobra.FixedCompletions([]string{"yaml", "json"}, cobra.ShellCompDirectiveNoFileComp))
	return cmd
}
