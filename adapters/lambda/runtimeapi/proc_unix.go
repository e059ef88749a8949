//go:build unix

package runtimeapi

import (
	"os/exec"
	"syscall"
)

// setProcessGroup puts the runtime in a process group of its own, so that
// killing it also kills anything it started.
func setProcessGroup(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
}

// killProcessGroup kills the runtime's whole process group, as Lambda
// discards a whole execution environment.
func killProcessGroup(cmd *exec.Cmd) {
	if cmd.Process == nil {
		return
	}
	if err := syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL); err != nil {
		cmd.Process.Kill()
	}
}
