package devloop

import (
	"net"
	"os"
	"path/filepath"
	"runtime"
	"strings"
)

// privateSocket returns the address of a unix socket named name: in
// Linux's abstract namespace (nothing on disk), elsewhere a file in the
// temporary folder.
func privateSocket(name string) string {
	if runtime.GOOS == "linux" {
		return "@" + name
	}
	return filepath.Join(os.TempDir(), name+".sock")
}

// listenPrivate listens on a private socket, removing a file a previous
// run left at its address.
func listenPrivate(addr string) (*net.UnixListener, error) {
	if !strings.HasPrefix(addr, "@") {
		os.Remove(addr)
	}
	return net.ListenUnix("unix", &net.UnixAddr{Name: addr, Net: "unix"})
}
