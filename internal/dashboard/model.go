// Package dashboard is the local dashboard that `nextgo dev` and `nextgo
// start` serve at /_nextgo/: the route table, the live request log with
// each request's detail and log lines, replay, the build state and, under
// start, an event composer. Its page is plain HTML, CSS and JavaScript
// embedded in the CLI, updated live over server-sent events.
package dashboard

import (
	"encoding/json"
	"net/http"
	"time"
)

// Prefix is the path the dashboard is served under. No route can take it:
// `_` folders are private under app/, and API routes live under /api.
const Prefix = "/_nextgo/"

// Route is one row of the route table.
type Route struct {
	Pattern     string   `json:"pattern"`
	File        string   `json:"file"`
	Kind        string   `json:"kind"`
	Methods     []string `json:"methods"`
	MaxDuration int      `json:"maxDuration"` // seconds
	Memory      int      `json:"memory"`      // MB
	BodyLimit   string   `json:"bodyLimit"`   // "1mb", "none"
	Cache       string   `json:"cache"`       // "none", "static", "revalidate=N"
	// Under nextgo start: the function and its execution environments.
	Function   string  `json:"function,omitempty"`
	ZipSize    int64   `json:"zipSize,omitempty"`
	BinarySize int64   `json:"binarySize,omitempty"`
	Warm       int     `json:"warm"`
	ColdStarts int     `json:"coldStarts"`
	LastInitMs float64 `json:"lastInitMs,omitempty"`
	// Broken is set when the route's last build failed (nextgo dev).
	Broken bool `json:"broken,omitempty"`
}

// Phases of a build.
const (
	Compiling = "compiling"
	Ready     = "ready"
	Failed    = "error"
)

// Build is the state of the app's build.
type Build struct {
	Phase string `json:"phase"`
	// Error is the compiler's output when Phase is Failed, or when some
	// routes failed (Broken) while the others serve.
	Error  string   `json:"error,omitempty"`
	Frames []Frame  `json:"frames,omitempty"`
	Broken []string `json:"broken,omitempty"` // files of the routes that failed
	Routes int      `json:"routes"`
	// Duration is how long the last build took, in milliseconds.
	DurationMs float64   `json:"durationMs,omitempty"`
	At         time.Time `json:"at"`
}

// Frame is one compiler error with the source around it.
type Frame struct {
	File    string       `json:"file"`
	Line    int          `json:"line"`
	Col     int          `json:"col,omitempty"`
	Message string       `json:"message"`
	Source  []SourceLine `json:"source,omitempty"`
}

// SourceLine is a numbered line of a code frame; Mark is the error's line.
type SourceLine struct {
	N    int    `json:"n"`
	Text string `json:"text"`
	Mark bool   `json:"mark,omitempty"`
}

// Body is a captured request or response body.
type Body struct {
	Text      string `json:"text,omitempty"` // empty for a binary body
	Size      int64  `json:"size"`
	Binary    bool   `json:"binary,omitempty"`
	Truncated bool   `json:"truncated,omitempty"`
}

// LogLine is a log record a handler made while serving a request.
type LogLine struct {
	Time    time.Time `json:"time"`
	Level   string    `json:"level"`
	Message string    `json:"message"`
}

// Entry is one request of the log.
type Entry struct {
	ID         string    `json:"id"`
	Time       time.Time `json:"time"`
	Method     string    `json:"method"`
	Path       string    `json:"path"`
	Status     int       `json:"status"` // 0 while in flight
	DurationMs float64   `json:"durationMs"`
	// By is who answered: the route file, a nextgo.json rule, the
	// middleware; "" when nobody did (404) or not yet known.
	By    string `json:"by,omitempty"`
	Route string `json:"route,omitempty"` // the route pattern, when one matched
	Cache string `json:"cache,omitempty"` // x-nextjs-cache
	// Under nextgo start: the invocation.
	Cold            *bool   `json:"cold,omitempty"`
	InitMs          float64 `json:"initMs,omitempty"`
	Function        string  `json:"function,omitempty"`
	LambdaRequestID string  `json:"lambdaRequestId,omitempty"`
	// ReplayOf is the id of the request this one replays.
	ReplayOf string `json:"replayOf,omitempty"`

	RequestHeader  http.Header `json:"requestHeader,omitempty"`
	RequestBody    Body        `json:"requestBody"`
	ResponseHeader http.Header `json:"responseHeader,omitempty"`
	ResponseBody   Body        `json:"responseBody"`
	Logs           []LogLine   `json:"logs,omitempty"`
}

// summary is an entry without its headers, bodies and logs: what the live
// log needs.
func (e *Entry) summary() Entry {
	s := *e
	s.RequestHeader, s.ResponseHeader, s.Logs = nil, nil, nil
	s.RequestBody, s.ResponseBody = Body{Size: e.RequestBody.Size}, Body{Size: e.ResponseBody.Size}
	return s
}

// InvokeRequest is what the event composer sends: one function, one event
// shape, one HTTP request to express in it.
type InvokeRequest struct {
	Function string      `json:"function"`
	Kind     string      `json:"kind"` // v1, v2, alb or url
	Method   string      `json:"method"`
	Path     string      `json:"path"`
	Header   http.Header `json:"header,omitempty"`
	Body     string      `json:"body,omitempty"`
}

// InvokeResult is the raw event sent and the raw response received.
type InvokeResult struct {
	Event      json.RawMessage `json:"event"`
	Response   string          `json:"response"`
	Error      string          `json:"error,omitempty"`
	Cold       bool            `json:"cold"`
	DurationMs float64         `json:"durationMs"`
	RequestID  string          `json:"requestId,omitempty"`
}
