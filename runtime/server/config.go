package server

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/nextgo-dev/nextgo/internal/lambdalimit"
	"github.com/nextgo-dev/nextgo/runtime/internal/size"
)

// Dynamic is a route's rendering mode, Next's `export const dynamic`.
type Dynamic string

// The values of Dynamic. The zero value means Auto.
const (
	// Auto (the default): GET responses are generated per request, unless
	// Revalidate > 0 makes them cached.
	Auto Dynamic = "auto"
	// ForceDynamic: never cached, whatever Revalidate says.
	ForceDynamic Dynamic = "force-dynamic"
	// ForceStatic: GET responses are cached (and regenerated every
	// Revalidate seconds when Revalidate > 0), and every method's handler
	// sees the request stripped of its query, headers and cookies.
	ForceStatic Dynamic = "force-static"
	// Error: the route must be static. Next fails the build when the handler
	// reads request data; nextgo cannot see that at build time, so it caches
	// GET responses as ForceStatic does and generates them from a request
	// that carries no query, headers, cookies or body.
	Error Dynamic = "error"
)

// ExpireTime is how long, in seconds, a cached response may be served at all
// (Next's default `expireTime`, one year). It bounds the
// stale-while-revalidate window of the Cache-Control header.
const ExpireTime = 31536000

// Lambda's own bounds for a function.
const (
	maxMaxDuration = lambdalimit.MaxTimeout // seconds
	minMemory      = lambdalimit.MinMemory  // MB
	maxMemory      = lambdalimit.MaxMemory  // MB
)

// Config is a route handler's segment configuration. It is read twice: by
// the bundler from the source (it must be a composite literal of
// constants, e.g. `var Config = server.Config{Revalidate: 60}`), and at run
// time through Route.Config.
type Config struct {
	// Dynamic is the rendering mode; "" means Auto.
	Dynamic Dynamic
	// Revalidate is how many seconds a cached GET response stays fresh;
	// 0 means it is not time-based (a ForceStatic route is then cached
	// until revalidated on demand). A positive value makes GET responses
	// cached unless Dynamic is ForceDynamic.
	Revalidate int
	// MaxDuration is the request's deadline in seconds, and the Lambda
	// timeout; 0 takes the project default.
	MaxDuration int
	// BodySizeLimit, when set, is the largest request body accepted, in the
	// units of `bytes` ("500kb", "1mb", or a number of bytes); a larger body
	// is answered with 413. Empty means no limit, as in Next.
	BodySizeLimit string
	// Memory is the Lambda function's memory in MB (nextgo extension);
	// 0 takes the project default.
	Memory int
}

// Validate checks c as Next checks segment configuration, and returns an
// error worded like Next's build error, naming route (the route path, e.g.
// "/api/items/[slug]"), with one issue per invalid field.
func (c Config) Validate(route string) error {
	var issues []string
	switch c.Dynamic {
	case "", Auto, ForceDynamic, ForceStatic, Error:
	default:
		issues = append(issues, fmt.Sprintf("Invalid enum value. Expected 'auto' | 'error' | 'force-static' | 'force-dynamic', received '%s' at \"Dynamic\"", string(c.Dynamic)))
	}
	if c.Revalidate < 0 {
		issues = append(issues, fmt.Sprintf("Invalid revalidate value %d on %q, must be a non-negative number at \"Revalidate\"", c.Revalidate, route))
	}
	if c.MaxDuration < 0 {
		issues = append(issues, `Number must be greater than or equal to 0 at "MaxDuration"`)
	} else if c.MaxDuration > maxMaxDuration {
		issues = append(issues, fmt.Sprintf("Number must be less than or equal to %d at \"MaxDuration\"", maxMaxDuration))
	}
	if c.Memory != 0 && c.Memory < minMemory {
		issues = append(issues, fmt.Sprintf("Number must be greater than or equal to %d at \"Memory\"", minMemory))
	} else if c.Memory > maxMemory {
		issues = append(issues, fmt.Sprintf("Number must be less than or equal to %d at \"Memory\"", maxMemory))
	}
	if c.BodySizeLimit != "" {
		if _, err := size.Parse(c.BodySizeLimit); err != nil {
			issues = append(issues, fmt.Sprintf("Invalid bodySizeLimit value %q on %q, must be a size such as \"1mb\" or a number of bytes at \"BodySizeLimit\"", c.BodySizeLimit, route))
		}
	}
	if len(issues) == 0 {
		return nil
	}
	return fmt.Errorf("Invalid segment configuration options detected for %q. Read more at https://nextjs.org/docs/app/api-reference/file-conventions/route-segment-config: %s", route, strings.Join(issues, "; "))
}

// static reports whether the configuration asks for static generation,
// Next's isStaticGenEnabled.
func (c Config) static() bool {
	switch c.Dynamic {
	case ForceStatic, Error:
		return true
	case ForceDynamic:
		return false
	}
	return c.Revalidate > 0
}

// Cached reports whether the GET responses of a route with this
// configuration that exports the given methods are cached, as in Next 15+:
// only with ForceStatic, Error or Revalidate > 0 (and not ForceDynamic),
// only when GET is exported, and never when the route also exports POST,
// PUT, DELETE, PATCH or OPTIONS.
func (c Config) Cached(methods ...string) bool {
	if !c.static() {
		return false
	}
	get := false
	for _, m := range methods {
		switch m {
		case http.MethodGet:
			get = true
		case http.MethodPost, http.MethodPut, http.MethodDelete, http.MethodPatch, http.MethodOptions:
			return false
		}
	}
	return get
}

// CacheControl is the Cache-Control header of a cached GET response (one
// whose handler did not set its own): "s-maxage=N,
// stale-while-revalidate=<ExpireTime−N>" when it revalidates every N
// seconds, "s-maxage=31536000" when it never does.
func (c Config) CacheControl() string {
	n := c.Revalidate
	if n <= 0 {
		return "s-maxage=" + strconv.Itoa(ExpireTime)
	}
	if n < ExpireTime {
		return "s-maxage=" + strconv.Itoa(n) + ", stale-while-revalidate=" + strconv.Itoa(ExpireTime-n)
	}
	return "s-maxage=" + strconv.Itoa(n)
}

// bodyLimit returns the parsed BodySizeLimit, or -1 for none.
func (c Config) bodyLimit() (int64, error) {
	if c.BodySizeLimit == "" {
		return -1, nil
	}
	return size.Parse(c.BodySizeLimit)
}
