package runtimeapi

import (
	"fmt"
	"reflect"
	"testing"
)

// fastCorpus is what parseV2Fast is checked against encoding/json with: the
// answers nextgo's functions give, and near misses of every kind.
var fastCorpus = []struct {
	payload string
	fast    bool // parseV2Fast reads it
}{
	{`{"statusCode":200,"headers":{"Content-Type":"application/json; charset=utf-8","Etag":"\"wjzyexk8pqj\""},"body":"{\"name\":\"John Doe\"}","isBase64Encoded":false}`, true},
	{`{"statusCode":201,"headers":{},"cookies":["a=1; Path=/","b=2"],"body":"","isBase64Encoded":false}`, true},
	{`{"statusCode":200,"headers":{"X":"1"},"multiValueHeaders":{"X":["2","3"],"Y":[]},"body":"aGk=","isBase64Encoded":true}`, true},
	{" \n{ \"statusCode\" : 204 , \"body\" : \"\\/\\b\\f\\n\\r\\t\\\\\" }\t", true},
	{"{\"statusCode\":200,\"body\":\"é日本\x7f\"}", true},
	{`{"statusCode":200,"headers":{"a":"1","a":"2"}}`, true},
	{`{"statusCode":599}`, true},
	{`{}`, false},
	{`{"statusCode":200,}`, false},
	{`{"statusCode":200,"body":"\u00e9"}`, false},
	{`{"statusCode":200,"body":"\ud800"}`, false},
	{"{\"statusCode\":200,\"body\":\"\xff\"}", false},
	{"{\"statusCode\":200,\"body\":\"a\x01\"}", false},
	{`{"statusCode":200.0}`, false},
	{`{"statusCode":2e2}`, false},
	{`{"statusCode":-200}`, false},
	{`{"statusCode":0200}`, false},
	{`{"statusCode":"200"}`, false},
	{`{"statusCode":null}`, false},
	{`{"statusCode":199}`, false},
	{`{"statusCode":600}`, false},
	{`{"statusCode":1234567890}`, false},
	{`{"StatusCode":200}`, false},
	{`{"statusCode":200,"statusCode":201}`, false},
	{`{"statusCode":200,"other":1}`, false},
	{`{"statusCode":200,"headers":null}`, false},
	{`{"statusCode":200,"headers":{"a":1}}`, false},
	{`{"statusCode":200,"cookies":null}`, false},
	{`{"statusCode":200,"cookies":["a",1]}`, false},
	{`{"statusCode":200,"body":null}`, false},
	{`{"statusCode":200,"isBase64Encoded":1}`, false},
	{`{"statusCode":200,"isBase64Encoded":truex}`, false},
	{`{"statusCode":200,"body":"!!","isBase64Encoded":true}`, false},
	{`{"statusCode":200} x`, false},
	{`{"statusCode":200`, false},
	{`[1,2]`, false},
	{`"text"`, false},
	{`not json`, false},
	{``, false},
}

// TestParseV2Fast: what parseV2Fast reads, it reads as encoding/json does;
// the rest it leaves to it.
func TestParseV2Fast(t *testing.T) {
	for _, tt := range fastCorpus {
		t.Run(tt.payload, func(t *testing.T) {
			got, ok := parseV2Fast([]byte(tt.payload))
			if ok != tt.fast {
				t.Fatalf("read = %v, want %v", ok, tt.fast)
			}
			if ok {
				checkSameAsJSON(t, []byte(tt.payload), got)
			}
		})
	}
}

// checkSameAsJSON fails t unless encoding/json reads payload as got.
func checkSameAsJSON(t *testing.T, payload []byte, got *v2Response) {
	t.Helper()
	want, err := parseV2JSON(payload)
	if err != nil {
		t.Fatalf("parseV2Fast read %q, encoding/json fails: %v", payload, err)
	}
	if got.status != want.status || !reflect.DeepEqual(got.header, want.header) || string(got.body) != string(want.body) {
		t.Fatalf("parseV2Fast(%q) = %s, encoding/json %s", payload, describe(got), describe(want))
	}
}

func describe(r *v2Response) string { return fmt.Sprintf("%d %v %q", r.status, r.header, r.body) }

// FuzzParseV2Fast: on any payload, parseV2Fast either declines or agrees
// with encoding/json.
func FuzzParseV2Fast(f *testing.F) {
	for _, tt := range fastCorpus {
		f.Add([]byte(tt.payload))
	}
	f.Fuzz(func(t *testing.T, payload []byte) {
		if got, ok := parseV2Fast(payload); ok {
			checkSameAsJSON(t, payload, got)
		}
	})
}
