package main

import "testing"

func TestRouteFiles(t *testing.T) {
	routes := []localFunction{
		{pattern: "/api/post/[pid]", file: "pages/api/post/[pid].go"},
		{pattern: "/api/hello", file: "pages/api/hello.go"},
	}
	tests := []struct {
		name     string
		fallback *localFunction
		path     string
		want     string
	}{
		{"route", nil, "/api/hello", "pages/api/hello.go"},
		{"route, trailing slash", nil, "/api/hello/", "pages/api/hello.go"},
		{"dynamic route, malformed encoding", nil, "/api/post/%zz", "pages/api/post/[pid].go"},
		{"no route, no fallback", nil, "/about", ""},
		{"no route, middleware fallback", &localFunction{file: "middleware.go", fallback: true}, "/about", "middleware.go"},
		{"no route, rules fallback", &localFunction{file: "nextgo.json", fallback: true}, "/old", "nextgo.json"},
		{"no route, fallback without a file", &localFunction{fallback: true}, "/x", "middleware"},
		{"route with a fallback", &localFunction{file: "middleware.go", fallback: true}, "/api/post/1", "pages/api/post/[pid].go"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fns := append([]localFunction(nil), routes...)
			if tt.fallback != nil {
				fns = append(fns, *tt.fallback)
			}
			fileOf, err := routeFiles(fns)
			if err != nil {
				t.Fatal(err)
			}
			if got := fileOf(tt.path); got != tt.want {
				t.Errorf("file of %s = %q, want %q", tt.path, got, tt.want)
			}
		})
	}
}
