package netcmd_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fogctl/fogctl/cluster"
	"github.com/fogctl/fogctl/internal/golden"
	"github.com/fogctl/fogctl/internal/safefile"
	"github.com/fogctl/fogctl/netoverlay"
	"github.com/google/go-cmp/cmp"
)

// otherNetwork is a network of another controller that fleet entries in
// these tests name; nothing here may touch them.
const otherNetwork = "8056c2e21c000002"

// fleetPath is the fleet file the commands under test read and write.
func (fl *fleet) fleetPath() string { return filepath.Join(fl.configDir, cluster.FleetFileName) }

// writeFleet writes the fleet file as an operator could have.
func (fl *fleet) writeFleet(t *testing.T, yaml string) {
	t.Helper()
	if err := os.MkdirAll(fl.configDir, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(fl.fleetPath(), []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
}

// fleetEntries reads the fleet file back through cluster.Fleet.
func (fl *fleet) fleetEntries(t *testing.T) map[string]cluster.FleetEntry {
	t.Helper()
	f, err := cluster.LoadFleet(fl.configDir)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]cluster.FleetEntry{}
	for _, n := range f.Names() {
		out[n] = f.Entry(n)
	}
	return out
}

// breakFleetWrites makes the next write of the fleet file fail, for root
// too (tests run as root here, where a read-only directory stops no one):
// a directory where the write keeps its backup cannot be renamed over.
func (fl *fleet) breakFleetWrites(t *testing.T) {
	t.Helper()
	bak := fl.fleetPath() + safefile.BackupSuffix
	if err := os.Remove(bak); err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(bak, "in-the-way"), 0o700); err != nil {
		t.Fatal(err)
	}
}

// scrub replaces the test's config directory, which changes every run,
// with $CONFIG for golden files.
func (fl *fleet) scrub(s string) string { return strings.ReplaceAll(s, fl.configDir, "$CONFIG") }

// fleetOnDeleted sets up the scenario's network with bus-17 (labelled)
// and bus-18 (no labels) recorded on it, and a depot entry on another
// network with the same member id and address as bus-17.
func fleetOnDeleted(t *testing.T) (fl *fleet, nwid, bus, pending string) {
	t.Helper()
	fl, nwid, bus, pending = scenario(t)
	fl.writeFleet(t, `contexts:
  bus-17:
    labels:
      route: "42"
  depot:
    labels:
      role: fog
    networkId: `+otherNetwork+`
    memberId: `+bus+`
    overlayIP: 10.147.15.17
`)
	must(t, fl.ctl(t, false, "authorize", nwid, bus, "--context", "bus-17"))
	must(t, fl.ctl(t, false, "authorize", nwid, pending, "--ip", "auto", "--context", "bus-18"))
	return fl, nwid, bus, pending
}

// TestNetDeleteClearsFleet deletes a network two contexts are recorded
// on: both lose network, member and overlay IP, bus-17 keeps its labels,
// bus-18, left empty, goes (as every empty fleet entry does), and depot,
// on another network, is untouched. The terminal names the contexts
// before it asks; both say which were cleared.
func TestNetDeleteClearsFleet(t *testing.T) {
	both(t, func(t *testing.T, tty bool, suffix string) {
		fl, nwid, bus, _ := fleetOnDeleted(t)
		before, err := os.ReadFile(fl.fleetPath())
		if err != nil {
			t.Fatal(err)
		}
		var r result
		if tty {
			r = must(t, fl.ctlIn(t, true, "y\n", "delete", nwid))
		} else {
			r = must(t, fl.ctl(t, false, "delete", nwid, "--yes"))
		}
		if r.out != "" {
			t.Errorf("stdout %q, want nothing", r.out)
		}
		golden.Assert(t, "TestNetDeleteClearsFleet"+suffix, fl.scrub(r.err))
		want := map[string]cluster.FleetEntry{
			"bus-17": {Labels: map[string]string{"route": "42"}},
			"depot":  {Labels: map[string]string{"role": "fog"}, NetworkID: otherNetwork, MemberID: bus, OverlayIP: "10.147.15.17"},
		}
		if diff := cmp.Diff(want, fl.fleetEntries(t)); diff != "" {
			t.Errorf("fleet file after delete (-want +got):\n%s", diff)
		}
		// Written as every fogctl state file is: the previous version
		// is kept beside it, and the mode stays 0600.
		if bak, _ := os.ReadFile(fl.fleetPath() + safefile.BackupSuffix); string(bak) != string(before) {
			t.Errorf("backup %q, want the file as it was before the delete", bak)
		}
		if info, err := os.Stat(fl.fleetPath()); err != nil || info.Mode().Perm() != 0o600 {
			t.Errorf("fleet file after delete: %v %v", info, err)
		}
		if s := fl.ctl(t, false, "show", nwid); s.code != 1 {
			t.Errorf("network still there: %d %q", s.code, s.err)
		}
	})
}

// TestNetDeleteLeavesOtherNetworksFleetAlone deletes a network no
// context is recorded on: no fleet line, and the fleet file keeps its
// bytes and its modification time.
func TestNetDeleteLeavesOtherNetworksFleetAlone(t *testing.T) {
	fl := newFleet(t)
	nwid := fl.network(t)
	fl.writeFleet(t, "contexts:\n  depot:\n    networkId: "+otherNetwork+"\n    memberId: a1b2c3d4e5\n    overlayIP: 10.147.15.17\n")
	before, err := os.Stat(fl.fleetPath())
	if err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(fl.fleetPath())
	for _, r := range []result{
		must(t, fl.ctlIn(t, true, "y\n", "delete", nwid)),
		must(t, fl.ctl(t, false, "delete", fl.network(t), "--yes")),
	} {
		if strings.Contains(r.err, "fleet file") || strings.Contains(r.err, "context") || strings.Contains(r.err, "Cleared") {
			t.Errorf("stderr names the fleet: %q", r.err)
		}
	}
	after, err := os.Stat(fl.fleetPath())
	if err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(fl.fleetPath())
	if string(got) != string(data) || !after.ModTime().Equal(before.ModTime()) {
		t.Errorf("fleet file rewritten: %v -> %v\n%s", before.ModTime(), after.ModTime(), got)
	}
}

// TestNetDeleteWithoutFleetFileCreatesNone: no fleet file before, none
// after (nor a config directory made for it).
func TestNetDeleteWithoutFleetFileCreatesNone(t *testing.T) {
	fl := newFleet(t)
	nwid := fl.network(t)
	must(t, fl.ctl(t, false, "delete", nwid, "--yes"))
	if _, err := os.Stat(fl.fleetPath()); !os.IsNotExist(err) {
		t.Errorf("fleet file after delete: %v", err)
	}
}

// TestNetDeleteFleetUnwritable: the controller deletes the network, the
// fleet file cannot be written. fogctl says the network is deleted, then
// fails (exit 1) naming the file, the contexts still on the network and
// what to do; the file is as it was.
func TestNetDeleteFleetUnwritable(t *testing.T) {
	both(t, func(t *testing.T, tty bool, suffix string) {
		fl, nwid, _, _ := fleetOnDeleted(t)
		data, err := os.ReadFile(fl.fleetPath())
		if err != nil {
			t.Fatal(err)
		}
		fl.breakFleetWrites(t)
		var r result
		if tty {
			r = fl.ctlIn(t, true, "y\n", "delete", nwid)
		} else {
			r = fl.ctl(t, false, "delete", nwid, "--yes")
		}
		if r.code != 1 {
			t.Errorf("exit %d, want 1", r.code)
		}
		golden.Assert(t, "TestNetDeleteFleetUnwritable"+suffix, fl.scrub(r.err))
		if s := fl.ctl(t, false, "show", nwid); s.code != 1 || !strings.Contains(s.err, "not found on the controller") {
			t.Errorf("the network must be deleted all the same: %d %q", s.code, s.err)
		}
		if got, _ := os.ReadFile(fl.fleetPath()); string(got) != string(data) {
			t.Errorf("fleet file changed:\n%s\nwant:\n%s", got, data)
		}
	})
}

// TestNetDeleteUnreadableFleetDeletesNothing: a fleet file that does not
// parse stops the delete before the controller is asked, naming its line:
// deleting first would leave it naming a network that is gone.
func TestNetDeleteUnreadableFleetDeletesNothing(t *testing.T) {
	fl := newFleet(t)
	nwid := fl.network(t)
	fl.writeFleet(t, "contexts:\n  bus-17:\n    networkID: "+nwid+"\n")
	r := fl.ctl(t, false, "delete", nwid, "--yes")
	want := "error: network " + nwid + " not deleted: " + fl.fleetPath() + " line 3: "
	if r.code != 1 || !strings.HasPrefix(r.err, want) || !strings.HasSuffix(r.err, "(fix or move the fleet file, then run again: fogctl clears the network from it after the delete)\n") {
		t.Errorf("exit %d stderr %q, want 1 and %q...", r.code, r.err, want)
	}
	must(t, fl.ctl(t, false, "show", nwid))
}

// TestNetIPFollowsFleet moves bus-17 to a new address the documented way
// (add the new one, remove the old one) and then takes its last one: the
// fleet's overlay IP follows, as authorize --context records it (the
// member's first address), and fogctl says so each time. depot, the same
// member id and address on another network, is untouched.
func TestNetIPFollowsFleet(t *testing.T) {
	fl, nwid, bus, _ := fleetOnDeleted(t)
	depot := fl.fleetEntries(t)["depot"]
	labels := map[string]string{"route": "42"}
	entry := func(ip string) cluster.FleetEntry {
		return cluster.FleetEntry{Labels: labels, NetworkID: nwid, MemberID: bus, OverlayIP: ip}
	}
	path := fl.fleetPath()
	steps := []struct {
		name, verb, ip string
		msg            string // the fleet line; "" for none
		want           cluster.FleetEntry
	}{
		{"add keeps the recorded address", "add", "10.147.15.30", "", entry("10.147.15.17")},
		{"rm of the recorded address takes the next", "rm", "10.147.15.17", "✓ Changed the overlay IP of context bus-17 from 10.147.15.17 to 10.147.15.30 in " + path + " (the member's first address)\n", entry("10.147.15.30")},
		{"rm of the last address clears it", "rm", "10.147.15.30", "✓ Cleared the overlay IP 10.147.15.30 of context bus-17 in " + path + " (member " + bus + " has no address left)\n", entry("")},
		{"add to an entry without one records it", "add", "10.147.15.40", "✓ Recorded overlay IP 10.147.15.40 for context bus-17 in " + path + "\n", entry("10.147.15.40")},
	}
	for _, s := range steps {
		if s.name == "rm of the last address clears it" {
			// No pool to hand the node an address again: the last may go.
			if _, err := fl.controller(t).UpdateNetwork(context.Background(), nwid, netoverlay.NetworkConfig{IPAssignmentPools: &[]netoverlay.Pool{}}); err != nil {
				t.Fatal(err)
			}
		}
		r := must(t, fl.ctl(t, false, "ip", s.verb, nwid, bus, s.ip))
		if _, fleetLine, _ := strings.Cut(r.err, "\n"); fleetLine != s.msg {
			t.Errorf("%s: fleet line %q, want %q (stderr %q)", s.name, fleetLine, s.msg, r.err)
		}
		got := fl.fleetEntries(t)
		if diff := cmp.Diff(s.want, got["bus-17"]); diff != "" {
			t.Errorf("%s: bus-17 (-want +got):\n%s", s.name, diff)
		}
		if diff := cmp.Diff(depot, got["depot"]); diff != "" {
			t.Errorf("%s: depot, on another network (-want +got):\n%s", s.name, diff)
		}
	}
}

// TestNetIPRmFleetUnwritable: the address is removed on the controller,
// the fleet file cannot follow: exit 1, saying both, naming the file and
// how to record the member again.
func TestNetIPRmFleetUnwritable(t *testing.T) {
	fl, nwid, bus, _ := fleetOnDeleted(t)
	must(t, fl.ctl(t, false, "ip", "add", nwid, bus, "10.147.15.30"))
	fl.breakFleetWrites(t)
	r := fl.ctl(t, false, "ip", "rm", nwid, bus, "10.147.15.17")
	want := "✓ Removed 10.147.15.17 from member " + bus + " of network " + nwid + " (addresses now 10.147.15.30)\n" +
		"error: 10.147.15.17 removed from member " + bus + " of network " + nwid + ", but the fleet file was not updated: back up " + fl.fleetPath() + ": "
	if r.code != 1 || !strings.HasPrefix(r.err, want) || !strings.HasSuffix(r.err, " (fix it, then record the member again with 'fogctl net authorize "+nwid+" "+bus+" --context CONTEXT')\n") {
		t.Errorf("exit %d stderr %q, want 1 and %q...", r.code, r.err, want)
	}
	if l := must(t, fl.ctl(t, false, "ip", "list", nwid, bus)); l.out != "10.147.15.30\t10.147.15.0/24\tyes\n" {
		t.Errorf("addresses after: %q", l.out)
	}
	if got := fl.fleetEntries(t)["bus-17"].OverlayIP; got != "10.147.15.17" {
		t.Errorf("fleet overlay IP %q, want it unchanged", got)
	}
}

// TestNetAuthorizeIPFollowsFleet: a fixed --ip replaces the member's
// addresses. fogctl names those it replaced, and the overlay IP the
// fleet file records for the member follows (the member's first
// address), as after ip add and ip rm; it stayed at the replaced address
// before, so ctx list showed an address the member no longer had.
func TestNetAuthorizeIPFollowsFleet(t *testing.T) {
	fl, nwid, bus, _ := scenario(t)
	path := fl.fleetPath()
	steps := []struct {
		args    []string
		wantErr string
		wantIPs []string
		wantIP  string // the fleet's overlay IP of bus-18
	}{{
		args: []string{"--ip", "10.147.15.7", "--context", "bus-18"},
		wantErr: "✓ Authorized member " + bus + " on network " + nwid + " with 10.147.15.7, replacing 10.147.15.17 (a fixed --ip replaces the member's addresses; 'fogctl net ip add' adds one)\n" +
			"✓ Recorded member " + bus + " for context bus-18 in " + path + "\n",
		wantIPs: []string{"10.147.15.7"},
		wantIP:  "10.147.15.7",
	}, {
		args: []string{"--ip", "10.147.15.9"},
		wantErr: "✓ Authorized member " + bus + " on network " + nwid + " with 10.147.15.9, replacing 10.147.15.7 (a fixed --ip replaces the member's addresses; 'fogctl net ip add' adds one)\n" +
			"✓ Changed the overlay IP of context bus-18 from 10.147.15.7 to 10.147.15.9 in " + path + " (the member's first address)\n",
		wantIPs: []string{"10.147.15.9"},
		wantIP:  "10.147.15.9",
	}, {
		// auto keeps the address it has in a pool: nothing replaced.
		args:    []string{"--ip", "auto"},
		wantErr: "✓ Authorized member " + bus + " on network " + nwid + " with 10.147.15.9\n",
		wantIPs: []string{"10.147.15.9"},
		wantIP:  "10.147.15.9",
	}, {
		// The same address again: nothing replaced, nothing to follow.
		args:    []string{"--ip", "10.147.15.9"},
		wantErr: "✓ Authorized member " + bus + " on network " + nwid + " with 10.147.15.9\n",
		wantIPs: []string{"10.147.15.9"},
		wantIP:  "10.147.15.9",
	}}
	for _, s := range steps {
		r := must(t, fl.ctl(t, false, append([]string{"authorize", nwid, bus}, s.args...)...))
		if r.err != s.wantErr {
			t.Errorf("authorize %v: stderr\n%s\nwant\n%s", s.args, r.err, s.wantErr)
		}
		m, err := fl.controller(t).Member(context.Background(), nwid, bus)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(s.wantIPs, m.IPAssignments); diff != "" {
			t.Errorf("authorize %v: member's addresses (-want +got):\n%s", s.args, diff)
		}
		if got := fl.fleetEntries(t)["bus-18"]; got.OverlayIP != s.wantIP || got.MemberID != bus || got.NetworkID != nwid {
			t.Errorf("authorize %v: fleet entry %+v, want overlay IP %s", s.args, got, s.wantIP)
		}
	}
}

// TestNetAuthorizeUnknownContext: --context must name a context of the
// kubeconfig, since the fleet file is keyed by it and ctx commands know
// no other name. An unknown one is refused (exit 1) naming the kubeconfig
// and its contexts, before anything is sent: the member stays pending
// and the fleet file is not made.
func TestNetAuthorizeUnknownContext(t *testing.T) {
	fl, nwid, _, pending := scenario(t)
	before := fl.fog.Requests()
	r := fl.ctl(t, false, "authorize", nwid, pending, "--ip", "auto", "--context", "nosuch")
	want := "error: --context nosuch: no context named \"nosuch\" in the kubeconfig (" + os.Getenv("KUBECONFIG") + "; it has bus-17, bus-18, depot): add the cluster first ('fogctl ctx list' shows them), or leave out --context; nothing was changed\n"
	if r.code != 1 || r.err != want {
		t.Errorf("exit %d stderr\n%s\nwant 1 and\n%s", r.code, r.err, want)
	}
	if n := fl.fog.Requests() - before; n != 0 {
		t.Errorf("%d requests sent, want none", n)
	}
	m, err := fl.controller(t).Member(context.Background(), nwid, pending)
	if err != nil {
		t.Fatal(err)
	}
	if m.Authorized || len(m.IPAssignments) != 0 {
		t.Errorf("member after the refusal: authorized %v, addresses %v", m.Authorized, m.IPAssignments)
	}
	if _, err := os.Stat(fl.fleetPath()); !os.IsNotExist(err) {
		t.Errorf("fleet file: %v, want none", err)
	}
	// --kubeconfig is honoured too.
	other := writeKubeconfig(t, t.TempDir(), "nosuch")
	must(t, fl.ctl(t, false, "authorize", nwid, pending, "--ip", "auto", "--context", "nosuch", "--kubeconfig", other))
}

// TestNetAuthorizeContextTwice: recording a member already recorded for
// another context warns, naming it: one node under two names.
func TestNetAuthorizeContextTwice(t *testing.T) {
	fl, nwid, bus, _ := scenario(t)
	must(t, fl.ctl(t, false, "authorize", nwid, bus, "--context", "bus-17"))
	r := must(t, fl.ctl(t, false, "authorize", nwid, bus, "--context", "bus-18"))
	want := "! Member " + bus + " of network " + nwid + " is also recorded for context bus-17: one node under two names (if the other is wrong, remove its networkId, memberId and overlayIP from " + fl.fleetPath() + ")\n"
	if !strings.HasSuffix(r.err, want) {
		t.Errorf("stderr\n%s\nwant it to end with\n%s", r.err, want)
	}
	// One context alone is no warning.
	must(t, fl.ctl(t, false, "authorize", nwid, bus, "--context", "depot"))
	fl.writeFleet(t, "contexts:\n  bus-18:\n    networkId: "+nwid+"\n    memberId: "+bus+"\n")
	if r := must(t, fl.ctl(t, false, "authorize", nwid, bus, "--context", "bus-18")); strings.Contains(r.err, "also recorded") {
		t.Errorf("warned with no other context recording the member: %q", r.err)
	}
}
