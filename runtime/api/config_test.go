package api

import (
	"strings"
	"testing"
)

func TestParseSize(t *testing.T) {
	tests := []struct {
		in   string
		want int64
	}{
		{"0", 0},
		{"1000", 1000},
		{"100b", 100},
		{"1kb", 1024},
		{"500kb", 512000},
		{"1mb", 1048576},
		{"1MB", 1048576},
		{"1Mb", 1048576},
		{"1 mb", 1048576},
		{"1.5mb", 1572864},
		{"1.1mb", 1153433}, // floor(1153433.6)
		{"4mb", 4 << 20},
		{"1gb", 1 << 30},
		{"1tb", 1 << 40},
		{"1pb", 1 << 50},
	}
	for _, tt := range tests {
		got, err := ParseSize(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("ParseSize(%q) = %d, %v; want %d", tt.in, got, err, tt.want)
		}
	}
	for _, in := range []string{"", "mb", "-1mb", "+1mb", "1e3", "ten", "1mib", "1,5mb", "1 m b", "100000000pb", "false"} {
		if n, err := ParseSize(in); err == nil {
			t.Errorf("ParseSize(%q) = %d, want an error", in, n)
		} else if !strings.HasPrefix(err.Error(), "api: ") {
			t.Errorf("ParseSize(%q) error %q lacks the package prefix", in, err)
		}
	}
}

// TestFormatSize checks formatSize against bytes.format as run in Node.js.
func TestFormatSize(t *testing.T) {
	tests := []struct {
		in   int64
		want string
	}{
		{0, "0B"}, {1, "1B"}, {1000, "1000B"}, {1023, "1023B"}, {1024, "1KB"}, {1152, "1.13KB"},
		{1536, "1.5KB"}, {1048575, "1024KB"}, {1048576, "1MB"}, {4194304, "4MB"}, {5242880, "5MB"},
		{512000, "500KB"}, {1153433, "1.1MB"}, {1 << 30, "1GB"}, {1 << 40, "1TB"}, {1 << 50, "1PB"},
		{1 << 53, "8PB"}, {1075, "1.05KB"}, {1034, "1.01KB"}, {10342, "10.1KB"},
	}
	for _, tt := range tests {
		if got := formatSize(tt.in); got != tt.want {
			t.Errorf("formatSize(%d) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestConfigValidate(t *testing.T) {
	good := []Config{
		{},
		{BodyParser: BodyParser{SizeLimit: "500kb"}, ResponseLimit: "8mb", MaxDuration: 5, Memory: 512},
		{BodyParser: BodyParser{Disabled: true}, ResponseLimit: NoResponseLimit, ExternalResolver: true},
	}
	for _, c := range good {
		if err := c.Validate(); err != nil {
			t.Errorf("%+v: %v", c, err)
		}
	}
	bad := []struct {
		c    Config
		want string
	}{
		{Config{BodyParser: BodyParser{SizeLimit: "lots"}}, "BodyParser.SizeLimit"},
		{Config{ResponseLimit: "big"}, "ResponseLimit"},
		{Config{MaxDuration: -1}, "MaxDuration -1 is negative"},
		{Config{Memory: -5}, "Memory -5 is negative"},
	}
	for _, tt := range bad {
		err := tt.c.Validate()
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%+v: error %v, want one containing %q", tt.c, err, tt.want)
		}
	}
}

func TestNewLimits(t *testing.T) {
	tests := []struct {
		c         Config
		body      int64
		tooLarge  string
		parse     bool
		response  int64
		respLabel string
	}{
		{Config{}, 1 << 20, "Body exceeded 1mb limit", true, 4 << 20, "4MB"},
		{Config{BodyParser: BodyParser{SizeLimit: "500kb"}, ResponseLimit: "5mb"}, 500 << 10, "Body exceeded 500kb limit", true, 5 << 20, "5MB"},
		{Config{BodyParser: BodyParser{SizeLimit: "1000"}}, 1000, "Body exceeded 1000 limit", true, 4 << 20, "4MB"},
		{Config{BodyParser: BodyParser{Disabled: true}, ResponseLimit: NoResponseLimit}, 1 << 20, "Body exceeded 1mb limit", false, -1, ""},
		{Config{ResponseLimit: "1.5kb"}, 1 << 20, "Body exceeded 1mb limit", true, 1536, "1.5KB"},
	}
	for _, tt := range tests {
		l, err := newLimits(tt.c)
		if err != nil {
			t.Fatal(err)
		}
		if l.body != tt.body || l.tooLarge != tt.tooLarge || l.parse != tt.parse || l.response != tt.response || l.respLabel != tt.respLabel {
			t.Errorf("newLimits(%+v) = %+v", tt.c, l)
		}
	}
}
