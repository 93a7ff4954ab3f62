//go:build !unix

package clustertest

import (
	"errors"
	"os"
)

var errNoFreeze = errors.New("freezing a process needs SIGSTOP and SIGCONT, which this system has not")

// freeze and thaw need unix signals: a test that freezes a plane fails
// here, saying so, and the package still builds.
func freeze(*os.Process) error { return errNoFreeze }
func thaw(*os.Process) error   { return errNoFreeze }
