package size

import (
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	tests := []struct {
		in   string
		want int64
	}{
		{"0", 0},
		{"1000", 1000},
		{"1048576", 1048576},
		{"1b", 1},
		{"100B", 100},
		{"1kb", 1024},
		{"500kb", 512000},
		{"1mb", 1048576},
		{"1MB", 1048576},
		{"5Mb", 5 << 20},
		{"1 mb", 1048576},
		{"  4mb  ", 4 << 20},
		{"1.5mb", 1572864},
		{"0.1kb", 102}, // 102.4 rounded down, as bytes.parse does
		{"1gb", 1 << 30},
		{"2tb", 2 << 40},
		{"1pb", 1 << 50},
	}
	for _, tt := range tests {
		got, err := Parse(tt.in)
		if err != nil {
			t.Errorf("Parse(%q): %v", tt.in, err)
			continue
		}
		if got != tt.want {
			t.Errorf("Parse(%q) = %d, want %d", tt.in, got, tt.want)
		}
	}
}

func TestParseErrors(t *testing.T) {
	for _, in := range []string{
		"", " ", "mb", "-1", "-1mb", "+1mb", "1e3", "0x10", "1.", ".5", "1..5mb",
		"1 m b", "1mib", "1 kbb", "ten", "NaN", "Inf", "1mb1", "1,5mb",
		"100000000pb", // overflows int64
	} {
		got, err := Parse(in)
		if err == nil {
			t.Errorf("Parse(%q) = %d, want an error", in, got)
			continue
		}
		if !strings.Contains(err.Error(), "invalid size") {
			t.Errorf("Parse(%q) error %q does not say invalid size", in, err)
		}
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{"1mb", "0", "1.5kb", "-1", "9223372036854775807"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, err := Parse(s)
		if err == nil && n < 0 {
			t.Fatalf("Parse(%q) = %d: negative", s, n)
		}
	})
}
