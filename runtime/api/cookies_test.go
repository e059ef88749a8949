package api

import (
	"encoding/json"
	"reflect"
	"testing"
)

func TestParseCookies(t *testing.T) {
	tests := []struct {
		name  string
		lines []string
		want  Cookies
	}{
		{"none", nil, nil},
		{"empty line", []string{""}, nil},
		{"next test", []string{"nextjs=cool;"}, Cookies{"nextjs": "cool"}},
		{"several", []string{"a=1; b=2;c=3"}, Cookies{"a": "1", "b": "2", "c": "3"}},
		{"first wins", []string{"a=1; a=2"}, Cookies{"a": "1"}},
		{"first wins across lines", []string{"a=1", "a=2; b=3"}, Cookies{"a": "1", "b": "3"}},
		{"trimmed", []string{"  a  =  1  ;\tb\t=\t2"}, Cookies{"a": "1", "b": "2"}},
		{"quoted", []string{`a="x y"; b="`}, Cookies{"a": "x y", "b": ""}},
		{"unbalanced quote loses last char", []string{`a="abc`}, Cookies{"a": "ab"}},
		{"decoded", []string{"a=%E2%9C%93%20ok"}, Cookies{"a": "✓ ok"}},
		{"bad escape kept", []string{"a=100%; b=%ff"}, Cookies{"a": "100%", "b": "%ff"}},
		{"plus kept", []string{"a=x+y"}, Cookies{"a": "x+y"}},
		{"no equals skipped", []string{"flag; a=1; =v"}, Cookies{"a": "1", "": "v"}},
		{"equals in value", []string{"a=b=c"}, Cookies{"a": "b=c"}},
		{"empty value", []string{"a="}, Cookies{"a": ""}},
		{"quoted then decoded", []string{`a="%41"`}, Cookies{"a": "A"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := parseCookies(tt.lines); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("parseCookies(%q) = %#v, want %#v", tt.lines, got, tt.want)
			}
		})
	}
}

func TestCookiesJSON(t *testing.T) {
	tests := []struct {
		in   any
		want string
	}{
		{Cookies(nil), `{}`},
		{Cookies{}, `{}`},
		{Cookies{"b": "2", "a": "<1>", "10": "x", "2": "y"}, `{"2":"y","10":"x","a":"<1>","b":"2"}`},
		{struct{ C Cookies }{}, `{"C":{}}`},
	}
	for _, tt := range tests {
		b, err := json.Marshal(tt.in)
		if err != nil {
			t.Fatal(err)
		}
		if string(fixGoJSON(b)) != tt.want {
			t.Errorf("json(%#v) = %s, want %s", tt.in, b, tt.want)
		}
	}
}
