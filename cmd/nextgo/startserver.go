package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/nextgo-dev/nextgo/adapters/lambda/runtimeapi"
	"github.com/nextgo-dev/nextgo/internal/dashboard"
	"github.com/nextgo-dev/nextgo/internal/linebatch"
	"github.com/nextgo-dev/nextgo/runtime/devserver"
	"github.com/nextgo-dev/nextgo/runtime/mux"
	"github.com/nextgo-dev/nextgo/runtime/requestid"
)

// startServer wires nextgo start's functions to its dashboard and
// request log.
type startServer struct {
	fns   []localFunction
	pools map[string]*runtimeapi.Pool // by function name
	dash  *dashboard.Dashboard
	log   *linebatch.Batch // the terminal: request log lines and the rest
	color bool
}

// fallbackRow is the route-table row of the fallback function.
const fallbackRow = runtimeapi.DefaultRouteKey

// function returns the function serving a front route: a pattern, or
// runtimeapi.DefaultRouteKey for the fallback.
func (s *startServer) function(route string) (localFunction, bool) {
	for _, f := range s.fns {
		if (f.fallback && route == runtimeapi.DefaultRouteKey) || (!f.fallback && f.pattern == route) {
			return f, true
		}
	}
	return localFunction{}, false
}

// rows is the dashboard's route table.
func (s *startServer) rows() []dashboard.Route {
	var rows []dashboard.Route
	for _, f := range s.fns {
		m := f.manifest
		row := dashboard.Route{Pattern: m.Pattern, File: m.File, Kind: m.Kind, Methods: m.Methods, MaxDuration: m.MaxDuration,
			Memory: m.Memory, BodyLimit: m.BodyLimitText, Cache: m.Cache, Function: f.fn.Name, ZipSize: m.Size, BinarySize: m.BinarySize}
		if m.BodyLimit < 0 {
			row.BodyLimit = "none"
		}
		if f.fallback {
			row.Pattern = fallbackRow
		}
		rows = append(rows, row)
	}
	return rows
}

// observe notes, for the request log and the route table, which function
// served a request and whether it started cold.
func (s *startServer) observe(r *http.Request, route string, res *runtimeapi.Result) {
	f, ok := s.function(route)
	if !ok {
		return
	}
	id := requestid.From(r.Context())
	s.dash.Annotate(id, func(e *dashboard.Entry) {
		e.By, e.Function = f.file, f.fn.Name
		if !f.fallback {
			e.Route = route
		}
		if res != nil {
			cold := res.ColdStart
			e.Cold, e.LambdaRequestID = &cold, res.RequestID
			e.InitMs = millis(res.InitDuration)
		}
	})
	if res != nil {
		s.dash.Invoked(id, res.RequestID)
	}
	s.noteInvocation(f, res)
}

// noteInvocation updates the function's row: its live environments and
// cold starts.
func (s *startServer) noteInvocation(f localFunction, res *runtimeapi.Result) {
	row := f.pattern
	if f.fallback {
		row = fallbackRow
	}
	warm := s.pools[f.fn.Name].Environments()
	s.dash.UpdateRoute(row, func(rt *dashboard.Route) {
		rt.Warm = warm
		if res != nil && res.ColdStart {
			rt.ColdStarts++
			rt.LastInitMs = millis(res.InitDuration)
		}
	})
}

func millis(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// logLine prints a request's line, as nextgo dev does, with its start.
func (s *startServer) logLine(e dashboard.Entry) {
	me := mux.Entry{Method: e.Method, Path: e.Path, Status: e.Status, File: e.By, Cache: e.Cache, RequestID: e.ID,
		Duration: time.Duration(e.DurationMs * float64(time.Millisecond))}
	line := devserver.FormatEntry(me)
	if s.color {
		line = devserver.FormatEntryColor(me)
	}
	if e.Cold != nil {
		if *e.Cold {
			line += fmt.Sprintf(" cold start (init %.0fms)", e.InitMs)
		} else {
			line += " warm"
		}
	}
	s.log.Line([]byte(line + "\n"))
}

// maxComposed bounds the response the event composer shows.
const maxComposed = 1 << 20

// invoke runs the event composer's invocation: one function, one event.
func (s *startServer) invoke(ctx context.Context, req dashboard.InvokeRequest) (*dashboard.InvokeResult, error) {
	pool := s.pools[req.Function]
	if pool == nil {
		return nil, fmt.Errorf("no function %q", req.Function)
	}
	if req.Path == "" {
		req.Path = "/"
	}
	ev, err := runtimeapi.SampleEvent(req.Kind, runtimeapi.SampleRequest{Method: req.Method, Target: req.Path, Header: req.Header, Body: req.Body})
	if err != nil {
		return nil, err
	}
	start := time.Now()
	res, err := pool.Invoke(ctx, ev)
	out := &dashboard.InvokeResult{Event: json.RawMessage(ev), DurationMs: millis(time.Since(start))}
	if err != nil {
		out.Error = err.Error()
		return out, nil
	}
	for _, f := range s.fns {
		if f.fn.Name == req.Function {
			s.noteInvocation(f, res)
		}
	}
	out.Cold, out.RequestID = res.ColdStart, res.RequestID
	if res.FunctionError != "" {
		out.Error = "function error: " + res.FunctionError
	}
	if res.Stream == nil {
		out.Response = string(res.Payload)
		return out, nil
	}
	defer res.Stream.Close()
	var b strings.Builder
	if res.Prelude != nil {
		head, _ := json.Marshal(res.Prelude)
		b.Write(head)
		b.WriteString("\n")
	}
	_, _ = io.Copy(&b, io.LimitReader(res.Stream, maxComposed))
	out.Response = b.String()
	return out, nil
}

// close stops every function's processes.
func (s *startServer) close() {
	for _, p := range s.pools {
		p.Close()
	}
}
