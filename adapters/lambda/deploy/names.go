package deploy

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
)

// Tag keys set on every resource a deploy creates. Deploy, rollback, prune
// and remove act only on resources that carry both TagApp and TagStage with
// the expected values.
const (
	TagApp   = "nextgo:app"   // the app name
	TagStage = "nextgo:stage" // the stage name
	// TagRoute is set on functions: the route part of the function name
	// (RouteID, e.g. "api-post-_pid-3f2a9c0b"). Tag values cannot hold the
	// brackets of a pattern, so the pattern itself is in the function's
	// description.
	TagRoute = "nextgo:route"
)

// AliasName is the alias every API integration invokes. A release moves it.
const AliasName = "live"

// maxNameLen is the longest Lambda function and IAM role name.
const maxNameLen = 64

// hashedPrefixLen is what a capped name keeps of the full name, before a
// hyphen and 8 hex digits of the full name's SHA-256.
const hashedPrefixLen = maxNameLen - 9

// fallbackID is the route part of the fallback function's name.
const fallbackID = "_fallback"

// FunctionName is the Lambda function name of the route with the given
// pattern ("" for the app's fallback function, which serves API Gateway's
// $default route): "<app>-<stage>-<RouteID>", at most 64 characters of
// [a-zA-Z0-9_-]. It depends on the app, the stage and that one pattern
// alone, never on the app's other routes, so adding or removing a route
// never renames another route's function.
//
// When app and stage leave no room for a readable route part, the name is
// their prefix cut short and a hash of app, stage and pattern.
func FunctionName(app, stage, pattern string) string {
	prefix := sanitizeName(app) + "-" + sanitizeName(stage) + "-"
	id := RouteID(pattern)
	if len(prefix)+len(id) <= maxNameLen {
		return prefix + id
	}
	if pattern == "" {
		return capName(prefix + id)
	}
	room := maxNameLen - len(prefix) - 9 // "-" and 8 hex digits
	if room >= 1 {
		readable := strings.TrimRight(id[:len(id)-9][:min(room, len(id)-9)], "-")
		if readable != "" {
			return prefix + readable + id[len(id)-9:]
		}
	}
	sum := sha256.Sum256([]byte(app + "\x00" + stage + "\x00" + pattern))
	return prefix[:hashedPrefixLen] + "-" + hex.EncodeToString(sum[:4])
}

// RouteID is the route part of a function name: the pattern's segments
// joined by '-' ("[x]" spelled "_x", "[...x]" "__x", "[[...x]]" "___x",
// characters a name cannot hold replaced by '_'; "index" for "/") and 8 hex
// digits of the pattern's SHA-256, which keep two patterns that spell
// alike apart. The fallback's ("" pattern) is "_fallback".
func RouteID(pattern string) string {
	if pattern == "" {
		return fallbackID
	}
	var parts []string
	for _, seg := range strings.Split(strings.Trim(pattern, "/"), "/") {
		if seg == "" {
			continue
		}
		switch {
		case strings.HasPrefix(seg, "[[...") && strings.HasSuffix(seg, "]]"):
			seg = "___" + seg[5:len(seg)-2]
		case strings.HasPrefix(seg, "[...") && strings.HasSuffix(seg, "]"):
			seg = "__" + seg[4:len(seg)-1]
		case strings.HasPrefix(seg, "[") && strings.HasSuffix(seg, "]"):
			seg = "_" + seg[1:len(seg)-1]
		}
		parts = append(parts, strings.Map(func(c rune) rune {
			if nameChar(c) {
				return c
			}
			return '_'
		}, seg))
	}
	readable := strings.Join(parts, "-")
	if readable == "" {
		readable = "index"
	}
	sum := sha256.Sum256([]byte(pattern))
	return readable + "-" + hex.EncodeToString(sum[:4])
}

// functionPrefix is the prefix every FunctionName of app and stage starts
// with, capped or not.
func functionPrefix(app, stage string) string {
	p := sanitizeName(app) + "-" + sanitizeName(stage) + "-"
	if len(p) > hashedPrefixLen {
		p = p[:hashedPrefixLen]
	}
	return p
}

// RoleName is the execution role shared by the functions of one app and
// stage: "nextgo-<app>-<stage>-exec", capped like FunctionName.
func RoleName(app, stage string) string {
	return capName("nextgo-" + sanitizeName(app) + "-" + sanitizeName(stage) + "-exec")
}

// APIName is the name of the HTTP API of one app and stage: "<app>-<stage>".
func APIName(app, stage string) string {
	return sanitizeName(app) + "-" + sanitizeName(stage)
}

// ValidateStage reports whether stage is usable as a stage name: 1 to 32
// letters, digits, hyphens or underscores.
func ValidateStage(stage string) error {
	if stage == "" {
		return fmt.Errorf("stage name is empty")
	}
	if len(stage) > 32 {
		return fmt.Errorf("stage name %q is longer than 32 characters", stage)
	}
	for _, c := range stage {
		if !nameChar(c) {
			return fmt.Errorf("stage name %q: only letters, digits, '-' and '_' are allowed", stage)
		}
	}
	return nil
}

// validateApp reports whether app is usable as an app name.
func validateApp(app string) error {
	if app == "" {
		return fmt.Errorf("app name is empty")
	}
	if len(app) > 64 {
		return fmt.Errorf("app name %q is longer than 64 characters", app)
	}
	if strings.Trim(sanitizeName(app), "-") == "" {
		return fmt.Errorf("app name %q has no letter or digit", app)
	}
	return nil
}

func nameChar(c rune) bool {
	return c == '-' || c == '_' || ('0' <= c && c <= '9') || ('a' <= c && c <= 'z') || ('A' <= c && c <= 'Z')
}

// sanitizeName replaces every character outside [A-Za-z0-9_-] with '-'.
func sanitizeName(s string) string {
	if !strings.ContainsFunc(s, func(c rune) bool { return !nameChar(c) }) {
		return s
	}
	b := make([]byte, 0, len(s))
	for _, c := range s {
		if nameChar(c) {
			b = append(b, byte(c))
		} else {
			b = append(b, '-')
		}
	}
	return string(b)
}

// capName cuts a name longer than 64 characters and appends a hash of the
// full name.
func capName(full string) string {
	if len(full) <= maxNameLen {
		return full
	}
	sum := sha256.Sum256([]byte(full))
	return full[:hashedPrefixLen] + "-" + hex.EncodeToString(sum[:4])
}
