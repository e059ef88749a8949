package e2e

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// nextNoStore is the Cache-Control of Next's 404.
const nextNoStore = "private, no-cache, no-store, max-age=0, must-revalidate"

// checkNextRouting checks Next's own answers on an app with no middleware
// and no nextgo.json, served at base (whose path, e.g. a REST API's
// "/<stage>", is kept in front of every Location): the trailing slash,
// repeated slashes and a raw backslash in route's path answer 308 to
// route (query kept) with Refresh, and an unmatched path under /api
// answers Next's 404 with its Cache-Control. Requests are written on the
// wire as given, so the backslash is sent raw.
func checkNextRouting(t *testing.T, base, route string) {
	t.Helper()
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	mount := strings.TrimSuffix(u.Path, "/")
	dir, name, _ := strings.Cut(strings.TrimPrefix(route, "/"), "/") // "api", "hello"
	to := mount + route
	tests := []struct {
		target       string // after base
		status       int
		location     string
		cacheControl string
		body         string
	}{
		{route + "/", 308, to, "", to},
		{"/" + dir + "//" + name, 308, to, "", to},
		{"/" + dir + `\` + name, 308, to, "", to},
		{route + "/?x=1&y=2", 308, to + "?x=1&y=2", "", to + "?x=1&y=2"},
		{"/" + dir + `\` + name + "?x=1", 308, to + "?x=1", "", to + "?x=1"},
		{"/" + dir + "/nope", 404, "", nextNoStore, "Not Found"},
	}
	for _, tt := range tests {
		status, h, body := rawGet(t, u.Host, mount+tt.target)
		refresh := ""
		if tt.status == 308 {
			refresh = "0;url=" + tt.location
		}
		if status != tt.status || h.Get("Location") != tt.location || h.Get("Refresh") != refresh ||
			h.Get("Cache-Control") != tt.cacheControl || body != tt.body {
			t.Errorf("GET %s = %d Location %q Refresh %q Cache-Control %q body %q; want %d %q %q %q %q", mount+tt.target, status,
				h.Get("Location"), h.Get("Refresh"), h.Get("Cache-Control"), body, tt.status, tt.location, refresh, tt.cacheControl, tt.body)
		}
	}
}

// rawGet sends "GET target" to host exactly as written (net/http would
// encode a backslash) and reads the response.
func rawGet(t *testing.T, host, target string) (int, http.Header, string) {
	t.Helper()
	conn, err := net.Dial("tcp", host)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := io.WriteString(conn, "GET "+target+" HTTP/1.1\r\nHost: "+host+"\r\nConnection: close\r\n\r\n"); err != nil {
		t.Fatal(err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("GET %s: %v", target, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("GET %s: %v", target, err)
	}
	return resp.StatusCode, resp.Header, strings.TrimSpace(string(body))
}
