package router

import (
	"encoding/json"
	"errors"
	"math/rand"
	"reflect"
	"strings"
	"testing"
)

func TestSortCanonicalVector(t *testing.T) {
	want := []string{
		"/", "/apples/[ab]/[cd]/ef", "/blog/abc", "/blog/abc/post", "/blog/abc/[id]", "/blog/[id]",
		"/blog/[id]/comments/[cid]", "/foo/[d]/bar/baz/[f]", "/p/[...rest]", "/p1/[[...incl]]", "/p2/[id]",
		"/p2/[id]/abc", "/p2/[...rest]", "/p3/[id]", "/p3/[id]/abc", "/p3/[[...rest]]", "/posts", "/posts/[id]",
		"/[root-slug]", "/[...rest]",
	}
	rng := rand.New(rand.NewSource(1))
	for i := 0; i < 20; i++ {
		in := append([]string(nil), want...)
		rng.Shuffle(len(in), func(a, b int) { in[a], in[b] = in[b], in[a] })
		got, err := Sort(in)
		if err != nil {
			t.Fatalf("Sort(%v): %v", in, err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("Sort(%v)\n got %v\nwant %v", in, got, want)
		}
	}
}

func TestSortErrors(t *testing.T) {
	tests := []struct {
		name   string
		routes []string
		msg    string
		paths  []string
	}{
		{"mismatched slug names", []string{"/blog/[id]", "/blog/[cid]/x"},
			"You cannot use different slug names for the same dynamic path ('id' !== 'cid').", []string{"/blog/[id]", "/blog/[cid]/x"}},
		{"reused slug", []string{"/blog/[id]/comments/[id]"},
			`You cannot have the same slug name "id" repeat within a single dynamic path`, []string{"/blog/[id]/comments/[id]"}},
		{"reused slug with catch-all", []string{"/blog/[id]", "/blog/[id]/[...id]"},
			`You cannot have the same slug name "id" repeat within a single dynamic path`, []string{"/blog/[id]/[...id]"}},
		{"non-word symbols", []string{"/blog/[helloworld]/[hello-world]"},
			`You cannot have the slug names "helloworld" and "hello-world" differ only by non-word symbols within a single dynamic path`, nil},
		{"middle catch-all", []string{"/blog/[...id]/abc"}, "Catch-all must be the last part of the URL.", nil},
		{"two catch-alls", []string{"/blog/[...id]/[...id2]"}, "Catch-all must be the last part of the URL.", nil},
		{"required then optional", []string{"/[...one]", "/[[...one]]"},
			`You cannot use both an required and optional catch-all route at the same level ("[...one]" and "[[...one]]" ).`, []string{"/[...one]", "/[[...one]]"}},
		{"optional then required", []string{"/[[...one]]", "/[...one]"},
			`You cannot use both an optional and required catch-all route at the same level ("[[...one]]" and "[...one]").`, []string{"/[[...one]]", "/[...one]"}},
		{"apex and optional catch-all", []string{"/", "/[[...all]]"},
			`You cannot define a route with the same specificity as an optional catch-all route ("/" and "/[[...all]]").`, []string{"/", "/[[...all]]"}},
		{"index and optional catch-all", []string{"/sub", "/sub/[[...all]]"},
			`You cannot define a route with the same specificity as an optional catch-all route ("/sub" and "/sub/[[...all]]").`, []string{"/sub", "/sub/[[...all]]"}},
		{"optional param", []string{"/[[blog]]"}, `Optional route parameters are not yet supported ("[[blog]]").`, nil},
		{"extra opening bracket", []string{"/[[...id]"}, "Segment names may not start or end with extra brackets ('[...id').", nil},
		{"three opening brackets", []string{"/[[[...id]]"}, "Segment names may not start or end with extra brackets ('[...id').", nil},
		{"extra closing bracket", []string{"/[...id]]"}, "Segment names may not start or end with extra brackets ('id]').", nil},
		{"four dots", []string{"/[....id]"}, "Segment names may not start with erroneous periods ('.id').", nil},
		{"two dots", []string{"/[..id]"}, "Segment names may not start with erroneous periods ('..id').", nil},
		{"ellipsis", []string{"/[…id]"}, "Detected a three-dot character ('…') at ('…id'). Did you mean ('...')?", nil},
		{"empty slug", []string{"/[]"}, "Segment names may not be empty ('[]').", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Sort(tt.routes)
			var ce *ConflictError
			if !errors.As(err, &ce) {
				t.Fatalf("Sort(%v) error = %v, want a ConflictError", tt.routes, err)
			}
			if ce.Msg != tt.msg {
				t.Errorf("message\n got %s\nwant %s", ce.Msg, tt.msg)
			}
			if tt.paths != nil && !reflect.DeepEqual(ce.Paths, tt.paths) {
				t.Errorf("paths = %v, want %v", ce.Paths, tt.paths)
			}
		})
	}
}

func TestMatch(t *testing.T) {
	patterns := []string{
		"/api", "/api/user", "/api/post/create", "/api/post/[pid]", "/api/post/[pid]/[...slug]",
		"/api/opt/[[...slug]]", "/api/[post]/comments", "/api/[post]/[comment]",
		"/api/users", "/api/users/[...slug]", "/api/b/[c]", "/api/hello.json",
	}
	m, err := NewMatcher(patterns)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		path    string
		pattern string // "" for no match
		params  Params
		err     error
	}{
		{"/api", "/api", nil, nil},
		{"/api/user", "/api/user", nil, nil},
		{"/api/us%65r", "/api/user", nil, nil},
		{"/api/post/create", "/api/post/create", nil, nil},
		{"/api/post/1", "/api/post/[pid]", Params{{Name: "pid", Values: []string{"1"}}}, nil},
		{"/api/post/a%20b", "/api/post/[pid]", Params{{Name: "pid", Values: []string{"a b"}}}, nil},
		{"/api/post/a%2Fb", "/api/post/[pid]", Params{{Name: "pid", Values: []string{"a/b"}}}, nil},
		{"/api/post/%2520", "/api/post/[pid]", Params{{Name: "pid", Values: []string{"%20"}}}, nil},
		{"/api/post/a+b", "/api/post/[pid]", Params{{Name: "pid", Values: []string{"a+b"}}}, nil},
		{"/api/post/1/a/b", "/api/post/[pid]/[...slug]", Params{{Name: "pid", Values: []string{"1"}}, {Name: "slug", Values: []string{"a", "b"}, CatchAll: true}}, nil},
		{"/api/post/1/a%2Fb/c", "/api/post/[pid]/[...slug]", Params{{Name: "pid", Values: []string{"1"}}, {Name: "slug", Values: []string{"a/b", "c"}, CatchAll: true}}, nil},
		{"/api/opt", "/api/opt/[[...slug]]", nil, nil},
		{"/api/opt/a", "/api/opt/[[...slug]]", Params{{Name: "slug", Values: []string{"a"}, CatchAll: true}}, nil},
		{"/api/opt/ab/cd", "/api/opt/[[...slug]]", Params{{Name: "slug", Values: []string{"ab", "cd"}, CatchAll: true}}, nil},
		{"/api/post-1/comments", "/api/[post]/comments", Params{{Name: "post", Values: []string{"post-1"}}}, nil},
		{"/api/post-1/comment-1", "/api/[post]/[comment]", Params{{Name: "post", Values: []string{"post-1"}}, {Name: "comment", Values: []string{"comment-1"}}}, nil},
		{"/api/users", "/api/users", nil, nil},
		{"/api/users/1", "/api/users/[...slug]", Params{{Name: "slug", Values: []string{"1"}, CatchAll: true}}, nil},
		{"/api/b/x", "/api/b/[c]", Params{{Name: "c", Values: []string{"x"}}}, nil},
		{"/api/hello.json", "/api/hello.json", nil, nil},
		{"/api/x.json", "", nil, nil},
		{"/API/user", "", nil, nil},
		{"/", "", nil, nil},
		{"/other", "", nil, nil},
		{"/api/post", "", nil, nil},
		{"/api/a/b/c", "", nil, nil},
		{"/api/post/%ZZ", "", nil, ErrMalformedEncoding},
		{"/api/post/%E0%A4%A", "", nil, ErrMalformedEncoding},
		{"/api/post/%FF", "", nil, ErrMalformedEncoding},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			i, ps, err := m.Match(tt.path)
			if !errors.Is(err, tt.err) {
				t.Fatalf("err = %v, want %v", err, tt.err)
			}
			got := ""
			if i >= 0 {
				got = patterns[i]
			}
			if got != tt.pattern {
				t.Fatalf("matched %q, want %q", got, tt.pattern)
			}
			if !reflect.DeepEqual(ps, tt.params) {
				t.Fatalf("params = %#v, want %#v", ps, tt.params)
			}
		})
	}
}

func TestMatchRootCatchAll(t *testing.T) {
	m, err := NewMatcher([]string{"/[[...slug]]", "/api/x"})
	if err != nil {
		t.Fatal(err)
	}
	for path, want := range map[string]int{"/": 0, "/a/b": 0, "/api/x": 1, "/api": 0} {
		if i, _, _ := m.Match(path); i != want {
			t.Errorf("Match(%q) = %d, want %d", path, i, want)
		}
	}
}

func TestNewMatcherDuplicate(t *testing.T) {
	if _, err := NewMatcher([]string{"/a", "/a"}); err == nil || !strings.Contains(err.Error(), "duplicate") {
		t.Fatalf("err = %v, want duplicate", err)
	}
}

func TestNormalize(t *testing.T) {
	tests := []struct {
		in, out string
		changed bool
	}{
		{"/", "/", false},
		{"/api/x", "/api/x", false},
		{"/api/x/", "/api/x", true},
		{"/api//x", "/api/x", true},
		{"//api///x//", "/api/x", true},
		{`/api\users`, "/api/users", true},
		{"", "/", true},
		{"//", "/", true},
	}
	for _, tt := range tests {
		out, changed := Normalize(tt.in)
		if out != tt.out || changed != tt.changed {
			t.Errorf("Normalize(%q) = %q, %v; want %q, %v", tt.in, out, changed, tt.out, tt.changed)
		}
	}
}

func TestParamValue(t *testing.T) {
	ps := Params{{Name: "id", Values: []string{"1"}}, {Name: "slug", Values: []string{"a", "b"}, CatchAll: true}}
	if got := ps.Get("id"); got != "1" {
		t.Errorf("Get(id) = %q", got)
	}
	if got := ps.Get("slug"); got != "a/b" {
		t.Errorf("Get(slug) = %q", got)
	}
	if got := ps.Get("none"); got != "" {
		t.Errorf("Get(none) = %q", got)
	}
}

func TestParamsJSON(t *testing.T) {
	ps := Params{{Name: "tenantID", Values: []string{"vercel"}}, {Name: "resource", Values: []string{"some", "other"}, CatchAll: true}}
	b, err := json.Marshal(ps)
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"tenantID":"vercel","resource":["some","other"]}`; string(b) != want {
		t.Errorf("JSON = %s, want %s", b, want)
	}
	if b, _ := json.Marshal(Params(nil)); string(b) != "{}" {
		t.Errorf("empty params JSON = %s", b)
	}
}

func FuzzMatch(f *testing.F) {
	for _, s := range []string{"/", "/api/post/1", "/api/%ZZ", "/api/a%2Fb/c", "//x//", "/api/opt"} {
		f.Add(s)
	}
	m, err := NewMatcher([]string{"/api/post/[pid]", "/api/opt/[[...slug]]", "/api/[a]/[...b]", "/api/static"})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, path string) {
		clean, _ := Normalize(path)
		if again, changed := Normalize(clean); changed || again != clean {
			t.Fatalf("Normalize not idempotent: %q → %q → %q", path, clean, again)
		}
		i, ps, err := m.Match(clean)
		if err != nil && i != -1 {
			t.Fatalf("error with index %d", i)
		}
		for _, p := range ps {
			if len(p.Values) == 0 {
				t.Fatalf("empty param %q", p.Name)
			}
		}
	})
}
