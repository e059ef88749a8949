package dashboard

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/nextgo-dev/nextgo/runtime/httpguard"
	"github.com/nextgo-dev/nextgo/runtime/requestid"
)

func app() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		w.Header().Set("X-Nextjs-Cache", "MISS")
		w.Header().Set("X-Seen-Id", requestid.From(r.Context()))
		if r.URL.Path == "/bin" {
			w.Write([]byte{0, 1, 2, 3})
			return
		}
		w.WriteHeader(201)
		io.WriteString(w, "got "+string(b))
	})
}

// TestRecordAndReplay: a request is logged with its headers, bodies,
// status and cache status; its detail is served; a replay logs a new entry.
func TestRecordAndReplay(t *testing.T) {
	var logged []Entry
	d := New(Options{Log: func(e Entry) { logged = append(logged, e) }})
	srv := httptest.NewServer(d.Handler(app()))
	defer srv.Close()
	resp, err := http.Post(srv.URL+"/api/echo?x=1", "text/plain", strings.NewReader("hello"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	id := resp.Header.Get("X-Seen-Id")
	if resp.StatusCode != 201 || len(logged) != 1 || logged[0].ID != id {
		t.Fatalf("status %d, id %q, logged %+v", resp.StatusCode, id, logged)
	}
	d.AddLog(id, LogLine{Level: "INFO", Message: " ○ hello id=" + id})
	var e Entry
	getJSON(t, srv.URL+"/_nextgo/api/requests/"+id, &e)
	if e.Method != "POST" || e.Path != "/api/echo?x=1" || e.Status != 201 || e.Cache != "MISS" ||
		e.RequestBody.Text != "hello" || e.ResponseBody.Text != "got hello" || e.RequestHeader.Get("Content-Type") != "text/plain" ||
		len(e.Logs) != 1 || e.Logs[0].Message != " ○ hello id="+id {
		t.Errorf("entry = %+v", e)
	}
	resp, err = http.Post(srv.URL+"/_nextgo/api/requests/"+id+"/replay", "", nil)
	if err != nil {
		t.Fatal(err)
	}
	var out struct{ ID string }
	json.NewDecoder(resp.Body).Decode(&out)
	resp.Body.Close()
	var again Entry
	getJSON(t, srv.URL+"/_nextgo/api/requests/"+out.ID, &again)
	if out.ID == "" || out.ID == id || again.ReplayOf != id || again.ResponseBody.Text != "got hello" || again.Status != 201 {
		t.Errorf("replay = %q %+v", out.ID, again)
	}
	resp, err = http.Get(srv.URL + "/bin")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	var bin Entry
	getJSON(t, srv.URL+"/_nextgo/api/requests/"+resp.Header.Get("X-Seen-Id"), &bin)
	if !bin.ResponseBody.Binary || bin.ResponseBody.Size != 4 || bin.ResponseBody.Text != "" {
		t.Errorf("binary body = %+v", bin.ResponseBody)
	}
	resp, err = http.Get(srv.URL + "/_nextgo/api/requests/nope")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 404 {
		t.Errorf("unknown id: %d", resp.StatusCode)
	}
}

func getJSON(t *testing.T, url string, v any) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		t.Fatal(err)
	}
}

// TestEvents: the stream starts with a snapshot, then carries changes.
func TestEvents(t *testing.T) {
	d := New(Options{Mode: "start"})
	d.SetRoutes([]Route{{Pattern: "/api/user", File: "pages/api/user.go"}})
	srv := httptest.NewServer(d.Handler(app()))
	defer srv.Close()
	resp, err := http.Get(srv.URL + "/_nextgo/events")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if ct := resp.Header.Get("Content-Type"); ct != "text/event-stream" {
		t.Fatalf("Content-Type %q", ct)
	}
	r := bufio.NewReader(resp.Body)
	next := func() (string, string) {
		t.Helper()
		var name, data string
		for {
			line, err := r.ReadString('\n')
			if err != nil {
				t.Fatal(err)
			}
			line = strings.TrimRight(line, "\n")
			switch {
			case strings.HasPrefix(line, "event: "):
				name = line[7:]
			case strings.HasPrefix(line, "data: "):
				data = line[6:]
			case line == "" && name != "":
				return name, data
			}
		}
	}
	if name, data := next(); name != "snapshot" || !strings.Contains(data, `"mode":"start"`) || !strings.Contains(data, `"pattern":"/api/user"`) {
		t.Fatalf("first event %s %s", name, data)
	}
	d.SetBuild(Build{Phase: Failed, Error: "x.go:1:1: boom", At: time.Unix(0, 0)})
	if name, data := next(); name != "build" || !strings.Contains(data, `"phase":"error"`) {
		t.Fatalf("build event %s %s", name, data)
	}
	go http.Get(srv.URL + "/api/x")
	if name, data := next(); name != "entry" || !strings.Contains(data, `"path":"/api/x"`) || strings.Contains(data, "requestHeader") {
		t.Fatalf("entry event %s %s", name, data)
	}
}

func TestFunctionOutput(t *testing.T) {
	var out strings.Builder
	d := New(Options{Mode: "start"})
	srv := httptest.NewServer(d.Handler(app()))
	defer srv.Close()
	resp, err := http.Get(srv.URL + "/api/x")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	id := resp.Header.Get("X-Seen-Id")
	w := d.FunctionOutput(&out)
	// Lines before the invocation is tied to its request wait for it.
	io.WriteString(w, `[fn] {"time":"t","level":"INFO","msg":"early","request_id":"inv-1"}`+"\n")
	io.WriteString(w, "[fn] a line without a request\n")
	d.Invoked(id, "inv-1")
	io.WriteString(w, `[fn] {"level":"WARN","msg":"late","request_id":"inv-1"}`+"\n")
	io.WriteString(w, `[fn] {"level":"INFO","msg":"other","request_id":"inv-2"}`+"\n")
	e, _ := d.Entry(id)
	if len(e.Logs) != 2 || !strings.Contains(e.Logs[0].Message, `"early"`) || e.Logs[0].Level != "INFO" ||
		!strings.Contains(e.Logs[1].Message, `"late"`) || e.Logs[1].Level != "WARN" {
		t.Errorf("logs = %+v", e.Logs)
	}
	if strings.Count(out.String(), "\n") != 4 {
		t.Errorf("passed through %q", out.String())
	}
}

func TestLambdaRequestID(t *testing.T) {
	tests := []struct{ line, want string }{
		{`{"request_id":"abc"}`, "abc"},
		{`[f] {"msg":"x","request_id":"8f2c-11"}`, "8f2c-11"},
		{`{"request_id":""}`, ""},
		{`{"request_id":"unterminated`, ""},
		{`plain text`, ""},
	}
	for _, tt := range tests {
		if got := lambdaRequestID([]byte(tt.line)); got != tt.want {
			t.Errorf("lambdaRequestID(%q) = %q, want %q", tt.line, got, tt.want)
		}
	}
}

// TestSync: before it answers with what it holds (the state, a request's
// detail, the page's first snapshot), the dashboard brings in what was
// reported elsewhere (Options.Sync), once per answer.
func TestSync(t *testing.T) {
	var d *Dashboard
	syncs := 0
	d = New(Options{Sync: func() {
		syncs++
		d.Add(Entry{ID: fmt.Sprint("held-", syncs), Method: "GET", Path: "/api/user", Status: 200})
	}})
	srv := httptest.NewServer(d.Handler(app()))
	defer srv.Close()
	get := func(path string) string {
		t.Helper()
		resp, err := http.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		if path == "/_nextgo/events" { // the first event only
			br := bufio.NewReader(resp.Body)
			line, _ := br.ReadString('\n')
			data, _ := br.ReadString('\n')
			return line + data
		}
		b, _ := io.ReadAll(resp.Body)
		return string(b)
	}
	tests := []struct {
		path, want string
	}{
		{"/_nextgo/api/state", `"id":"held-1"`},
		{"/_nextgo/api/requests/held-2", `"id":"held-2"`},
		{"/_nextgo/events", `"id":"held-3"`},
	}
	for i, tt := range tests {
		got := get(tt.path)
		if !strings.Contains(got, tt.want) {
			t.Errorf("GET %s = %.300q, want it to hold %s", tt.path, got, tt.want)
		}
		if syncs != i+1 {
			t.Errorf("after GET %s: %d syncs, want %d", tt.path, syncs, i+1)
		}
	}
}

// TestRecordEarlyAnswer: a recorded request answered before its body was
// read (a 413 that closes the connection) reaches a client still sending
// the body as the answer, not as a connection reset.
func TestRecordEarlyAnswer(t *testing.T) {
	d := New(Options{})
	srv := httptest.NewServer(d.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		httpguard.CloseEarly(w)
		w.WriteHeader(http.StatusRequestEntityTooLarge)
		io.WriteString(w, "too large")
	})))
	defer srv.Close()
	for range 2 {
		resp, err := http.Post(srv.URL+"/api/upload", "application/octet-stream", strings.NewReader(strings.Repeat("x", 4<<20)))
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusRequestEntityTooLarge || string(b) != "too large" {
			t.Errorf("got %d %q, want 413 %q", resp.StatusCode, b, "too large")
		}
	}
}
