package api

import (
	"net/http"
	"strings"
	"testing"
)

// TestETagVectors checks Next's ETags; the vectors come from the reference
// (nextjs-behaviour.md 7.12) and, for the last ones, from Next's etag.ts
// run in Node.js 20.
func TestETagVectors(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		{"", `"78p3gz236i0"`},
		{"Index should work", `"13zwbfttj8yh"`},
		{`[{"title":"Cool Post!"}]`, `"r3gxfdk0zlo"`},
		{"true", `"ywwejgvrps4"`},
		{"null", `"wm6yxsynvh4"`},
		{`"Hello world!"`, `"a4w4av7oq6e"`},
		{`{"hello":"world"}`, `"kxl31zjxesh"`},
		{"héllo", `"g5ozp0czrh5"`},
		{"😀", `"c26v2dkjuu2"`},
		{strings.Repeat("a", 100000), `"xif2w3ca6i255s"`},
	}
	for _, tt := range tests {
		e := newETagHash()
		hashText(&e, tt.in)
		if got := string(e.appendETag(nil)); got != tt.want {
			t.Errorf("etag(%.20q) = %s, want %s", tt.in, got, tt.want)
		}
		e = newETagHash()
		hashText(&e, []byte(tt.in))
		if got := string(e.appendETag(nil)); got != tt.want {
			t.Errorf("etag([]byte %.20q) = %s, want %s", tt.in, got, tt.want)
		}
	}
	// A Buffer's ETag is computed over JSON.stringify(buffer).
	e := bufferETag([]byte("abc"))
	if got := string(e.appendETag(nil)); got != `"uhvwy6v527z"` {
		t.Errorf(`bufferETag("abc") = %s, want "uhvwy6v527z"`, got)
	}
	e2 := newETagHash()
	hashText(&e2, `{"type":"Buffer","data":[0,9,10,99,100,255]}`)
	e3 := bufferETag([]byte{0, 9, 10, 99, 100, 255})
	if a, b := string(e3.appendETag(nil)), string(e2.appendETag(nil)); a != b {
		t.Errorf("bufferETag = %s, want the ETag of its JSON form %s", a, b)
	}
}

func TestAppendBase36(t *testing.T) {
	for _, tt := range []struct {
		in   uint64
		want string
	}{{0, "0"}, {35, "z"}, {36, "10"}, {1<<52 - 1, "18ce53un18f"}, {1<<64 - 1, "3w5e11264sgsf"}} {
		if got := string(appendBase36(nil, tt.in)); got != tt.want {
			t.Errorf("appendBase36(%d) = %s, want %s", tt.in, got, tt.want)
		}
	}
}

// TestFresh checks the rules of the fresh package.
func TestFresh(t *testing.T) {
	const tag = `"abc"`
	tests := []struct {
		name string
		h    http.Header
		want bool
	}{
		{"no validators", http.Header{}, false},
		{"empty If-None-Match", http.Header{"If-None-Match": {""}}, false},
		{"match", http.Header{"If-None-Match": {tag}}, true},
		{"mismatch", http.Header{"If-None-Match": {`"x"`}}, false},
		{"star", http.Header{"If-None-Match": {"*"}}, true},
		{"list", http.Header{"If-None-Match": {`"x", "abc"`}}, true},
		{"list no spaces", http.Header{"If-None-Match": {`"x","abc"`}}, true},
		{"list trailing spaces", http.Header{"If-None-Match": {`"abc"  , "x"`}}, true},
		{"two lines", http.Header{"If-None-Match": {`"x"`, tag}}, true},
		{"weak request tag", http.Header{"If-None-Match": {`W/"abc"`}}, true},
		{"star in a list is not a wildcard", http.Header{"If-None-Match": {`"x", *`}}, false},
		{"tab is not trimmed", http.Header{"If-None-Match": {"\t\"abc\""}}, false},
		{"no-cache", http.Header{"If-None-Match": {tag}, "Cache-Control": {"no-cache"}}, false},
		{"no-cache in a list", http.Header{"If-None-Match": {tag}, "Cache-Control": {"max-age=0,  no-cache "}}, false},
		{"no-cache on a second line", http.Header{"If-None-Match": {tag}, "Cache-Control": {"max-age=0", "no-cache"}}, false},
		{"no-cache=field is not no-cache", http.Header{"If-None-Match": {tag}, "Cache-Control": {`no-cache="x"`}}, true},
		{"max-age=0 is fine", http.Header{"If-None-Match": {tag}, "Cache-Control": {"max-age=0"}}, true},
		{"If-Modified-Since alone", http.Header{"If-Modified-Since": {"Mon, 01 Jan 2024 00:00:00 GMT"}}, false},
		{"If-Modified-Since with a match", http.Header{"If-None-Match": {tag}, "If-Modified-Since": {"Mon, 01 Jan 2024 00:00:00 GMT"}}, false},
		{"empty If-Modified-Since ignored", http.Header{"If-None-Match": {tag}, "If-Modified-Since": {""}}, true},
	}
	for _, tt := range tests {
		if got := fresh(tt.h, tag); got != tt.want {
			t.Errorf("%s: fresh = %t, want %t", tt.name, got, tt.want)
		}
	}
	if !fresh(http.Header{"If-None-Match": {`"abc"`}}, `W/"abc"`) {
		t.Error("a weak response tag must match the strong request tag")
	}
}
