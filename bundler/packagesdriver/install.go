package packagesdriver

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// Name is the file name under which the nextgo binary acts as the driver:
// go/packages runs GOPACKAGESDRIVER with the patterns as its only
// arguments, so the nextgo command tells a driver run by the name it was
// started under.
const Name = "nextgo-packages-driver"

// Invoked reports whether a process started as argv0 is the driver.
func Invoked(argv0 string) bool {
	base := filepath.Base(argv0)
	return strings.TrimSuffix(base, ".exe") == Name
}

// Path is where, inside the app in dir, Install puts the driver: the value
// to give GOPACKAGESDRIVER.
func Path(dir string) string {
	return filepath.Join(dir, ".nextgo", "bin", Name)
}

// Install makes Path(dir) run the nextgo executable exe: a symbolic link
// to it, or a copy where links are refused. It returns the path. An
// existing link to exe is left alone.
func Install(dir, exe string) (string, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	if resolved, err := filepath.EvalSymlinks(exe); err == nil {
		exe = resolved
	}
	link := Path(abs)
	if target, err := os.Readlink(link); err == nil && target == exe {
		return link, nil
	}
	if err := os.MkdirAll(filepath.Dir(link), 0o755); err != nil {
		return "", fmt.Errorf("install the packages driver: %w", err)
	}
	tmp := link + ".tmp"
	os.Remove(tmp)
	if err := os.Symlink(exe, tmp); err != nil {
		b, rerr := os.ReadFile(exe)
		if rerr != nil {
			return "", fmt.Errorf("install the packages driver: %w", err)
		}
		if err := os.WriteFile(tmp, b, 0o755); err != nil {
			return "", fmt.Errorf("install the packages driver: %w", err)
		}
	}
	if err := os.Rename(tmp, link); err != nil {
		return "", fmt.Errorf("install the packages driver: %w", err)
	}
	return link, nil
}
