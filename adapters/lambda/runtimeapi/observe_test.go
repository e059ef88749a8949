package runtimeapi

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"testing"
)

// TestFrontObserve: the hook sees the route (the fallback's route key for
// a path no route serves) and the invocation's result, once per request
// handed to a function, and not for an answer the front gives itself.
func TestFrontObserve(t *testing.T) {
	type seen struct {
		path, route, requestID string
		cold                   bool
	}
	var mu sync.Mutex
	var got []seen
	route := &fakeFunction{answer: func(context.Context) (*Result, error) {
		return &Result{RequestID: "inv-1", ColdStart: true, Payload: []byte(`{"statusCode":200,"body":"ok"}`)}, nil
	}}
	fallback := &fakeFunction{}
	srv := newTestFront(t, []FrontRoute{{Pattern: "/api/post/[pid]", Pool: route, BodyLimit: 10}}, FrontOptions{
		Fallback: fallback,
		Observe: func(r *http.Request, rt string, res *Result) {
			mu.Lock()
			defer mu.Unlock()
			s := seen{path: r.URL.Path, route: rt}
			if res != nil {
				s.requestID, s.cold = res.RequestID, res.ColdStart
			}
			got = append(got, s)
		},
	})
	for _, target := range []string{"/api/post/1", "/about"} {
		resp, err := http.Get(srv.URL + target)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	// Refused by the front before any invocation.
	req, _ := http.NewRequest("POST", srv.URL+"/api/post/1", strings.NewReader(strings.Repeat("x", 100)))
	if resp, err := http.DefaultClient.Do(req); err == nil {
		resp.Body.Close()
	}
	want := []seen{{"/api/post/1", "/api/post/[pid]", "inv-1", true}, {"/about", DefaultRouteKey, "", false}}
	mu.Lock()
	defer mu.Unlock()
	if len(got) != len(want) || got[0] != want[0] || got[1] != want[1] {
		t.Errorf("observed %+v, want %+v", got, want)
	}
}

func TestFrontRoute(t *testing.T) {
	f, err := NewFront([]FrontRoute{{Pattern: "/api/post/[pid]", Pool: &fakeFunction{}}, {Pattern: "/api/hello", Pool: &fakeFunction{}}}, FrontOptions{})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct{ path, want string }{
		{"/api/hello", "/api/hello"},
		{"/api/hello/", "/api/hello"},
		{"/api/post/1", "/api/post/[pid]"},
		{"/api/post/%zz", "/api/post/[pid]"}, // the function answers the malformed encoding
		{"/about", DefaultRouteKey},
	}
	for _, tt := range tests {
		if got := f.Route(tt.path); got != tt.want {
			t.Errorf("Route(%q) = %q, want %q", tt.path, got, tt.want)
		}
	}
}
