package api

import (
	"fmt"
	"math/big"

	"github.com/nextgo-dev/nextgo/internal/pipeline"
	"github.com/nextgo-dev/nextgo/runtime/internal/size"
)

// Config is the per-route configuration of an API route, the counterpart
// of Next.js's `export const config = { api: { … } }` plus the function
// settings of `maxDuration`. A route declares it as a package variable:
//
//	var Config = api.Config{BodyParser: api.BodyParser{SizeLimit: "500kb"}, MaxDuration: 5}
//
// The bundler reads that declaration statically, so it must be a composite
// literal of constants; the compiled function reads it again at run time.
// The zero Config is Next's default configuration.
type Config struct {
	// BodyParser controls how the request body is read and parsed.
	BodyParser BodyParser
	// ResponseLimit is the response size past which a warning is logged
	// (the response is still sent), as a size like "4mb"; "" means the
	// default "4mb", and NoResponseLimit turns the warning off.
	ResponseLimit string
	// ExternalResolver, when true, turns off the warning logged when the
	// handler returns without sending anything (the empty response is
	// still sent, since in Go returning from the handler ends the request).
	ExternalResolver bool
	// MaxDuration is the longest a request may run, in seconds: the
	// request context's deadline and the Lambda function's timeout.
	// 0 means the project default.
	MaxDuration int
	// Memory is the Lambda function's memory in MB (a nextgo extension);
	// 0 means the project default.
	Memory int
}

// BodyParser is the body parsing part of Config.
type BodyParser struct {
	// SizeLimit is the largest accepted body, as a size like "1mb" (see
	// ParseSize); "" means the default "1mb". A larger body is answered
	// with 413 and the message "Body exceeded <SizeLimit> limit", the
	// literal echoed as written.
	SizeLimit string
	// Disabled leaves the body unread: Request.Body is nil, the stream is
	// Request.Request.Body, and no size limit applies.
	Disabled bool
}

// NoResponseLimit, as Config.ResponseLimit, turns off the response size
// warning, like Next's `responseLimit: false`. It is the string "false", so
// that it can appear in a composite literal of constants.
const NoResponseLimit = "false"

// Defaults of Config.
const (
	DefaultSizeLimit     = "1mb"
	DefaultResponseLimit = "4mb"
)

// ParseSize returns the number of bytes a size literal stands for, with
// the units of the JavaScript bytes package that Next.js uses: a
// non-negative decimal number, optionally followed (after optional spaces)
// by b, kb, mb, gb, tb or pb in any case; units are binary ("1kb" is 1024
// bytes, "1mb" 1,048,576), a plain number is bytes, and a fractional
// result is rounded down ("1.5kb" is 1536). Anything else is an error.
func ParseSize(s string) (int64, error) {
	n, err := size.Parse(s)
	if err != nil {
		return 0, fmt.Errorf("api: %w", err)
	}
	return n, nil
}

// Validate reports whether c can be used at run time: its sizes parse and
// its numbers are not negative. The bundler checks the Lambda-specific
// ranges itself.
func (c Config) Validate() error {
	if c.BodyParser.SizeLimit != "" {
		if _, err := ParseSize(c.BodyParser.SizeLimit); err != nil {
			return fmt.Errorf("BodyParser.SizeLimit: %w", err)
		}
	}
	if c.ResponseLimit != "" && c.ResponseLimit != NoResponseLimit {
		if _, err := ParseSize(c.ResponseLimit); err != nil {
			return fmt.Errorf("ResponseLimit: %w", err)
		}
	}
	if c.MaxDuration < 0 {
		return fmt.Errorf("MaxDuration %d is negative", c.MaxDuration)
	}
	if c.Memory < 0 {
		return fmt.Errorf("Memory %d is negative", c.Memory)
	}
	return nil
}

// limits are the sizes of a Config, parsed once per route.
type limits struct {
	body      int64  // largest accepted body
	bodyText  string // the SizeLimit literal as written
	tooLarge  string // the 413 message, "Body exceeded <bodyText> limit"
	parse     bool   // the body parser is on
	response  int64  // warning threshold; < 0 when off
	respLabel string // the threshold as bytes.format writes it
}

func newLimits(c Config) (limits, error) {
	if err := c.Validate(); err != nil {
		return limits{}, err
	}
	l := limits{bodyText: c.BodyParser.SizeLimit, parse: !c.BodyParser.Disabled, response: -1}
	if l.bodyText == "" {
		l.bodyText = DefaultSizeLimit
	}
	l.body, _ = ParseSize(l.bodyText)
	l.tooLarge = pipeline.TooLargeMessage(l.bodyText)
	switch c.ResponseLimit {
	case NoResponseLimit:
	case "":
		l.response, _ = ParseSize(DefaultResponseLimit)
	default:
		l.response, _ = ParseSize(c.ResponseLimit)
	}
	if l.response >= 0 {
		l.respLabel = formatSize(l.response)
	}
	return l, nil
}

// formatSize writes n bytes as bytes.format does by default: the largest
// binary unit not above n (B, KB, MB, GB, TB, PB), two decimals rounded
// half up as Number.prototype.toFixed does, then trailing zeros (and a
// bare point) dropped: 4194304 is "4MB", 1536 "1.5KB", 1000 "1000B".
func formatSize(n int64) string {
	units := [...]string{"B", "KB", "MB", "GB", "TB", "PB"}
	u := 0
	for u < len(units)-1 && n >= int64(1)<<(10*(u+1)) {
		u++
	}
	// hundredths = round-half-up(n * 100 / 1024^u), exactly.
	num := new(big.Int).Mul(big.NewInt(n), big.NewInt(100))
	shift := uint(10 * u)
	if shift > 0 {
		num.Add(num, new(big.Int).Lsh(big.NewInt(1), shift-1))
		num.Rsh(num, shift)
	}
	s := num.String()
	for len(s) < 3 {
		s = "0" + s
	}
	intPart, frac := s[:len(s)-2], s[len(s)-2:]
	// /(?:\.0*|(\.[^0]+)0+)$/ → '$1'
	switch {
	case frac == "00":
		frac = ""
	case frac[1] == '0':
		frac = frac[:1]
	}
	if frac != "" {
		intPart += "." + frac
	}
	return intPart + units[u]
}
