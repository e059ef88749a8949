package e2e

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestCommandsTogether runs nextgo test, check and build at the same time,
// twice each round, while nextgo dev rebuilds the same app after an edit:
// each command stages in its own folder (and the same command waits for
// the other's lock), so every run succeeds and dev serves every edit.
func TestCommandsTogether(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "app")
	if out, err := runNextgo(t, "init", dir); err != nil {
		t.Fatalf("nextgo init: %v\n%s", err, out)
	}
	s := startNextgo(t, "dev", dir, "/api/user")
	// The route and its test, edited together.
	files := map[string][]byte{}
	for _, name := range []string{"user.go", "user_test.go"} {
		p := filepath.Join(dir, "pages", "api", name)
		b, err := os.ReadFile(p)
		if err != nil || !strings.Contains(string(b), "John Doe") {
			t.Fatalf("%s: %v", name, err)
		}
		files[p] = b
	}
	const rounds = 3
	for round := 1; round <= rounds; round++ {
		name := fmt.Sprintf("Round %d", round)
		for p, b := range files {
			if err := os.WriteFile(p, []byte(strings.ReplaceAll(string(b), "John Doe", name)), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		var wg sync.WaitGroup
		cmds := [][]string{
			{"test", dir, "--", "-count=1"}, {"check", dir}, {"build", dir, "--arch", "amd64"},
			{"test", dir, "--", "-count=1"}, {"check", dir}, {"build", dir, "--arch", "amd64"},
		}
		outs := make([]string, len(cmds))
		errs := make([]error, len(cmds))
		for i, args := range cmds {
			wg.Add(1)
			go func() {
				defer wg.Done()
				outs[i], errs[i] = runNextgo(t, args...)
			}()
		}
		wg.Wait()
		for i, args := range cmds {
			if errs[i] != nil {
				t.Errorf("round %d: nextgo %s: %v\n%s", round, strings.Join(args, " "), errs[i], outs[i])
			}
		}
		waitFor(t, 2*time.Minute, "dev to serve "+name, func() bool {
			_, body := do(t, "GET", s.URL+"/api/user", nil, nil)
			return body == `{"name":"`+name+`"}`
		})
	}
	if out := s.Out.String(); strings.Contains(out, "Failed to compile") {
		t.Errorf("nextgo dev failed a build:\n%s", out)
	}
}
