package routes

import (
	"fmt"

	"github.com/nextgo-dev/nextgo/internal/lambdalimit"
	"github.com/nextgo-dev/nextgo/runtime/api"
	"github.com/nextgo-dev/nextgo/runtime/server"
)

// validateConfig checks the statically read Config of r. Errors name the
// file and the line of the Config declaration.
func validateConfig(r Route) error {
	c := r.Config
	fail := func(format string, args ...any) error {
		return &PosError{File: r.File, Line: c.Line, Col: 1, Msg: fmt.Sprintf(format, args...)}
	}
	if c.MaxDuration < 0 || c.MaxDuration > lambdalimit.MaxTimeout {
		return fail("MaxDuration %d is out of range: a Lambda function runs for %d to %d seconds", c.MaxDuration, lambdalimit.MinTimeout, lambdalimit.MaxTimeout)
	}
	if c.Memory != 0 && (c.Memory < lambdalimit.MinMemory || c.Memory > lambdalimit.MaxMemory) {
		return fail("Memory %d is out of range: Lambda takes %d to %d MB", c.Memory, lambdalimit.MinMemory, lambdalimit.MaxMemory)
	}
	for _, s := range []struct{ field, v string }{
		{"BodyParser.SizeLimit", c.SizeLimit}, {"ResponseLimit", c.ResponseLimit}, {"BodySizeLimit", c.BodySizeLimit},
	} {
		if s.v == "" {
			continue
		}
		if _, err := api.ParseSize(s.v); err != nil {
			return fail("%s %q is not a size: write it as the bytes package does, e.g. \"500kb\" or \"4mb\" (%v)", s.field, s.v, err)
		}
	}
	if r.Kind == KindRoute {
		if err := ServerConfig(c).Validate(r.Pattern); err != nil {
			return fail("%v", err)
		}
	}
	return nil
}

// dynamicModes maps the constant names of server.Dynamic to their values.
var dynamicModes = map[string]server.Dynamic{
	"Auto": server.Auto, "ForceDynamic": server.ForceDynamic, "ForceStatic": server.ForceStatic, "Error": server.Error,
}

// ServerConfig rebuilds the route handler's server.Config from what was
// read statically, so that build-time checks use the runtime's own rules.
func ServerConfig(c RouteConfig) server.Config {
	return server.Config{Dynamic: dynamicModes[c.Dynamic], Revalidate: c.Revalidate, MaxDuration: c.MaxDuration, BodySizeLimit: c.BodySizeLimit, Memory: c.Memory}
}
