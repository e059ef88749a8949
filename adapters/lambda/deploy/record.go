package deploy

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
)

// Record is what a release keeps in the deploy bucket
// (releases/NNNNNN.json): every function of the release with the version
// it serves and its API routes. Rollback restores a record whole:
// aliases, routes and integrations.
type Record struct {
	Release int    `json:"release"`
	Build   string `json:"build"`
	// RollbackOf is, for a rollback, the release it undid.
	RollbackOf int              `json:"rollbackOf,omitempty"`
	Functions  []RecordFunction `json:"functions"`
	// Front is the API that served the release: FrontHTTP (routes in
	// each function's RouteKeys; the default, for records without it) or
	// FrontREST (Resources).
	Front string `json:"front,omitempty"`
	// Resources are, behind a REST API, its resources with the function
	// of each one's ANY method.
	Resources []RecordResource `json:"resources,omitempty"`
}

// The fronts a Record names.
const (
	FrontHTTP = "http"
	FrontREST = "rest"
)

// RecordResource is one resource of a REST API in a release.
type RecordResource struct {
	Path string `json:"path"`
	// Function serves the resource's ANY method; "" for a resource
	// without a method (a step on a route's path, in an app without a
	// fallback function).
	Function string `json:"function,omitempty"`
	// Stream is the integration's responseTransferMode STREAM.
	Stream        bool  `json:"stream,omitempty"`
	TimeoutMillis int32 `json:"timeoutMillis,omitempty"`
}

// RecordFunction is one function of a release.
type RecordFunction struct {
	Name      string   `json:"name"`
	Version   string   `json:"version"`
	Route     string   `json:"route"` // the pattern, or $default
	RouteKeys []string `json:"routeKeys"`
}

const recordPrefix = "releases/"

func recordKey(n int) string { return fmt.Sprintf("%s%06d.json", recordPrefix, n) }

// releaseNumbers lists the recorded releases, oldest first; none when
// the bucket does not exist.
func (s *session) releaseNumbers(ctx context.Context, bucket bucketState) ([]int, error) {
	if bucket == bucketMissing {
		return nil, nil
	}
	keys, err := s.listKeys(ctx, recordPrefix)
	if err != nil {
		return nil, err
	}
	var nums []int
	for _, k := range keys {
		n, err := strconv.Atoi(strings.TrimSuffix(strings.TrimPrefix(k, recordPrefix), ".json"))
		if err == nil && n > 0 {
			nums = append(nums, n)
		}
	}
	slices.Sort(nums)
	return nums, nil
}

// readRecord reads the record of release n.
func (s *session) readRecord(ctx context.Context, n int) (*Record, error) {
	data, err := s.getObject(ctx, recordKey(n))
	if err != nil {
		return nil, err
	}
	var r Record
	if err := json.Unmarshal(data, &r); err != nil {
		return nil, fmt.Errorf("release record %s: %w", recordKey(n), err)
	}
	return &r, nil
}

// writeRecord stores a release's record.
func (s *session) writeRecord(ctx context.Context, r *Record) error {
	data, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return err
	}
	return s.putObject(ctx, recordKey(r.Release), data)
}

// pruneReleases keeps the newest s.opts.KeepReleases records of nums and
// deletes the others, with every function version that only they use:
// versions a kept record or a live alias uses stay. live maps a function
// name to the version its alias points at.
func (s *session) pruneReleases(ctx context.Context, nums []int, live map[string]string) error {
	keep := s.opts.KeepReleases
	if len(nums) <= keep {
		return nil
	}
	drop, kept := nums[:len(nums)-keep], nums[len(nums)-keep:]
	used := map[string]bool{}
	for fn, v := range live {
		used[fn+":"+v] = true
	}
	for _, n := range kept {
		r, err := s.readRecord(ctx, n)
		if err != nil {
			return err
		}
		for _, f := range r.Functions {
			used[f.Name+":"+f.Version] = true
		}
	}
	deleted := 0
	for _, n := range drop {
		r, err := s.readRecord(ctx, n)
		if err != nil {
			return err
		}
		for _, f := range r.Functions {
			if used[f.Name+":"+f.Version] || f.Version == "" || f.Version == "$LATEST" {
				continue
			}
			used[f.Name+":"+f.Version] = true // once
			_, err := s.lambda.DeleteFunction(ctx, &lambda.DeleteFunctionInput{FunctionName: aws.String(f.Name), Qualifier: aws.String(f.Version)})
			switch code := errorCode(err); {
			case err == nil:
				deleted++
			case code == "ResourceNotFoundException", code == "ResourceConflictException":
				// Gone already, or an alias still points at it.
			default:
				return fmt.Errorf("delete version %s of %s: %w", f.Version, f.Name, err)
			}
		}
		if err := s.deleteObjects(ctx, recordKey(n)); err != nil {
			return err
		}
	}
	s.logf("  kept the last %d releases: deleted %d release records and %d function versions", keep, len(drop), deleted)
	return nil
}
