package netcmd_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/fogctl/fogctl/internal/golden"
	"github.com/fogctl/fogctl/netoverlay"
	"github.com/google/go-cmp/cmp"
)

// controller is a netoverlay client of the fog server, for set-ups the
// commands under test do not make.
func (fl *fleet) controller(t *testing.T) *netoverlay.Client {
	t.Helper()
	c, err := netoverlay.New(&http.Client{}, fl.fog.URL, netoverlay.NewToken(fl.fog.Token()))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// post sends a raw member change, as another tool could have made it.
func (fl *fleet) post(t *testing.T, path, body string) {
	t.Helper()
	req, err := http.NewRequest("POST", fl.fog.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("X-ZT1-Auth", fl.fog.Token())
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("POST %s: %d", path, resp.StatusCode)
	}
}

// TestNetIPList lists the bus's addresses: one in the pool, one in a
// route without a pool, one another tool set outside every route.
func TestNetIPList(t *testing.T) {
	both(t, func(t *testing.T, tty bool, suffix string) {
		fl, nwid, bus, _ := scenario(t)
		routes := []netoverlay.Route{{Target: "10.147.15.0/24"}, {Target: "10.148.0.0/16"}}
		if _, err := fl.controller(t).UpdateNetwork(context.Background(), nwid, netoverlay.NetworkConfig{Routes: &routes}); err != nil {
			t.Fatal(err)
		}
		must(t, fl.ctl(t, false, "ip", "add", nwid, bus, "10.148.0.9"))
		fl.post(t, "/controller/network/"+nwid+"/member/"+bus, `{"ipAssignments":["10.147.15.17","10.148.0.9","10.99.0.1"]}`)
		r := must(t, fl.ctl(t, tty, "ip", "list", nwid, bus))
		golden.Assert(t, "TestNetIPList"+suffix, r.out+r.err)
	})
}

func TestNetIPListJSONFieldNames(t *testing.T) {
	fl, nwid, bus, pending := scenario(t)
	r := must(t, fl.ctl(t, false, "ip", "list", nwid, bus, "-o", "json"))
	var got []map[string]any
	if err := json.Unmarshal([]byte(r.out), &got); err != nil {
		t.Fatal(err)
	}
	want := []map[string]any{{"address": "10.147.15.17", "route": "10.147.15.0/24", "inPool": true}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	// No addresses: an empty list, not null; nothing on a pipe.
	if e := must(t, fl.ctl(t, false, "ip", "list", nwid, pending, "-o", "json")); strings.TrimSpace(e.out) != "[]" {
		t.Errorf("empty -o json: %q", e.out)
	}
	if e := must(t, fl.ctl(t, false, "ip", "list", nwid, pending)); e.out != "" || e.err != "" {
		t.Errorf("empty, piped: %q %q", e.out, e.err)
	}
	if e := must(t, fl.ctl(t, true, "ip", "list", nwid, pending)); e.err != "No addresses for member "+pending+" of network "+nwid+" (add one with 'fogctl net ip add "+nwid+" "+pending+" IP')\n" {
		t.Errorf("empty, on a terminal: %q", e.err)
	}
}

func TestNetIPAddRm(t *testing.T) {
	both(t, func(t *testing.T, tty bool, _ string) {
		fl, nwid, bus, _ := scenario(t)
		r := must(t, fl.ctl(t, tty, "ip", "add", nwid, bus, "10.147.15.30"))
		if want := "✓ Added 10.147.15.30 to member " + bus + " of network " + nwid + " (addresses now 10.147.15.17, 10.147.15.30)\n"; r.out != "" || r.err != want {
			t.Errorf("add: stdout %q stderr %q, want %q", r.out, r.err, want)
		}
		// The controller pushes the change to the authorized node.
		if s := must(t, fl.node(t, false, "status")); !strings.Contains(s.out, "10.147.15.17/24,10.147.15.30/24") {
			t.Errorf("the bus after add: %q", s.out)
		}
		r = must(t, fl.ctl(t, tty, "ip", "rm", nwid, bus, "10.147.15.17"))
		if want := "✓ Removed 10.147.15.17 from member " + bus + " of network " + nwid + " (addresses now 10.147.15.30)\n"; r.out != "" || r.err != want {
			t.Errorf("rm: stdout %q stderr %q, want %q", r.out, r.err, want)
		}
		if s := must(t, fl.node(t, false, "status")); !strings.Contains(s.out, "\t10.147.15.30/24") || strings.Contains(s.out, "10.147.15.17") {
			t.Errorf("the bus after rm: %q", s.out)
		}
	})
}

func TestNetIPAddToAPendingMemberSaysWhenItTakesEffect(t *testing.T) {
	fl, nwid, _, pending := scenario(t)
	r := must(t, fl.ctl(t, false, "ip", "add", nwid, pending, "10.147.15.40"))
	want := "✓ Added 10.147.15.40 to member " + pending + " of network " + nwid + " (addresses now 10.147.15.40)\n" +
		"! Member " + pending + " is pending: its node gets the address once authorized ('fogctl net authorize " + nwid + " " + pending + "')\n"
	if r.err != want {
		t.Errorf("stderr %q, want %q", r.err, want)
	}
	// -o json prints the member record, as authorize does.
	j := must(t, fl.ctl(t, false, "ip", "add", nwid, pending, "10.147.15.41", "-o", "json"))
	var m map[string]any
	if err := json.Unmarshal([]byte(j.out), &m); err != nil || m["id"] != pending || m["status"] != "pending" || !cmp.Equal(m["ips"], []any{"10.147.15.40", "10.147.15.41"}) {
		t.Errorf("add -o json: %v %s", err, j.out)
	}
}

func TestNetIPRefusals(t *testing.T) {
	fl, nwid, bus, pending := scenario(t)
	must(t, fl.ctl(t, false, "ip", "add", nwid, pending, "10.147.15.40"))
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"ip", "add", nwid, bus, "10.147.15.17"}, "member " + bus + " of network " + nwid + " already has address 10.147.15.17"},
		{[]string{"ip", "add", nwid, bus, "10.147.15.40"}, "address 10.147.15.40 is already assigned to member " + pending + " of network " + nwid},
		{[]string{"ip", "add", nwid, bus, "10.147.16.1"}, "address 10.147.16.1 is outside every route of network " + nwid + " (10.147.15.0/24): the controller would store it but never send it to the node (add its range with 'fogctl net pool add " + nwid + " CIDR')"},
		{[]string{"ip", "add", nwid, bus, "10.147.15.255"}, "address 10.147.15.255 is the broadcast address of 10.147.15.0/24"},
		{[]string{"ip", "rm", nwid, bus, "10.147.15.18"}, "member " + bus + " of network " + nwid + " has no address 10.147.15.18 (its addresses: 10.147.15.17)"},
		{[]string{"ip", "rm", nwid, bus, "10.147.15.17"}, "10.147.15.17 is the last IPv4 address of member " + bus + ", and network " + nwid + " assigns addresses itself: the controller would give the node one from the pools again at its next request; add the new address first ('fogctl net ip add " + nwid + " " + bus + " IP'), or withdraw the member with 'fogctl net deauthorize " + nwid + " " + bus + "'"},
	} {
		t.Run(strings.Join(tc.args[:2], " ")+" "+tc.args[4], func(t *testing.T) {
			r := fl.ctl(t, false, tc.args...)
			if r.code != 2 || r.err != "error: "+tc.want+"\n" || r.out != "" {
				t.Errorf("exit %d stderr %q, want 2 and %q", r.code, r.err, tc.want)
			}
		})
	}
	// Nothing changed.
	l := must(t, fl.ctl(t, false, "ip", "list", nwid, bus))
	if l.out != "10.147.15.17\t10.147.15.0/24\tyes\n" {
		t.Errorf("after the refusals: %q", l.out)
	}
}

// TestNetIPAddSaysWhatTheControllerDropped puts a proxy between fogctl
// and the controller that turns the address into one the controller
// cannot parse: it answers 200 and drops it, as the real one does, and
// fogctl must say the change was not stored.
func TestNetIPAddSaysWhatTheControllerDropped(t *testing.T) {
	fl, nwid, bus, _ := scenario(t)
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		body = []byte(strings.ReplaceAll(string(body), `"10.147.15.30"`, `"10.147.15.300"`))
		r.Body = io.NopCloser(strings.NewReader(string(body)))
		r.ContentLength = int64(len(body))
		fl.fog.Node.ServeHTTP(w, r)
	}))
	defer proxy.Close()
	r := fl.run(t, false, "net", "ip", "add", nwid, bus, "10.147.15.30", "--zt-url", proxy.URL, "--token-file", fl.fog.TokenFile)
	want := "error: member " + bus + " of network " + nwid + ": the controller answered 200 but stored ipAssignments [10.147.15.17], not [10.147.15.17 10.147.15.30] as sent: the controller silently dropped or changed part of the change, or another client changed the member meanwhile\n"
	if r.code != 1 || r.err != want {
		t.Errorf("exit %d stderr %q, want 1 and %q", r.code, r.err, want)
	}
}

func TestNetIPCompletion(t *testing.T) {
	fl, nwid, bus, pending := scenario(t)
	flags := []string{"--zt-url", fl.fog.URL, "--token-file", fl.fog.TokenFile}
	complete := func(args ...string) string {
		t.Helper()
		return must(t, fl.run(t, false, append(append([]string{"__complete", "net"}, flags...), args...)...)).out
	}
	if out := complete("ip", "rm", nwid, ""); !strings.HasPrefix(out, bus+"\tauthorized\n"+pending+"\tpending\n") {
		t.Errorf("members: %q", out)
	}
	if out := complete("ip", "rm", nwid, bus, ""); !strings.HasPrefix(out, "10.147.15.17\n") {
		t.Errorf("rm addresses: %q", out)
	}
	// 10.147.15.1 is free: the scenario fixed the bus at .17.
	if out := complete("ip", "add", nwid, bus, ""); !strings.HasPrefix(out, "10.147.15.1\tnext free address of the pools\n") {
		t.Errorf("add address: %q", out)
	}
	if out := complete("delete", ""); !strings.HasPrefix(out, nwid+"\n") {
		t.Errorf("delete: %q", out)
	}
}
