package devloop

import (
	"fmt"
	"io"
	"slices"
	"strings"
	"testing"

	"github.com/nextgo-dev/nextgo/runtime/devserver"
)

// chunks reads as the given pieces, one per Read.
type chunks []string

func (c *chunks) Read(p []byte) (int, error) {
	if len(*c) == 0 {
		return 0, io.EOF
	}
	n := copy(p, (*c)[0])
	(*c)[0] = (*c)[0][n:]
	if (*c)[0] == "" {
		*c = (*c)[1:]
	}
	return n, nil
}

func reportLine(id string) string {
	return string((&devserver.Report{Type: "request", RequestID: id, Status: 200, Method: "GET", Path: "/api/" + id}).AppendJSON(nil)) + "\n"
}

// TestReportLog: reports wait unread until delivered (or as they come while
// live), whole lines only, in order, the oldest dropped past the bound.
func TestReportLog(t *testing.T) {
	a, b, c := reportLine("a"), reportLine("b"), reportLine("c")
	tests := []struct {
		name   string
		reads  chunks
		max    int
		live   bool
		before []string // delivered before deliverAll
		after  []string // delivered by deliverAll
	}{
		{name: "held until asked", reads: chunks{a + b, c}, after: []string{"a", "b", "c"}},
		{name: "a line across reads", reads: chunks{a[:7], a[7:] + b[:3], b[3:]}, after: []string{"a", "b"}},
		{name: "an unended last line is dropped", reads: chunks{a, b[:10]}, after: []string{"a"}},
		{name: "a malformed line is skipped", reads: chunks{a, "{not json\n", c}, after: []string{"a", "c"}},
		{name: "live: as they come", reads: chunks{a, b + c}, live: true, before: []string{"a", "b", "c"}},
		{name: "past the bound the oldest go", reads: chunks{a, b, c}, max: 2*len(a) + 1, after: []string{"c"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			l := newReportLog(func(r devserver.Report) { got = append(got, r.RequestID) })
			if tt.max > 0 {
				l.max = tt.max
			}
			l.setLive(tt.live)
			reads := tt.reads
			l.readFrom(&reads)
			if !slices.Equal(got, tt.before) {
				t.Errorf("delivered before asked: %q, want %q", got, tt.before)
			}
			got = nil
			l.deliverAll()
			if !slices.Equal(got, tt.after) {
				t.Errorf("delivered when asked: %q, want %q", got, tt.after)
			}
			got = nil
			l.deliverAll()
			if len(got) != 0 {
				t.Errorf("delivered twice: %q", got)
			}
		})
	}
}

// TestReportLogBound: however many reports come, what waits stays within
// the bound and the newest are kept.
func TestReportLogBound(t *testing.T) {
	var lines strings.Builder
	for i := range 5000 {
		lines.WriteString(reportLine(fmt.Sprint(i)))
	}
	var got []string
	l := newReportLog(func(r devserver.Report) { got = append(got, r.RequestID) })
	l.max = 64 << 10
	reads := chunks{lines.String()}
	l.readFrom(&reads)
	if len(l.held) > l.max {
		t.Errorf("%d bytes held, bound %d", len(l.held), l.max)
	}
	l.deliverAll()
	if len(got) == 0 || got[len(got)-1] != "4999" {
		t.Fatalf("last delivered %q, want 4999", got[len(got)-1:])
	}
	for i := 1; i < len(got); i++ {
		if fmt.Sprint(atoi(t, got[i-1])+1) != got[i] {
			t.Fatalf("out of order or a gap: %s then %s", got[i-1], got[i])
		}
	}
}

func atoi(t *testing.T, s string) int {
	var n int
	if _, err := fmt.Sscan(s, &n); err != nil {
		t.Fatal(err)
	}
	return n
}

func logLine(id, msg string) string {
	return string((&devserver.Report{Type: "log", RequestID: id, Level: "INFO", Message: msg}).AppendJSON(nil)) + "\n"
}

// TestReportLogLogs: a request's log records, written while it ran, are
// handed on after the request's own report, and at once when it came
// already; records whose request never reports wait, bounded, and the
// oldest are handed on as they are.
func TestReportLogLogs(t *testing.T) {
	tests := []struct {
		name  string
		lines []string
		want  []string
	}{
		{"a log follows its request", []string{logLine("a", "1"), logLine("a", "2"), reportLine("a")}, []string{"request a", "log a 1", "log a 2"}},
		{"interleaved requests", []string{logLine("a", "1"), logLine("b", "1"), reportLine("b"), logLine("a", "2"), reportLine("a")}, []string{"request b", "log b 1", "request a", "log a 1", "log a 2"}},
		{"a request without logs", []string{reportLine("a"), logLine("b", "1"), reportLine("b")}, []string{"request a", "request b", "log b 1"}},
		{"a log after its request", []string{reportLine("a"), logLine("a", "late")}, []string{"request a", "log a late"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			l := newReportLog(func(r devserver.Report) { got = append(got, strings.TrimSpace(r.Type+" "+r.RequestID+" "+r.Message)) })
			reads := chunks{strings.Join(tt.lines, "")}
			l.readFrom(&reads)
			l.deliverAll()
			if !slices.Equal(got, tt.want) {
				t.Errorf("delivered %q, want %q", got, tt.want)
			}
		})
	}

	// Past the bound, the oldest waiting records are handed on.
	var got []string
	l := newReportLog(func(r devserver.Report) { got = append(got, r.Type+" "+r.RequestID) })
	var lines strings.Builder
	for i := range maxWaitingLogs + 1 {
		lines.WriteString(logLine(fmt.Sprint(i), "x"))
	}
	reads := chunks{lines.String()}
	l.readFrom(&reads)
	l.deliverAll()
	if !slices.Equal(got, []string{"log 0"}) || len(l.logIDs) != maxWaitingLogs {
		t.Errorf("delivered %q with %d waiting, want [log 0] with %d", got, len(l.logIDs), maxWaitingLogs)
	}
}
