package devserver

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"
)

// TestReportJSON: AppendJSON writes what encoding/json writes, and
// ParseReport reads it back as encoding/json does.
func TestReportJSON(t *testing.T) {
	at := time.Date(2026, 12, 2, 11, 4, 5, 123456789, time.FixedZone("x", 3600))
	for _, rep := range []Report{
		{Type: "request", RequestID: "7e24cc16d36d54f8", File: "pages/api/user.go", Status: 200, Method: "GET", Path: "/api/user", DurationMs: 0.63, Time: at},
		{Type: "request", RequestID: "a", Cache: "HIT", Status: 308, Method: "GET", Path: "/old?x=<1>&y=\"2\"", DurationMs: 1500, Time: at.UTC()},
		{Type: "request", RequestID: "b", Status: 404, Method: "POST", Path: "/x", DurationMs: 1e-7, Time: at},
		{Type: "request", RequestID: "c", Status: 200, Method: "GET", Path: "/y", DurationMs: 3e21, Time: at},
		{Type: "log", RequestID: "abc", Level: "INFO", Message: " ○ hello user=7 id=abc", Time: at},
		{Type: "log", RequestID: "d", Level: "ERROR", Message: " ⨯ panic: boom\n\tgoroutine 1 [running]:\r\x00\x1f\\ \u2028\u2029 \xff end", Time: at},
		{Type: "log", RequestID: "e", Message: "emoji 😀 and é", Time: time.Time{}},
	} {
		want, err := json.Marshal(rep)
		if err != nil {
			t.Fatal(err)
		}
		got := rep.AppendJSON(nil)
		if string(got) != string(want) {
			t.Errorf("AppendJSON = %s\nencoding/json gives %s", got, want)
		}
		var viaJSON Report
		if err := json.Unmarshal(want, &viaJSON); err != nil {
			t.Fatal(err)
		}
		parsed, err := ParseReport(want)
		if err != nil {
			t.Fatalf("ParseReport(%s): %v", want, err)
		}
		if !reflect.DeepEqual(parsed, viaJSON) {
			t.Errorf("ParseReport(%s)\n = %+v\nencoding/json reads %+v", want, parsed, viaJSON)
		}
	}
}

// TestParseReport: what else encoding/json accepts of a report (spaces,
// other keys, null, escapes), and what it refuses.
func TestParseReport(t *testing.T) {
	for _, tc := range []struct {
		line string
		want Report
		err  string
	}{
		{line: ` { "type" : "log" , "id":"x", "extra":[1], "time":"2026-12-02T11:04:05Z" } `, err: "expected a string, a number"},
		{line: `{"type":"log","id":"x","extra":{"a":1},"time":"2026-12-02T11:04:05Z"}`, err: "expected a string, a number"},
		{line: ` { "type" : "log" , "id":"x", "n":-1.5e+3, "b":true, "f":false, "z":null, "s":"\"", "time":"2026-12-02T11:04:05Z" } `,
			want: Report{Type: "log", RequestID: "x", Time: time.Date(2026, 12, 2, 11, 4, 5, 0, time.UTC)}},
		{line: `{"type":null,"id":"\u0041\/\ud83d\ude00\ud800x\t","status":201,"durationMs":0.25,"time":"2026-12-02T11:04:05Z"}`,
			want: Report{RequestID: "A/😀\ufffdx\t", Status: 201, DurationMs: 0.25, Time: time.Date(2026, 12, 2, 11, 4, 5, 0, time.UTC)}},
		{line: `{}`, want: Report{}},
		{line: ``, err: "expected {"},
		{line: `[]`, err: "expected {"},
		{line: `{"type":"log"`, err: "expected , or }"},
		{line: `{"type":"log"}x`, err: "text after the object"},
		{line: `{"type":"lo`, err: "cut short"},
		{line: `{"type":"a\qb"}`, err: "bad escape"},
		{line: `{"type":"\u12"}`, err: "bad \\u escape"},
		{line: "{\"type\":\"a\nb\"}", err: "control character"},
		{line: `{type:"log"}`, err: "expected a key"},
		{line: `{"type" "log"}`, err: "expected :"},
		{line: `{"status":"200"}`, err: "expected a number"},
		{line: `{"status":2.5}`, err: "report status"},
		{line: `{"durationMs":1.}`, err: "expected a digit"},
		{line: `{"durationMs":1e}`, err: "expected a digit"},
		{line: `{"time":"yesterday"}`, err: "report time"},
		{line: `{"type":7}`, err: "expected a string"},
	} {
		got, err := ParseReport([]byte(tc.line))
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("ParseReport(%q) = %+v, %v; want an error containing %q", tc.line, got, err, tc.err)
			}
			continue
		}
		if err != nil || !reflect.DeepEqual(got, tc.want) {
			t.Errorf("ParseReport(%q) = %+v, %v; want %+v", tc.line, got, err, tc.want)
		}
	}
}

// TestReporterBatches: reports reach the writer as lines, in order, once
// flushed.
func TestReporterBatches(t *testing.T) {
	var out strings.Builder
	r := NewReporter(&out)
	at := time.Date(2026, 12, 2, 11, 4, 5, 0, time.UTC)
	r.Log("1", "INFO", "first", at)
	r.Log("2", "WARN", "second", at)
	r.Log("", "INFO", "no request: not reported", at)
	r.Flush()
	want := `{"type":"log","id":"1","level":"INFO","msg":"first","time":"2026-12-02T11:04:05Z"}` + "\n" +
		`{"type":"log","id":"2","level":"WARN","msg":"second","time":"2026-12-02T11:04:05Z"}` + "\n"
	if out.String() != want {
		t.Errorf("reporter wrote %q, want %q", out.String(), want)
	}
}
