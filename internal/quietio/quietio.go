// Package quietio reads and writes a socket with raw system calls on its
// non-blocking descriptor (syscall.RawSyscall), for the busiest loops of
// nextgo's servers: a function's runtime loop and the dev server's
// connections. A call that would block waits in the network poller, and
// deadlines apply, as to the connection's own Read and Write; what a raw
// call spares is the scheduler's bookkeeping around a system call, and the
// wake-up of the Go runtime's monitor thread that a usual one may cost.
//
// That monitor is what preempts a goroutine that runs on without a call.
// A caller that keeps it watching sets the loud flag it passes to New now
// and then: the next read is then made the usual way (syscall.Syscall),
// which wakes the monitor when it sleeps.
//
// Off Linux (and on 386), New returns nil and the connection is used the
// usual way.
package quietio
