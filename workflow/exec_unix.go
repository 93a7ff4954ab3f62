//go:build unix

package workflow

import (
	"os/exec"
	"syscall"
)

// killGroup kills what is left of the command's process group once the
// command has ended: a shell's background children never outlive their
// node. An empty group (the usual case) is not an error.
func killGroup(cmd *exec.Cmd) {
	if cmd.Process != nil {
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	}
}

// setProcessGroup starts the command in its own process group and makes
// cancellation kill the whole group, so a shell's children die with it.
func setProcessGroup(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error {
		return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	}
}
