package netcmd_test

import (
	"testing"

	"github.com/fogctl/fogctl/netoverlay/ztfake"
)

func ztfakeOptions(name string) ztfake.NodeOptions { return ztfake.NodeOptions{Name: name} }

func serve(t *testing.T, n *ztfake.Node) *ztfake.Server { return ztfake.Serve(t, n) }
