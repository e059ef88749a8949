package pathmatch

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

// The expected expressions were produced by path-to-regexp 6.3.0 (the
// version Next.js compiles middleware matchers with) through Next's
// tryToParsePath, i.e. tokensToRegexp(parse(source)).source with the
// repeated-parameter normalisation. The one difference: RegExp.source
// writes a "/" inside a user's own pattern as "\/"; Expr keeps the pattern
// as written, which means the same.
func TestCompileExpr(t *testing.T) {
	tests := []struct{ source, expr string }{
		{`/api/:path*`, `^\/api(?:\/((?:[^\/#\?]+?)(?:\/(?:[^\/#\?]+?))*))?[\/#\?]?$`},
		{`/api/:path+`, `^\/api(?:\/((?:[^\/#\?]+?)(?:\/(?:[^\/#\?]+?))*))[\/#\?]?$`},
		{`/api/:path?`, `^\/api(?:\/([^\/#\?]+?))?[\/#\?]?$`},
		{`/api/:id`, `^\/api(?:\/([^\/#\?]+?))[\/#\?]?$`},
		{`/about/(.*)`, `^\/about(?:\/(.*))[\/#\?]?$`},
		{`/((?!api|_next/static|_next/image|favicon.ico).*)`, `^(?:\/((?!api|_next/static|_next/image|favicon.ico).*))[\/#\?]?$`},
		{`/`, `^\/[\/#\?]?$`},
		{`/:a-:b`, `^(?:\/([^\/#\?]+?))-((?:(?!-)[^\/#\?])+?)[\/#\?]?$`},
		{`/file.:ext`, `^\/file(?:\.((?:(?!\.)[^\/#\?])+?))[\/#\?]?$`},
		{`/api/:id(\d+)`, `^\/api(?:\/(\d+))[\/#\?]?$`},
		{`/api{/:x}?`, `^\/api(?:\/([^\/#\?]+?))?[\/#\?]?$`},
		{`/foo:bar*`, `^\/foo(?:\/((?:[^\/#\?]+?)(?:\/(?:[^\/#\?]+?))*))?[\/#\?]?$`},
		{`/a\(b`, `^\/a\(b[\/#\?]?$`},
		{`/api.json`, `^\/api\.json[\/#\?]?$`},
		{`/a/:b/c.:ext?`, `^\/a(?:\/([^\/#\?]+?))\/c(?:\.((?:(?!\.)[^\/#\?])+?))?[\/#\?]?$`},
		{`/ünï/:x`, `^\/ünï(?:\/([^\/#\?]+?))[\/#\?]?$`},
		{`/:x-y-:z`, `^(?:\/([^\/#\?]+?))-y-((?:(?!-y-)[^\/#\?])+?)[\/#\?]?$`},
		{`/user/{:id}-{:name}?`, `^\/user\/([^\/#\?]+?)-((?:(?!-)[^\/#\?])+?)?[\/#\?]?$`},
	}
	for _, tt := range tests {
		p, err := Compile(tt.source)
		if err != nil {
			t.Errorf("Compile(%q): %v", tt.source, err)
			continue
		}
		if p.Expr() != tt.expr {
			t.Errorf("Compile(%q).Expr()\n got %s\nwant %s", tt.source, p.Expr(), tt.expr)
		}
		if p.Source() != tt.source {
			t.Errorf("Source() = %q, want %q", p.Source(), tt.source)
		}
	}
}

func TestCompileErrors(t *testing.T) {
	tests := []struct{ source, msg string }{
		{`api/:path*`, "`source` does not start with /"},
		{``, "`source` does not start with /"},
		{`/:a:b`, `Must have text between two parameters, missing text after "a"`},
		{`/api/(`, `Unbalanced pattern at 5`},
		{`/api/:`, `Missing parameter name at 5`},
		{`/(?x)`, `Pattern cannot start with "?" at 2`},
		{`/((x))`, `Capturing groups are not allowed at 2`},
		{`/{a`, `Unexpected END at 3, expected CLOSE`},
		{`/()`, `Missing pattern at 1`},
		{`/a\`, `trailing \ at 2`},
		{`/a}`, `Unexpected CLOSE at 2, expected END`},
		{`/(a[)`, `invalid regular expression`},
	}
	for _, tt := range tests {
		p, err := Compile(tt.source)
		if err == nil {
			t.Errorf("Compile(%q) = %s, want an error", tt.source, p.Expr())
			continue
		}
		if !strings.Contains(err.Error(), tt.msg) {
			t.Errorf("Compile(%q) error %q, want it to contain %q", tt.source, err, tt.msg)
		}
	}
}

// Outcomes checked against new RegExp(expr).test(path) in Node.
func TestMatch(t *testing.T) {
	tests := []struct {
		source string
		yes    []string
		no     []string
	}{
		{`/api/:path*`, []string{"/api", "/api/", "/api/a", "/api/a/b/c"}, []string{"/apix", "/API/a", "/x/api", "/api//a"}},
		{`/api/:path+`, []string{"/api/a", "/api/a/b"}, []string{"/api", "/api/"}},
		{`/api/:path?`, []string{"/api", "/api/a"}, []string{"/api/a/b"}},
		{`/about/(.*)`, []string{"/about/", "/about/x/y"}, []string{"/about"}},
		{`/((?!api|_next/static|_next/image|favicon.ico).*)`,
			[]string{"/", "/dashboard", "/x/api"},
			[]string{"/api", "/api/x", "/apix", "/_next/static/a.js", "/favicon.ico"}},
		{`/`, []string{"/"}, []string{"/x", ""}},
		{`/file.:ext`, []string{"/file.txt"}, []string{"/file.", "/file.a.b", "/file"}},
		{`/api/:id(\d+)`, []string{"/api/12"}, []string{"/api/ab", "/api/1a"}},
		{`/:a-:b`, []string{"/x-y"}, []string{"/x-", "/xy"}},
	}
	for _, tt := range tests {
		p, err := Compile(tt.source)
		if err != nil {
			t.Fatalf("Compile(%q): %v", tt.source, err)
		}
		for _, path := range tt.yes {
			if !p.Match(path) {
				t.Errorf("%q should match %q", tt.source, path)
			}
		}
		for _, path := range tt.no {
			if p.Match(path) {
				t.Errorf("%q should not match %q", tt.source, path)
			}
		}
	}
}

// TestEngines checks which engine runs a pattern: Go's own when it can.
func TestEngines(t *testing.T) {
	for source, backtracking := range map[string]bool{
		`/api/:path*`:         false,
		`/about/(.*)`:         false,
		`/((?!api).*)`:        true,
		`/:a-:b`:              true,
		`/api/:id(\d+)`:       false,
		`/api/:id([a-z]{2,})`: false,
	} {
		p, err := Compile(source)
		if err != nil {
			t.Fatal(err)
		}
		if got := p.re2 != nil; got != backtracking {
			t.Errorf("%q on the backtracking engine: %v, want %v", source, got, backtracking)
		}
	}
}

func BenchmarkMatch(b *testing.B) {
	for _, source := range []string{`/api/:path*`, `/((?!api|_next/static|_next/image|favicon.ico).*)`} {
		p, err := Compile(source)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(source, func(b *testing.B) {
			for b.Loop() {
				p.Match("/api/items/some-slug/more")
			}
		})
	}
}

func TestParse(t *testing.T) {
	tests := []struct {
		source string
		want   []Token
	}{
		{`/a/:x`, []Token{{Literal: "/a"}, {IsKey: true, Name: "x", Prefix: "/", Pattern: `[^\/#\?]+?`}}},
		{`/a/:x*`, []Token{{Literal: "/a"}, {IsKey: true, Name: "x", Prefix: "/", Pattern: `[^\/#\?]+?`, Modifier: "*"}}},
		{`/a{-:x}?`, []Token{{Literal: "/a"}, {IsKey: true, Name: "x", Prefix: "-", Pattern: `(?:(?!-)[^\/#\?])+?`, Modifier: "?"}}},
		{`/a/(\d+)/{b}`, []Token{{Literal: "/a"}, {IsKey: true, Name: "0", Unnamed: true, Prefix: "/", Pattern: `\d+`}, {Literal: "/"}, {IsKey: true, Prefix: "b"}}},
		{`/a\:b/:x.json`, []Token{{Literal: "/a:b"}, {IsKey: true, Name: "x", Prefix: "/", Pattern: `[^\/#\?]+?`}, {Literal: ".json"}}},
	}
	for _, tt := range tests {
		got, err := Parse(tt.source)
		if err != nil {
			t.Errorf("Parse(%q): %v", tt.source, err)
			continue
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("Parse(%q)\n got %+v\nwant %+v", tt.source, got, tt.want)
		}
	}
	if _, err := Parse(`/{a`); err == nil || err.Error() != "Unexpected END at 3, expected CLOSE" {
		t.Errorf("Parse(`/{a`) error %v", err)
	}
}

// TestKeys checks the keys of the capture groups: in group order, a {…}
// group without a pattern left out, unnamed groups marked.
func TestKeys(t *testing.T) {
	p, err := Compile(`/:a/(x|y){/c}?/:rest*`)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, k := range p.Keys() {
		got = append(got, fmt.Sprintf("%s unnamed=%v repeated=%v optional=%v", k.Name, k.Unnamed, k.Repeated(), k.Optional()))
	}
	want := []string{"a unnamed=false repeated=false optional=false", "0 unnamed=true repeated=false optional=false", "rest unnamed=false repeated=true optional=true"}
	if !slices.Equal(got, want) {
		t.Errorf("Keys() = %q, want %q", got, want)
	}
}
