package s3cache

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/nextgo-dev/nextgo/runtime/cache"
)

// KeyPrefix is the prefix of every object the store writes.
const KeyPrefix = "cache/"

// objectKey is the S3 key of a cache key.
func objectKey(key string) string {
	sum := sha256.Sum256([]byte(key))
	return KeyPrefix + hex.EncodeToString(sum[:])
}

// objectHead is the first line of an object: JSON, then "\n", then the
// body. A tombstone has Purged set and no body.
type objectHead struct {
	Key     string      `json:"key"`
	Status  int         `json:"status,omitempty"`
	Header  http.Header `json:"header,omitempty"`
	Created int64       `json:"created,omitempty"` // Unix nanoseconds
	Purged  int64       `json:"purged,omitempty"`  // Unix nanoseconds
	Nonce   string      `json:"nonce,omitempty"`   // makes every tombstone's ETag new
}

// encodeEntry returns the object of an entry.
func encodeEntry(key string, e cache.Entry) ([]byte, error) {
	head, err := json.Marshal(objectHead{Key: key, Status: e.Status, Header: e.Header, Created: e.Created.UnixNano()})
	if err != nil {
		return nil, err
	}
	b := make([]byte, 0, len(head)+1+len(e.Body))
	b = append(b, head...)
	b = append(b, '\n')
	return append(b, e.Body...), nil
}

// encodeTombstone returns the object that marks key purged at t.
func encodeTombstone(key string, t time.Time, nonce string) ([]byte, error) {
	head, err := json.Marshal(objectHead{Key: key, Purged: t.UnixNano(), Nonce: nonce})
	if err != nil {
		return nil, err
	}
	return append(head, '\n'), nil
}

// errCorrupt marks an object the store cannot read back.
var errCorrupt = errors.New("s3cache: malformed object")

// decodeObject reads an object. live is false for a tombstone, or for an
// object of another key (a hash collision, treated as absent).
func decodeObject(key string, b []byte) (e cache.Entry, live bool, err error) {
	i := bytes.IndexByte(b, '\n')
	if i < 0 {
		return e, false, errCorrupt
	}
	var h objectHead
	if err := json.Unmarshal(b[:i], &h); err != nil {
		return e, false, fmt.Errorf("%w: %v", errCorrupt, err)
	}
	if h.Key != key || h.Purged != 0 {
		return e, false, nil
	}
	if h.Status < 100 || h.Status > 999 {
		return e, false, fmt.Errorf("%w: status %d", errCorrupt, h.Status)
	}
	if h.Header == nil {
		h.Header = http.Header{}
	}
	return cache.Entry{Status: h.Status, Header: h.Header, Body: b[i+1:], Created: time.Unix(0, h.Created)}, true, nil
}
