package gobuild

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestUserAdvice(t *testing.T) {
	in := "pages/api/x.go:3:2: missing go.sum entry for module providing package github.com/joho/godotenv (imported by example.com/app/_nextgo/build/routes/api-x); to add:\n\tgo get example.com/app/_nextgo/build/routes/api-x"
	want := "pages/api/x.go:3:2: missing go.sum entry for module providing package github.com/joho/godotenv (imported by example.com/app/_nextgo/build/routes/api-x); to add:\n\tgo get github.com/joho/godotenv"
	if got := userAdvice(in); got != want {
		t.Errorf("userAdvice =\n%s\nwant\n%s", got, want)
	}
	other := "lib/x.go:3:2: missing go.sum entry for module providing package a.b/c (imported by example.com/app/lib); to add:\n\tgo get example.com/app/lib"
	if got := userAdvice(other); got != other {
		t.Errorf("advice about the app's own package changed:\n%s", got)
	}
}

func TestEnv(t *testing.T) {
	for _, tt := range []struct{ goflags, want string }{
		{"", "GOFLAGS="},
		{"-mod=mod", "GOFLAGS="},
		{"-mod=vendor -trimpath", "GOFLAGS=-trimpath"},
		{"--mod=readonly -tags=x -mod", "GOFLAGS=-tags=x"},
		{"-modcacherw", "GOFLAGS=-modcacherw"},
	} {
		t.Setenv("GOFLAGS", tt.goflags)
		if got := Env(); len(got) != 1 || got[0] != tt.want {
			t.Errorf("GOFLAGS=%q: Env() = %q, want [%q]", tt.goflags, got, tt.want)
		}
	}
}

// Build compiles several mains in one invocation into a folder, and a
// failure is an *Error naming the file and line.
func TestBuild(t *testing.T) {
	dir := t.TempDir()
	write := func(name, src string) {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("go.mod", "module example.com/m\n\ngo 1.22\n")
	write("a/main.go", "package main\n\nfunc main() {}\n")
	write("b/main.go", "package main\n\nfunc main() {}\n")
	out := filepath.Join(t.TempDir(), "bin") + string(filepath.Separator)
	if err := Build(context.Background(), dir, nil, []string{"-trimpath"}, out, "./a", "./b"); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"a", "b"} {
		if _, err := os.Stat(filepath.Join(out, name)); err != nil {
			t.Error(err)
		}
	}
	write("c/main.go", "package main\n\nfunc main() { undefined() }\n")
	err := Build(context.Background(), dir, nil, nil, out, "./c")
	var ce *Error
	if !errors.As(err, &ce) || !strings.Contains(ce.Output, "c/main.go:3:15: undefined: undefined") {
		t.Errorf("Build of a broken main = %v, want an *Error naming c/main.go:3:15", err)
	}
}
