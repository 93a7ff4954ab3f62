package netcmd

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"sort"
	"strings"

	"github.com/fogctl/fogctl/cluster"
)

// recordFleet stores a node's overlay data beside its context name in the
// fleet file, under the file's lock. It returns the file's path, and the
// other contexts the file records for the same member of the network: one
// node under two names, which the caller warns of (recordedLines).
func recordFleet(ctx context.Context, configDir func() (string, error), context, nwid, member, ip string) (string, []string, error) {
	dir, err := configDir()
	if err != nil {
		return "", nil, fmt.Errorf("record context %q in the fleet file: %w", context, err)
	}
	fl, err := cluster.LoadFleet(dir)
	if err != nil {
		return "", nil, fmt.Errorf("record context %q: %w", context, err)
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
		return "", nil, fmt.Errorf("record context %q: %w", context, err)
	}
	var others []string
	for _, n := range fl.Names() {
		e := fl.Entry(n)
		if n != context && member != "" && strings.EqualFold(e.NetworkID, nwid) && strings.EqualFold(e.MemberID, member) {
			others = append(others, n)
		}
	}
	return fl.Path(), others, nil
}

// recordedLines says that member was recorded for context in the fleet
// file at path, with what (e.g. " (10.147.15.7)"), and warns when other
// contexts name the same member of network nwid.
func recordedLines(w io.Writer, path, context, nwid, member, what string, others []string) {
	fmt.Fprintf(w, "✓ Recorded member %s%s for context %s in %s\n", member, what, context, path)
	if len(others) > 0 {
		fmt.Fprintf(w, "! Member %s of network %s is also recorded for %s: one node under two names (if the other is wrong, remove its networkId, memberId and overlayIP from %s)\n", member, nwid, contextList(others), path)
	}
}

// checkContext refuses a --context that is not a context of the
// kubeconfig: the fleet file is keyed by kubeconfig context, and an entry
// for another name is shown and used nowhere.
func checkContext(kubeconfig func() (*cluster.Kubeconfig, error), name string) error {
	if kubeconfig == nil {
		return nil
	}
	k, err := kubeconfig()
	if err != nil {
		return fmt.Errorf("--context %s: cannot check it is a kubeconfig context: %w", name, err)
	}
	if _, ok := k.Context(name); ok {
		return nil
	}
	var names []string
	for _, c := range k.Contexts() {
		names = append(names, c.Name)
	}
	has := "it has none"
	if len(names) > 0 {
		if len(names) > 8 {
			names = append(names[:8], "...")
		}
		has = "it has " + strings.Join(names, ", ")
	}
	return fmt.Errorf("--context %s: no context named %q in the kubeconfig (%s; %s): add the cluster first ('fogctl ctx list' shows them), or leave out --context; nothing was changed", name, name, strings.Join(k.Files(), ", "), has)
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

// loadFleet reads the fleet file of the config directory.
func loadFleet(configDir func() (string, error)) (*cluster.Fleet, error) {
	if configDir == nil {
		return nil, errors.New("no config directory")
	}
	dir, err := configDir()
	if err != nil {
		return nil, fmt.Errorf("fleet file: %w", err)
	}
	return cluster.LoadFleet(dir)
}

// fleetOnNetwork returns the contexts whose fleet entry names network
// nwid, sorted.
func fleetOnNetwork(fl *cluster.Fleet, nwid string) []string {
	var names []string
	for _, n := range fl.Names() {
		if strings.EqualFold(fl.Entry(n).NetworkID, nwid) {
			names = append(names, n)
		}
	}
	return names
}

// clearFleetNetwork removes the network id, member id and overlay IP from
// every fleet entry on network nwid, under the file's lock, re-reading
// the file first. Labels stay; an entry left empty is dropped, as
// cluster.Fleet.Update drops every empty entry. It returns the contexts
// it cleared, sorted; the file is not touched when none names nwid.
func clearFleetNetwork(ctx context.Context, fl *cluster.Fleet, nwid string) ([]string, error) {
	var cleared []string
	if len(fleetOnNetwork(fl, nwid)) == 0 {
		return nil, nil
	}
	err := fl.Update(ctx, func(entries map[string]*cluster.FleetEntry) error {
		cleared = nil
		for name, e := range entries {
			if e == nil || !strings.EqualFold(e.NetworkID, nwid) {
				continue
			}
			e.NetworkID, e.MemberID, e.OverlayIP = "", "", ""
			cleared = append(cleared, name)
		}
		return nil
	})
	sort.Strings(cleared)
	return cleared, err
}

// fleetIPChange is one fleet entry whose overlay IP followed a change of
// its member's addresses.
type fleetIPChange struct {
	Context  string
	Old, New string // "" for none
}

// followMemberIPs keeps the overlay IP of the fleet entries of member on
// network nwid in step with the member's addresses addrs after a change
// of them (`net ip add`, `net ip rm`, `net authorize --ip`), by the rule
// `net authorize --context` records it with (the member's first
// address): an entry whose overlay IP was removed (one of removed) gets
// the member's first address, or none; when fill, an entry with no
// overlay IP gets the first address. Other entries, and the file when no
// entry changes, are left alone.
func followMemberIPs(ctx context.Context, fl *cluster.Fleet, nwid, member string, removed []string, fill bool, addrs []string) ([]fleetIPChange, error) {
	first := firstIP(addrs)
	gone := map[string]bool{}
	for _, r := range removed {
		gone[normIP(r)] = true
	}
	next := func(e cluster.FleetEntry) (string, bool) {
		if !strings.EqualFold(e.NetworkID, nwid) || !strings.EqualFold(e.MemberID, member) {
			return "", false
		}
		if e.OverlayIP == "" {
			return first, fill && first != ""
		}
		return first, gone[normIP(e.OverlayIP)] && normIP(e.OverlayIP) != normIP(first)
	}
	found := false
	for _, n := range fl.Names() {
		if _, ok := next(fl.Entry(n)); ok {
			found = true
		}
	}
	if !found {
		return nil, nil
	}
	var changes []fleetIPChange
	err := fl.Update(ctx, func(entries map[string]*cluster.FleetEntry) error {
		changes = nil
		for name, e := range entries {
			if e == nil {
				continue
			}
			if ip, ok := next(*e); ok {
				changes = append(changes, fleetIPChange{Context: name, Old: e.OverlayIP, New: ip})
				e.OverlayIP = ip
			}
		}
		return nil
	})
	sort.Slice(changes, func(i, j int) bool { return changes[i].Context < changes[j].Context })
	return changes, err
}

// printFleetIPChanges says how the fleet's overlay IPs followed member's
// addresses, as followMemberIPs changed them.
func printFleetIPChanges(w io.Writer, path, member string, changes []fleetIPChange) {
	for _, c := range changes {
		switch {
		case c.New == "":
			fmt.Fprintf(w, "✓ Cleared the overlay IP %s of context %s in %s (member %s has no address left)\n", c.Old, c.Context, path, member)
		case c.Old == "":
			fmt.Fprintf(w, "✓ Recorded overlay IP %s for context %s in %s\n", c.New, c.Context, path)
		default:
			fmt.Fprintf(w, "✓ Changed the overlay IP of context %s from %s to %s in %s (the member's first address)\n", c.Context, c.Old, c.New, path)
		}
	}
}

// removedIPs are the addresses of before that after no longer has.
func removedIPs(before, after []string) []string {
	have := map[string]bool{}
	for _, a := range after {
		have[normIP(a)] = true
	}
	var out []string
	for _, b := range before {
		if !have[normIP(b)] {
			out = append(out, b)
		}
	}
	return out
}

// normIP is an address in its canonical form ("10.147.15.7",
// "fd00:147::30"), or s unchanged when it does not parse.
func normIP(s string) string {
	if a, err := netip.ParseAddr(strings.TrimSpace(s)); err == nil {
		return a.Unmap().String()
	}
	return s
}

// contextList names contexts for a message: "context bus-17",
// "contexts bus-17, bus-18".
func contextList(names []string) string {
	if len(names) == 1 {
		return "context " + names[0]
	}
	return "contexts " + strings.Join(names, ", ")
}
