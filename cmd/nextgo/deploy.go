package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/nextgo-dev/nextgo/adapters/lambda/deploy"
	"github.com/nextgo-dev/nextgo/bundler"
	"github.com/nextgo-dev/nextgo/bundler/dotenv"
	"github.com/nextgo-dev/nextgo/bundler/manifest"
	"github.com/nextgo-dev/nextgo/bundler/projectconfig"
	"github.com/spf13/cobra"
)

// awsFlags are the flags every AWS command shares.
type awsFlags struct {
	stage   string
	region  string
	profile string
	out     string
	app     string
	asJSON  bool
	dryRun  bool
	yes     bool

	keepReleases int
}

func (f *awsFlags) register(cmd *cobra.Command) {
	cmd.Flags().StringVarP(&f.stage, "stage", "s", "dev", "stage to act on: resources are named and tagged with it")
	cmd.Flags().StringVar(&f.region, "region", "", "AWS region (default: AWS_REGION or the profile's region)")
	cmd.Flags().StringVar(&f.profile, "profile", "", "shared-config profile (default: AWS_PROFILE or the default chain)")
	cmd.Flags().StringVar(&f.out, "out", "", "build output directory (default <dir>/"+bundler.DefaultOut+")")
	cmd.Flags().BoolVar(&f.asJSON, "json", false, "print the result as JSON")
	cmd.Flags().BoolVar(&f.dryRun, "dry-run", false, "print what would change and change nothing")
}

// buildDir is the build output directory of the app in dir.
func (f *awsFlags) buildDir(dir string) string {
	if f.out != "" {
		return f.out
	}
	return filepath.Join(dir, filepath.FromSlash(bundler.DefaultOut))
}

// options loads the AWS configuration and returns the deploy options.
func (f *awsFlags) options(ctx context.Context, dir string, log io.Writer) (deploy.Options, error) {
	if err := deploy.ValidateStage(f.stage); err != nil {
		return deploy.Options{}, err
	}
	pc, err := projectconfig.Load(dir)
	if err != nil {
		return deploy.Options{}, err
	}
	region := f.region
	if region == "" {
		region = pc.Region // nextgo.json's, else the SDK's chain decides
	}
	cfg, err := deploy.LoadAWSConfig(ctx, region, f.profile)
	if err != nil {
		return deploy.Options{}, err
	}
	keep := pc.KeepReleases
	if f.keepReleases > 0 {
		keep = f.keepReleases
	}
	return deploy.Options{AWS: cfg, Stage: f.stage, DryRun: f.dryRun, Log: log, KeepReleases: keep}, nil
}

// appName names the app in dir for rollback and remove, which need no
// build: --app, else the last build's manifest, else the module path's last
// element (the name `nextgo build` gives an app).
func (f *awsFlags) appName(ctx context.Context, dir string) (string, error) {
	if f.app != "" {
		return f.app, nil
	}
	data, err := os.ReadFile(filepath.Join(f.buildDir(dir), deploy.ManifestFile))
	if err == nil {
		var m manifest.Manifest
		if err := json.Unmarshal(data, &m); err == nil && m.App != "" {
			return m.App, nil
		}
	}
	if pc, err := projectconfig.Load(dir); err == nil && pc.Name != "" {
		return pc.Name, nil
	}
	mod, err := bundler.ReadModulePath(ctx, dir)
	if err != nil {
		return "", fmt.Errorf("name the app with --app, or run in its directory: %w", err)
	}
	return mod[strings.LastIndex(mod, "/")+1:], nil
}

// appCommand completes cmd, a command acting on a deployed app without
// building it (rollback, remove): it names the app, loads the AWS options,
// runs op and prints the report op returns (as JSON with --json); op
// returns a nil report when it has answered itself.
func appCommand(f *awsFlags, cmd *cobra.Command, op func(ctx context.Context, cmd *cobra.Command, app string, opts deploy.Options) (*deploy.Report, error)) *cobra.Command {
	cmd.Args = cobra.MaximumNArgs(1)
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		ctx := cmd.Context()
		dir := appDir(args)
		app, err := f.appName(ctx, dir)
		if err != nil {
			return err
		}
		opts, err := f.options(ctx, dir, cmd.ErrOrStderr())
		if err != nil {
			return err
		}
		rep, err := op(ctx, cmd, app, opts)
		if err != nil || rep == nil {
			return err
		}
		if f.asJSON {
			return rep.WriteJSON(cmd.OutOrStdout())
		}
		return rep.WriteText(cmd.OutOrStdout())
	}
	f.register(cmd)
	cmd.Flags().StringVar(&f.app, "app", "", "app name (default: from the last build, else the module path)")
	return cmd
}

func newDeployCmd() *cobra.Command {
	var (
		f           awsFlags
		prune       bool
		skipBuild   bool
		arch        string
		concurrency int
		printPolicy bool
	)
	cmd := &cobra.Command{
		Use:   "deploy [dir]",
		Short: "Deploy the app to AWS Lambda behind an API Gateway HTTP API",
		Long: `Build the app, then deploy it to AWS: one Lambda function per route
(provided.al2023, the route's maxDuration as timeout, its memory, the production
environment), a published version and a "live" alias per function, and one
HTTP API (payload format 2.0) with a route per nextgo route, invoking the live
aliases. Credentials come from the AWS SDK's default chain (environment,
profiles, SSO); AWS_ENDPOINT_URL points it at any AWS-compatible endpoint.

Functions whose code (SHA-256) and configuration are unchanged are skipped, so
deploying an unchanged app uploads nothing. Changed functions are updated
concurrently; every live alias moves only once all of them are ready, so a
failure leaves the previous release serving, and running deploy again
finishes the job. All state lives in AWS: tags, aliases, and a record of
each release (its versions, routes and integrations) in an S3 bucket the
deploy creates and tags for the stage, which also carries zips over 50 MB
to Lambda. The last 10 releases are kept (--keep-releases, nextgo.json's
keepReleases); older function versions that no alias points at are deleted.

--dry-run prints the plan, each change with its reason, and changes nothing.
--prune also deletes the functions and routes tagged for this app and stage
that the app no longer has; nothing else is ever deleted.`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			dir := appDir(args)
			stderr := cmd.ErrOrStderr()
			if printPolicy {
				app, err := f.appName(ctx, dir)
				if err != nil {
					return err
				}
				_, err = io.WriteString(cmd.OutOrStdout(), deploy.Policy(app, f.stage))
				return err
			}
			opts, err := f.options(ctx, dir, stderr)
			if err != nil {
				return err
			}
			opts.Prune, opts.Concurrency = prune, concurrency
			b, err := loadBuild(ctx, stderr, dir, f.out, arch, skipBuild)
			if err != nil {
				return err
			}
			if prune && !f.dryRun && !f.yes {
				ok, err := confirmPrune(ctx, cmd, b, opts)
				if err != nil || !ok {
					return err
				}
			}
			res, err := deploy.Deploy(ctx, b, opts)
			if err != nil {
				return err
			}
			stdout := cmd.OutOrStdout()
			switch {
			case f.asJSON:
				return res.WriteJSON(stdout)
			case f.dryRun:
				return res.WriteText(stdout)
			}
			return res.WriteSummary(stdout)
		},
	}
	f.register(cmd)
	cmd.Flags().BoolVar(&prune, "prune", false, "delete functions and routes of this app and stage that the app no longer has")
	cmd.Flags().BoolVarP(&f.yes, "yes", "y", false, "do not ask before --prune deletes anything")
	cmd.Flags().BoolVar(&skipBuild, "skip-build", false, "deploy the last build in --out as it is")
	cmd.Flags().StringVar(&arch, "arch", "", "function architecture when building: arm64 or amd64 (default: nextgo.json's architecture, else arm64)")
	cmd.Flags().IntVar(&concurrency, "concurrency", 4, "how many functions to update at once")
	cmd.Flags().BoolVar(&printPolicy, "print-policy", false, "print the IAM policy the deploying identity needs for this app and stage, and change nothing")
	cmd.Flags().StringVar(&f.app, "app", "", "app name for --print-policy (default: from the last build, else the module path)")
	cmd.Flags().IntVar(&f.keepReleases, "keep-releases", 0, "how many releases to keep, with the function versions they use (default: nextgo.json's keepReleases, else 10)")
	return cmd
}

// loadBuild builds the app in dir into out (default <dir>/.nextgo/build),
// or with skip takes the last build there as it is, and loads the build
// with the values of its environment: the manifest names the variables,
// the production .env set holds their values.
func loadBuild(ctx context.Context, progress io.Writer, dir, out, arch string, skip bool) (*deploy.Build, error) {
	env, _, err := dotenv.Load(dir, dotenv.Production)
	if err != nil {
		return nil, err
	}
	buildDir := out
	if buildDir == "" {
		buildDir = filepath.Join(dir, filepath.FromSlash(bundler.DefaultOut))
	}
	if !skip {
		p, err := bundler.Load(ctx, dir)
		if err != nil {
			return nil, err
		}
		res, err := p.Build(ctx, bundler.BuildOptions{Arch: arch, Out: out, Env: env, Progress: progress, Live: isTerminal(progress)})
		if err != nil {
			return nil, err
		}
		for _, w := range res.Warnings {
			fmt.Fprintln(progress, " ⚠", w)
		}
		buildDir = res.Dir
	}
	return deploy.LoadBuild(buildDir, env)
}

// confirmPrune shows what --prune would delete and asks before going on.
// Without a terminal to ask on, the explicit --prune is the consent.
func confirmPrune(ctx context.Context, cmd *cobra.Command, b *deploy.Build, opts deploy.Options) (bool, error) {
	in, ok := cmd.InOrStdin().(*os.File)
	if !ok || !isTerminal(in) {
		return true, nil
	}
	plan := opts
	plan.DryRun, plan.Log = true, io.Discard
	res, err := deploy.Deploy(ctx, b, plan)
	if err != nil {
		return false, err
	}
	var deletes []deploy.Change
	for _, c := range res.Changes {
		if c.Action == deploy.Delete {
			deletes = append(deletes, c)
		}
	}
	if len(deletes) == 0 {
		return true, nil
	}
	w := cmd.ErrOrStderr()
	if err := deploy.WriteChanges(w, deletes, true); err != nil {
		return false, err
	}
	return ask(cmd, fmt.Sprintf("Delete these %d resources of %s (stage %s)?", len(deletes), res.App, res.Stage))
}

func newRollbackCmd() *cobra.Command {
	var f awsFlags
	return appCommand(&f, &cobra.Command{
		Use:   "rollback [dir]",
		Short: "Restore the release before the last one: versions, routes and integrations",
		Long: `Undo the last release of the stage: the release before it is restored
whole, from its record in the stage's deploy bucket. Every live alias goes
back to the version that release served, and the HTTP API gets its routes
and integrations back (routes the last release added go, renamed routes
take their old keys). Functions stay deployed, so a later deploy or a second
rollback brings the undone release back: the rollback is itself a release.
Code and configuration are left alone.`,
	}, func(ctx context.Context, _ *cobra.Command, app string, opts deploy.Options) (*deploy.Report, error) {
		return deploy.Rollback(ctx, app, opts)
	})
}

func newRemoveCmd() *cobra.Command {
	var f awsFlags
	cmd := appCommand(&f, &cobra.Command{
		Use:   "remove [dir]",
		Short: "Delete everything deployed for the stage",
		Long: `Delete everything tagged for the app and the stage: the HTTP API, every
function with its versions and alias, and the execution role. Resources
without both tags are never touched. Asks first unless --yes is given; without
a terminal to ask on, --yes is required.`,
	}, func(ctx context.Context, cmd *cobra.Command, app string, opts deploy.Options) (*deploy.Report, error) {
		if !f.dryRun && !f.yes {
			plan := opts
			plan.DryRun = true
			rep, err := deploy.Remove(ctx, app, plan)
			if err != nil {
				return nil, err
			}
			if len(rep.Changes) == 0 {
				return nil, rep.WriteText(cmd.OutOrStdout())
			}
			in, ok := cmd.InOrStdin().(*os.File)
			if !ok || !isTerminal(in) {
				return nil, fmt.Errorf("refusing to remove stage %s of %s without --yes", opts.Stage, app)
			}
			if err := deploy.WriteChanges(cmd.ErrOrStderr(), rep.Changes, true); err != nil {
				return nil, err
			}
			if ok, err = ask(cmd, fmt.Sprintf("Delete stage %s of %s?", opts.Stage, app)); err != nil || !ok {
				return nil, err
			}
		}
		return deploy.Remove(ctx, app, opts)
	})
	cmd.Flags().BoolVarP(&f.yes, "yes", "y", false, "delete without asking")
	return cmd
}

// errDeclined is returned when the user answers no.
var errDeclined = errors.New("cancelled: nothing was changed")

// ask asks a yes/no question on the terminal; no is the default.
func ask(cmd *cobra.Command, question string) (bool, error) {
	fmt.Fprintf(cmd.ErrOrStderr(), "%s [y/N] ", question)
	line, err := bufio.NewReader(cmd.InOrStdin()).ReadString('\n')
	if err != nil && line == "" {
		return false, errDeclined
	}
	switch strings.ToLower(strings.TrimSpace(line)) {
	case "y", "yes":
		return true, nil
	}
	return false, errDeclined
}
