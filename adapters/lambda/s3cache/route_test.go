package s3cache

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/nextgo-dev/nextgo/runtime/cache"
	"github.com/nextgo-dev/nextgo/runtime/mux"
	"github.com/nextgo-dev/nextgo/runtime/server"
)

// A cached dynamic route driven with large keys (500 KB slugs): every
// response is served, MISS then HIT, and the per-process layer's accounted
// size stays within its budget, keys, headers and bodies counted.
func TestCachedDynamicRouteLargeKeys(t *testing.T) {
	fake := newS3(t, "app-cache")
	const budget = 256 << 10
	st := New(client(fake.URL, "s3"), "app-cache", Options{LocalBytes: budget})
	c := cache.New(cache.WithStore(st))
	h := server.NewHandler(server.Route{
		File:   "app/api/items/[slug]/route.go",
		Config: server.Config{Revalidate: 60},
		GET: server.Func(func(req *server.Request) (*server.Response, error) {
			return server.Text(strings.Repeat("b", 8<<10)+req.Param("slug")[:8], server.Init{Headers: http.Header{"X-Item": {req.Param("slug")[:16]}}}), nil
		}),
		Cache: c,
	})
	mx, err := mux.New([]mux.Route{{Pattern: "/api/items/[slug]", File: "app/api/items/[slug]/route.go", Handler: h}}, mux.Options{})
	if err != nil {
		t.Fatal(err)
	}
	get := func(path string) (int, string, string) {
		w := httptest.NewRecorder()
		mx.ServeHTTP(w, httptest.NewRequest("GET", path, nil))
		b, _ := io.ReadAll(w.Result().Body)
		return w.Code, w.Header().Get("X-Nextjs-Cache"), string(b)
	}
	slug := strings.Repeat("s", 500<<10)
	for i := 0; i < 120; i++ {
		path := fmt.Sprintf("/api/items/%08d%s", i, slug)
		for _, want := range []string{"MISS", "HIT"} {
			code, state, body := get(path)
			if code != 200 || state != want || len(body) != 8<<10+8 || !strings.HasSuffix(body, fmt.Sprintf("%08d", i)) {
				t.Fatalf("GET #%d: %d %s %d bytes, want 200 %s", i, code, state, len(body), want)
			}
		}
		if n := st.Local().Size(); n > budget {
			t.Fatalf("after %d paths the local layer accounts %d bytes, over its %d budget", i+1, n, budget)
		}
	}
	if n := st.Local().Len(); n == 0 || n >= 120 {
		t.Fatalf("the local layer holds %d entries", n)
	}
	// The oldest entry left the process but not the shared store.
	if code, state, _ := get(fmt.Sprintf("/api/items/%08d%s", 0, slug)); code != 200 || state != "HIT" {
		t.Fatalf("the first path: %d %s, want a HIT from S3", code, state)
	}
}
