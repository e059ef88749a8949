package s3cache

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/nextgo-dev/nextgo/adapters/lambda/internal/awsreq"
	"github.com/nextgo-dev/nextgo/runtime/cache"
)

// absent is the version Get reports for a key with no object: a Put from
// it is written only while there is still none (If-None-Match: *).
const absent = "*"

// maxObject bounds what Get reads of one object: far above what a Lambda
// response can carry (6 MB).
const maxObject = 64 << 20

// Store is a cache.Store on one S3 bucket. It is safe for concurrent use.
type Store struct {
	s3     *awsreq.Client
	bucket string
	local  *cache.Memory // nil: no per-process layer
	now    func() time.Time
}

// A Store is a cache.Store.
var _ cache.Store = (*Store)(nil)

// Options configure a Store.
type Options struct {
	// LocalBytes is the budget of the per-process layer that saves body
	// transfers (see the package documentation); 0 turns it off.
	LocalBytes int64
	// Now is the clock that dates tombstones (time.Now when nil).
	Now func() time.Time
}

// New returns a Store on bucket, reached through c (an "s3" client).
func New(c *awsreq.Client, bucket string, opts Options) *Store {
	s := &Store{s3: c, bucket: bucket, now: opts.Now}
	if s.now == nil {
		s.now = time.Now
	}
	if opts.LocalBytes > 0 {
		s.local = cache.NewMemory(opts.LocalBytes)
	}
	return s
}

// Local returns the per-process layer, nil when it is off.
func (s *Store) Local() *cache.Memory { return s.local }

// url is the address of an object: path-style on a custom endpoint (an IP
// address cannot carry the bucket as a host name), virtual-hosted on AWS.
func (s *Store) url(objKey string) string {
	if s.s3.Custom {
		return s.s3.Endpoint + "/" + s.bucket + "/" + objKey
	}
	return "https://" + s.bucket + ".s3." + s.s3.Region + ".amazonaws.com/" + objKey
}

// Get reads key's object. A live entry comes back with its ETag as
// Version; a tombstone or no object is a miss whose Version is what a
// generation must find unchanged to store its result.
func (s *Store) Get(ctx context.Context, key string) (cache.Entry, bool, error) {
	ok := objectKey(key)
	var hdr http.Header
	local, haveLocal := cache.Entry{}, false
	if s.local != nil {
		local, haveLocal, _ = s.local.Get(ctx, ok)
		if haveLocal {
			hdr = http.Header{"If-None-Match": {local.Version}}
		}
	}
	res, err := s.s3.Do(ctx, http.MethodGet, s.url(ok), hdr, nil)
	if err != nil {
		return cache.Entry{}, false, fmt.Errorf("s3cache: reading %s: %w", ok, err)
	}
	switch res.StatusCode {
	case http.StatusNotModified:
		res.Body.Close()
		if haveLocal {
			return local, true, nil
		}
		return cache.Entry{}, false, fmt.Errorf("s3cache: reading %s: 304 to an unconditional GET", ok)
	case http.StatusOK:
		b, err := io.ReadAll(io.LimitReader(res.Body, maxObject+1))
		res.Body.Close()
		if err != nil {
			return cache.Entry{}, false, fmt.Errorf("s3cache: reading %s: %w", ok, err)
		}
		if len(b) > maxObject {
			return cache.Entry{}, false, fmt.Errorf("s3cache: reading %s: object larger than %d bytes", ok, maxObject)
		}
		etag := res.Header.Get("ETag")
		e, live, err := decodeObject(key, b)
		if err != nil || !live {
			s.dropLocal(ctx, ok)
			if err != nil {
				err = fmt.Errorf("s3cache: reading %s: %w", ok, err)
			}
			return cache.Entry{Version: etag}, false, err
		}
		e.Version = etag
		if s.local != nil {
			// A copy, so that the layer holds (and counts) the body alone.
			e.Body = bytes.Clone(e.Body)
			_ = s.local.Put(ctx, ok, e)
		}
		return e, true, nil
	}
	aerr := s.s3.ReadError("GetObject", res)
	if aerr.Status == http.StatusNotFound && aerr.Code == "NoSuchKey" {
		s.dropLocal(ctx, ok)
		return cache.Entry{Version: absent}, false, nil
	}
	return cache.Entry{}, false, fmt.Errorf("s3cache: reading %s from bucket %s: %w", ok, s.bucket, aerr)
}

// Put writes e for key if the object is still at e.Version, the version
// its generation started from; an entry without a Version (its read
// failed) is not written.
// A write that S3 refuses because the object changed meanwhile (a
// revalidation, or another generation stored first) is dropped and is not
// an error.
func (s *Store) Put(ctx context.Context, key string, e cache.Entry) error {
	ok := objectKey(key)
	body, err := encodeEntry(key, e)
	if err != nil {
		return fmt.Errorf("s3cache: encoding %s: %w", ok, err)
	}
	hdr := http.Header{"Content-Type": {"application/octet-stream"}}
	switch e.Version {
	case "":
		// The generation started from an unknown state (its read
		// failed): storing it could undo a revalidation.
		return nil
	case absent:
		hdr.Set("If-None-Match", "*")
	default:
		hdr.Set("If-Match", e.Version)
	}
	res, err := s.s3.Do(ctx, http.MethodPut, s.url(ok), hdr, body)
	if err != nil {
		return fmt.Errorf("s3cache: writing %s: %w", ok, err)
	}
	if res.StatusCode == http.StatusOK {
		res.Body.Close()
		if s.local != nil {
			e.Version = res.Header.Get("ETag")
			_ = s.local.Put(ctx, ok, e)
		}
		return nil
	}
	aerr := s.s3.ReadError("PutObject", res)
	// 412: the object is no longer at e.Version; 409: a concurrent
	// conditional write to it won (S3 user guide, conditional writes).
	if aerr.Status == http.StatusPreconditionFailed || aerr.Status == http.StatusConflict {
		return nil
	}
	return fmt.Errorf("s3cache: writing %s to bucket %s: %w", ok, s.bucket, aerr)
}

// Revalidate writes a tombstone over key's object. Once it returns, no Get
// by any process returns the old entry, and no generation that started
// from it can store its result.
func (s *Store) Revalidate(ctx context.Context, key string) error {
	ok := objectKey(key)
	var nonce [8]byte
	_, _ = rand.Read(nonce[:])
	body, err := encodeTombstone(key, s.now(), hex.EncodeToString(nonce[:]))
	if err != nil {
		return fmt.Errorf("s3cache: encoding %s: %w", ok, err)
	}
	s.dropLocal(ctx, ok)
	res, err := s.s3.Do(ctx, http.MethodPut, s.url(ok), http.Header{"Content-Type": {"application/octet-stream"}}, body)
	if err != nil {
		return fmt.Errorf("s3cache: purging %s: %w", key, err)
	}
	if res.StatusCode != http.StatusOK {
		return fmt.Errorf("s3cache: purging %s in bucket %s: %w", key, s.bucket, s.s3.ReadError("PutObject", res))
	}
	res.Body.Close()
	s.dropLocal(ctx, ok)
	return nil
}

// dropLocal forgets the local copy of an object.
func (s *Store) dropLocal(ctx context.Context, objKey string) {
	if s.local != nil {
		_ = s.local.Revalidate(ctx, objKey)
	}
}
