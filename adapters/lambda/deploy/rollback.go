package deploy

import (
	"context"
	"fmt"
	"io"

	"github.com/aws/aws-sdk-go-v2/aws"
	agtypes "github.com/aws/aws-sdk-go-v2/service/apigatewayv2/types"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/nextgo-dev/nextgo/bundler/manifest"
	"github.com/nextgo-dev/nextgo/bundler/routes"
)

// Report is the outcome of Rollback or Remove (or, with DryRun, what they
// would do).
type Report struct {
	App    string `json:"app"`
	Stage  string `json:"stage"`
	Region string `json:"region"`
	DryRun bool   `json:"dryRun"`
	// Release is, for Rollback, the release rolled back.
	Release int `json:"release,omitempty"`
	// Restored is, for Rollback, the release whose functions and routes
	// serve again.
	Restored int      `json:"restored,omitempty"`
	Changes  []Change `json:"changes"`
}

// WriteJSON writes r as indented JSON.
func (r *Report) WriteJSON(w io.Writer) error {
	return writeIndented(w, r)
}

// WriteText writes one line per change.
func (r *Report) WriteText(w io.Writer) error {
	if len(r.Changes) == 0 {
		_, err := fmt.Fprintf(w, "nothing to do for %s (stage %s, %s)\n", r.App, r.Stage, r.Region)
		return err
	}
	return WriteChanges(w, r.Changes, true)
}

// rollbackBuild marks an alias moved by a rollback in its release record.
const rollbackBuild = "rollback"

// Rollback restores the release before the last one of app and stage,
// whole: every function's live alias goes back to the version that
// release served, and the HTTP API gets that release's routes and
// integrations back (routes the last release added are deleted, renamed
// routes take their old keys). The rollback is itself recorded as a
// release, so a second rollback undoes the first. Code and configuration
// are left alone.
//
// A stage whose releases were deployed without records (by an earlier
// nextgo) rolls back aliases alone, to the versions they recorded as
// previous.
func Rollback(ctx context.Context, app string, opts Options) (_ *Report, err error) {
	defer func() { err = explain(err) }()
	s, err := newSession(ctx, app, opts)
	if err != nil {
		return nil, err
	}
	bucket, err := s.readBucket(ctx)
	if err != nil {
		return nil, err
	}
	nums, err := s.releaseNumbers(ctx, bucket)
	if err != nil {
		return nil, err
	}
	if n := len(nums); n >= 2 {
		return s.rollbackRecords(ctx, nums[n-1], nums[n-2])
	}
	owned, err := s.ownedFunctions(ctx, nil)
	if err != nil {
		return nil, err
	}
	top := 0
	infos := make([]releaseInfo, len(owned))
	for i, o := range owned {
		if o.alias, err = s.readAlias(ctx, o.name); err != nil {
			return nil, err
		}
		if o.alias == nil {
			continue
		}
		if r, ok := parseReleaseInfo(aws.ToString(o.alias.Description)); ok {
			infos[i] = r
			top = max(top, r.Release)
		}
	}
	if top == 0 {
		return nil, fmt.Errorf("nothing to roll back: no release of %s is deployed to stage %s in %s", s.app, s.stage, s.region)
	}
	rep := &Report{App: s.app, Stage: s.stage, Region: s.region, DryRun: opts.DryRun, Release: top}
	type move struct {
		o    *ownedFn
		to   string // the version to point live at
		info releaseInfo
	}
	var moves []move
	for i, o := range owned {
		if infos[i].Release != top {
			continue
		}
		cur := aws.ToString(o.alias.FunctionVersion)
		if infos[i].Previous == "" {
			rep.Changes = append(rep.Changes, Change{Action: Keep, Resource: ResourceAlias, Name: o.name + ":" + AliasName,
				Reason: fmt.Sprintf("version %s was the first of the function (release %d): nothing to go back to", cur, top)})
			continue
		}
		rep.Changes = append(rep.Changes, Change{Action: Update, Resource: ResourceAlias, Name: o.name + ":" + AliasName,
			Reason: fmt.Sprintf("version %s → %s (undo release %d)", cur, infos[i].Previous, top)})
		moves = append(moves, move{o, infos[i].Previous, releaseInfo{Release: top + 1, Build: rollbackBuild, Previous: cur}})
	}
	if opts.DryRun || len(moves) == 0 {
		return rep, nil
	}
	errs := forEach(ctx, s.opts.Concurrency, moves, func(ctx context.Context, m move) error {
		return s.withConflictRetry(ctx, m.o.name, func() error {
			_, err := s.lambda.UpdateAlias(ctx, &lambda.UpdateAliasInput{
				FunctionName:    &m.o.name,
				Name:            aws.String(AliasName),
				FunctionVersion: &m.to,
				Description:     aws.String(m.info.String()),
			})
			if err != nil {
				return fmt.Errorf("move %s:%s back to version %s: %w", m.o.name, AliasName, m.to, err)
			}
			s.logf("  %s:%s → version %s", m.o.name, AliasName, m.to)
			return nil
		})
	})
	if err := joinErrors(errs); err != nil {
		return nil, err
	}
	return rep, nil
}

// rollbackRecords restores release target over release cur.
func (s *session) rollbackRecords(ctx context.Context, cur, target int) (*Report, error) {
	to, err := s.readRecord(ctx, target)
	if err != nil {
		return nil, err
	}
	next := cur + 1
	rep := &Report{App: s.app, Stage: s.stage, Region: s.region, DryRun: s.opts.DryRun, Release: cur, Restored: target}
	type move struct {
		name, to string
		info     releaseInfo
	}
	var moves []move
	fns := make([]*fnState, 0, len(to.Functions))
	for _, f := range to.Functions {
		alias, err := s.readAlias(ctx, f.Name)
		if err != nil {
			return nil, err
		}
		if alias == nil || aws.ToString(alias.FunctionVersion) != f.Version {
			_, err := s.lambda.GetFunctionConfiguration(ctx, &lambda.GetFunctionConfigurationInput{FunctionName: aws.String(f.Name), Qualifier: aws.String(f.Version)})
			if errorCode(err) == "ResourceNotFoundException" {
				return nil, fmt.Errorf("cannot restore release %d: version %s of function %s (route %s) no longer exists (deleted by --prune or remove)", target, f.Version, f.Name, f.Route)
			}
			if err != nil {
				return nil, fmt.Errorf("read version %s of %s: %w", f.Version, f.Name, err)
			}
		}
		st := &fnState{spec: &fnSpec{name: f.Name, fn: &manifest.Function{Pattern: f.Route}}, arn: s.functionARN(f.Name), alias: alias}
		if f.Route == DefaultRouteKey {
			st.spec.fn.Kind, st.spec.fn.Pattern = string(routes.KindFallback), ""
		}
		fns = append(fns, st)
		curVersion := ""
		if alias != nil {
			curVersion = aws.ToString(alias.FunctionVersion)
		}
		if curVersion == f.Version {
			continue
		}
		rep.Changes = append(rep.Changes, Change{Action: Update, Resource: ResourceAlias, Name: f.Name + ":" + AliasName,
			Reason: fmt.Sprintf("version %s → %s (restore release %d)", orNone(curVersion), f.Version, target)})
		moves = append(moves, move{f.Name, f.Version, releaseInfo{Release: next, Build: rollbackBuild, Previous: curVersion}})
	}

	var restore func(context.Context) error
	if to.Front == FrontREST {
		restore, err = s.planRestoreRESTChanges(ctx, to, fns, rep)
	} else {
		restore, err = s.planRestoreHTTP(ctx, to, fns, rep)
	}
	if err != nil {
		return nil, err
	}
	if s.opts.DryRun || len(rep.Changes) == 0 {
		return rep, nil
	}

	errs := forEach(ctx, s.opts.Concurrency, moves, func(ctx context.Context, m move) error {
		return s.withConflictRetry(ctx, m.name, func() error {
			_, err := s.lambda.UpdateAlias(ctx, &lambda.UpdateAliasInput{
				FunctionName:    &m.name,
				Name:            aws.String(AliasName),
				FunctionVersion: &m.to,
				Description:     aws.String(m.info.String()),
			})
			if err != nil {
				return fmt.Errorf("move %s:%s back to version %s: %w", m.name, AliasName, m.to, err)
			}
			s.logf("  %s:%s → version %s", m.name, AliasName, m.to)
			return nil
		})
	})
	if err := joinErrors(errs); err != nil {
		return nil, err
	}
	if err := restore(ctx); err != nil {
		return nil, fmt.Errorf("release %d is partly restored (aliases moved, not every route): %w", target, err)
	}
	restored := *to
	restored.Release, restored.RollbackOf = next, cur
	if err := s.writeRecord(ctx, &restored); err != nil {
		return nil, err
	}
	return rep, nil
}

// planRestoreHTTP plans putting the HTTP API's routes and integrations
// back as release to recorded them, for its functions fns (in the order
// of to.Functions); the changes go to rep. It returns the step that
// carries them out once the aliases moved.
func (s *session) planRestoreHTTP(ctx context.Context, to *Record, fns []*fnState, rep *Report) (func(context.Context) error, error) {
	state, err := s.readAPI(ctx)
	if err != nil {
		return nil, err
	}
	if state.api == nil {
		return nil, fmt.Errorf("cannot restore release %d: the stage has no HTTP API (run nextgo deploy)", to.Release)
	}
	apiID := aws.ToString(state.api.ApiId)
	byURI := map[string]*agtypes.Integration{}
	for i := range state.integrations {
		byURI[aws.ToString(state.integrations[i].IntegrationUri)] = &state.integrations[i]
	}
	var want []*routePlan
	var integs []*integrationPlan
	for i, f := range to.Functions {
		ip := &integrationPlan{fn: fns[i], uri: fns[i].aliasARN()}
		if in := byURI[ip.uri]; in != nil {
			ip.existing, ip.id = in, aws.ToString(in.IntegrationId)
		} else {
			rep.Changes = append(rep.Changes, Change{Action: Create, Resource: ResourceIntegration, Name: f.Name, Reason: "Lambda proxy to " + f.Name + ":" + AliasName})
		}
		integs = append(integs, ip)
		for _, k := range f.RouteKeys {
			want = append(want, &routePlan{key: k, integ: ip})
		}
	}
	ops, _, err := planRoutes(want, state.routes, true)
	if err != nil {
		return nil, fmt.Errorf("cannot restore the routes of release %d: %w", to.Release, err)
	}
	for _, op := range ops {
		a, res, name, reason := op.change()
		rep.Changes = append(rep.Changes, Change{Action: a, Resource: res, Name: name, Reason: reason})
	}
	return func(ctx context.Context) error {
		errs := forEach(ctx, s.opts.Concurrency, integs, func(ctx context.Context, ip *integrationPlan) error {
			return s.ensurePermission(ctx, ip.fn, apiID)
		})
		if err := joinErrors(errs); err != nil {
			return err
		}
		for _, ip := range integs {
			if ip.existing != nil {
				continue
			}
			if err := s.createIntegration(ctx, apiID, ip); err != nil {
				return err
			}
		}
		return s.applyRouteOps(ctx, apiID, ops)
	}, nil
}

// planRestoreRESTChanges plans putting the REST API's resources back as
// release to recorded them (see planRestoreREST), for its functions fns
// (in the order of to.Functions); the changes go to rep. It returns the
// step that carries them out once the aliases moved.
func (s *session) planRestoreRESTChanges(ctx context.Context, to *Record, fns []*fnState, rep *Report) (func(context.Context) error, error) {
	byName := make(map[string]*fnState, len(fns))
	for _, st := range fns {
		byName[st.spec.name] = st
	}
	var cs changes
	rp, err := s.planRestoreREST(ctx, to, byName, &cs)
	if err != nil {
		return nil, err
	}
	for _, c := range cs {
		if c.Action != Unchanged {
			rep.Changes = append(rep.Changes, c)
		}
	}
	if rp.changed {
		rep.Changes = append(rep.Changes, Change{Action: Update, Resource: ResourceStage, Name: s.stage,
			Reason: fmt.Sprintf("a new deployment of REST API %s (restore release %d)", aws.ToString(rp.api.Id), to.Release)})
	}
	return func(ctx context.Context) error {
		id := aws.ToString(rp.api.Id)
		errs := forEach(ctx, s.opts.Concurrency, fns, func(ctx context.Context, st *fnState) error {
			return s.ensurePermission(ctx, st, id)
		})
		if err := joinErrors(errs); err != nil {
			return err
		}
		return s.applyRESTResources(ctx, rp, fmt.Sprintf("nextgo rollback to release %d", to.Release))
	}, nil
}

// orNone spells an empty version.
func orNone(v string) string {
	if v == "" {
		return "none"
	}
	return v
}
