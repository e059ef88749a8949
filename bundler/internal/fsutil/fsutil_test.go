package fsutil

import (
	"os"
	"path/filepath"
	"testing"
	"time"
)

func TestWriteIfChanged(t *testing.T) {
	name := filepath.Join(t.TempDir(), "a", "b.txt")
	if err := WriteIfChanged(name, []byte("one")); err != nil {
		t.Fatal(err)
	}
	old := time.Now().Add(-time.Hour)
	if err := os.Chtimes(name, old, old); err != nil {
		t.Fatal(err)
	}
	if err := WriteIfChanged(name, []byte("one")); err != nil {
		t.Fatal(err)
	}
	if info, _ := os.Stat(name); !info.ModTime().Equal(old) {
		t.Errorf("an unchanged file was rewritten: modified %v, want %v", info.ModTime(), old)
	}
	if err := WriteIfChanged(name, []byte("two")); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(name); string(b) != "two" {
		t.Errorf("content %q, want two", b)
	}
	entries, _ := os.ReadDir(filepath.Dir(name))
	if len(entries) != 1 {
		t.Errorf("left behind: %v", entries)
	}
}

func TestWriteAtomic(t *testing.T) {
	name := filepath.Join(t.TempDir(), "x", "f.zip")
	for _, content := range []string{"first", "second"} {
		if err := WriteAtomic(name, []byte(content)); err != nil {
			t.Fatal(err)
		}
		if b, _ := os.ReadFile(name); string(b) != content {
			t.Errorf("content %q, want %q", b, content)
		}
	}
	if _, err := os.Stat(name + ".tmp"); !os.IsNotExist(err) {
		t.Errorf("temporary file left: %v", err)
	}
}

// A second Lock waits until the first is released.
func TestLock(t *testing.T) {
	name := filepath.Join(t.TempDir(), "stage", "build.lock")
	unlock, err := Lock(name)
	if err != nil {
		t.Fatal(err)
	}
	got := make(chan struct{})
	go func() {
		second, err := Lock(name)
		if err != nil {
			t.Error(err)
		} else {
			second()
		}
		close(got)
	}()
	select {
	case <-got:
		t.Fatal("a second Lock was granted while the first was held")
	case <-time.After(100 * time.Millisecond):
	}
	unlock()
	select {
	case <-got:
	case <-time.After(10 * time.Second):
		t.Fatal("the second Lock was not granted after the release")
	}
}
