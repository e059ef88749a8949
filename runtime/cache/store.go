package cache

import (
	"context"
	"net/http"
	"time"
)

// Store is where cached responses live: the seam between the cache's
// semantics (Cache) and its storage. Memory keeps them in the process; an
// implementation may keep them in a store shared by every process and
// instance of an app. Keys are canonical URL paths (see Cache), so a key is
// also the path that Revalidate names.
//
// Every method takes the request's context (or a generation's) and may block
// on the network; each returns its failures as errors. A Store is safe for
// concurrent use.
type Store interface {
	// Get returns the entry stored for key; ok is false when there is none.
	// The entry is shared: the caller must not modify it.
	Get(ctx context.Context, key string) (e Entry, ok bool, err error)
	// Put stores e for key, replacing any entry. The store keeps e: the
	// caller must not modify it afterwards. A store that cannot hold e (it
	// exceeds its budget) drops any entry for key and returns nil.
	Put(ctx context.Context, key string, e Entry) error
	// Revalidate removes the entry stored for key. When it returns without
	// error, no later Get (by any process sharing the store) returns it.
	// Removing an absent entry is not an error.
	Revalidate(ctx context.Context, key string) error
}

// Entry is one cached response.
type Entry struct {
	Status int
	Header http.Header // Set-Cookie included
	Body   []byte
	// Created is when the response was generated; it goes stale
	// revalidate after it.
	Created time.Time
	// Version is a shared store's version of what it holds for the key
	// (an S3 ETag, say), opaque to the Cache. Get sets it, also when it
	// finds no entry; the Cache hands a generation's entry to Put with
	// the Version its generation started from, so that such a store can
	// refuse a Put that a Revalidate by another process overtook. Memory
	// does not use it ("").
	Version string
}
