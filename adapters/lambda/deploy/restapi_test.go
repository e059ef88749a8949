package deploy

import (
	"github.com/aws/aws-sdk-go-v2/aws"
	ag1types "github.com/aws/aws-sdk-go-v2/service/apigateway/types"
	"strings"
	"testing"

	"github.com/nextgo-dev/nextgo/bundler/manifest"
	"github.com/nextgo-dev/nextgo/bundler/routes"
)

func restFn(name, pattern string, streaming bool, maxDuration int) *fnState {
	kind := "api"
	if pattern == "" {
		kind = string(routes.KindFallback)
	}
	return &fnState{
		spec: &fnSpec{name: name, fn: &manifest.Function{Name: name, Kind: kind, Pattern: pattern, Streaming: streaming, MaxDuration: maxDuration}},
		arn:  "arn:aws:lambda:us-east-1:123456789012:function:" + name,
	}
}

func TestRESTNodes(t *testing.T) {
	fallback := restFn("fb", "", false, 10)
	stream := restFn("s", "/api/stream", true, 60)
	post := restFn("p", "/api/post/[pid]", false, 10)
	opt := restFn("o", "/api/docs/[[...slug]]", false, 10)
	nodes, err := restNodes([]*fnState{fallback, stream, post, opt})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, n := range nodes {
		mode := "-"
		if n.fn != nil {
			mode = n.fn.spec.name
			if n.stream {
				mode += " STREAM"
			}
		}
		got = append(got, n.path+" "+mode)
	}
	want := []string{
		"/ fb", "/api fb", "/api/docs o", "/api/docs/{slug+} o", "/api/post fb", "/api/post/{pid} p",
		"/api/stream s STREAM", "/{proxy+} fb",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("nodes:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	for _, n := range nodes {
		wantTimeout := int32(restBufferedTimeoutMillis)
		if n.stream {
			wantTimeout = 61_000 // maxDuration and a second
		}
		if n.timeout != wantTimeout {
			t.Errorf("%s: timeout %d, want %d", n.path, n.timeout, wantTimeout)
		}
	}
	if uri := nodes[6].uri("us-east-1"); uri != "arn:aws:apigateway:us-east-1:lambda:path/2021-11-15/functions/arn:aws:lambda:us-east-1:123456789012:function:s:live/response-streaming-invocations" {
		t.Errorf("streaming URI %s", uri)
	}
	if uri := nodes[5].uri("us-east-1"); uri != "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:p:live/invocations" {
		t.Errorf("buffered URI %s", uri)
	}
	long := restFn("l", "/api/long", true, 3600)
	nodes, err = restNodes([]*fnState{long})
	if err != nil || nodes[len(nodes)-1].timeout != restStreamTimeoutMillis {
		t.Errorf("a stream longer than 15 minutes: %v, timeout %d", err, nodes[len(nodes)-1].timeout)
	}
}

func TestRESTNodesRefuseSiblingVariables(t *testing.T) {
	tests := []struct {
		name string
		fns  []*fnState
		want string
	}{
		{"two variables under one parent", []*fnState{restFn("a", "/api/post/[pid]/x", false, 10), restFn("b", "/api/post/[...slug]", true, 10)},
			"routes /api/post/{pid} and /api/post/[...slug] need two path variables under /api/post"},
		{"a root variable beside the fallback", []*fnState{restFn("fb", "", false, 10), restFn("a", "/[slug]", true, 10)},
			"routes $default and /[slug] need two path variables under /"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := restNodes(tt.fns)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err %v, want %q", err, tt.want)
			}
		})
	}
	if !streamsAny([]*fnState{restFn("a", "/a", false, 10), restFn("b", "/b", true, 10)}) || streamsAny([]*fnState{restFn("a", "/a", false, 10)}) {
		t.Error("streamsAny")
	}
}

// diffREST deletes a stale variable resource before its renamed sibling
// is created (with its children, with or without prune), keeps other stale
// resources without prune, and puts only the methods that differ.
func TestDiffRESTRenamedVariable(t *testing.T) {
	s := &session{region: "us-east-1"}
	post := restFn("p", "/api/post/[id]", false, 10)
	hello := restFn("h", "/api/hello", true, 10)
	nodes, err := restNodes([]*fnState{post, hello})
	if err != nil {
		t.Fatal(err)
	}
	res := func(p string, n *restNode) ag1types.Resource {
		r := ag1types.Resource{Id: aws.String("id" + p), Path: aws.String(p)}
		if n != nil {
			r.ResourceMethods = map[string]ag1types.Method{"ANY": {MethodIntegration: &ag1types.Integration{
				Type: ag1types.IntegrationTypeAwsProxy, Uri: aws.String(n.uri(s.region)), TimeoutInMillis: n.timeout,
				ResponseTransferMode: map[bool]ag1types.ResponseTransferMode{true: ag1types.ResponseTransferModeStream, false: ag1types.ResponseTransferModeBuffered}[n.stream],
			}}}
		}
		return r
	}
	for _, prune := range []bool{false, true} {
		rp := &restPlan{nodes: nodes, existing: map[string]ag1types.Resource{
			"/": res("/", nil), "/api": res("/api", nil), "/api/post": res("/api/post", nil),
			"/api/post/{pid}": res("/api/post/{pid}", nil), "/api/post/{pid}/x": res("/api/post/{pid}/x", nil),
			"/api/hello": res("/api/hello", nodes[2]), "/api/gone": res("/api/gone", nil),
		}, api: &ag1types.RestApi{Id: aws.String("a")}}
		var cs changes
		s.diffREST(rp, &cs, prune)
		var got []string
		for _, c := range cs {
			got = append(got, string(c.Action)+" "+c.Name)
		}
		last := "keep ANY /api/gone"
		if prune {
			last = "delete ANY /api/gone"
		}
		want := []string{"delete ANY /api/post/{pid}", "unchanged ANY /api/hello", "create ANY /api/post/{id}", last}
		if strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Errorf("prune %v: changes\n%s\nwant\n%s", prune, strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
		if len(rp.inTheWay) != 1 || aws.ToString(rp.inTheWay[0].Path) != "/api/post/{pid}" || len(rp.stale) != 1 || !rp.changed {
			t.Errorf("prune %v: in the way %v, stale %v, changed %v", prune, rp.inTheWay, rp.stale, rp.changed)
		}
	}
}

func TestIntegratedFunction(t *testing.T) {
	for uri, want := range map[string]string{
		"arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:1:function:shop-a:live/invocations":                    "shop-a",
		"arn:aws:apigateway:us-east-1:lambda:path/2021-11-15/functions/arn:aws:lambda:us-east-1:1:function:shop-b:live/response-streaming-invocations": "shop-b",
		"arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:1:function:shop-a/invocations":                         "",
		"https://example.com/": "",
	} {
		if got := integratedFunction(uri); got != want {
			t.Errorf("integratedFunction(%q) = %q, want %q", uri, got, want)
		}
	}
}
