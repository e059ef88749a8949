package bundler

import (
	"context"
	"hash/fnv"
	"io/fs"
	"path/filepath"
	"strings"
	"time"

	"github.com/nextgo-dev/nextgo/bundler/stage"
)

// watched reports whether a file of the app tree is a build input that dev
// mode must react to: Go sources, go.mod, go.sum, nextgo.json and .env files.
func watched(rel string) bool {
	base := filepath.Base(rel)
	return strings.HasSuffix(base, ".go") || base == "go.mod" || base == "go.sum" ||
		base == "nextgo.json" || base == ".env" || strings.HasPrefix(base, ".env.")
}

// skippedDir reports whether a folder of the app tree holds no build inputs.
func skippedDir(rel, base string) bool {
	return rel == stage.Dir || base == "node_modules" || base == "testdata" ||
		(rel != "." && strings.HasPrefix(base, "."))
}

// Fingerprint summarises the build inputs of the app in dir: names, sizes
// and modification times. Two equal fingerprints mean nothing changed.
func Fingerprint(dir string) uint64 {
	h := fnv.New64a()
	_ = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil
		}
		rel, _ := filepath.Rel(dir, p)
		if d.IsDir() {
			if skippedDir(rel, d.Name()) {
				return filepath.SkipDir
			}
			return nil
		}
		if !watched(rel) {
			return nil
		}
		info, err := d.Info()
		if err != nil {
			return nil
		}
		h.Write([]byte(rel))
		var buf [16]byte
		putUint64(buf[:8], uint64(info.Size()))
		putUint64(buf[8:], uint64(info.ModTime().UnixNano()))
		h.Write(buf[:])
		return nil
	})
	return h.Sum64()
}

func putUint64(b []byte, v uint64) {
	for i := 0; i < 8; i++ {
		b[i] = byte(v >> (8 * i))
	}
}

// settle is how long the inputs must stay unchanged after a change before
// Watch reports it: editors write a file in several steps.
const settle = 20 * time.Millisecond

// Watch polls the app in dir every interval and sends on the returned
// channel when the build inputs changed and then stayed unchanged for the
// settle time. It stops, closing the channel, when ctx is done.
func Watch(ctx context.Context, dir string, interval time.Duration) <-chan struct{} {
	ch := make(chan struct{}, 1)
	go func() {
		defer close(ch)
		last := Fingerprint(dir)
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
			fp := Fingerprint(dir)
			if fp == last {
				continue
			}
			for fp != last { // wait until it holds still
				last = fp
				select {
				case <-ctx.Done():
					return
				case <-time.After(settle):
				}
				fp = Fingerprint(dir)
			}
			select {
			case ch <- struct{}{}:
			default:
			}
		}
	}()
	return ch
}
