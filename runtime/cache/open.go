package cache

import (
	"fmt"
	"os"
	"strconv"
	"strings"
)

// The variables that choose a process's cache (see Open).
const (
	// EnvStore names the store: "memory" (the default when unset) or the
	// Name of a Backend passed to Open.
	EnvStore = "NEXTGO_RESPONSE_CACHE"
	// EnvMaxBytes is the budget in bytes of the memory store
	// (DefaultMaxBytes when unset).
	EnvMaxBytes = "NEXTGO_RESPONSE_CACHE_MAX_BYTES"
)

// A Backend is a Store that configuration can choose by name. Open is
// given the process's environment to read its own settings from.
type Backend struct {
	Name string
	Open func(getenv func(string) string) (Store, error)
}

// Open returns the Cache a process serves its routes with, as its
// configuration says. It is the one place where the store is chosen:
// getenv(EnvStore) names it, "memory" (or unset) for a Memory store of
// getenv(EnvMaxBytes) bytes, or one of backends by Name. Generated mains
// call it through FromEnv; tests pass their own getenv.
func Open(getenv func(string) string, backends ...Backend) (*Cache, error) {
	name := getenv(EnvStore)
	if name == "" || name == "memory" {
		var max int64
		if s := getenv(EnvMaxBytes); s != "" {
			n, err := strconv.ParseInt(s, 10, 64)
			if err != nil || n <= 0 {
				return nil, fmt.Errorf("cache: %s=%q: want a positive number of bytes", EnvMaxBytes, s)
			}
			max = n
		}
		return New(WithMaxBytes(max)), nil
	}
	known := []string{"memory"}
	for _, b := range backends {
		if b.Name == name {
			s, err := b.Open(getenv)
			if err != nil {
				return nil, fmt.Errorf("cache: opening the %s store: %w", name, err)
			}
			opts := []Option{WithStore(s)}
			if r, ok := s.(Regenerator); ok {
				opts = append(opts, WithRegenerator(r))
			}
			return New(opts...), nil
		}
		known = append(known, b.Name)
	}
	return nil, fmt.Errorf("cache: %s=%q: unknown store (known: %s)", EnvStore, name, strings.Join(known, ", "))
}

// FromEnv is Open with the process's environment, for generated mains: it
// panics when the configuration is invalid, so that a misconfigured
// function fails at start rather than on its first cached request.
func FromEnv(backends ...Backend) *Cache {
	c, err := Open(os.Getenv, backends...)
	if err != nil {
		panic(err)
	}
	return c
}
