package clustertest

import "syscall"

// sysProcAttr kills the child if the test process dies without cleaning up,
// so no kube-apiserver outlives a crashed test.
func sysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
