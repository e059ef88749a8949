package e2e

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"testing"
)

// streamCase is a streaming route of the approutes app: it writes first,
// then waits for the file named by ?release= before writing second (or a
// line saying it was never released).
type streamCase struct {
	name, path    string
	first, second string
	header        map[string]string
}

var streamCases = []streamCase{
	{"route handler, server.Stream", "/advanced/streaming", "chunk 1\n", "chunk 2\n", nil},
	{"route handler, NewResponse(pipe)", "/advanced/pipe", "first\n", "second\n",
		map[string]string{"Content-Type": "text/plain; charset=utf-8", "X-Stream": "pipe"}},
	{"API route, Flush", "/api/flush", "first\n", "second\n",
		map[string]string{"Content-Type": "text/plain; charset=utf-8", "X-Stream": "flush"}},
}

// testStreaming reads each streaming route's first chunk before the
// handler has produced the second: the handler waits for a file the test
// creates only then. A buffering front delivers nothing until the handler
// gives up waiting, and the second line then says so.
func testStreaming(t *testing.T, base string) {
	for _, c := range streamCases {
		t.Run(c.name, func(t *testing.T) {
			release := filepath.Join(t.TempDir(), "release")
			resp, err := http.Get(base + c.path + "?release=" + release)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("status %d", resp.StatusCode)
			}
			for k, v := range c.header {
				if got := resp.Header.Get(k); got != v {
					t.Errorf("%s = %q, want %q", k, got, v)
				}
			}
			r := bufio.NewReader(resp.Body)
			first, err := r.ReadString('\n')
			if err != nil || first != c.first {
				t.Fatalf("first chunk = %q, %v", first, err)
			}
			if err := os.WriteFile(release, nil, 0o644); err != nil {
				t.Fatal(err)
			}
			rest, err := io.ReadAll(r)
			if err != nil || string(rest) != c.second {
				t.Fatalf("rest = %q, %v; want %q", rest, err, c.second)
			}
		})
	}
}

// testBigStream reads a streamed body of 7 MB, past Lambda's 6 MB limit on
// buffered responses, and checks it arrived whole.
func testBigStream(t *testing.T, base string) {
	resp, err := http.Get(base + "/advanced/big?mb=7")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	h := sha256.New()
	n, err := io.Copy(h, resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	line := bytes.Repeat([]byte("0123456789abcdef"), 4)
	line[len(line)-1] = '\n'
	want := sha256.Sum256(bytes.Repeat(line, (7<<20)/len(line)))
	if resp.StatusCode != 200 || n != 7<<20 || !bytes.Equal(h.Sum(nil), want[:]) ||
		resp.Header.Get("Content-Type") != "application/octet-stream" {
		t.Errorf("got %d, %d bytes (want %d), content type %q, sha256 match %v",
			resp.StatusCode, n, 7<<20, resp.Header.Get("Content-Type"), bytes.Equal(h.Sum(nil), want[:]))
	}
}
