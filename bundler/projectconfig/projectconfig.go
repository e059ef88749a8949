// Package projectconfig loads and validates nextgo.json, an app's optional
// project configuration:
//
//	{
//	  "name": "shop",
//	  "region": "eu-west-1",
//	  "maxDuration": 10,
//	  "memory": 512,
//	  "architecture": "arm64",
//	  "bodyLimit": "2mb",
//	  "trailingSlash": false,
//	  "basePath": "/shop",
//	  "headers": [{"source": "/api/:path*", "headers": [{"key": "X-Frame-Options", "value": "DENY"}]}],
//	  "redirects": [{"source": "/old/:slug", "destination": "/api/items/:slug", "permanent": true}],
//	  "rewrites": [{"source": "/items/:id", "destination": "/api/items/:id"}]
//	}
//
// maxDuration, memory, architecture and bodyLimit are the defaults of every
// route whose Config does not set them. headers, redirects, rewrites,
// trailingSlash and basePath have the shapes and meaning of Next's
// next.config.js (see runtime/rules); rewrites may also be the object
// {"beforeFiles": [...], "afterFiles": [...], "fallback": [...]}.
//
// Unknown keys and values of the wrong type are errors naming the key path:
//
//	nextgo.json: redirects[0].permanent: want a boolean, got "yes"
package projectconfig

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"

	"github.com/nextgo-dev/nextgo/internal/lambdalimit"
	"github.com/nextgo-dev/nextgo/runtime/api"
	"github.com/nextgo-dev/nextgo/runtime/rules"
)

// File is the project configuration's file name, at the app's root.
const File = "nextgo.json"

// Config is a validated nextgo.json. Zero fields were not set.
type Config struct {
	// Name is the project's name: the prefix of its Lambda functions.
	Name string
	// Region is the AWS region to deploy to.
	Region string
	// KeepReleases is how many releases `nextgo deploy` keeps (1 to
	// 1000; 0 means its default, 10).
	KeepReleases int
	// MaxDuration is the default Lambda timeout and request deadline of a
	// route, in seconds (lambdalimit.MinTimeout to MaxTimeout).
	MaxDuration int
	// Memory is the default Lambda memory of a route, in MB
	// (lambdalimit.MinMemory to MaxMemory).
	Memory int
	// Architecture is "arm64" or "x86_64", Lambda's spelling.
	Architecture string
	// BodyLimit is the default request body limit, as written ("1mb", or
	// a number of bytes), and BodyLimitBytes its value.
	BodyLimit      string
	BodyLimitBytes int64
	// TrailingSlash and BasePath are Next's trailingSlash and basePath.
	TrailingSlash bool
	BasePath      string
	// Headers, Redirects and Rewrites are Next's custom routes.
	Headers   []rules.Header
	Redirects []rules.Redirect
	Rewrites  rules.Rewrites
}

// GOARCH returns the Go spelling of Architecture ("arm64" or "amd64"), or
// "" when it is not set.
func (c *Config) GOARCH() string {
	for goarch, name := range lambdalimit.Architectures {
		if name == c.Architecture {
			return goarch
		}
	}
	return ""
}

// Rules returns the routing rules of the configuration for an app whose
// route patterns are routes, ready for rules.New (and for the generated
// code to spell as a composite literal).
func (c *Config) Rules(routes []string) rules.Config {
	return rules.Config{
		BasePath:      c.BasePath,
		TrailingSlash: c.TrailingSlash,
		Headers:       c.Headers,
		Redirects:     c.Redirects,
		Rewrites:      c.Rewrites,
		Routes:        routes,
	}
}

// HasRules reports whether the configuration sets any routing rule, so
// that the generated code can leave package rules out when it does not.
func (c *Config) HasRules() bool {
	return c.BasePath != "" || c.TrailingSlash || len(c.Headers)+len(c.Redirects)+
		len(c.Rewrites.BeforeFiles)+len(c.Rewrites.AfterFiles)+len(c.Rewrites.Fallback) > 0
}

// Load reads dir/nextgo.json. A missing file is the zero Config.
func Load(dir string) (*Config, error) {
	data, err := os.ReadFile(filepath.Join(dir, File))
	if errors.Is(err, os.ErrNotExist) {
		return &Config{}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", File, err)
	}
	return Parse(data)
}

// Parse validates the contents of a nextgo.json. Errors start with
// "nextgo.json: " and name the key path, or the line and column of a JSON
// syntax error.
func Parse(data []byte) (*Config, error) {
	root, err := parseJSON(data)
	if err != nil {
		var se *syntaxError
		if errors.As(err, &se) {
			return nil, fmt.Errorf("%s:%w", File, err)
		}
		return nil, fmt.Errorf("%s: %w", File, err)
	}
	c, err := decode(root)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", File, err)
	}
	return c, nil
}

// reader walks the value tree and keeps the first error.
type reader struct{ err error }

func (rd *reader) fail(path, format string, args ...any) {
	if rd.err == nil {
		rd.err = &pathError{path: path, msg: fmt.Sprintf(format, args...)}
	}
}

func (rd *reader) wrongType(path, want string, v *value) {
	rd.fail(path, "want %s, got %s", want, v.describe())
}

// object checks that v is an object with only the known keys, and calls
// field for each key present, in document order.
func (rd *reader) object(path string, v *value, known []string, field func(key, path string, v *value)) {
	if rd.err != nil {
		return
	}
	if v.kind != kObject {
		rd.wrongType(path, "an object", v)
		return
	}
	for i, k := range v.keys {
		sub := joinPath(path, k)
		if !contains(known, k) {
			if near := closest(k, known); near != "" {
				rd.fail(sub, "unknown key (did you mean %q?)", near)
			} else {
				rd.fail(sub, "unknown key (known keys: %s)", strings.Join(known, ", "))
			}
			return
		}
		field(k, sub, v.vals[i])
		if rd.err != nil {
			return
		}
	}
}

func (rd *reader) array(path string, v *value, item func(path string, v *value)) {
	if rd.err != nil {
		return
	}
	if v.kind != kArray {
		rd.wrongType(path, "an array", v)
		return
	}
	for i, it := range v.items {
		item(fmt.Sprintf("%s[%d]", path, i), it)
		if rd.err != nil {
			return
		}
	}
}

func (rd *reader) str(path string, v *value) string {
	if v.kind != kString {
		rd.wrongType(path, "a string", v)
	}
	return v.str
}

func (rd *reader) boolean(path string, v *value) bool {
	if v.kind != kBool {
		rd.wrongType(path, "a boolean", v)
	}
	return v.b
}

func (rd *reader) integer(path string, v *value, lo, hi int) int {
	if v.kind != kNumber {
		rd.wrongType(path, "an integer", v)
		return 0
	}
	n, err := strconv.Atoi(v.num.String())
	if err != nil {
		rd.wrongType(path, "an integer", v)
		return 0
	}
	if n < lo || n > hi {
		rd.fail(path, "want %d to %d, got %d", lo, hi, n)
	}
	return n
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

var (
	nameRE   = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_-]{0,39}$`)
	regionRE = regexp.MustCompile(`^[a-z]{2}(-[a-z]+)+-[0-9]+$`)
)

var topKeys = []string{"$schema", "name", "region", "keepReleases", "maxDuration", "memory", "architecture", "bodyLimit",
	"trailingSlash", "basePath", "headers", "redirects", "rewrites"}

func decode(root *value) (*Config, error) {
	c := &Config{}
	rd := &reader{}
	rewritesArray := false
	rd.object("", root, topKeys, func(key, path string, v *value) {
		switch key {
		case "$schema":
			rd.str(path, v)
		case "name":
			if c.Name = rd.str(path, v); rd.err == nil && !nameRE.MatchString(c.Name) {
				rd.fail(path, "%s is not a valid name: 1 to 40 letters, digits, - and _, starting with a letter or digit", v.describe())
			}
		case "region":
			if c.Region = rd.str(path, v); rd.err == nil && !regionRE.MatchString(c.Region) {
				rd.fail(path, "%s is not an AWS region (like \"us-east-1\")", v.describe())
			}
		case "keepReleases":
			c.KeepReleases = rd.integer(path, v, 1, 1000)
		case "maxDuration":
			c.MaxDuration = rd.integer(path, v, lambdalimit.MinTimeout, lambdalimit.MaxTimeout)
		case "memory":
			c.Memory = rd.integer(path, v, lambdalimit.MinMemory, lambdalimit.MaxMemory)
		case "architecture":
			if c.Architecture = rd.str(path, v); rd.err == nil && c.GOARCH() == "" {
				rd.fail(path, "want \"arm64\" or \"x86_64\", got %s", v.describe())
			}
		case "bodyLimit":
			c.BodyLimit, c.BodyLimitBytes = rd.size(path, v)
		case "trailingSlash":
			c.TrailingSlash = rd.boolean(path, v)
		case "basePath":
			c.BasePath = rd.str(path, v)
		case "headers":
			rd.array(path, v, func(path string, v *value) { c.Headers = append(c.Headers, rd.header(path, v)) })
		case "redirects":
			rd.array(path, v, func(path string, v *value) { c.Redirects = append(c.Redirects, rd.redirect(path, v)) })
		case "rewrites":
			if v.kind == kArray {
				rewritesArray = true
				rd.array(path, v, func(path string, v *value) {
					c.Rewrites.AfterFiles = append(c.Rewrites.AfterFiles, rd.rewrite(path, v))
				})
				return
			}
			if v.kind != kObject {
				rd.wrongType(path, "an array or an object with beforeFiles, afterFiles and fallback", v)
				return
			}
			rd.object(path, v, []string{"beforeFiles", "afterFiles", "fallback"}, func(key, path string, v *value) {
				out := map[string]*[]rules.Rewrite{"beforeFiles": &c.Rewrites.BeforeFiles, "afterFiles": &c.Rewrites.AfterFiles, "fallback": &c.Rewrites.Fallback}[key]
				rd.array(path, v, func(path string, v *value) { *out = append(*out, rd.rewrite(path, v)) })
			})
		}
	})
	if rd.err != nil {
		return nil, rd.err
	}
	// The patterns, destinations and header values, checked as they will
	// run.
	if _, err := rules.New(c.Rules(nil)); err != nil {
		var re *rules.Error
		if errors.As(err, &re) && rewritesArray {
			re.Rule = strings.Replace(re.Rule, "rewrites.afterFiles[", "rewrites[", 1)
		}
		return nil, err
	}
	return c, nil
}

// size reads a body limit: a size string ("1mb") or a number of bytes.
func (rd *reader) size(path string, v *value) (string, int64) {
	switch v.kind {
	case kString:
		n, err := api.ParseSize(v.str)
		if err != nil {
			rd.fail(path, "%s is not a size: want a number of bytes or a string like \"500kb\" or \"1mb\"", v.describe())
		}
		return v.str, n
	case kNumber:
		n, err := strconv.ParseInt(v.num.String(), 10, 64)
		if err != nil || n < 0 {
			rd.fail(path, "want a non-negative number of bytes or a string like \"1mb\", got %s", v.describe())
		}
		return v.num.String(), n
	}
	rd.wrongType(path, "a size (a number of bytes or a string like \"1mb\")", v)
	return "", 0
}

// basePathOff reads a rule's basePath, which may only be false.
func (rd *reader) basePathOff(path string, v *value) bool {
	if v.kind != kBool || v.b {
		rd.fail(path, "want false (or no basePath key), got %s", v.describe())
	}
	return true
}

func (rd *reader) conditions(path string, v *value) []rules.Condition {
	var out []rules.Condition
	rd.array(path, v, func(path string, v *value) {
		var c rules.Condition
		rd.object(path, v, []string{"type", "key", "value"}, func(key, path string, v *value) {
			switch key {
			case "type":
				c.Type = rd.str(path, v)
			case "key":
				c.Key = rd.str(path, v)
			case "value":
				c.Value = rd.str(path, v)
			}
		})
		if rd.err == nil {
			if _, ok := v.get("type"); !ok {
				rd.fail(path, "missing key \"type\" (header, cookie, query or host)")
			}
		}
		out = append(out, c)
	})
	return out
}

// required reports a missing key of a rule.
func (rd *reader) required(path string, v *value, keys ...string) {
	if rd.err != nil {
		return
	}
	for _, k := range keys {
		if _, ok := v.get(k); !ok {
			rd.fail(path, "missing key %q", k)
			return
		}
	}
}

func (rd *reader) header(path string, v *value) rules.Header {
	var h rules.Header
	rd.object(path, v, []string{"source", "headers", "basePath", "has", "missing"}, func(key, path string, v *value) {
		switch key {
		case "source":
			h.Source = rd.str(path, v)
		case "headers":
			rd.array(path, v, func(path string, v *value) {
				var kv rules.KeyValue
				rd.object(path, v, []string{"key", "value"}, func(key, path string, v *value) {
					if key == "key" {
						kv.Key = rd.str(path, v)
					} else {
						kv.Value = rd.str(path, v)
					}
				})
				rd.required(path, v, "key", "value")
				h.Headers = append(h.Headers, kv)
			})
		case "basePath":
			h.NoBasePath = rd.basePathOff(path, v)
		case "has":
			h.Has = rd.conditions(path, v)
		case "missing":
			h.Missing = rd.conditions(path, v)
		}
	})
	rd.required(path, v, "source", "headers")
	return h
}

func (rd *reader) redirect(path string, v *value) rules.Redirect {
	var r rules.Redirect
	rd.object(path, v, []string{"source", "destination", "permanent", "statusCode", "basePath", "has", "missing"}, func(key, path string, v *value) {
		switch key {
		case "source":
			r.Source = rd.str(path, v)
		case "destination":
			r.Destination = rd.str(path, v)
		case "permanent":
			r.Permanent = rd.boolean(path, v)
		case "statusCode":
			r.StatusCode = rd.integer(path, v, 0, 999)
		case "basePath":
			r.NoBasePath = rd.basePathOff(path, v)
		case "has":
			r.Has = rd.conditions(path, v)
		case "missing":
			r.Missing = rd.conditions(path, v)
		}
	})
	rd.required(path, v, "source", "destination")
	if rd.err == nil {
		_, perm := v.get("permanent")
		_, code := v.get("statusCode")
		switch {
		case perm && code:
			rd.fail(path, "`permanent` and `statusCode` cannot both be set")
		case !perm && !code:
			rd.fail(path, "missing key \"permanent\" (true for 308, false for 307) or \"statusCode\"")
		}
	}
	return r
}

func (rd *reader) rewrite(path string, v *value) rules.Rewrite {
	var r rules.Rewrite
	rd.object(path, v, []string{"source", "destination", "basePath", "has", "missing"}, func(key, path string, v *value) {
		switch key {
		case "source":
			r.Source = rd.str(path, v)
		case "destination":
			r.Destination = rd.str(path, v)
		case "basePath":
			r.NoBasePath = rd.basePathOff(path, v)
		case "has":
			r.Has = rd.conditions(path, v)
		case "missing":
			r.Missing = rd.conditions(path, v)
		}
	})
	rd.required(path, v, "source", "destination")
	return r
}
