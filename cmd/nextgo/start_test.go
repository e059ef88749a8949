package main

import "testing"

// TestFrontProcs: the front gets half the machine's processors, at least
// one.
func TestFrontProcs(t *testing.T) {
	for _, tt := range []struct{ cpus, want int }{{1, 1}, {2, 1}, {3, 1}, {4, 2}, {16, 8}} {
		if got := frontProcs(tt.cpus); got != tt.want {
			t.Errorf("frontProcs(%d) = %d, want %d", tt.cpus, got, tt.want)
		}
	}
}
