package devserver

import (
	"os"
	"path/filepath"
	"testing"
	"time"
)

// TestNotifierChanged: a save is seen by a request that arrives after it,
// not by one that arrived before a look that found the queue empty (which
// costs no system call), and a look is trusted for a short while only.
func TestNotifierChanged(t *testing.T) {
	write := func(t *testing.T, dir, name string) {
		t.Helper()
		if err := os.WriteFile(filepath.Join(dir, name), []byte("package x\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	newNotifier := func(t *testing.T) (*Notifier, string) {
		dir := t.TempDir()
		n := NewNotifier(dir)
		if n == nil {
			t.Skip("no inotify")
		}
		t.Cleanup(n.Close)
		return n, dir
	}

	t.Run("a save, then a request", func(t *testing.T) {
		n, dir := newNotifier(t)
		if n.Changed(time.Time{}) {
			t.Fatal("changed before any save")
		}
		write(t, dir, "route.go")
		if !n.Changed(time.Now()) {
			t.Fatal("a request after the save does not see it")
		}
		if !n.Changed(time.Time{}) || !n.Changed(time.Now().Add(-time.Hour)) {
			t.Error("Changed did not stay true")
		}
	})
	t.Run("a request, a look, then a save", func(t *testing.T) {
		n, dir := newNotifier(t)
		arrived := time.Now()
		if n.Changed(time.Time{}) { // a look that finds nothing, after the arrival
			t.Fatal("changed before any save")
		}
		write(t, dir, "route.go")
		if n.Changed(arrived) {
			t.Error("a request that arrived before the look sees a later save")
		}
		if !n.Changed(time.Now()) {
			t.Error("a request that arrived after the save does not see it")
		}
	})
	t.Run("a look grown old", func(t *testing.T) {
		n, dir := newNotifier(t)
		arrived := time.Now()
		n.Changed(time.Time{})
		time.Sleep(lookTrusted + 20*time.Millisecond)
		write(t, dir, "route.go")
		if !n.Changed(arrived) {
			t.Error("a look older than lookTrusted was trusted")
		}
	})
	t.Run("not a build input", func(t *testing.T) {
		n, dir := newNotifier(t)
		write(t, dir, "README.md")
		if n.Changed(time.Now()) {
			t.Error("a README counted as a build input")
		}
		write(t, dir, "go.mod")
		if !n.Changed(time.Now()) {
			t.Error("go.mod not counted")
		}
	})
}
