package s3cache

import (
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/nextgo-dev/nextgo/adapters/lambda/internal/awsreq"
	"github.com/nextgo-dev/nextgo/runtime/cache"
)

// Name is the store's name in cache.EnvStore (NEXTGO_RESPONSE_CACHE=s3).
const Name = "s3"

// EnvBucket names the bucket of the app and stage. Deploy sets it, with
// cache.EnvStore, on the functions that cache or revalidate; `nextgo
// start` sets both for every function.
const EnvBucket = "NEXTGO_RESPONSE_CACHE_BUCKET"

// Backend is the store as cache.Open chooses it by Name. It reads
// EnvBucket; the region, credentials and endpoints as awsreq.FromEnv does;
// cache.EnvMaxBytes as the budget of the per-process layer (by default an
// eighth of the function's memory, at most cache.DefaultMaxBytes); and,
// in a Lambda function (AWS_LAMBDA_FUNCTION_NAME set), makes the store
// its own Regenerator.
func Backend() cache.Backend {
	return cache.Backend{Name: Name, Open: open}
}

// regenerateWindow is how long a process waits before it asks again for a
// regeneration that has not replaced the stale entry.
const regenerateWindow = 30 * time.Second

// shared is the Store of a Lambda function: it regenerates its stale
// entries through a Regenerator.
type shared struct {
	*Store
	*Regenerator
}

func open(getenv func(string) string) (cache.Store, error) {
	bucket := getenv(EnvBucket)
	if bucket == "" {
		return nil, errors.New(EnvBucket + " is not set")
	}
	s3c, err := awsreq.FromEnv("s3", getenv)
	if err != nil {
		return nil, err
	}
	local, err := localBudget(getenv)
	if err != nil {
		return nil, err
	}
	st := New(s3c, bucket, Options{LocalBytes: local})
	fn := getenv("AWS_LAMBDA_FUNCTION_NAME")
	if fn == "" {
		return st, nil
	}
	lc, err := awsreq.FromEnv("lambda", getenv)
	if err != nil {
		return nil, err
	}
	return shared{st, NewRegenerator(lc, fn, getenv("AWS_LAMBDA_FUNCTION_VERSION"), regenerateWindow)}, nil
}

// localBudget is the per-process layer's budget.
func localBudget(getenv func(string) string) (int64, error) {
	if s := getenv(cache.EnvMaxBytes); s != "" {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil || n < 0 {
			return 0, fmt.Errorf("%s=%q: want a number of bytes", cache.EnvMaxBytes, s)
		}
		return n, nil
	}
	n := int64(cache.DefaultMaxBytes)
	if mb, err := strconv.Atoi(getenv("AWS_LAMBDA_FUNCTION_MEMORY_SIZE")); err == nil && mb > 0 {
		n = min(n, int64(mb)<<20/8)
	}
	return n, nil
}
