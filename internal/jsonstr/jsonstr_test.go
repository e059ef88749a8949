package jsonstr

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

// reference is what encoding/json writes for s in mode m.
func reference(t *testing.T, s string, m Mode) string {
	t.Helper()
	if m&HeaderValue != 0 {
		s = strings.NewReplacer("\r", " ", "\n", " ").Replace(s)
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(m&HTML != 0)
	if err := enc.Encode(s); err != nil {
		t.Fatal(err)
	}
	return strings.TrimSuffix(buf.String(), "\n")
}

var samples = []string{
	"",
	"plain ascii",
	`quote " and backslash \`,
	"controls \x00\x01\b\f\n\r\t\x1f\x7f",
	"<script>a & b</script>",
	"héllo wörld ✓ 日本",
	"line\u2028para\u2029end",
	"invalid \xff\xfe utf-8 \xe2\x82",
	"header\r\nvalue",
	"emoji 😀 and \U0010FFFF",
}

// TestAppend: every mode writes what encoding/json writes, and Len and
// CharsLen tell its length.
func TestAppend(t *testing.T) {
	all := append([]string(nil), samples...)
	for c := 0; c < 256; c++ { // every byte, alone and as a rune
		all = append(all, "a"+string(rune(c))+"z", "a"+string([]byte{byte(c)})+"z")
	}
	for _, m := range []Mode{0, HTML, HeaderValue, HTML | HeaderValue} {
		for _, s := range all {
			want := reference(t, s, m)
			got := string(Append([]byte("x"), s, m))
			if got != "x"+want {
				t.Errorf("Append(%q, %d) = %s, want %s", s, m, got[1:], want)
			}
			if chars := string(AppendChars(nil, s, m)); chars != want[1:len(want)-1] {
				t.Errorf("AppendChars(%q, %d) = %s, want %s", s, m, chars, want[1:len(want)-1])
			}
			if n := Len(s, m); n != len(want) {
				t.Errorf("Len(%q, %d) = %d, want %d", s, m, n, len(want))
			}
		}
	}
}

// FuzzAppend: on any string, every mode agrees with encoding/json.
func FuzzAppend(f *testing.F) {
	for _, s := range samples {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, m := range []Mode{0, HTML, HeaderValue, HTML | HeaderValue} {
			want := reference(t, s, m)
			if got := string(Append(nil, s, m)); got != want {
				t.Fatalf("Append(%q, %d) = %s, want %s", s, m, got, want)
			}
			if n := Len(s, m); n != len(want) {
				t.Fatalf("Len(%q, %d) = %d, want %d", s, m, n, len(want))
			}
		}
	})
}

func BenchmarkAppend(b *testing.B) {
	s := "GET /api/post/7?x=1 from pages/api/post/[pid].go"
	buf := make([]byte, 0, 128)
	for b.Loop() {
		buf = Append(buf[:0], s, HTML)
	}
}
