package stage

import (
	"go/parser"
	"strings"
	"testing"

	"github.com/nextgo-dev/nextgo/runtime/rules"
)

func TestGoLiteral(t *testing.T) {
	type local struct{ A, b string }
	tests := []struct {
		name    string
		v       any
		want    string
		wantErr string
	}{
		{"zero config", rules.Config{}, "rules.Config{}", ""},
		{"quoted strings", rules.Config{BasePath: "/a\"b`c\n\\", TrailingSlash: true},
			`rules.Config{BasePath: "/a\"b` + "`" + `c\n\\", TrailingSlash: true}`, ""},
		{"nested", rules.Config{
			Redirects: []rules.Redirect{{Source: "/old/:slug", Destination: "/new/:slug", StatusCode: 301, Has: []rules.Condition{{Type: "query", Key: "k"}}}},
			Rewrites:  rules.Rewrites{Fallback: []rules.Rewrite{{Source: "/x", Destination: "https://example.com/x"}}},
			Routes:    []string{"/api/[id]", ""},
		}, `rules.Config{Redirects: []rules.Redirect{{Source: "/old/:slug", Destination: "/new/:slug", StatusCode: 301, Has: []rules.Condition{{Type: "query", Key: "k"}}}}, ` +
			`Rewrites: rules.Rewrites{Fallback: []rules.Rewrite{{Source: "/x", Destination: "https://example.com/x"}}}, Routes: []string{"/api/[id]", ""}}`, ""},
		{"integers", []int64{-1, 0, 9}, "[]int64{-1, 0, 9}", ""},
		{"a pointer", &rules.Config{}, "", "cannot write a value of type *rules.Config as Go"},
		{"a map", map[string]string{"a": "b"}, "", "cannot write a value of type map[string]string as Go"},
		{"a float", 1.5, "", "cannot write a value of type float64 as Go"},
		{"unexported field", local{A: "x"}, "", "its field b is unexported"},
		{"unnamed struct", struct{ A string }{"x"}, "", "cannot write a value of the unnamed type struct { A string } as Go"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := goLiteral(tt.v)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("goLiteral = %q, %v; want an error containing %q", got, err, tt.wantErr)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("goLiteral =\n%s, %v\nwant\n%s", got, err, tt.want)
			}
			if _, err := parser.ParseExpr(got); err != nil {
				t.Errorf("not a Go expression: %v", err)
			}
		})
	}
}
