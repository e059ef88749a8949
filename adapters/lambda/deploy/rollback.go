package deploy

import (
	"context"
	"fmt"
	"io"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
)

// Report is the outcome of Rollback or Remove (or, with DryRun, what they
// would do).
type Report struct {
	App    string `json:"app"`
	Stage  string `json:"stage"`
	Region string `json:"region"`
	DryRun bool   `json:"dryRun"`
	// Release is, for Rollback, the release rolled back.
	Release int      `json:"release,omitempty"`
	Changes []Change `json:"changes"`
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

// Rollback moves the live aliases of the last release of app and stage
// back to the versions they pointed at before it. Functions that release
// created have no previous version and stay as they are. The rollback is
// itself recorded as a release, so a second rollback undoes the first.
// It reads and writes only aliases: routes, code and configuration are
// left alone.
func Rollback(ctx context.Context, app string, opts Options) (*Report, error) {
	s, err := newSession(ctx, app, opts)
	if err != nil {
		return nil, err
	}
	owned, err := s.ownedFunctions(ctx)
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
