package cache

import (
	"net/url"
	"strings"
)

// key returns the cache key of a URL path: the query and fragment dropped,
// empty segments (repeated and trailing slashes) dropped, and each segment
// percent-decoded once and re-encoded canonically. So "/a%20b/", "/a b" and
// "/a%20b" share a key, while "/a%2Fb" (one segment) and "/a/b" (two) do
// not, as the router tells them apart.
func key(path string) string {
	if i := strings.IndexAny(path, "?#"); i >= 0 {
		path = path[:i]
	}
	var b strings.Builder
	for seg := range strings.SplitSeq(path, "/") {
		if seg == "" {
			continue
		}
		if dec, err := url.PathUnescape(seg); err == nil {
			seg = url.PathEscape(dec)
		}
		b.WriteByte('/')
		b.WriteString(seg)
	}
	if b.Len() == 0 {
		return "/"
	}
	return b.String()
}
