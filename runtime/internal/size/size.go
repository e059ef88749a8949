// Package size parses the body-size limits written in route configs
// ("500kb", "1mb", "4.5mb", "1048576"), with the units and rounding of the
// `bytes` package that Next.js uses: units are binary (1kb = 1024 bytes),
// case-insensitive, optionally separated from the number by spaces, and a
// fractional result is rounded down.
package size

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// units maps each accepted unit to its number of bytes.
var units = [...]struct {
	name  string
	bytes float64
}{
	// Longest suffixes first, so "kb" is not read as "b".
	{"kb", 1 << 10},
	{"mb", 1 << 20},
	{"gb", 1 << 30},
	{"tb", 1 << 40},
	{"pb", 1 << 50},
	{"b", 1},
}

// Parse returns the number of bytes s stands for. s is a non-negative
// decimal number ("1048576", "1.5") followed by an optional unit: b, kb, mb,
// gb, tb or pb, in any case ("1mb", "500 KB"). Anything else, and a size
// that does not fit in an int64, is an error.
func Parse(s string) (int64, error) {
	t := strings.ToLower(strings.TrimSpace(s))
	mult := 1.0
	for _, u := range units {
		if strings.HasSuffix(t, u.name) {
			t = strings.TrimRight(strings.TrimSuffix(t, u.name), " ")
			mult = u.bytes
			break
		}
	}
	if !isDecimal(t) {
		return 0, fmt.Errorf("invalid size %q: want a number of bytes or a number with a unit (b, kb, mb, gb, tb, pb), e.g. \"1mb\"", s)
	}
	f, err := strconv.ParseFloat(t, 64)
	if err != nil {
		return 0, fmt.Errorf("invalid size %q: %w", s, err)
	}
	n := math.Floor(f * mult)
	if n >= math.MaxInt64 {
		return 0, fmt.Errorf("invalid size %q: too large", s)
	}
	return int64(n), nil
}

// isDecimal reports whether s is digits with an optional fractional part:
// no sign, no exponent, no hexadecimal, no "Inf" or "NaN".
func isDecimal(s string) bool {
	intPart, frac, hasDot := strings.Cut(s, ".")
	if intPart == "" || (hasDot && frac == "") {
		return false
	}
	for _, part := range []string{intPart, frac} {
		for i := 0; i < len(part); i++ {
			if part[i] < '0' || part[i] > '9' {
				return false
			}
		}
	}
	return true
}
