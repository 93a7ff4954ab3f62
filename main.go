// Command fogctl runs workflows, bootstraps and manages fleets of small
// Kubernetes clusters on a ZeroTier overlay.
package main

import (
	"os"

	"github.com/fogctl/fogctl/cmd"
)

func main() { os.Exit(int(cmd.Main())) }
