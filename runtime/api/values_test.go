package api

import (
	"encoding/json"
	"net/url"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/nextgo-dev/nextgo/runtime/router"
)

// TestParseForm checks parseForm against JSON.stringify(querystring.parse(s))
// as printed by Node.js 20.
func TestParseForm(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		{"", `{}`},
		{"a=1&b=2&a=3", `{"a":["1","3"],"b":"2"}`},
		{"a", `{"a":""}`},
		{"a=", `{"a":""}`},
		{"=", `{"":""}`},
		{"=a", `{"":"a"}`},
		{"&", `{}`},
		{"&&a=1&&", `{"a":"1"}`},
		{"a=1&", `{"a":"1"}`},
		{"a+b=c+d", `{"a b":"c d"}`},
		{"a=b=c", `{"a":"b=c"}`},
		{"%41=%42", `{"A":"B"}`},
		{"a=%", `{"a":"%"}`},
		{"a=%4", `{"a":"%4"}`},
		{"a=%zz", `{"a":"%zz"}`},
		{"a=%E0%A4%A", `{"a":"�%A"}`},
		{"a=%C3%A9", `{"a":"é"}`},
		{"a=%ff%fe", `{"a":"��"}`},
		{"a=%E0%A4", `{"a":"�"}`},
		{"a=%F0%9F%98%80", `{"a":"😀"}`},
		{"a=%ED%A0%80", `{"a":"���"}`},
		{"a=%2B+%20", `{"a":"+  "}`},
		{"1=x&b=y&0=z&01=w&4294967294=m&4294967295=n", `{"0":"z","1":"x","4294967294":"m","b":"y","01":"w","4294967295":"n"}`},
		{"__proto__=x", `{"__proto__":"x"}`},
		{"a=1&a=2&a=3", `{"a":["1","2","3"]}`},
		{"a%5B%5D=1", `{"a[]":"1"}`},
		{"+=+", `{" ":" "}`},
		{"a&a", `{"a":["",""]}`},
		{"a=%u0041", `{"a":"%u0041"}`},
		{"%=%", `{"%":"%"}`},
		{"a=%%41", `{"a":"%A"}`},
		{"title=Nextjs&description=The%20React%20Framework%20for%20Production", `{"title":"Nextjs","description":"The React Framework for Production"}`},
	}
	for _, tt := range tests {
		got, err := json.Marshal(parseForm(tt.in))
		if err != nil {
			t.Fatalf("marshal parseForm(%q): %v", tt.in, err)
		}
		if string(got) != tt.want {
			t.Errorf("parseForm(%q) = %s, want %s", tt.in, got, tt.want)
		}
	}
}

// TestParseFormMaxKeys checks Node's limit of 1000 pairs, empty ones
// included.
func TestParseFormMaxKeys(t *testing.T) {
	var pairs []string
	for i := range 1005 {
		pairs = append(pairs, "k"+strconv.Itoa(i)+"=v")
	}
	if n := parseForm(strings.Join(pairs, "&")).Len(); n != 1000 {
		t.Errorf("1005 pairs: %d names, want 1000", n)
	}
	tests := []struct {
		in, want string
	}{
		{strings.Repeat("&", 999) + "a=1&b=2", `{"a":"1"}`},
		{strings.Repeat("&", 998) + "a=1&b=2", `{"a":"1","b":"2"}`},
	}
	for _, tt := range tests {
		got, _ := json.Marshal(parseForm(tt.in))
		if string(got) != tt.want {
			t.Errorf("parseForm(%d×'&' + ...) = %s, want %s", strings.Count(tt.in, "&")-1, got, tt.want)
		}
	}
	// Many names, and repeats among them, go through the name index.
	pairs = pairs[:0]
	for i := range 40 {
		pairs = append(pairs, "k"+strconv.Itoa(i)+"=a")
	}
	for i := range 40 {
		pairs = append(pairs, "k"+strconv.Itoa(i)+"=b")
	}
	v := parseForm(strings.Join(pairs, "&"))
	if v.Len() != 40 || !reflect.DeepEqual(v.Values("k39"), []string{"a", "b"}) || !reflect.DeepEqual(v.Values("k0"), []string{"a", "b"}) {
		t.Errorf("80 pairs over 40 names: Len %d, k0 %q, k39 %q", v.Len(), v.Values("k0"), v.Values("k39"))
	}
}

// TestWithParams checks the merge of dynamic parameters into the query.
func TestWithParams(t *testing.T) {
	tests := []struct {
		name  string
		query string
		ps    router.Params
		want  string
	}{
		{"dynamic", "", router.Params{{Name: "post", Values: []string{"post-1"}}}, `{"post":"post-1"}`},
		{"dynamic after query", "val=1", router.Params{{Name: "post", Values: []string{"post-1"}}}, `{"val":"1","post":"post-1"}`},
		{"param wins in place", "post=x&z=1", router.Params{{Name: "post", Values: []string{"post-1"}}}, `{"post":"post-1","z":"1"}`},
		{"param wins over a list", "post=x&post=y", router.Params{{Name: "post", Values: []string{"post-1"}}}, `{"post":"post-1"}`},
		{"catch-all one segment", "", router.Params{{Name: "slug", Values: []string{"1"}, CatchAll: true}}, `{"slug":["1"]}`},
		{"catch-all segments", "", router.Params{{Name: "slug", Values: []string{"a", "b"}, CatchAll: true}}, `{"slug":["a","b"]}`},
		{"catch-all wins", "slug=b", router.Params{{Name: "slug", Values: []string{"a"}, CatchAll: true}}, `{"slug":["a"]}`},
		{"optional catch-all absent", "", nil, `{}`},
		{"optional catch-all absent keeps query", "slug=x", nil, `{"slug":"x"}`},
		{"empty param skipped", "slug=x", router.Params{{Name: "slug", CatchAll: true}}, `{"slug":"x"}`},
		{"two params", "", router.Params{{Name: "post", Values: []string{"post-1"}}, {Name: "comment", Values: []string{"comment-1"}}}, `{"post":"post-1","comment":"comment-1"}`},
		{"decoded values kept", "", router.Params{{Name: "id", Values: []string{"a/b"}}}, `{"id":"a/b"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, _ := json.Marshal(withParams(parseForm(tt.query), tt.ps))
			if string(got) != tt.want {
				t.Errorf("got %s, want %s", got, tt.want)
			}
		})
	}
}

func TestValuesAccessors(t *testing.T) {
	v := withParams(parseForm("a=1&a=3&b=2&2=two&e"), router.Params{{Name: "slug", Values: []string{"x"}, CatchAll: true}})
	tests := []struct {
		name   string
		get    string
		values []string
		has    bool
		list   bool
	}{
		{"a", "1", []string{"1", "3"}, true, true},
		{"b", "2", []string{"2"}, true, false},
		{"e", "", []string{""}, true, false},
		{"slug", "x", []string{"x"}, true, true},
		{"missing", "", nil, false, false},
	}
	for _, tt := range tests {
		if got := v.Get(tt.name); got != tt.get {
			t.Errorf("Get(%q) = %q, want %q", tt.name, got, tt.get)
		}
		if got := v.Values(tt.name); !reflect.DeepEqual(got, tt.values) {
			t.Errorf("Values(%q) = %q, want %q", tt.name, got, tt.values)
		}
		if got := v.Has(tt.name); got != tt.has {
			t.Errorf("Has(%q) = %t", tt.name, got)
		}
		if got := v.IsList(tt.name); got != tt.list {
			t.Errorf("IsList(%q) = %t", tt.name, got)
		}
	}
	if v.Len() != 5 {
		t.Errorf("Len = %d, want 5", v.Len())
	}
	var names []string
	for name := range v.All() {
		names = append(names, name)
	}
	if want := []string{"2", "a", "b", "e", "slug"}; !reflect.DeepEqual(names, want) {
		t.Errorf("All names = %q, want %q", names, want)
	}
	for range v.All() {
		break // stopping early must not panic
	}
	want := url.Values{"a": {"1", "3"}, "b": {"2"}, "2": {"two"}, "e": {""}, "slug": {"x"}}
	if got := v.URLValues(); !reflect.DeepEqual(got, want) {
		t.Errorf("URLValues = %v, want %v", got, want)
	}
	var zero Values
	if b, _ := json.Marshal(zero); string(b) != "{}" {
		t.Errorf("zero Values encodes as %s", b)
	}
	if zero.Get("a") != "" || zero.Has("a") || zero.Len() != 0 {
		t.Error("zero Values is not empty")
	}
}

func TestArrayIndex(t *testing.T) {
	tests := []struct {
		in string
		ok bool
	}{
		{"0", true}, {"7", true}, {"4294967294", true}, {"4294967295", false}, {"99999999999", false},
		{"01", false}, {"-1", false}, {"1.5", false}, {"", false}, {"a", false}, {" 1", false},
	}
	for _, tt := range tests {
		if _, ok := arrayIndex(tt.in); ok != tt.ok {
			t.Errorf("arrayIndex(%q) = %t, want %t", tt.in, ok, tt.ok)
		}
	}
}
