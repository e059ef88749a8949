//go:build !linux

package devserver

import "time"

// Notifier is inotify's on Linux; elsewhere NewNotifier returns nil and
// the CLI polls.
type Notifier struct{}

// NewNotifier returns nil: no inotify here.
func NewNotifier(string) *Notifier { return nil }

// Pending reports whether events wait.
func (*Notifier) Pending() bool { return false }

// Changed reports whether a build input changed.
func (*Notifier) Changed(time.Time) bool { return false }

// Drain reads the waiting events.
func (*Notifier) Drain() bool { return false }

// Close stops watching.
func (*Notifier) Close() {}
