package netcmd_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fogctl/fogctl/internal/golden"
	"github.com/fogctl/fogctl/netoverlay"
	"github.com/google/go-cmp/cmp"
	"go.yaml.in/yaml/v3"
)

// scenario: the fleet network, the bus joined and authorized with
// 10.147.15.17, a second bus joined and pending.
func scenario(t *testing.T) (fl *fleet, nwid, bus, pending string) {
	fl = newFleet(t)
	nwid = fl.network(t)
	bus = fl.joinBus(t, nwid)
	must(t, fl.ctl(t, false, "authorize", nwid, bus, "--ip", "10.147.15.17"))
	other := fl.world.NewNode(ztfakeOptions("bus-18"))
	srv := serve(t, other)
	pending = strings.TrimSpace(must(t, fl.run(t, false, "net", "join", nwid, "--zt-url", srv.URL, "--token-file", srv.TokenFile)).out)
	return fl, nwid, bus, pending
}

func TestNetCreate(t *testing.T) {
	both(t, func(t *testing.T, tty bool, _ string) {
		fl := newFleet(t)
		r := must(t, fl.ctl(t, tty, "create", "fleet", "--cidr", "10.147.15.0/24"))
		nwid := strings.TrimSpace(r.out)
		if len(nwid) != 16 || !strings.HasPrefix(nwid, fl.fog.Address()) {
			t.Errorf("stdout %q, want the new network id", r.out)
		}
		want := "✓ Created private network \"fleet\" (" + nwid + ") with 10.147.15.0/24\n"
		if r.err != want {
			t.Errorf("stderr %q, want %q", r.err, want)
		}
	})
}

func TestNetCreateJSONFieldNames(t *testing.T) {
	fl := newFleet(t)
	r := must(t, fl.ctl(t, false, "create", "fleet", "--cidr", "10.147.15.0/24", "--private=false", "-o", "json"))
	var got map[string]any
	if err := json.Unmarshal([]byte(r.out), &got); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{
		"id": got["id"], "name": "fleet", "private": false, "assignIPv4": true,
		"pools":   []any{map[string]any{"ipRangeStart": "10.147.15.1", "ipRangeEnd": "10.147.15.254"}},
		"routes":  []any{map[string]any{"target": "10.147.15.0/24"}},
		"created": "2026-11-23T10:00:00Z", "revision": float64(1), "members": float64(0),
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestNetList(t *testing.T) {
	both(t, func(t *testing.T, tty bool, suffix string) {
		fl, _, _, _ := scenario(t)
		must(t, fl.ctl(t, false, "create", "depot", "--cidr", "10.147.16.0/24", "--private=false"))
		r := must(t, fl.ctl(t, tty, "list"))
		golden.Assert(t, "TestNetList"+suffix, r.out+r.err)
	})
}

func TestNetShow(t *testing.T) {
	both(t, func(t *testing.T, tty bool, suffix string) {
		fl, nwid, _, _ := scenario(t)
		r := must(t, fl.ctl(t, tty, "show", nwid))
		golden.Assert(t, "TestNetShow"+suffix, r.out+r.err)
	})
}

func TestNetMembers(t *testing.T) {
	both(t, func(t *testing.T, tty bool, suffix string) {
		fl, nwid, _, _ := scenario(t)
		all := must(t, fl.ctl(t, tty, "members", nwid))
		pend := must(t, fl.ctl(t, tty, "members", nwid, "--pending"))
		golden.Assert(t, "TestNetMembers"+suffix, all.out+all.err+"--- --pending\n"+pend.out+pend.err)
	})
}

func TestNetMembersJSONFieldNames(t *testing.T) {
	fl, nwid, bus, pending := scenario(t)
	r := must(t, fl.ctl(t, false, "members", nwid, "-o", "json"))
	var got []map[string]any
	if err := json.Unmarshal([]byte(r.out), &got); err != nil {
		t.Fatal(err)
	}
	byID := map[string]map[string]any{}
	for _, m := range got {
		byID[m["id"].(string)] = m
	}
	want := map[string]any{"id": bus, "networkId": nwid, "status": "authorized", "authorized": true, "ips": []any{"10.147.15.17"}, "version": "1.14.1", "created": "2026-11-23T10:00:00Z"}
	if diff := cmp.Diff(want, byID[bus]); diff != "" {
		t.Errorf("authorized member (-want +got):\n%s", diff)
	}
	if byID[pending]["status"] != "pending" {
		t.Errorf("pending member: %v", byID[pending])
	}
	y := must(t, fl.ctl(t, false, "members", nwid, "--pending", "-o", "yaml"))
	var ys []map[string]any
	if err := yaml.Unmarshal([]byte(y.out), &ys); err != nil || len(ys) != 1 || ys[0]["id"] != pending || ys[0]["status"] != "pending" {
		t.Errorf("yaml --pending: %v\n%s", err, y.out)
	}
}

func TestNetStatus(t *testing.T) {
	both(t, func(t *testing.T, tty bool, suffix string) {
		fl, _, _, _ := scenario(t)
		r := must(t, fl.node(t, tty, "status"))
		golden.Assert(t, "TestNetStatus"+suffix, r.out+r.err)
	})
}

func TestNetStatusJSON(t *testing.T) {
	fl, nwid, bus, _ := scenario(t)
	r := must(t, fl.node(t, false, "status", "-o", "json"))
	var got map[string]any
	if err := json.Unmarshal([]byte(r.out), &got); err != nil {
		t.Fatal(err)
	}
	nets := got["networks"].([]any)
	n := nets[0].(map[string]any)
	if got["address"] != bus || n["id"] != nwid || n["status"] != "OK" || !cmp.Equal(n["addresses"], []any{"10.147.15.17/24"}) || n["type"] != "PRIVATE" || !strings.HasPrefix(n["device"].(string), "zt") {
		t.Errorf("status json: %s", r.out)
	}
}

func TestNetPoolAddRm(t *testing.T) {
	fl := newFleet(t)
	nwid := strings.TrimSpace(must(t, fl.ctl(t, false, "create", "fleet")).out)
	r := must(t, fl.ctl(t, false, "pool", "add", nwid, "10.147.15.0/24"))
	if want := "✓ Added 10.147.15.0/24 to network " + nwid + " (pool 10.147.15.1-10.147.15.254, route 10.147.15.0/24)\n"; r.err != want {
		t.Errorf("add: %q", r.err)
	}
	if r := fl.ctl(t, false, "pool", "add", nwid, "10.147.15.0/25"); r.code != 2 || !strings.Contains(r.err, "overlapping") {
		t.Errorf("overlapping: %d %q", r.code, r.err)
	}
	must(t, fl.ctl(t, false, "pool", "rm", nwid, "10.147.15.0/24"))
	show := must(t, fl.ctl(t, false, "show", nwid, "-o", "json"))
	if !strings.Contains(show.out, `"pools": []`) || !strings.Contains(show.out, `"routes": []`) {
		t.Errorf("after rm:\n%s", show.out)
	}
	if r := fl.ctl(t, false, "pool", "rm", nwid, "10.147.15.0/24"); r.code != 2 || !strings.Contains(r.err, "has no pool or route for 10.147.15.0/24") {
		t.Errorf("rm absent: %d %q", r.code, r.err)
	}
}

func TestNetAuthorizeFixedAutoAndContext(t *testing.T) {
	fl := newFleet(t)
	nwid := fl.network(t)
	bus := fl.joinBus(t, nwid)
	other := serve(t, fl.world.NewNode(ztfakeOptions("bus-18")))
	bus18 := strings.TrimSpace(must(t, fl.run(t, false, "net", "join", nwid, "--zt-url", other.URL, "--token-file", other.TokenFile)).out)

	r := must(t, fl.ctl(t, false, "authorize", nwid, bus, "--ip", "10.147.15.1", "--context", "bus-17"))
	if r.out != "10.147.15.1\n" || !strings.Contains(r.err, "✓ Authorized member "+bus+" on network "+nwid+" with 10.147.15.1\n") {
		t.Errorf("fixed: %q %q", r.out, r.err)
	}
	// auto skips 10.147.15.1, held by bus-17.
	r = must(t, fl.ctl(t, false, "authorize", nwid, bus18, "--ip", "auto", "--context", "bus-18"))
	if r.out != "10.147.15.2\n" {
		t.Errorf("auto: %q", r.out)
	}
	data, err := os.ReadFile(filepath.Join(fl.configDir, "fleet.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"bus-17:", "memberId: " + bus, "overlayIP: 10.147.15.1", "networkId: " + nwid, "bus-18:", "overlayIP: 10.147.15.2"} {
		if !strings.Contains(string(data), want) {
			t.Errorf("fleet file lacks %q:\n%s", want, data)
		}
	}
	if info, _ := os.Stat(filepath.Join(fl.configDir, "fleet.yaml")); info.Mode().Perm() != 0o600 {
		t.Errorf("fleet file mode %v", info.Mode())
	}
	d := must(t, fl.ctl(t, false, "deauthorize", nwid, bus))
	if !strings.Contains(d.err, "next configuration refresh (up to 60s) and keeps its address until then") {
		t.Errorf("deauthorize must say it is not pushed: %q", d.err)
	}
	// Not pushed: the node still shows OK until its refresh.
	if s := must(t, fl.node(t, false, "status")); !strings.Contains(s.out, "\tOK\t") {
		t.Errorf("right after deauthorize: %q", s.out)
	}
}

func TestNetJoinLeave(t *testing.T) {
	fl := newFleet(t)
	nwid := fl.network(t)
	r := must(t, fl.node(t, false, "join", nwid, "--context", "bus-17"))
	if r.out != fl.bus.Address()+"\n" {
		t.Errorf("join stdout %q, want the member id", r.out)
	}
	for _, want := range []string{"✓ Joined network " + nwid + " as member " + fl.bus.Address() + " (status REQUESTING_CONFIGURATION, device zt", "fogctl net authorize " + nwid + " " + fl.bus.Address() + " --ip auto"} {
		if !strings.Contains(r.err, want) {
			t.Errorf("join stderr %q lacks %q", r.err, want)
		}
	}
	p := must(t, fl.ctl(t, false, "members", nwid, "--pending"))
	if !strings.HasPrefix(p.out, fl.bus.Address()+"\tpending\t") {
		t.Errorf("the joined node is not pending: %q", p.out)
	}
	l := must(t, fl.node(t, false, "leave", nwid))
	if l.err != "✓ Left network "+nwid+"\n" {
		t.Errorf("leave: %q", l.err)
	}
	if r := fl.node(t, false, "leave", nwid); r.code != 1 || !strings.Contains(r.err, "this node has not joined it") {
		t.Errorf("second leave: %d %q", r.code, r.err)
	}
}

func TestNetWait(t *testing.T) {
	fl := newFleet(t)
	nwid := fl.network(t)
	bus := fl.joinBus(t, nwid)
	t.Run("times out naming ACCESS_DENIED", func(t *testing.T) {
		r := fl.node(t, false, "wait", nwid, "--timeout", "300ms", "--interval", "20ms")
		if r.code != 1 || r.out != "" || !strings.Contains(r.err, "network "+nwid+" not ready after 300ms: status ACCESS_DENIED: the node is not authorized") {
			t.Errorf("%d %q %q", r.code, r.out, r.err)
		}
	})
	t.Run("returns the address once authorized", func(t *testing.T) {
		must(t, fl.ctl(t, false, "authorize", nwid, bus, "--ip", "10.147.15.9"))
		r := must(t, fl.node(t, false, "wait", nwid, "--timeout", "5s", "--context", "bus-17"))
		if r.out != "10.147.15.9\n" {
			t.Errorf("stdout %q", r.out)
		}
	})
	t.Run("not joined fails at once", func(t *testing.T) {
		other := fl.bus.Address() + "000000"
		r := fl.node(t, false, "wait", other, "--timeout", "1m")
		if r.code != 1 || !strings.Contains(r.err, "this node has not joined network "+other) {
			t.Errorf("%d %q", r.code, r.err)
		}
	})
}

// TestNetWaitPollsUntilAuthorized authorizes the bus from inside the
// bus's service on its third network read: wait must see ACCESS_DENIED,
// keep polling, and return the address once the node shows OK.
func TestNetWaitPollsUntilAuthorized(t *testing.T) {
	fl := newFleet(t)
	nwid := fl.network(t)
	bus := fl.joinBus(t, nwid)
	reads := 0
	var authErr error
	wrapped := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == "GET" && r.URL.Path == "/network/"+nwid {
			reads++
			if reads == 3 {
				c, err := netoverlay.New(&http.Client{}, fl.fog.URL, netoverlay.NewToken(fl.fog.Token()))
				if err == nil {
					_, err = c.Authorize(r.Context(), nwid, bus, "10.147.15.33")
				}
				authErr = err
			}
		}
		fl.bus.Node.ServeHTTP(w, r)
	}))
	defer wrapped.Close()
	r := must(t, fl.run(t, false, "net", "wait", nwid, "--zt-url", wrapped.URL, "--token-file", fl.bus.TokenFile, "--interval", "10ms", "--timeout", "10s"))
	if authErr != nil {
		t.Fatal(authErr)
	}
	if r.out != "10.147.15.33\n" || reads != 3 {
		t.Errorf("stdout %q after %d reads, want 10.147.15.33 after 3", r.out, reads)
	}
}

// TestNetUpperCaseIDs: network and member ids are hex, so upper case is
// the same id: accepted and used (and printed) in lower case, as ZeroTier
// writes them. Before, every command refused it with exit 2.
func TestNetUpperCaseIDs(t *testing.T) {
	fl, nwid, bus, pending := scenario(t)
	N, B, P := strings.ToUpper(nwid), strings.ToUpper(bus), strings.ToUpper(pending)
	r := must(t, fl.ctl(t, false, "ip", "add", N, B, "10.147.15.30"))
	if want := "✓ Added 10.147.15.30 to member " + bus + " of network " + nwid + " (addresses now 10.147.15.17, 10.147.15.30)\n"; r.err != want {
		t.Errorf("ip add: stderr %q, want %q", r.err, want)
	}
	r = must(t, fl.ctl(t, false, "authorize", N, P, "--ip", "auto"))
	if !strings.Contains(r.err, "✓ Authorized member "+pending+" on network "+nwid+" with ") {
		t.Errorf("authorize: stderr %q", r.err)
	}
	must(t, fl.ctl(t, false, "show", N))
	if r := must(t, fl.ctl(t, false, "members", N)); !strings.Contains(r.out, bus) || !strings.Contains(r.out, pending) {
		t.Errorf("members: %q", r.out)
	}
	if r := must(t, fl.ctl(t, false, "ip", "list", N, B)); r.out != "10.147.15.17\t10.147.15.0/24\tyes\n10.147.15.30\t10.147.15.0/24\tyes\n" {
		t.Errorf("ip list: %q", r.out)
	}
	must(t, fl.ctl(t, false, "pool", "add", N, "10.147.16.0/24"))
	// Not hex in either case: refused, quoted as typed.
	if r := fl.ctl(t, false, "show", "8056C2E21C00000G"); r.code != 2 || !strings.Contains(r.err, `"8056C2E21C00000G"`) {
		t.Errorf("show of a non-hex id: exit %d %q", r.code, r.err)
	}
}

// TestNetPlainOutputEscapesControlCharacters: a network name holding a
// newline, a tab or an escape sequence split its tab-separated net list
// line (and reached the terminal as it was). Plain output now quotes such
// a cell as a Go string; -o json keeps the name as it is.
func TestNetPlainOutputEscapesControlCharacters(t *testing.T) {
	fl := newFleet(t)
	name := "fleet\nbus-18\tx\x1b[31m"
	nwid := strings.TrimSpace(must(t, fl.ctl(t, false, "create", name, "--cidr", "10.147.15.0/24")).out)
	quoted := `"fleet\nbus-18\tx\x1b[31m"`
	r := must(t, fl.ctl(t, false, "list"))
	if lines := strings.Split(strings.TrimSuffix(r.out, "\n"), "\n"); len(lines) != 1 || len(strings.Split(lines[0], "\t")) != 6 || strings.Split(lines[0], "\t")[1] != quoted {
		t.Errorf("net list: %q, want one line of 6 fields with the name %s", r.out, quoted)
	}
	if r := must(t, fl.ctl(t, true, "show", nwid)); !strings.Contains(r.out, "Name:             "+quoted+"\n") || strings.Contains(r.out, "\x1b") {
		t.Errorf("net show:\n%s", r.out)
	}
	fl.joinBus(t, nwid)
	if r := must(t, fl.node(t, false, "status")); strings.Count(r.out, "\n") != 1 || !strings.Contains(r.out, "\t"+quoted+"\t") {
		// The node shows the name once it has a configuration: at first
		// it has none, so "-" is fine too.
		if !strings.Contains(r.out, "\t-\t") {
			t.Errorf("net status: %q", r.out)
		}
	}
	var got []map[string]any
	if err := json.Unmarshal([]byte(must(t, fl.ctl(t, false, "list", "-o", "json")).out), &got); err != nil || len(got) != 1 || got[0]["name"] != name {
		t.Errorf("-o json: %v %v", got, err)
	}
}

// TestNetDefaultRouteIsNoPool: 0.0.0.0/0 or ::/0 as a network's range was
// accepted without a word. It cannot work as a pool (the controller
// assigns nothing from a pool whose route is /0) and its route would
// carry all the traffic of nodes that accept a default route: refused,
// exit 2, before anything is sent. pool rm still takes one, to remove it
// if it was added elsewhere.
func TestNetDefaultRouteIsNoPool(t *testing.T) {
	fl := newFleet(t)
	nwid := fl.network(t)
	before := fl.fog.Requests()
	for _, args := range [][]string{
		{"create", "everything", "--cidr", "0.0.0.0/0"},
		{"create", "everything", "--cidr", "10.147.16.0/24", "--cidr", "::/0"},
		{"pool", "add", nwid, "0.0.0.0/0"},
	} {
		r := fl.ctl(t, false, args...)
		if r.code != 2 || !strings.Contains(r.err, "is the default route, not an address range: the controller hands out no address from a pool whose route is /0") {
			t.Errorf("%v: exit %d %q, want 2 and the default route refused", args, r.code, r.err)
		}
	}
	if n := fl.fog.Requests() - before; n != 0 {
		t.Errorf("%d requests sent, want none", n)
	}
	if r := fl.ctl(t, false, "pool", "rm", nwid, "0.0.0.0/0"); r.code != 2 || !strings.Contains(r.err, "has no pool or route for 0.0.0.0/0") {
		t.Errorf("pool rm 0.0.0.0/0: exit %d %q, want it looked for on the network", r.code, r.err)
	}
}
