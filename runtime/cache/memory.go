package cache

import (
	"container/list"
	"context"
	"sync"
)

// DefaultMaxBytes is the default memory budget of a Memory store: 50 MiB,
// Next's default cacheMaxMemorySize.
const DefaultMaxBytes = 50 << 20

// entryOverhead is what Memory charges for one entry beyond its key,
// header and body bytes: its list element, map slot and Entry.
const entryOverhead = 160

// Memory is a Store that keeps entries in the process's memory within a
// byte budget, evicting the least recently used. Its budget counts every
// byte it holds: each entry's key, header names and values, body and a
// fixed bookkeeping overhead; an entry larger than the budget is not kept.
// Its zero value is not usable: call NewMemory.
type Memory struct {
	max int64

	mu    sync.Mutex
	items map[string]*list.Element // of *item
	lru   list.List                // front = most recently used
	size  int64
}

// A Memory is a Store.
var _ Store = (*Memory)(nil)

// item is one stored entry.
type item struct {
	key  string
	e    Entry
	size int64
}

// NewMemory returns an empty Memory store holding at most maxBytes bytes
// (DefaultMaxBytes when maxBytes <= 0).
func NewMemory(maxBytes int64) *Memory {
	if maxBytes <= 0 {
		maxBytes = DefaultMaxBytes
	}
	return &Memory{max: maxBytes, items: make(map[string]*list.Element)}
}

// Size returns the bytes the store accounts for now; it never exceeds the
// budget.
func (m *Memory) Size() int64 {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.size
}

// Len returns the number of entries held.
func (m *Memory) Len() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.items)
}

// Get returns the entry of key and marks it most recently used.
func (m *Memory) Get(_ context.Context, key string) (Entry, bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	el := m.items[key]
	if el == nil {
		return Entry{}, false, nil
	}
	m.lru.MoveToFront(el)
	return el.Value.(*item).e, true, nil
}

// Put stores e for key and evicts the least recently used entries until the
// budget holds. An entry larger than the whole budget is not stored (and any
// older entry for key is dropped).
func (m *Memory) Put(_ context.Context, key string, e Entry) error {
	n := charge(key, e)
	m.mu.Lock()
	defer m.mu.Unlock()
	m.remove(key)
	if n > m.max {
		return nil
	}
	m.items[key] = m.lru.PushFront(&item{key: key, e: e, size: n})
	m.size += n
	for m.size > m.max {
		m.remove(m.lru.Back().Value.(*item).key)
	}
	return nil
}

// Revalidate drops the entry of key.
func (m *Memory) Revalidate(_ context.Context, key string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.remove(key)
	return nil
}

// remove drops key's entry, if any. m.mu is held.
func (m *Memory) remove(key string) {
	el := m.items[key]
	if el == nil {
		return
	}
	m.size -= el.Value.(*item).size
	m.lru.Remove(el)
	delete(m.items, key)
}

// charge is the bytes an entry for key costs the budget.
func charge(key string, e Entry) int64 {
	n := int64(entryOverhead + len(key) + len(e.Version) + len(e.Body))
	for k, vs := range e.Header {
		n += int64(len(k))
		for _, v := range vs {
			n += int64(len(v))
		}
	}
	return n
}
