//go:build !linux

package devloop

// notifier is inotify's on Linux; elsewhere the loop polls.
type notifier struct{}

func newNotifier(string) *notifier { return nil }
func (*notifier) pending() bool    { return false }
func (*notifier) drain() bool      { return false }
func (*notifier) close()           {}
