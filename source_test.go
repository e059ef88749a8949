package nextgo_test

import (
	"io/fs"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/nextgo-dev/nextgo"
)

// TestSourceHoldsRuntimeDeps: every package of this module that an app's
// generated code imports, directly or not (the runtime, the Lambda adapter
// and its shared cache), is in the embedded Source; one left out breaks
// every app's go mod (nextgo sync, dev, start) with "does not contain
// package".
func TestSourceHoldsRuntimeDeps(t *testing.T) {
	goCmd := filepath.Join(runtime.GOROOT(), "bin", "go")
	out, err := exec.Command(goCmd, "list", "-deps", "./runtime/...", "./adapters/lambda", "./adapters/lambda/s3cache").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	n := 0
	for _, pkg := range strings.Fields(string(out)) {
		rel, ok := strings.CutPrefix(pkg, nextgo.ModulePath+"/")
		if !ok {
			continue
		}
		n++
		if _, err := fs.Stat(nextgo.Source, rel); err != nil {
			t.Errorf("%s is imported by the runtime but not embedded in Source (source.go's go:embed)", pkg)
		}
	}
	if n < 10 {
		t.Fatalf("only %d of the module's packages listed: %s", n, out)
	}
}
