package routes

import (
	"testing"
	"testing/fstest"
)

func TestRevalidates(t *testing.T) {
	fsys := fstest.MapFS{
		"pages/api/plain.go":   {Data: []byte("package plain\nimport \"example.com/app/lib\"\nfunc Handler(req *api.Request, res *api.Response) { lib.Hello() }\n")},
		"pages/api/purge.go":   {Data: []byte("package purge\nfunc Handler(req *api.Request, res *api.Response) { _ = res.Revalidate(\"/items\") }\n")},
		"pages/api/deep.go":    {Data: []byte("package deep\nimport x \"example.com/app/internal/purger\"\nfunc Handler(req *api.Request, res *api.Response) { x.Purge(req.Context()) }\n")},
		"pages/api/other.go":   {Data: []byte("package other\nimport \"example.com/other/lib\"\nfunc Handler(req *api.Request, res *api.Response) { lib.Purge() }\n")},
		"app/items/route.go":   {Data: []byte("package items\nimport \"example.com/app/lib\"\nfunc POST(req *server.Request) (*server.Response, error) { return nil, server.RevalidatePath(req.Context(), lib.Path) }\n")},
		"lib/lib.go":           {Data: []byte("package lib\nconst Path = \"/items\"\nfunc Hello() {}\n")},
		"lib/lib_test.go":      {Data: []byte("package lib\nfunc t() { res.Revalidate(\"/\") }\n")},
		"internal/purger/p.go": {Data: []byte("package purger\nimport \"example.com/app/lib\"\nfunc Purge(ctx context.Context) { lib.Hello() }\n")},
		"internal/purger/q.go": {Data: []byte("package purger\nimport \"github.com/nextgo-dev/nextgo/runtime/server\"\nfunc purge(ctx context.Context) { server.RevalidatePath(ctx, \"/\") }\n")},
		"broken/b.go":          {Data: []byte("package broken\nfunc (")},
		"pages/api/broken.go":  {Data: []byte("package b\nimport \"example.com/app/broken\"\n")},
	}
	for _, tc := range []struct {
		files []string
		want  bool
		err   bool
	}{
		{files: []string{"pages/api/plain.go"}, want: false}, // a test file's call does not count
		{files: []string{"pages/api/purge.go"}, want: true},
		{files: []string{"pages/api/deep.go"}, want: true}, // through an app package, in another file of it
		{files: []string{"pages/api/other.go"}, want: false},
		{files: []string{"app/items/route.go"}, want: true},
		{files: nil, want: false},
		{files: []string{"pages/api/broken.go"}, err: true},
		{files: []string{"pages/api/missing.go"}, err: true},
	} {
		got, err := Revalidates(fsys, "example.com/app", tc.files)
		if (err != nil) != tc.err || got != tc.want {
			t.Errorf("Revalidates(%v) = %v, %v; want %v (error %v)", tc.files, got, err, tc.want, tc.err)
		}
	}
}
