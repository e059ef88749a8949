package api

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"unicode/utf16"
	"unicode/utf8"
)

// The seed corpora of these targets are in testdata/fuzz; run one with
// e.g. go test -fuzz FuzzParseForm ./runtime/api.

func FuzzParseForm(f *testing.F) {
	for _, s := range []string{"", "a=1&b=2&a=3", "a", "=&&=", "a+b=%2B%zz%", "%E0%A4%A=%ff", "1=x&0=y&01=z"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v := parseForm(s)
		if v.Len() > maxPairs {
			t.Fatalf("%d names, more than %d pairs", v.Len(), maxPairs)
		}
		seen := map[string]bool{}
		for name, values := range v.All() {
			if seen[name] {
				t.Fatalf("name %q listed twice", name)
			}
			seen[name] = true
			if !utf8.ValidString(name) {
				t.Fatalf("name %q is not UTF-8", name)
			}
			if len(values) == 0 {
				t.Fatalf("name %q without values", name)
			}
			for _, val := range values {
				if !utf8.ValidString(val) {
					t.Fatalf("value %q is not UTF-8", val)
				}
			}
			if v.Get(name) != values[0] || !v.Has(name) || v.IsList(name) != (len(values) > 1) {
				t.Fatalf("accessors disagree on %q", name)
			}
		}
		// Without escapes, names and values are the text between the
		// separators.
		if utf8.ValidString(s) && !strings.ContainsAny(s, "%+") && len(s) < 200 {
			for pair := range strings.SplitSeq(s, "&") {
				if pair == "" {
					continue
				}
				k, val, _ := strings.Cut(pair, "=")
				found := false
				for _, got := range v.Values(k) {
					found = found || got == val
				}
				if !found {
					t.Fatalf("pair %q: %q has %q", pair, k, v.Values(k))
				}
			}
		}
		b, err := v.MarshalJSON()
		if err != nil {
			t.Fatal(err)
		}
		var m map[string]any
		if err := json.Unmarshal(b, &m); err != nil {
			t.Fatalf("MarshalJSON gave invalid JSON %q: %v", b, err)
		}
		if len(m) != v.Len() {
			t.Fatalf("JSON has %d names, Values %d", len(m), v.Len())
		}
	})
}

func FuzzParseCookies(f *testing.F) {
	for _, s := range []string{"", "nextjs=cool;", `a="x"; a=2; b=%E2%9C%93`, "=;;=%;  ", `"`, "a=\"", "k=%ZZ"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c := parseCookies([]string{s})
		if strings.IndexByte(s, '=') < 0 && c != nil {
			t.Fatalf("cookies %v from a header without '='", c)
		}
		for k, v := range c {
			if strings.Contains(k, ";") || strings.Contains(k, "=") {
				t.Fatalf("name %q holds a separator", k)
			}
			if len(v) > len(s) {
				t.Fatalf("value %q longer than the header", v)
			}
		}
		b, err := c.MarshalJSON()
		if err != nil {
			t.Fatal(err)
		}
		var m map[string]string
		if err := json.Unmarshal(b, &m); err != nil {
			t.Fatalf("MarshalJSON gave invalid JSON %q: %v", b, err)
		}
		if len(m) != len(c) {
			t.Fatalf("JSON has %d names, cookies %d", len(m), len(c))
		}
	})
}

func FuzzContentType(f *testing.F) {
	for _, s := range []string{"application/json", "text/plain; charset=\"u\\\"8\"", "application/json;", "a/b ; x=y ;z=\"\"", "/"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		typ, _, ok := parseContentType(s)
		if !ok {
			return
		}
		if typ != strings.ToLower(typ) || strings.Count(typ, "/") != 1 {
			t.Fatalf("type %q from %q", typ, s)
		}
		for i := 0; i < len(typ); i++ {
			if typ[i] != '/' && !isTokenChar(typ[i]) {
				t.Fatalf("type %q from %q has a non-token byte", typ, s)
			}
		}
	})
}

// FuzzBody sends arbitrary bodies through a handler with a small limit: the
// answer is always one of Next's, and a parsed body always encodes.
func FuzzBody(f *testing.F) {
	f.Add("application/json", []byte(`{"a":[1,"x"]}`))
	f.Add("application/json; charset=utf-16", []byte("\xff\xfe[\x00]\x00"))
	f.Add("application/x-www-form-urlencoded", []byte("a=1&a=2"))
	f.Add("text/plain; charset=latin1", []byte("caf\xe9"))
	f.Add("text/plain; charset=nope", []byte("x"))
	f.Add("", []byte(strings.Repeat("z", 300)))
	hd := NewHandler(Route{File: "pages/api/fuzz.go", Config: Config{BodyParser: BodyParser{SizeLimit: "256b"}},
		Handler: func(req *Request, res *Response) { res.JSON(req.Body) }})
	f.Fuzz(func(t *testing.T, contentType string, body []byte) {
		r := httptest.NewRequest(http.MethodPost, "/api/fuzz", bytes.NewReader(body))
		if contentType != "" {
			r.Header.Set("Content-Type", contentType)
		}
		w := httptest.NewRecorder()
		hd.ServeHTTP(w, r)
		switch w.Code {
		case 200:
			if !json.Valid(w.Body.Bytes()) {
				t.Fatalf("200 with invalid JSON %q", w.Body.Bytes())
			}
			if len(body) > 256 {
				t.Fatalf("a %d-byte body passed a 256-byte limit", len(body))
			}
		case 400:
			if s := w.Body.String(); s != "Invalid JSON" && s != "Invalid body" {
				t.Fatalf("400 %q", s)
			}
		case 413:
			if s := w.Body.String(); s != "Body exceeded 256b limit" || len(body) <= 256 {
				t.Fatalf("413 %q for %d bytes", s, len(body))
			}
		default:
			t.Fatalf("status %d: %q", w.Code, w.Body.String())
		}
	})
}

// FuzzETag compares the streaming hash with a direct rendering of Next's
// algorithm over the UTF-16 code units.
func FuzzETag(f *testing.F) {
	for _, s := range []string{"", "Index should work", "héllo", "😀", "\xff\xfe", "a\u2028b"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		units := utf16.Encode([]rune(s))
		h := uint64(fnvOffset)
		for _, u := range units {
			h = (h ^ uint64(u)) * fnvPrime
		}
		want := etagHash{h: h, n: uint64(len(units))}
		got := newETagHash()
		hashText(&got, s)
		if got != want {
			t.Fatalf("hash of %q: %+v, want %+v", s, got, want)
		}
		b := newETagHash()
		hashText(&b, []byte(s))
		if b != want {
			t.Fatalf("hash of []byte %q: %+v, want %+v", s, b, want)
		}
	})
}
