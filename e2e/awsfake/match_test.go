package awsfake

import "testing"

func TestMatchRoute(t *testing.T) {
	routes := map[string]*route{}
	for i, key := range []string{
		"GET /pets/dog/1", "GET /pets/dog/{id}", "GET /pets/{proxy+}", "ANY /{proxy+}",
		"ANY /pets/cat", "POST /pets/cat", "GET /", "ANY /a/{x}/c", "ANY /a/b/{y}",
	} {
		routes[string(rune('a'+i))] = &route{id: string(rune('a' + i)), key: key}
	}
	tests := []struct {
		method, path, want string
		params             map[string]string
	}{
		{"GET", "/pets/dog/1", "GET /pets/dog/1", map[string]string{}},
		{"GET", "/pets/dog/2", "GET /pets/dog/{id}", map[string]string{"id": "2"}},
		{"GET", "/pets/dog/2/3", "GET /pets/{proxy+}", map[string]string{"proxy": "dog/2/3"}},
		{"POST", "/pets/dog/2", "ANY /{proxy+}", map[string]string{"proxy": "pets/dog/2"}},
		{"POST", "/pets/cat", "POST /pets/cat", map[string]string{}},
		{"PUT", "/pets/cat", "ANY /pets/cat", map[string]string{}},
		{"GET", "/", "GET /", map[string]string{}},
		{"POST", "/", "", nil},
		{"GET", "/a/b/c", "ANY /a/b/{y}", map[string]string{"y": "c"}},
		{"GET", "/pets/dog%2F1", "GET /pets/{proxy+}", map[string]string{"proxy": "dog/1"}},
	}
	for _, tt := range tests {
		rt, params := matchRoute(routes, tt.method, tt.path)
		got := ""
		if rt != nil {
			got = rt.key
		}
		if got != tt.want {
			t.Errorf("%s %s → %q, want %q", tt.method, tt.path, got, tt.want)
			continue
		}
		if len(params) != len(tt.params) {
			t.Errorf("%s %s: params %v, want %v", tt.method, tt.path, params, tt.params)
		}
		for k, v := range tt.params {
			if params[k] != v {
				t.Errorf("%s %s: params %v, want %v", tt.method, tt.path, params, tt.params)
			}
		}
	}
	// $default catches what nothing else matches.
	routes["z"] = &route{id: "z", key: "$default"}
	if rt, _ := matchRoute(routes, "POST", "/"); rt == nil || rt.key != "$default" {
		t.Errorf("POST / → %v, want $default", rt)
	}
}

func TestGlobMatch(t *testing.T) {
	tests := []struct {
		pattern, s string
		want       bool
	}{
		{"arn:aws:execute-api:us-east-1:1:abc/*", "arn:aws:execute-api:us-east-1:1:abc/$default/GET/a/b", true},
		{"arn:aws:execute-api:us-east-1:1:abc/*", "arn:aws:execute-api:us-east-1:1:abd/$default/GET/a", false},
		{"arn:aws:execute-api:us-east-1:1:abc/*/GET/a", "arn:aws:execute-api:us-east-1:1:abc/$default/GET/a", true},
		{"arn:aws:execute-api:us-east-1:1:abc/*/GET/a", "arn:aws:execute-api:us-east-1:1:abc/$default/POST/a", false},
		{"a?c", "abc", true},
		{"a?c", "ac", false},
		{"*", "", true},
		{"", "x", false},
	}
	for _, tt := range tests {
		if got := globMatch(tt.pattern, tt.s); got != tt.want {
			t.Errorf("globMatch(%q, %q) = %v, want %v", tt.pattern, tt.s, got, tt.want)
		}
	}
}
