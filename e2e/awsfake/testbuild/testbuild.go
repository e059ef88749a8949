// Package testbuild writes small builds in the shape of `nextgo build`'s
// output, for tests of deploy: a manifest.json and, per route, a
// deterministic zip holding one real bootstrap compiled from a tiny
// aws-lambda-go main (-tags lambda.norpc, CGO_ENABLED=0, linux, the host's
// architecture so that the functions can run locally).
//
// Each function answers every request with a JSON document naming its
// Reply, so a test can tell which code is serving. Functions with
// different replies are different code; all of a build's binaries are
// compiled by one go build.
package testbuild

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	goruntime "runtime"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/nextgo-dev/nextgo/bundler/manifest"
	ngroutes "github.com/nextgo-dev/nextgo/bundler/routes"
	"github.com/nextgo-dev/nextgo/internal/lambdalimit"
)

// Route is one function of a test build.
type Route struct {
	Name        string            // manifest function name, e.g. "api-hello"
	Pattern     string            // route pattern, e.g. "/api/hello"; none for the fallback
	Kind        string            // "api" (default), "route" or "fallback"
	File        string            // default "pages<Pattern>.go", "middleware.go" for the fallback
	Methods     []string          // default ["*"]
	Reply       string            // what the function answers: its code
	Env         map[string]string // its environment
	MaxDuration int               // default 10
	Memory      int               // default 128
	// Pad appends that many bytes of incompressible (pseudo-random,
	// seeded, so the same every time) data to the bootstrap, zipped
	// without compression: a large function that still runs, as an ELF
	// executable ignores what follows its sections.
	Pad int64
}

// Response is the JSON document every test function answers with.
type Response struct {
	Reply          string            `json:"reply"`
	Method         string            `json:"method"`
	RawPath        string            `json:"rawPath"`
	RouteKey       string            `json:"routeKey"`
	PathParameters map[string]string `json:"pathParameters"`
	Query          string            `json:"query"`
	Greeting       string            `json:"greeting"` // the GREETING variable
	Function       string            `json:"function"` // AWS_LAMBDA_FUNCTION_NAME
	Version        string            `json:"version"`  // AWS_LAMBDA_FUNCTION_VERSION
}

const source = `package main

import (
	"context"
	"encoding/json"
	"os"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
)

const reply = %q

func main() {
	lambda.Start(func(ctx context.Context, e events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
		body, err := json.Marshal(map[string]any{
			"reply":          reply,
			"method":         e.RequestContext.HTTP.Method,
			"rawPath":        e.RawPath,
			"routeKey":       e.RouteKey,
			"pathParameters": e.PathParameters,
			"query":          e.RawQueryString,
			"greeting":       os.Getenv("GREETING"),
			"function":       os.Getenv("AWS_LAMBDA_FUNCTION_NAME"),
			"version":        os.Getenv("AWS_LAMBDA_FUNCTION_VERSION"),
		})
		if err != nil {
			return events.APIGatewayV2HTTPResponse{}, err
		}
		return events.APIGatewayV2HTTPResponse{
			StatusCode: 200,
			Headers:    map[string]string{"Content-Type": "application/json", "X-Reply": reply},
			Body:       string(body),
		}, nil
	})
}
`

// Arch is the manifest architecture of the binaries: the host's, so that
// they run here.
func Arch() string { return goruntime.GOARCH }

// Write compiles the routes' bootstraps, zips each one and writes
// dir/manifest.json for app. It returns the manifest.
func Write(ctx context.Context, dir, app string, routes []Route) (*manifest.Manifest, error) {
	replies := make([]string, len(routes))
	for i, r := range routes {
		replies[i] = r.Reply
	}
	bins, err := Compile(ctx, filepath.Join(dir, "_compile"), replies...)
	if err != nil {
		return nil, err
	}
	return bins.Write(dir, app, routes)
}

// Binaries are compiled test functions, by reply. They are safe for
// concurrent use.
type Binaries struct {
	paths map[string]string

	mu   sync.Mutex
	zips map[string]zipped // by reply: the deterministic zip, made once
}

type zipped struct {
	data    []byte
	sum     string
	binSize int64
}

// Write zips the binaries of the routes and writes dir/manifest.json for
// app. Every route's Reply must have been compiled.
func (b *Binaries) Write(dir, app string, routes []Route) (*manifest.Manifest, error) {
	for _, r := range routes {
		if b.paths[r.Reply] == "" {
			return nil, fmt.Errorf("testbuild: reply %q was not compiled", r.Reply)
		}
	}
	m := &manifest.Manifest{
		Version: manifest.Version,
		App:     app,
		Module:  "example.com/" + app,
		Arch:    Arch(),
		Nextgo:  "test",
	}
	for _, r := range routes {
		zipPath := filepath.Join("functions", r.Name+".zip")
		z, err := b.zip(r.Reply, r.Pad)
		if err != nil {
			return nil, err
		}
		if err := os.MkdirAll(filepath.Join(dir, "functions"), 0o755); err != nil {
			return nil, err
		}
		if err := os.WriteFile(filepath.Join(dir, zipPath), z.data, 0o644); err != nil {
			return nil, err
		}
		file := r.File
		switch {
		case file != "":
		case r.Kind == string(ngroutes.KindFallback):
			file = "middleware.go"
		default:
			file = "pages" + r.Pattern + ".go"
		}
		fn := manifest.Function{
			Name:        r.Name,
			Pattern:     r.Pattern,
			File:        file,
			Kind:        r.Kind,
			Methods:     r.Methods,
			MaxDuration: r.MaxDuration,
			Memory:      r.Memory,
			BodyLimit:   1 << 20,
			Cache:       "none",
			Arch:        Arch(),
			Zip:         filepath.ToSlash(zipPath),
			SHA256:      z.sum,
			Size:        int64(len(z.data)),
			BinarySize:  z.binSize,
		}
		fn.SetEnv(r.Env)
		if fn.Kind == "" {
			fn.Kind = "api"
		}
		if fn.Methods == nil {
			fn.Methods = []string{"*"}
		}
		if fn.MaxDuration == 0 {
			fn.MaxDuration = 10
		}
		if fn.Memory == 0 {
			fn.Memory = lambdalimit.DefaultMemory
		}
		m.Functions = append(m.Functions, fn)
	}
	data, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return nil, err
	}
	if err := os.WriteFile(filepath.Join(dir, manifest.File), data, 0o644); err != nil {
		return nil, err
	}
	return m, nil
}

// Compile builds one function per distinct reply, all with a single go
// build, into dir. The sources are laid over this package's directory with
// -overlay: nothing is written into the source tree.
func Compile(ctx context.Context, dir string, replies ...string) (*Binaries, error) {
	here, err := sourceDir(ctx)
	if err != nil {
		return nil, err
	}
	srcDir := filepath.Join(dir, "src")
	binDir := filepath.Join(dir, "bin")
	for _, d := range []string{srcDir, binDir} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return nil, err
		}
	}
	replace := map[string]string{}
	bins := map[string]string{}
	var pkgs []string
	for _, reply := range replies {
		if _, done := bins[reply]; done {
			continue
		}
		sum := sha256.Sum256([]byte(reply))
		pkg := "fn" + hex.EncodeToString(sum[:6])
		src := filepath.Join(srcDir, pkg+".go")
		if err := os.WriteFile(src, fmt.Appendf(nil, source, reply), 0o644); err != nil {
			return nil, err
		}
		replace[filepath.Join(here, "gen", pkg, "main.go")] = src
		pkgs = append(pkgs, "./gen/"+pkg)
		bins[reply] = filepath.Join(binDir, pkg)
	}
	overlay, err := json.Marshal(map[string]any{"Replace": replace})
	if err != nil {
		return nil, err
	}
	overlayPath := filepath.Join(dir, "overlay.json")
	if err := os.WriteFile(overlayPath, overlay, 0o644); err != nil {
		return nil, err
	}
	slices.Sort(pkgs)
	args := append([]string{"build", "-overlay", overlayPath, "-tags", "lambda.norpc", "-trimpath",
		"-ldflags=-s -w", "-o", binDir + string(filepath.Separator)}, pkgs...)
	cmd := exec.CommandContext(ctx, "go", args...)
	cmd.Dir = here
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux", "GOARCH="+Arch())
	if out, err := cmd.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("testbuild: go %s: %w\n%s", strings.Join(args, " "), err, out)
	}
	return &Binaries{paths: bins}, nil
}

// sourceDir is this package's directory, over which the functions'
// sources are laid.
func sourceDir(ctx context.Context) (string, error) {
	if _, self, _, ok := goruntime.Caller(0); ok && filepath.IsAbs(self) {
		return filepath.Dir(self), nil
	}
	// Built with -trimpath: ask the go command.
	out, err := exec.CommandContext(ctx, "go", "list", "-f", "{{.Dir}}", "github.com/nextgo-dev/nextgo/e2e/awsfake/testbuild").Output()
	if err != nil {
		return "", fmt.Errorf("testbuild: locate the package source: %w", err)
	}
	return strings.TrimSpace(string(out)), nil
}

// zip returns the zip of a reply's binary, padded by pad bytes, making it
// on first use.
func (b *Binaries) zip(reply string, pad int64) (zipped, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	cacheKey := fmt.Sprintf("%s\x00%d", reply, pad)
	if z, ok := b.zips[cacheKey]; ok {
		return z, nil
	}
	data, sum, binSize, err := makeZip(b.paths[reply], pad)
	if err != nil {
		return zipped{}, err
	}
	if b.zips == nil {
		b.zips = map[string]zipped{}
	}
	z := zipped{data: data, sum: sum, binSize: binSize}
	b.zips[cacheKey] = z
	return z, nil
}

// makeZip makes a deterministic zip holding bin as bootstrap (mode 0755)
// and returns it with its hex SHA-256 and the binary's size.
func makeZip(bin string, pad int64) ([]byte, string, int64, error) {
	data, err := os.ReadFile(bin)
	if err != nil {
		return nil, "", 0, err
	}
	method := zip.Deflate
	if pad > 0 {
		padding := make([]byte, pad)
		rand.NewChaCha8([32]byte{'n', 'e', 'x', 't', 'g', 'o'}).Read(padding)
		data = append(data, padding...)
		method = zip.Store
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	h := &zip.FileHeader{Name: "bootstrap", Method: method, Modified: time.Date(1980, 1, 1, 0, 0, 0, 0, time.UTC)}
	h.SetMode(0o755)
	w, err := zw.CreateHeader(h)
	if err != nil {
		return nil, "", 0, err
	}
	if _, err := w.Write(data); err != nil {
		return nil, "", 0, err
	}
	if err := zw.Close(); err != nil {
		return nil, "", 0, err
	}
	sum := sha256.Sum256(buf.Bytes())
	return buf.Bytes(), hex.EncodeToString(sum[:]), int64(len(data)), nil
}
