package deploy

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
)

// plan is everything a deploy decided before changing anything.
type plan struct {
	role      *rolePlan
	cacheRole *cacheRolePlan // the role of the functions that use the response cache
	bucket    bucketState
	releases  []int // the recorded releases, oldest first
	fns       []*fnState
	stale     []*ownedFn
	api       *apiPlan
	rest      *restPlan  // the REST API front of an app with a streaming route (restapi.go)
	staleREST *staleREST // a REST API left from when a route streamed
	build     string
	release   int
	changes   changes
}

// Deploy deploys the build to the stage opts.Stage: see the package
// documentation for the phases. With opts.DryRun it returns the plan and
// makes no mutating call. On failure it returns the error and a nil Result;
// what was done stays done, and running Deploy again completes the work.
func Deploy(ctx context.Context, b *Build, opts Options) (_ *Result, err error) {
	defer func() { err = explain(err) }()
	d, err := Desire(b, opts.Stage)
	if err != nil {
		return nil, err
	}
	s, err := newSession(ctx, b.Manifest.App, opts)
	if err != nil {
		return nil, err
	}
	p, err := s.plan(ctx, d)
	if err != nil {
		return nil, err
	}
	res := s.result(p)
	res.Desired = d
	if opts.DryRun {
		return res, nil
	}
	s.logMu.Lock()
	err = WriteChanges(s.log, p.changes, false)
	s.logMu.Unlock()
	if err != nil {
		return nil, err
	}
	if err := s.apply(ctx, b, p); err != nil {
		return nil, err
	}
	res.APIID = aws.ToString(p.api.state.api.ApiId)
	res.URL = aws.ToString(p.api.state.api.ApiEndpoint)
	return res, nil
}

// plan reads the current state with read-only calls and decides every
// change that brings it to d.
func (s *session) plan(ctx context.Context, d *Desired) (*plan, error) {
	p := &plan{}
	role, err := s.planRole(ctx, &p.changes)
	if err != nil {
		return nil, err
	}
	p.role = role
	if p.bucket, err = s.readBucket(ctx); err != nil {
		return nil, err
	}
	if p.bucket == bucketMissing {
		p.changes.add(Create, ResourceBucket, s.bucket, "release records and large zips, tagged for the app and stage")
	}
	if p.releases, err = s.releaseNumbers(ctx, p.bucket); err != nil {
		return nil, err
	}
	specs, err := s.specs(d)
	if err != nil {
		return nil, err
	}
	if p.cacheRole, err = s.planCacheRole(ctx, d.Cache, specs, &p.changes); err != nil {
		return nil, err
	}
	p.build = buildID(specs)
	p.fns = make([]*fnState, len(specs))
	errs := forEach(ctx, s.opts.Concurrency, specs, func(ctx context.Context, spec *fnSpec) error {
		st, err := s.readFunction(ctx, spec, p.roleFor(spec))
		if err != nil {
			return err
		}
		p.fns[slices.Index(specs, spec)] = st
		return nil
	})
	if err := joinErrors(errs); err != nil {
		return nil, err
	}
	want := make(map[string]bool, len(specs))
	byLabel := make(map[string]string, len(specs))
	for _, spec := range specs {
		want[spec.name] = true
		byLabel[routeLabel(spec.fn)] = spec.name
	}
	owned, err := s.ownedFunctions(ctx, want) // the build's functions are read already
	if err != nil {
		return nil, err
	}
	var aliases []*lambda.GetAliasOutput
	for _, st := range p.fns {
		aliases = append(aliases, st.alias)
	}
	for _, o := range owned {
		if want[o.name] {
			continue
		}
		if o.alias, err = s.readAlias(ctx, o.name); err != nil {
			return nil, err
		}
		aliases = append(aliases, o.alias)
		o.replacedBy = byLabel[o.label]
		p.stale = append(p.stale, o)
	}
	p.release = nextRelease(aliases, p.build)
	if n := len(p.releases); n > 0 && p.release <= p.releases[n-1] {
		p.release = p.releases[n-1] + 1
	}

	for _, st := range p.fns {
		p.changes.add(st.action(), ResourceFunction, st.spec.name, st.reasons...)
	}
	for _, st := range p.fns {
		if !st.publish {
			continue
		}
		if st.alias == nil {
			p.changes.add(Create, ResourceAlias, st.spec.name+":"+AliasName,
				fmt.Sprintf("→ the version published now (release %d)", p.release))
			continue
		}
		p.changes.add(Update, ResourceAlias, st.spec.name+":"+AliasName,
			fmt.Sprintf("version %s → the version published now (release %d)", aws.ToString(st.alias.FunctionVersion), p.release))
	}
	if d.Front == FrontREST {
		// HTTP APIs cannot stream: a REST API fronts the app.
		if p.rest, err = s.planREST(ctx, d.REST, p.fns, &p.changes); err != nil {
			return nil, err
		}
		p.api = p.rest.apiPlan(s)
	} else {
		if p.api, err = s.planAPI(ctx, p.fns, p.stale, &p.changes); err != nil {
			return nil, err
		}
		if p.staleREST, err = s.planStaleREST(ctx, &p.changes); err != nil {
			return nil, err
		}
	}
	for _, st := range p.fns {
		if p.api.state.api == nil || st.alias == nil {
			p.changes.add(Create, ResourcePermission, st.spec.name+":"+AliasName, "invoke from the HTTP API")
			continue
		}
		state, err := s.readPermission(ctx, st.spec.name, aws.ToString(p.api.state.api.ApiId))
		if err != nil {
			return nil, err
		}
		switch state {
		case permissionMissing:
			p.changes.add(Create, ResourcePermission, st.spec.name+":"+AliasName, "invoke from the HTTP API")
		case permissionWrong:
			p.changes.add(Update, ResourcePermission, st.spec.name+":"+AliasName, "scoped to another API")
		}
	}
	for _, o := range p.stale {
		if o.replacedBy != "" {
			p.changes.add(Delete, ResourceFunction, o.name, "route "+o.label+" is served by "+o.replacedBy+" now (function names no longer depend on other routes)")
			continue
		}
		s.addStale(&p.changes, ResourceFunction, o.name, "route "+o.tags[TagRoute]+" no longer in the app")
	}
	return p, nil
}

// result summarises a plan.
func (s *session) result(p *plan) *Result {
	r := &Result{
		App: s.app, Stage: s.stage, Region: s.region, DryRun: s.opts.DryRun,
		Changes: p.changes,
		Summary: Summary{Created: []string{}, Updated: []string{}, Unchanged: []string{}, Deleted: []string{}},
	}
	if p.api.state.api != nil {
		r.APIID = aws.ToString(p.api.state.api.ApiId)
		r.URL = aws.ToString(p.api.state.api.ApiEndpoint)
	}
	for _, st := range p.fns {
		switch st.action() {
		case Create:
			r.Summary.Created = append(r.Summary.Created, st.spec.name)
		case Update:
			r.Summary.Updated = append(r.Summary.Updated, st.spec.name)
		default:
			r.Summary.Unchanged = append(r.Summary.Unchanged, st.spec.name)
		}
		if st.publish {
			r.Release = p.release
		}
	}
	for _, o := range p.stale {
		if s.opts.Prune || o.replacedBy != "" {
			r.Summary.Deleted = append(r.Summary.Deleted, o.name)
		}
	}
	return r
}

// apply carries out a plan.
func (s *session) apply(ctx context.Context, b *Build, p *plan) error {
	if err := s.applyRole(ctx, p.role); err != nil {
		return err
	}
	if err := s.applyCacheRole(ctx, p.cacheRole); err != nil {
		return err
	}
	if p.bucket == bucketMissing {
		if err := s.createBucket(ctx); err != nil {
			return err
		}
		p.bucket = bucketOwned
	}
	var changed []*fnState
	for _, st := range p.fns {
		if st.create || st.uploadCode || st.updateConfig || st.updateTags || st.publish {
			changed = append(changed, st)
		}
	}
	errs := forEach(ctx, s.opts.Concurrency, changed, func(ctx context.Context, st *fnState) error {
		return s.prepare(ctx, b, st, p.roleFor(st.spec))
	})
	if err := joinErrors(errs); err != nil {
		return fmt.Errorf("deploy stopped before the release, so the previous release still serves (run it again to finish): %w", err)
	}
	var release []*fnState
	for _, st := range changed {
		if st.publish {
			release = append(release, st)
		}
	}
	errs = forEach(ctx, s.opts.Concurrency, release, func(ctx context.Context, st *fnState) error {
		return s.moveAlias(ctx, st, p.release, p.build)
	})
	if err := joinErrors(errs); err != nil {
		return fmt.Errorf("release %d is partly live: some aliases were not moved (run the deploy again to finish it): %w", p.release, err)
	}
	var id, url string
	var err error
	if p.rest != nil {
		id, url, err = s.applyREST(ctx, p.rest, p.fns)
	} else {
		id, url, err = s.applyAPI(ctx, p.api)
		if err == nil {
			err = p.staleREST.prune(ctx, s)
		}
	}
	if err != nil {
		return err
	}
	if p.api.state.api == nil {
		p.api.state.api = newAPIRef(id, url)
	}
	var gone []*ownedFn
	for _, o := range p.stale {
		if s.opts.Prune || o.replacedBy != "" {
			gone = append(gone, o)
		}
	}
	errs = forEach(ctx, s.opts.Concurrency, gone, func(ctx context.Context, o *ownedFn) error {
		_, err := s.lambda.DeleteFunction(ctx, &lambda.DeleteFunctionInput{FunctionName: &o.name})
		if err != nil && errorCode(err) != "ResourceNotFoundException" {
			return fmt.Errorf("delete function %s: %w", o.name, err)
		}
		s.logf("  deleted function %s", o.name)
		return nil
	})
	if err := joinErrors(errs); err != nil {
		return err
	}
	if !p.changes.moved() {
		return nil
	}
	rec := p.record(gone)
	if err := s.writeRecord(ctx, rec); err != nil {
		return fmt.Errorf("release %d is live, but its record was not written, so rollback cannot return to it: %w", p.release, err)
	}
	live := map[string]string{}
	for _, f := range rec.Functions {
		live[f.Name] = f.Version
	}
	for _, o := range p.stale {
		if o.alias != nil {
			live[o.name] = aws.ToString(o.alias.FunctionVersion)
		}
	}
	return s.pruneReleases(ctx, append(p.releases, p.release), live)
}

// record is the release record of an applied plan: the build's functions
// and the stale ones whose routes stay, with their versions and routes.
func (p *plan) record(gone []*ownedFn) *Record {
	rec := &Record{Release: p.release, Build: p.build}
	keys := map[*fnState][]string{}
	for _, rp := range p.api.routes {
		keys[rp.integ.fn] = append(keys[rp.integ.fn], rp.key)
	}
	for _, st := range p.fns {
		v := st.version
		if v == "" && st.alias != nil {
			v = aws.ToString(st.alias.FunctionVersion)
		}
		rec.Functions = append(rec.Functions, RecordFunction{Name: st.spec.name, Version: v, Route: routeLabel(st.spec.fn), RouteKeys: keys[st]})
	}
	byIntegration := map[string]string{}
	for _, in := range p.api.state.integrations {
		byIntegration["integrations/"+aws.ToString(in.IntegrationId)] = strings.TrimSuffix(integrationName(in), ":"+AliasName)
	}
	kept := map[string]bool{} // stale functions a kept REST resource invokes
	if p.rest != nil {
		rec.Front = FrontREST
		rec.Resources = p.rest.record()
		for _, r := range rec.Resources {
			kept[r.Function] = true
		}
	}
	for _, o := range p.stale {
		if o.alias == nil || slices.Contains(gone, o) {
			continue
		}
		f := RecordFunction{Name: o.name, Version: aws.ToString(o.alias.FunctionVersion), Route: o.label}
		for _, r := range p.api.keptRoutes {
			if byIntegration[aws.ToString(r.Target)] == o.name {
				f.RouteKeys = append(f.RouteKeys, aws.ToString(r.RouteKey))
			}
		}
		if len(f.RouteKeys) > 0 || kept[o.name] {
			rec.Functions = append(rec.Functions, f)
		}
	}
	return rec
}
