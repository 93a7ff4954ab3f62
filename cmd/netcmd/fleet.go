package netcmd

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/fogctl/fogctl/cluster"
)

// recordFleet stores a node's overlay data beside its context name in the
// fleet file, under the file's lock.
func recordFleet(ctx context.Context, configDir func() (string, error), context, nwid, member, ip string) (string, error) {
	dir, err := configDir()
	if err != nil {
		return "", fmt.Errorf("record context %q in the fleet file: %w", context, err)
	}
	fl, err := cluster.LoadFleet(dir)
	if err != nil {
		return "", fmt.Errorf("record context %q: %w", context, err)
	}
	err = fl.UpdateEntry(ctx, context, func(e *cluster.FleetEntry) error {
		e.NetworkID = nwid
		if member != "" {
			e.MemberID = member
		}
		if ip != "" {
			e.OverlayIP = ip
		}
		return nil
	})
	if err != nil {
		return "", fmt.Errorf("record context %q: %w", context, err)
	}
	return fl.Path(), nil
}

func validContextName(name string) error {
	if strings.TrimSpace(name) == "" || strings.ContainsAny(name, "\n\r\t") {
		return errors.New("--context: want a kubeconfig context name like bus-17")
	}
	return nil
}

// firstIP is the first address without its prefix length ("10.147.15.7"
// of "10.147.15.7/24").
func firstIP(addrs []string) string {
	if len(addrs) == 0 {
		return ""
	}
	ip, _, _ := strings.Cut(addrs[0], "/")
	return ip
}
