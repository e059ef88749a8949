package runtimeapi

import (
	"encoding/json"
	"syscall"
	"testing"
)

// prSetChildSubreaper is PR_SET_CHILD_SUBREAPER from <linux/prctl.h>.
const prSetChildSubreaper = 36

func TestPoolCloseKillsTheProcessGroup(t *testing.T) {
	// Make this process the subreaper of the runtime's child, so that the
	// test can wait for it (and reap it) once its parent is gone.
	if _, _, errno := syscall.RawSyscall(syscall.SYS_PRCTL, prSetChildSubreaper, 1, 0); errno != 0 {
		t.Fatalf("prctl(PR_SET_CHILD_SUBREAPER): %v", errno)
	}
	ctx := testContext(t)
	p := newTestPool(t, Function{}, nil)
	res := invoke(t, ctx, p, `{"do":"spawn"}`)
	var out struct{ Child int }
	if err := json.Unmarshal(res.Payload, &out); err != nil || out.Child == 0 {
		t.Fatalf("spawn answered %s", res.Payload)
	}
	if !alive(out.Child) {
		t.Fatalf("child %d is not running", out.Child)
	}

	p.Close()
	if alive(res.PID) {
		t.Errorf("runtime %d still runs after Close", res.PID)
	}
	// The child was killed with the runtime's process group: it exits by
	// SIGKILL, and is reaped here.
	waited := make(chan syscall.WaitStatus, 1)
	go func() {
		var ws syscall.WaitStatus
		if _, err := syscall.Wait4(out.Child, &ws, 0, nil); err != nil {
			t.Errorf("wait4(%d): %v", out.Child, err)
		}
		waited <- ws
	}()
	select {
	case ws := <-waited:
		if !ws.Signaled() || ws.Signal() != syscall.SIGKILL {
			t.Errorf("child %d ended with %v, want SIGKILL", out.Child, ws)
		}
	case <-ctx.Done():
		t.Fatalf("child %d of the runtime survived Close", out.Child)
	}
}
