package bundler

import (
	"archive/zip"
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"
)

// zipEpoch is the fixed modification time of every zip entry, so that the
// same binary always gives the same zip bytes.
var zipEpoch = time.Date(1980, 1, 1, 0, 0, 0, 0, time.UTC)

// BootstrapName is the executable Lambda's provided runtimes start.
const BootstrapName = "bootstrap"

// zipBootstrap returns a deterministic zip holding bin as bootstrap, mode
// 0755.
func zipBootstrap(bin []byte) ([]byte, error) {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	h := &zip.FileHeader{Name: BootstrapName, Method: zip.Deflate, Modified: zipEpoch}
	h.SetMode(0o755)
	w, err := zw.CreateHeader(h)
	if err != nil {
		return nil, err
	}
	if _, err := w.Write(bin); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// writeZip writes the zip of bin to name.
func writeZip(name string, bin []byte) error {
	b, err := zipBootstrap(bin)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
		return err
	}
	tmp := name + ".tmp"
	if err := os.WriteFile(tmp, b, 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, name)
}

// bootstrapSize returns the uncompressed size of the zip's bootstrap.
func bootstrapSize(zb []byte) (int64, error) {
	zr, err := zip.NewReader(bytes.NewReader(zb), int64(len(zb)))
	if err != nil {
		return 0, err
	}
	for _, f := range zr.File {
		if f.Name == BootstrapName {
			return int64(f.UncompressedSize64), nil
		}
	}
	return 0, fmt.Errorf("no %s in the zip", BootstrapName)
}

// ReadBootstrap extracts the bootstrap of a function zip.
func ReadBootstrap(zipFile string) ([]byte, error) {
	zr, err := zip.OpenReader(zipFile)
	if err != nil {
		return nil, err
	}
	defer zr.Close()
	for _, f := range zr.File {
		if f.Name == BootstrapName {
			rc, err := f.Open()
			if err != nil {
				return nil, err
			}
			defer rc.Close()
			return io.ReadAll(rc)
		}
	}
	return nil, fmt.Errorf("%s: no %s in the zip", zipFile, BootstrapName)
}
