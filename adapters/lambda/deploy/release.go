package deploy

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
)

// releaseInfo is what a live alias's description records, so that the
// release history lives in AWS:
//
//	nextgo release=4 build=3f2a9c0b1d2e previous=7
//
// release numbers the deploy (or rollback) that last moved the alias,
// build identifies the build deployed, and previous is the version the
// alias pointed at before; rollback moves it back there.
type releaseInfo struct {
	Release  int
	Build    string
	Previous string
}

func (r releaseInfo) String() string {
	s := fmt.Sprintf("nextgo release=%d build=%s", r.Release, r.Build)
	if r.Previous != "" {
		s += " previous=" + r.Previous
	}
	return s
}

// parseReleaseInfo reads an alias description written by releaseInfo.String.
func parseReleaseInfo(desc string) (releaseInfo, bool) {
	fields := strings.Fields(desc)
	if len(fields) == 0 || fields[0] != "nextgo" {
		return releaseInfo{}, false
	}
	var r releaseInfo
	for _, f := range fields[1:] {
		k, v, ok := strings.Cut(f, "=")
		if !ok {
			return releaseInfo{}, false
		}
		switch k {
		case "release":
			n, err := strconv.Atoi(v)
			if err != nil || n < 0 {
				return releaseInfo{}, false
			}
			r.Release = n
		case "build":
			r.Build = v
		case "previous":
			if _, err := strconv.Atoi(v); err != nil {
				return releaseInfo{}, false
			}
			r.Previous = v
		}
	}
	return r, r.Release > 0
}

// buildID identifies the deployable content of a build: code, architecture
// and configuration of every function, with environment variable names but
// not their values.
func buildID(specs []*fnSpec) string {
	h := sha256.New()
	sorted := slices.Clone(specs)
	slices.SortFunc(sorted, func(a, b *fnSpec) int { return strings.Compare(a.name, b.name) })
	for _, s := range sorted {
		fmt.Fprintf(h, "%s\x00%s\x00%s\x00%d\x00%d\x00%s\x00%s\n", s.name, s.codeSHA, s.arch,
			s.fn.MaxDuration, s.fn.Memory, s.description, strings.Join(slices.Sorted(maps.Keys(s.env)), ","))
	}
	return hex.EncodeToString(h.Sum(nil))[:12]
}

// nextRelease picks the release number of a deploy of build: one more than
// the highest recorded, or the highest itself when it recorded this same
// build (a re-run finishing a deploy that stopped while moving aliases).
func nextRelease(aliases []*lambda.GetAliasOutput, build string) int {
	top, same := 0, false
	for _, a := range aliases {
		if a == nil {
			continue
		}
		r, ok := parseReleaseInfo(aws.ToString(a.Description))
		if !ok {
			continue
		}
		switch {
		case r.Release > top:
			top, same = r.Release, r.Build == build
		case r.Release == top && r.Build == build:
			same = true
		}
	}
	if same {
		return top
	}
	return top + 1
}

// moveAlias points the live alias of st at st.version, recording the
// release and the version it pointed at before.
func (s *session) moveAlias(ctx context.Context, st *fnState, release int, build string) error {
	name := st.spec.name
	info := releaseInfo{Release: release, Build: build}
	if st.alias != nil {
		info.Previous = aws.ToString(st.alias.FunctionVersion)
		if info.Previous == st.version {
			// Already there (a re-run): keep the recorded history.
			return nil
		}
		return s.withConflictRetry(ctx, name, func() error {
			_, err := s.lambda.UpdateAlias(ctx, &lambda.UpdateAliasInput{
				FunctionName:    &name,
				Name:            aws.String(AliasName),
				FunctionVersion: &st.version,
				Description:     aws.String(info.String()),
			})
			if err != nil {
				return fmt.Errorf("point %s:%s at version %s: %w", name, AliasName, st.version, err)
			}
			s.logf("  %s:%s → version %s (was %s)", name, AliasName, st.version, info.Previous)
			return nil
		})
	}
	return s.withConflictRetry(ctx, name, func() error {
		_, err := s.lambda.CreateAlias(ctx, &lambda.CreateAliasInput{
			FunctionName:    &name,
			Name:            aws.String(AliasName),
			FunctionVersion: &st.version,
			Description:     aws.String(info.String()),
		})
		if err != nil {
			return fmt.Errorf("create alias %s:%s: %w", name, AliasName, err)
		}
		s.logf("  %s:%s → version %s", name, AliasName, st.version)
		return nil
	})
}
