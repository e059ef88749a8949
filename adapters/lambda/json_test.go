package lambda

import (
	"encoding/json"
	"net/textproto"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/nextgo-dev/nextgo/internal/jsonstr"
)

// FuzzJSONString checks the response encoder's string escaping against
// encoding/json: valid JSON, the same value once decoded (invalid UTF-8
// becoming U+FFFD), and a length measured exactly in advance.
func FuzzJSONString(f *testing.F) {
	for _, s := range []string{"", "plain", `quote " backslash \`, "ctl \x00\x01\x1f\x7f", "tab\tnl\nfeed\f\b\r",
		"é 😀 \u2028", "\xff\xfe", "\xe2\x82", "a\xc3", "</script>&"} {
		f.Add(s)
	}
	long := strings.Repeat("0123456789abcdef", 5)
	f.Add(long)
	f.Add(long + "\xff" + long)
	f.Add(long[:40] + "é" + long)
	f.Add(long[:31] + "\xe2\x82\xac" + long)
	f.Fuzz(func(t *testing.T, s string) {
		want, err := json.Marshal(s)
		if err != nil {
			t.Fatal(err)
		}
		var wantValue string
		if err := json.Unmarshal(want, &wantValue); err != nil {
			t.Fatal(err)
		}

		got := jsonstr.Append(nil, s, 0)
		if len(got) != jsonstr.Len(s, 0) {
			t.Fatalf("measured %d, wrote %d", jsonstr.Len(s, 0), len(got))
		}
		var value string
		if err := json.Unmarshal(got, &value); err != nil {
			t.Fatalf("%q encoded as invalid JSON %s: %v", s, got, err)
		}
		if value != wantValue {
			t.Fatalf("%q decodes to %q, want %q", s, value, wantValue)
		}

		got = jsonstr.Append(nil, s, jsonstr.HeaderValue)
		if len(got) != jsonstr.Len(s, jsonstr.HeaderValue) {
			t.Fatalf("header value measured %d, wrote %d", jsonstr.Len(s, jsonstr.HeaderValue), len(got))
		}
		if err := json.Unmarshal(got, &value); err != nil {
			t.Fatalf("%q encoded as invalid JSON %s: %v", s, got, err)
		}
		if want := strings.NewReplacer("\r", " ", "\n", " ").Replace(wantValue); value != want {
			t.Fatalf("header value %q decodes to %q, want %q", s, value, want)
		}
		if cleanValue(s) != strings.NewReplacer("\r", " ", "\n", " ").Replace(s) {
			t.Fatalf("cleanValue(%q) = %q", s, cleanValue(s))
		}

		if utf8.ValidString(s) {
			text := append([]byte{'"'}, appendJSONText(nil, []byte(s), textJSONLen([]byte(s)))...)
			text = append(text, '"')
			if len(text)-2 != textJSONLen([]byte(s)) {
				t.Fatalf("text measured %d, wrote %d", textJSONLen([]byte(s)), len(text)-2)
			}
			if err := json.Unmarshal(text, &value); err != nil || value != s {
				t.Fatalf("text %q encoded as %s: %q, %v", s, text, value, err)
			}
		}
	})
}

// FuzzScanString checks the event reader's string decoding against
// encoding/json, on JSON string literals.
func FuzzScanString(f *testing.F) {
	for _, s := range []string{`""`, `"plain"`, `"\"\\\/\b\f\n\r\t"`, `"\u00e9\ud83d\ude00"`, `"\ud800"`, `"\ud800\u0041"`,
		`"\udc00\ud800"`, `"unterminated`, `"\x"`, `"\u12"`, "\"ctl\x01\"", `"a\"`, "\"\xff\""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, lit string) {
		var want string
		wantErr := json.Unmarshal([]byte(lit), &want)
		d := scanner{s: lit}
		got, err := d.str()
		if err == nil {
			err = d.end()
		}
		if (err != nil) != (wantErr != nil) {
			t.Fatalf("%q: err %v, encoding/json %v", lit, err, wantErr)
		}
		if err != nil {
			return
		}
		// encoding/json replaces invalid UTF-8 in the input; the reader
		// keeps bytes as they are (header values may be any bytes).
		if utf8.ValidString(lit) && got != want {
			t.Fatalf("%q: got %q, want %q", lit, got, want)
		}
	})
}

// FuzzSkip checks that the reader accepts exactly the JSON that
// encoding/json accepts, up to its nesting limit.
func FuzzSkip(f *testing.F) {
	for _, s := range []string{`{}`, `[]`, `{"a":[1,2.5e-3,true,false,null,"x",{"b":{}}]}`, `[1,]`, `{"a"}`, `{"a":}`,
		`01`, `-`, `1.`, `1e`, `1e+`, `.5`, `tru`, ` nul `, `"\u0041"`, `{"a":1}}`, `[[[]]`, "\t[\n]\r"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d := scanner{s: s}
		err := d.skip()
		if err == nil {
			err = d.end()
		}
		valid := json.Valid([]byte(s))
		if valid != (err == nil) && !(valid && strings.Count(s, "[")+strings.Count(s, "{") > maxDepth) {
			t.Fatalf("%q: reader err %v, json.Valid %v", s, err, valid)
		}
	})
}

func TestCanonicalKeysMatchTextproto(t *testing.T) {
	keys := []string{"", "a", "A", "accept", "ACCEPT", "Accept", "x-amzn-trace-id", "X-AMZN-TRACE-ID", "x--y", "-x", "x-",
		"content-md5", "weird name", "x_y", "x.y-z", "é", "x-é", "1-a", "www-authenticate", "a-b-c-d"}
	for _, k := range keys {
		want := textproto.CanonicalMIMEHeaderKey(k)
		var got string
		if c, _ := commonKey(k); c != "" {
			got = c
		} else if isCanonicalKey(k) {
			got = k
		} else {
			var b strings.Builder
			writeCanonicalKey(&b, k)
			got = b.String()
		}
		if got != want {
			t.Errorf("%q: got %q, want %q", k, got, want)
		}
	}
}

func TestCommonKeysAreCanonical(t *testing.T) {
	// Every name in the table, as events send it (lower case), maps to
	// what textproto gives.
	for _, k := range []string{"accept", "accept-charset", "accept-encoding", "accept-language", "authorization",
		"cache-control", "cloudfront-forwarded-proto", "cloudfront-is-desktop-viewer", "cloudfront-is-mobile-viewer",
		"cloudfront-is-smarttv-viewer", "cloudfront-is-tablet-viewer", "cloudfront-viewer-asn", "cloudfront-viewer-country",
		"connection", "content-encoding", "content-length", "content-type", "cookie", "dnt", "host", "if-match",
		"if-modified-since", "if-none-match", "if-unmodified-since", "origin", "pragma", "priority", "range", "referer",
		"sec-ch-ua", "sec-ch-ua-mobile", "sec-ch-ua-platform", "sec-fetch-dest", "sec-fetch-mode", "sec-fetch-site",
		"sec-fetch-user", "te", "traceparent", "tracestate", "transfer-encoding", "upgrade-insecure-requests",
		"user-agent", "via", "x-amz-cf-id", "x-amzn-trace-id", "x-api-key", "x-forwarded-for", "x-forwarded-host",
		"x-forwarded-port", "x-forwarded-proto", "x-request-id", "x-requested-with"} {
		c, _ := commonKey(k)
		if want := textproto.CanonicalMIMEHeaderKey(k); c != want {
			t.Errorf("commonKey(%q) = %q, want %q", k, c, want)
		}
	}
}

func TestIsTextType(t *testing.T) {
	tests := map[string]bool{
		"text/plain": true, "text/html; charset=utf-8": true, "TEXT/CSV": true,
		"application/json": true, "application/json; charset=utf-8": true, "application/problem+json": true,
		"application/vnd.api+json": true, "application/xml": true, "image/svg+xml": true, "application/atom+xml": true,
		"application/javascript": true, "application/x-www-form-urlencoded": true, "application/graphql": true,
		"application/x-ndjson": true, "application/yaml": true, " application/json ; q=1": true,
		"": false, "image/png": false, "application/octet-stream": false, "application/pdf": false,
		"application/zip": false, "multipart/form-data; boundary=x": false, "font/woff2": false,
		"audio/mpeg": false, "application/protobuf": false, "json": false, "application/" + strings.Repeat("x", 100): false,
	}
	for ct, want := range tests {
		if got := isTextType(ct); got != want {
			t.Errorf("isTextType(%q) = %v, want %v", ct, got, want)
		}
	}
}

func TestValidEncodedPath(t *testing.T) {
	tests := map[string]bool{
		"/": true, "/a/b": true, "/a%2Fb": true, "/caf%C3%A9": true, "/a;b=c,d@e:f~g!$&'()*+": true,
		"/a b": false, "/100%": false, "/%zz": false, "/%2": false, "/café": false, "/a?b": false, "/a#b": false,
	}
	for p, want := range tests {
		if got := validEncodedPath(p); got != want {
			t.Errorf("validEncodedPath(%q) = %v, want %v", p, got, want)
		}
	}
}

func TestStripStage(t *testing.T) {
	tests := []struct{ path, stage, want string }{
		{"/prod/api/x", "prod", "/api/x"},
		{"/prod", "prod", "/"},
		{"/prod/", "prod", "/"},
		{"/production/x", "prod", "/production/x"},
		{"/api/x", "prod", "/api/x"},
		{"/$default/x", "$default", "/$default/x"},
		{"/x", "", "/x"},
		{"", "prod", ""},
	}
	for _, tt := range tests {
		if got := stripStage(tt.path, tt.stage); got != tt.want {
			t.Errorf("stripStage(%q, %q) = %q, want %q", tt.path, tt.stage, got, tt.want)
		}
	}
}
