package api

import (
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
)

func TestParseContentType(t *testing.T) {
	tests := []struct {
		in      string
		typ     string
		charset string
		ok      bool
	}{
		{"application/json", "application/json", "", true},
		{"Application/JSON", "application/json", "", true},
		{"  text/plain  ", "text/plain", "", true},
		{"application/json; charset=utf-8", "application/json", "utf-8", true},
		{"application/json;charset=UTF-8", "application/json", "UTF-8", true},
		{"text/plain; CHARSET = latin1 ", "text/plain", "latin1", true},
		{`text/plain; charset="utf-8"`, "text/plain", "utf-8", true},
		{`text/plain; charset="u\"t\\f"`, "text/plain", `u"t\f`, true},
		{"text/plain; a=1; charset=x; charset=y", "text/plain", "y", true},
		{"text/plain; foo=bar", "text/plain", "", true},
		{"application/json;", "", "", false}, // Next's api-body-parser test
		{"application/json; ", "", "", false},
		{"application/json; charset", "", "", false},
		{"application/json; charset=", "", "", false},
		{"application/json; charset=a b", "", "", false},
		{"application/json;\tcharset=utf-8", "", "", false},
		{`text/plain; charset="open`, "", "", false},
		{"application", "", "", false},
		{"/json", "", "", false},
		{"application/", "", "", false},
		{"application/json/x", "", "", false},
		{"appli cation/json", "", "", false},
		{"", "", "", false},
	}
	for _, tt := range tests {
		typ, cs, ok := parseContentType(tt.in)
		if typ != tt.typ || cs != tt.charset || ok != tt.ok {
			t.Errorf("parseContentType(%q) = %q, %q, %t; want %q, %q, %t", tt.in, typ, cs, ok, tt.typ, tt.charset, tt.ok)
		}
	}
}

func TestContentTypeOf(t *testing.T) {
	tests := []struct {
		h    http.Header
		kind mediaKind
		typ  string
	}{
		{http.Header{}, kindText, "text/plain"},
		{http.Header{"Content-Type": {"application/json"}}, kindJSON, "application/json"},
		{http.Header{"Content-Type": {"application/ld+json; charset=utf-8"}}, kindJSON, "application/ld+json"},
		{http.Header{"Content-Type": {"application/x-www-Form-urlencoded"}}, kindForm, "application/x-www-form-urlencoded"},
		{http.Header{"Content-Type": {"application/vnd.api+json"}}, kindText, "application/vnd.api+json"},
		{http.Header{"Content-Type": {"application/json;"}}, kindText, "text/plain"},
		{http.Header{"Content-Type": {"text/plain", "application/json"}}, kindText, "text/plain"},
	}
	for _, tt := range tests {
		m, _ := contentTypeOf(tt.h)
		if m.kind != tt.kind || m.typ != tt.typ {
			t.Errorf("contentTypeOf(%v) = %+v, want kind %d type %q", tt.h, m, tt.kind, tt.typ)
		}
	}
}

func TestDecoders(t *testing.T) {
	tests := []struct {
		charset string
		in      string
		want    string
	}{
		{"", "h\xc3\xa9", "hé"},
		{"utf-8", "\xef\xbb\xbf{}", "{}"},
		{"UTF8", "a\xffb", "a\uFFFDb"},
		{"unicode-1-1-utf-8", "x", "x"},
		{"latin1", "caf\xe9", "café"},
		{"ISO-8859-1", "\xff", "ÿ"},
		{"iso-8859-1:1987", "\xe9", "é"},
		{"binary", "\x80", "\u0080"},
		{"us-ascii", "a\xe9", "a\uFFFD"},
		{"windows-1252", "\x80\x81\x9f\xe9", "€\uFFFDŸé"},
		{"utf-16le", "h\x00\xe9\x00", "hé"},
		{"ucs2", "\xff\xfeh\x00", "h"},
		{"UTF-16BE", "\x00h\x00\xe9", "hé"},
		{"utf16be", "\xd8\x3d\xde\x00", "😀"},
		{"utf-16le", "\x3d\xd8", "\uFFFD"}, // unpaired surrogate
		{"utf-16le", "h\x00i", "h"},        // odd byte dropped
		{"utf-16", "\xfe\xff\x00h", "h"},
		{"utf-16", "\xff\xfeh\x00", "h"},
		{"utf-16", "\x00h\x00i", "hi"}, // zero bytes first: big-endian
		{"utf-16", "h\x00i\x00", "hi"},
		{"utf-16", "", ""},
	}
	for _, tt := range tests {
		dec, ok := decoderFor(tt.charset)
		if !ok {
			t.Errorf("decoderFor(%q) unsupported", tt.charset)
			continue
		}
		if got := string(dec([]byte(tt.in))); got != tt.want {
			t.Errorf("decode %q as %q = %q, want %q", tt.in, tt.charset, got, tt.want)
		}
	}
	for _, cs := range []string{"foo", "utf-7", "shift_jis", "utf-32", "base64"} {
		if _, ok := decoderFor(cs); ok {
			t.Errorf("decoderFor(%q) is supported, want unsupported", cs)
		}
	}
}

// chunks is a body delivered a few bytes at a time, possibly with empty
// reads and a final error.
type chunks struct {
	parts []string
	err   error
}

func (c *chunks) Read(p []byte) (int, error) {
	if len(c.parts) == 0 {
		if c.err != nil {
			return 0, c.err
		}
		return 0, io.EOF
	}
	n := copy(p, c.parts[0])
	c.parts[0] = c.parts[0][n:]
	if c.parts[0] == "" {
		c.parts = c.parts[1:]
	}
	return n, nil
}

func (c *chunks) Close() error { return nil }

// zeroReader never returns data nor an error.
type zeroReader struct{}

func (zeroReader) Read([]byte) (int, error) { return 0, nil }
func (zeroReader) Close() error             { return nil }

func TestReadLimited(t *testing.T) {
	big := strings.Repeat("x", 600)
	tests := []struct {
		name  string
		body  io.ReadCloser
		cl    int64
		limit int64
		want  string
		err   error
	}{
		{"no body", http.NoBody, 0, 10, "", nil},
		{"nil body", nil, 0, 10, "", nil},
		{"known length", &chunks{parts: []string{"hello"}}, 5, 10, "hello", nil},
		{"exactly the limit", &chunks{parts: []string{"0123456789"}}, 10, 10, "0123456789", nil},
		{"over the limit by length", &chunks{parts: []string{"01234567890"}}, 11, 10, "", errBodyTooLarge},
		{"unknown length in pieces", &chunks{parts: []string{"ab", "", "cd", "e"}}, -1, 10, "abcde", nil},
		{"unknown length exactly the limit", &chunks{parts: []string{"01234", "56789"}}, -1, 10, "0123456789", nil},
		{"unknown length over the limit", &chunks{parts: []string{"01234", "567890"}}, -1, 10, "", errBodyTooLarge},
		{"unknown length empty", &chunks{}, -1, 10, "", nil},
		{"unknown length, limit 0", &chunks{parts: []string{"a"}}, -1, 0, "", errBodyTooLarge},
		{"unknown length grows", &chunks{parts: []string{big, big}}, -1, 2000, big + big, nil},
		{"unknown length grows past the limit", &chunks{parts: []string{big, big}}, -1, 1000, "", errBodyTooLarge},
		{"declared zero but has data", &chunks{parts: []string{"abc"}}, 0, 10, "abc", nil},
		{"short body", &chunks{parts: []string{"abc"}}, 5, 10, "", errBodyInvalid},
		{"long body", &chunks{parts: []string{"abcdef"}}, 5, 10, "", errBodyInvalid},
		{"read error", &chunks{parts: []string{"ab"}, err: io.ErrUnexpectedEOF}, 5, 10, "", errBodyInvalid},
		{"read error first", &chunks{err: errors.New("reset")}, -1, 10, "", errBodyInvalid},
		{"outer limit", &chunks{err: &http.MaxBytesError{Limit: 3}}, -1, 10, "", errBodyTooLarge},
		{"no progress", zeroReader{}, -1, 10, "", errBodyInvalid},
		{"no progress after data", io.NopCloser(io.MultiReader(strings.NewReader("a"), zeroReader{})), -1, 10, "", errBodyInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := &http.Request{Body: tt.body, ContentLength: tt.cl}
			got, err := readLimited(r, tt.limit, make([]byte, 1))
			if string(got) != tt.want || err != tt.err {
				t.Errorf("readLimited = %q, %v; want %q, %v", got, err, tt.want, tt.err)
			}
		})
	}
}
