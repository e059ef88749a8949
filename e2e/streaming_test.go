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
		t.Run(c.name, func(t *testing.T) { checkStream(t, base+c.path, c.header, c.first, c.second) })
	}
}

// checkStream reads a streamed answer of url (given ?release=, a file the
// handler waits for before it writes the rest): 200 with header, the
// first line before the file exists, then exactly the rest.
func checkStream(t *testing.T, url string, header map[string]string, first, rest string) {
	t.Helper()
	release := filepath.Join(t.TempDir(), "release")
	resp, err := http.Get(url + "?release=" + release)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("%s: status %d", url, resp.StatusCode)
	}
	for k, v := range header {
		if got := resp.Header.Get(k); got != v {
			t.Errorf("%s: %s = %q, want %q", url, k, got, v)
		}
	}
	r := bufio.NewReader(resp.Body)
	got, err := r.ReadString('\n')
	if err != nil || got != first {
		t.Fatalf("%s: first chunk = %q, %v; want %q", url, got, err, first)
	}
	if err := os.WriteFile(release, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	tail, err := io.ReadAll(r)
	if err != nil || string(tail) != rest {
		t.Fatalf("%s: rest = %q, %v; want %q", url, tail, err, rest)
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
