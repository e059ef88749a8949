package runtimeapi

import (
	"strings"
	"testing"
)

func TestLineWriter(t *testing.T) {
	long := strings.Repeat("x", maxLine)
	tests := []struct {
		name   string
		writes []string
		want   string
	}{
		{"whole lines", []string{"a\nb\n"}, "[fn] a\n[fn] b\n"},
		{"lines split across writes", []string{"a", "b\nc", "\n"}, "[fn] ab\n[fn] c\n"},
		{"unterminated last line", []string{"a\nb"}, "[fn] a\n[fn] b\n"},
		{"empty lines", []string{"\n\n"}, "[fn] \n[fn] \n"},
		{"over-long partial line", []string{long, "y\n"}, "[fn] " + long + "\n[fn] y\n"},
		{"long line in one write", []string{long + "y\n"}, "[fn] " + long + "y\n"},
		{"nothing", nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out lockedBuffer
			w := &lineWriter{dst: &syncWriter{w: &out}, prefix: []byte("[fn] ")}
			for _, s := range tt.writes {
				if n, err := w.Write([]byte(s)); n != len(s) || err != nil {
					t.Fatalf("Write = %d, %v", n, err)
				}
			}
			w.Close()
			if got := out.String(); got != tt.want {
				t.Errorf("got %d bytes %.60q, want %d bytes %.60q", len(got), got, len(tt.want), tt.want)
			}
		})
	}
}

func TestIsText(t *testing.T) {
	tests := map[string]bool{
		"":                                  false,
		"text/plain":                        true,
		"text/html; charset=utf-8":          true,
		"application/json":                  true,
		"application/ld+json":               true,
		"application/vnd.api+json":          true,
		"application/xml":                   true,
		"application/atom+xml":              true,
		"application/x-www-form-urlencoded": true,
		"application/javascript":            true,
		"application/octet-stream":          false,
		"multipart/form-data; boundary=x":   false,
		"image/png":                         false,
		"not a media type;;":                false,
	}
	for ct, want := range tests {
		if got := isText(ct); got != want {
			t.Errorf("isText(%q) = %v, want %v", ct, got, want)
		}
	}
}
