package api

import (
	"testing"
	"unicode/utf8"
)

// Expected values in this file were produced by Node.js 20
// (Buffer.toString, decodeURIComponent, String.prototype.trim).

func TestLossyUTF8(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		{"", ""},
		{"plain ascii", "plain ascii"},
		{"é😀", "é😀"},
		// Buffer.from([0xe0,0xa4,0x41,0xff,0xf0,0x9f,0x98,0xed,0xa0,0x80,0xc0,0xaf,0xf4,0x90,0x80,0x80]).toString()
		{"\xe0\xa4\x41\xff\xf0\x9f\x98\xed\xa0\x80\xc0\xaf\xf4\x90\x80\x80", "\uFFFDA" + repeat("\uFFFD", 11)},
		{"\xe0\xa4", "\uFFFD"},                // truncated: one maximal subpart
		{"\xed\xa0\x80", repeat("\uFFFD", 3)}, // surrogate: each byte
		{"a\x80b", "a\uFFFDb"},
		{"\xf0\x9f\x98\x80\xf0", "😀\uFFFD"},
		{"\xef\xbf\xbd", "\uFFFD"},
	}
	for _, tt := range tests {
		got := lossyString([]byte(tt.in))
		if got != tt.want {
			t.Errorf("lossyString(%q) = %q, want %q", tt.in, got, tt.want)
		}
		if !utf8.ValidString(got) {
			t.Errorf("lossyString(%q) is not valid UTF-8", tt.in)
		}
	}
}

func repeat(s string, n int) string {
	out := ""
	for range n {
		out += s
	}
	return out
}

func TestDecodeFormComponent(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		{"", ""},
		{"abc", "abc"},
		{"a+b", "a b"},
		{"%41%42", "AB"},
		{"%2B+%20", "+  "},
		{"%", "%"},
		{"%4", "%4"},
		{"%zz", "%zz"},
		{"%%41", "%A"},
		{"%u0041", "%u0041"},
		{"%C3%A9", "é"},
		{"%E0%A4%A", "\uFFFD%A"},
		{"%ff%fe", "\uFFFD\uFFFD"},
		{"%F0%9F%98%80", "😀"},
		{"%ED%A0%80", "\uFFFD\uFFFD\uFFFD"},
		{"é", "é"},
		{"\xff", "\uFFFD"},
	}
	for _, tt := range tests {
		if got := decodeFormComponent(tt.in); got != tt.want {
			t.Errorf("decodeFormComponent(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestDecodeURIComponent(t *testing.T) {
	tests := []struct {
		in, want string
		ok       bool
	}{
		{"", "", true},
		{"plain", "plain", true},
		{"a%20b", "a b", true},
		{"%E2%9C%93", "✓", true},
		{"a+b", "a+b", true}, // no '+' decoding
		{"%", "", false},
		{"%4", "", false},
		{"%zz", "", false},
		{"%ff", "", false},       // not UTF-8
		{"%C0%AF", "", false},    // overlong
		{"%ED%A0%80", "", false}, // surrogate
		{"100%", "", false},
	}
	for _, tt := range tests {
		got, ok := decodeURIComponent(tt.in)
		if got != tt.want || ok != tt.ok {
			t.Errorf("decodeURIComponent(%q) = %q, %t; want %q, %t", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

func TestJSTrim(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		{"", ""},
		{"  a b  ", "a b"},
		{"\t\n\v\f\r a \u00a0\ufeff\u2028\u3000", "a"},
		{"\u0085a\u0085", "\u0085a\u0085"}, // NEL is not JavaScript white space
		{"\xffa\xff", "\xffa\xff"},
		{" \u200b ", "\u200b"}, // zero width space is not white space either
	}
	for _, tt := range tests {
		if got := jsTrim(tt.in); got != tt.want {
			t.Errorf("jsTrim(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestAppendJSString(t *testing.T) {
	// JSON.stringify of each input.
	tests := []struct {
		in, want string
	}{
		{"plain", `"plain"`},
		{`quote"back\slash`, `"quote\"back\\slash"`},
		{"ctl\x00\x01\b\t\n\v\f\r\x1f\x7f", `"ctl\u0000\u0001\b\t\n\u000b\f\r\u001f` + "\x7f\""},
		{"<a&b>", `"<a&b>"`},
		{"line\u2028sep\u2029", "\"line\u2028sep\u2029\""},
		{"é😀", `"é😀"`},
		{"bad\xff\xfeutf8", "\"bad\uFFFD\uFFFDutf8\""},
	}
	for _, tt := range tests {
		if got := string(appendJSString(nil, tt.in)); got != tt.want {
			t.Errorf("appendJSString(%q) = %s, want %s", tt.in, got, tt.want)
		}
	}
}

func TestMarshalJS(t *testing.T) {
	tests := []struct {
		in   any
		want string
	}{
		{map[string]string{"h": "<b>&amp;</b>"}, `{"h":"<b>&amp;</b>"}`},
		{"line\u2028sep\u2029", "\"line\u2028sep\u2029\""},
		{`\u003c`, `"\\u003c"`}, // a literal backslash stays escaped
		{"bad\xffutf8", "\"bad\uFFFDutf8\""},
		{"\x00\n", `"\u0000\n"`},
		{[]any{1.5, true, nil, "x"}, `[1.5,true,null,"x"]`},
		{nil, "null"},
	}
	for _, tt := range tests {
		b, err := marshalJS(tt.in)
		if err != nil {
			t.Fatalf("marshalJS(%#v): %v", tt.in, err)
		}
		if string(b) != tt.want {
			t.Errorf("marshalJS(%#v) = %s, want %s", tt.in, b, tt.want)
		}
	}
	if _, err := marshalJS(make(chan int)); err == nil {
		t.Error("marshalJS(chan) succeeded")
	}
}
