// Package bench holds nextgo's benchmarks, each pairing a nextgo component
// with the baseline it is measured against in the same run. It has no
// library code; run it with go test -bench.
package bench
