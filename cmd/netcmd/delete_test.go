package netcmd_test

import (
	"strings"
	"testing"

	"github.com/fogctl/fogctl/internal/golden"
	"github.com/fogctl/fogctl/netoverlay/ztfake"
)

// TestNetDelete deletes the scenario's network: on a terminal after a y,
// in a pipe with --yes. The network is gone from the controller and its
// nodes see NOT_FOUND at their next refresh, as the message says.
func TestNetDelete(t *testing.T) {
	both(t, func(t *testing.T, tty bool, suffix string) {
		fl, nwid, _, _ := scenario(t)
		var r result
		if tty {
			r = must(t, fl.ctlIn(t, true, "y\n", "delete", nwid))
		} else {
			r = must(t, fl.ctl(t, false, "delete", nwid, "--yes"))
		}
		golden.Assert(t, "TestNetDelete"+suffix, r.out+r.err)
		if l := must(t, fl.ctl(t, false, "list")); strings.Contains(l.out, nwid) {
			t.Errorf("still listed:\n%s", l.out)
		}
		if s := fl.ctl(t, false, "show", nwid); s.code != 1 || !strings.Contains(s.err, "network "+nwid+" not found on the controller") {
			t.Errorf("show after delete: %d %q", s.code, s.err)
		}
		fl.world.Advance(ztfake.RefreshInterval)
		if s := must(t, fl.node(t, false, "status")); !strings.Contains(s.out, nwid+"\t") || !strings.Contains(s.out, "\tNOT_FOUND\t") {
			t.Errorf("the bus after its refresh: %q, want the network joined and NOT_FOUND", s.out)
		}
	})
}

func TestNetDeleteAsksOnATerminal(t *testing.T) {
	for _, tc := range []struct {
		name, typed string
		deleted     bool
	}{
		{"y", "y\n", true},
		{"YES", "YES\n", true},
		{"n", "n\n", false},
		{"enter", "\n", false},
		{"anything else", "sure\n", false},
		{"end of input", "", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fl := newFleet(t)
			nwid := fl.network(t)
			r := fl.ctlIn(t, true, tc.typed, "delete", nwid)
			question := "? Delete network \"fleet\" (" + nwid + ") with no members? Nodes that joined it lose the overlay. [y/N] "
			if !strings.HasPrefix(r.err, question) {
				t.Errorf("stderr %q, want it to start with the question %q", r.err, question)
			}
			gone := fl.ctl(t, false, "show", nwid).code != 0
			if gone != tc.deleted {
				t.Errorf("deleted: %v, want %v (stderr %q)", gone, tc.deleted, r.err)
			}
			if tc.deleted {
				return
			}
			if r.code != 1 || !strings.HasSuffix(r.err, "error: network "+nwid+" not deleted: not confirmed\n") || r.out != "" {
				t.Errorf("exit %d stdout %q stderr %q, want 1 and 'not confirmed'", r.code, r.out, r.err)
			}
		})
	}
}

func TestNetDeleteRefusesWithoutYesWhenItCannotAsk(t *testing.T) {
	fl := newFleet(t)
	nwid := fl.network(t)
	before := fl.fog.Requests()
	// stdin holds a y, but it is not a terminal: fogctl must not read it.
	r := fl.ctlIn(t, false, "y\n", "delete", nwid)
	want := "error: refusing to delete network " + nwid + " without confirmation: fogctl cannot ask here (stdin or stdout is not a terminal); pass --yes\n"
	if r.code != 2 || !strings.HasPrefix(r.err, want) || !strings.Contains(r.err, "Usage:") || r.out != "" {
		t.Errorf("exit %d stderr %q, want 2, %q and usage", r.code, r.err, want)
	}
	if n := fl.fog.Requests() - before; n != 0 {
		t.Errorf("the controller received %d requests", n)
	}
	must(t, fl.ctl(t, false, "show", nwid))
}

func TestNetDeleteUnknownNetwork(t *testing.T) {
	fl := newFleet(t)
	unknown := fl.fog.Address() + "ffffff"
	want := "error: network " + unknown + " not found on the controller at " + fl.fog.URL + " (list them with 'fogctl net list'): not found\n"
	for _, tc := range []struct {
		name  string
		tty   bool
		args  []string
		typed string
	}{
		{"--yes", false, []string{"delete", unknown, "--yes"}, ""},
		// On a terminal the lookup comes first: no question about a
		// network that is not there.
		{"terminal", true, []string{"delete", unknown}, "y\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := fl.ctlIn(t, tc.tty, tc.typed, tc.args...)
			if r.code != 1 || r.err != want {
				t.Errorf("exit %d stderr %q, want 1 and %q", r.code, r.err, want)
			}
		})
	}
}
