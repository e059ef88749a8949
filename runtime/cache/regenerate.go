package cache

import "context"

// A Regenerator regenerates stale entries somewhere that outlives the
// request that served them stale: on Lambda, where a sandbox is frozen once
// it has answered, a new invocation of the function. It sees to it that
// Cache.Get runs again for path under Regenerating(ctx, version), which
// generates the entry at once and stores it if the store still holds that
// version. A Store that is also a Regenerator is used as both by Open.
type Regenerator interface {
	Regenerate(ctx context.Context, path, version string) error
}

// RegenerateHeader is the request header that carries, to a cached route,
// the version of the stale entry the request is to regenerate (see
// Regenerating). A request naming any version other than that of the
// stale entry the store holds is served as any other, so the header
// grants nothing: at most it regenerates, once, an entry that is stale
// anyway.
const RegenerateHeader = "X-Nextgo-Regenerate"

type regenerationKey struct{}

// Regenerating returns ctx marked as the regeneration of the entry stored
// at version: Cache.Get under it, when the store still holds that version
// and it is stale, generates the response now instead of answering Stale.
func Regenerating(ctx context.Context, version string) context.Context {
	return context.WithValue(ctx, regenerationKey{}, version)
}

// regenerationOf returns the version ctx regenerates, "" for none.
func regenerationOf(ctx context.Context) string {
	v, _ := ctx.Value(regenerationKey{}).(string)
	return v
}
