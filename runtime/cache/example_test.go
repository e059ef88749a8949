package cache_test

import (
	"context"
	"fmt"
	"time"

	"github.com/nextgo-dev/nextgo/runtime/cache"
)

func ExampleCache() {
	now := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	store := cache.New(cache.WithClock(func() time.Time { return now }))
	n := 0
	gen := func(context.Context) (cache.Entry, error) {
		n++
		return cache.Entry{Status: 200, Body: fmt.Appendf(nil, "version %d", n)}, nil
	}
	get := func() {
		e, state, err := store.Get(context.Background(), "/api/time", time.Minute, gen)
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Println(state, string(e.Body))
	}
	get()                          // generated
	get()                          // fresh
	now = now.Add(2 * time.Minute) // past revalidate
	get()                          // served stale, regenerated in the background
	store.Wait()
	get()
	_ = store.Revalidate(context.Background(), "/api/time")
	get() // regenerated on demand
	get()
	// Output:
	// MISS version 1
	// HIT version 1
	// STALE version 1
	// HIT version 2
	// MISS version 3
	// HIT version 3
}
