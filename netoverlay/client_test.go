package netoverlay_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/fogctl/fogctl/netoverlay"
	"github.com/fogctl/fogctl/netoverlay/ztfake"
	"github.com/google/go-cmp/cmp"
)

type env struct {
	world *ztfake.World
	ctrl  *ztfake.Server
	node  *ztfake.Server
	c     *netoverlay.Client // the controller's API
	nc    *netoverlay.Client // the node's API
}

func newEnv(t *testing.T) *env {
	t.Helper()
	w := ztfake.NewWorld()
	e := &env{world: w,
		ctrl: ztfake.Serve(t, w.NewNode(ztfake.NodeOptions{Name: "fog", Controller: true})),
		node: ztfake.Serve(t, w.NewNode(ztfake.NodeOptions{Name: "bus-17"})),
	}
	e.c = client(t, e.ctrl.URL, e.ctrl.Token())
	e.nc = client(t, e.node.URL, e.node.Token())
	return e
}

func client(t *testing.T, url, token string) *netoverlay.Client {
	t.Helper()
	c, err := netoverlay.New(&http.Client{}, url, netoverlay.NewToken(token))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func (e *env) network(t *testing.T) netoverlay.Network {
	t.Helper()
	n, err := e.c.CreateNetwork(context.Background(), netoverlay.NetworkSpec{Name: "fleet", Private: true, CIDRs: []string{"10.147.15.0/24"}})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestCreateNetworkStoresPoolRouteAndAssignMode(t *testing.T) {
	e := newEnv(t)
	n := e.network(t)
	if !strings.HasPrefix(n.ID, e.ctrl.Address()) {
		t.Errorf("id %s not under controller %s", n.ID, e.ctrl.Address())
	}
	want := netoverlay.Network{ID: n.ID, Name: "fleet", Private: true, V4AssignMode: netoverlay.V4AssignMode{ZT: true},
		IPAssignmentPools: []netoverlay.Pool{{Start: "10.147.15.1", End: "10.147.15.254"}},
		Routes:            []netoverlay.Route{{Target: "10.147.15.0/24"}},
		CreationTime:      n.CreationTime, Revision: n.Revision, MTU: 2800, MulticastLimit: 32, EnableBroadcast: true}
	if diff := cmp.Diff(want, n); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestPoolAddAndRemove(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	n := e.network(t)
	got, err := e.c.AddPool(ctx, n.ID, "10.147.16.0/24")
	if err != nil {
		t.Fatal(err)
	}
	if len(got.IPAssignmentPools) != 2 || len(got.Routes) != 2 {
		t.Errorf("after add: %+v", got)
	}
	if _, err := e.c.AddPool(ctx, n.ID, "10.147.16.0/25"); err == nil || !strings.Contains(err.Error(), "overlapping") {
		t.Errorf("overlapping pool: %v", err)
	}
	got, err = e.c.RemovePool(ctx, n.ID, "10.147.15.0/24")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]netoverlay.Route{{Target: "10.147.16.0/24"}}, got.Routes); diff != "" {
		t.Errorf("routes after rm (-want +got):\n%s", diff)
	}
	if _, err := e.c.RemovePool(ctx, n.ID, "10.1.0.0/16"); err == nil {
		t.Error("removing an absent pool succeeded")
	}
}

func TestBadInputIsRefusedBeforeSending(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	n := e.network(t)
	before := e.ctrl.Requests()
	for name, call := range map[string]func() error{
		"cidr with host bits": func() error { _, err := e.c.AddPool(ctx, n.ID, "10.147.16.1/24"); return err },
		"not a cidr":          func() error { _, err := e.c.AddPool(ctx, n.ID, "10.147.16.0/33"); return err },
		"short network id":    func() error { _, err := e.c.ControllerNetwork(ctx, "8056c2e21c"); return err },
		"upper-case id":       func() error { _, err := e.c.ControllerNetwork(ctx, "8056C2E21C000001"); return err },
		"member id":           func() error { _, err := e.c.Member(ctx, n.ID, "xyz"); return err },
		"create cidr": func() error {
			_, err := e.c.CreateNetwork(ctx, netoverlay.NetworkSpec{Name: "x", CIDRs: []string{"banana"}})
			return err
		},
		"bad route": func() error {
			r := []netoverlay.Route{{Target: "10.0.0.0/33"}}
			_, err := e.c.UpdateNetwork(ctx, n.ID, netoverlay.NetworkConfig{Routes: &r})
			return err
		},
		"join id": func() error { _, err := e.nc.Join(ctx, "nothex"); return err },
	} {
		if err := call(); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
	if got := e.ctrl.Requests(); got != before {
		t.Errorf("the controller received %d requests for bad input, want 0", got-before)
	}
}

func TestAuthorizeFixedAutoAndRefusedAddresses(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	n := e.network(t)
	if _, err := e.nc.Join(ctx, n.ID); err != nil {
		t.Fatal(err)
	}
	other := ztfake.Serve(t, e.world.NewNode(ztfake.NodeOptions{Name: "bus-18"}))
	if _, err := client(t, other.URL, other.Token()).Join(ctx, n.ID); err != nil {
		t.Fatal(err)
	}
	members, err := e.c.Members(ctx, n.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(members) != 2 || !members[0].Pending() || !members[1].Pending() {
		t.Fatalf("want two pending members, got %+v", members)
	}
	m, err := e.c.Authorize(ctx, n.ID, e.node.Address(), "10.147.15.1")
	if err != nil {
		t.Fatal(err)
	}
	if !m.Authorized || !cmp.Equal(m.IPAssignments, []string{"10.147.15.1"}) {
		t.Errorf("fixed: %+v", m)
	}
	// auto skips 10.147.15.1, held by the other member.
	m2, err := e.c.Authorize(ctx, n.ID, other.Address(), netoverlay.AutoIP)
	if err != nil {
		t.Fatal(err)
	}
	if !cmp.Equal(m2.IPAssignments, []string{"10.147.15.2"}) {
		t.Errorf("auto: %v, want [10.147.15.2]", m2.IPAssignments)
	}
	for ip, want := range map[string]string{
		"10.147.16.9": "outside every route",
		"10.147.15.2": "already assigned to member " + other.Address(),
		"banana":      "not an IP address",
	} {
		if _, err := e.c.Authorize(ctx, n.ID, e.node.Address(), ip); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("ip %s: %v, want %q", ip, err, want)
		}
	}
	j, err := e.nc.Network(ctx, n.ID)
	if err != nil {
		t.Fatal(err)
	}
	if j.Status != netoverlay.StatusOK || !cmp.Equal(j.AssignedAddresses, []string{"10.147.15.1/24"}) {
		t.Errorf("node sees %s %v", j.Status, j.AssignedAddresses)
	}
	if _, err := e.c.Deauthorize(ctx, n.ID, e.node.Address()); err != nil {
		t.Fatal(err)
	}
	if m, _ := e.c.Member(ctx, n.ID, e.node.Address()); m.Authorized {
		t.Error("still authorized")
	}
}

func TestAssignRemoveIPAndDeleteMember(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	n := e.network(t)
	if _, err := e.nc.Join(ctx, n.ID); err != nil {
		t.Fatal(err)
	}
	id := e.node.Address()
	if m, err := e.c.AssignIP(ctx, n.ID, id, "10.147.15.20"); err != nil || !cmp.Equal(m.IPAssignments, []string{"10.147.15.20"}) {
		t.Fatalf("assign: %v %v", m.IPAssignments, err)
	}
	if m, err := e.c.AssignIP(ctx, n.ID, id, "10.147.15.21"); err != nil || !cmp.Equal(m.IPAssignments, []string{"10.147.15.20", "10.147.15.21"}) {
		t.Fatalf("assign a second: %v %v", m.IPAssignments, err)
	}
	if m, err := e.c.RemoveIP(ctx, n.ID, id, "10.147.15.20"); err != nil || !cmp.Equal(m.IPAssignments, []string{"10.147.15.21"}) {
		t.Fatalf("remove: %v %v", m.IPAssignments, err)
	}
	if err := e.c.DeleteMember(ctx, n.ID, id); err != nil {
		t.Fatal(err)
	}
	if _, err := e.c.Member(ctx, n.ID, id); !errors.Is(err, netoverlay.ErrNotFound) || !strings.Contains(err.Error(), "member "+id+" not found in network "+n.ID) {
		t.Errorf("deleted member: %v", err)
	}
	if err := e.c.DeleteNetwork(ctx, n.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := e.c.ControllerNetwork(ctx, n.ID); !errors.Is(err, netoverlay.ErrNotFound) || !strings.Contains(err.Error(), "network "+n.ID+" not found") {
		t.Errorf("deleted network: %v", err)
	}
	if _, err := e.c.Member(ctx, n.ID, id); err == nil || !strings.Contains(err.Error(), "network "+n.ID+" not found") {
		t.Errorf("member of deleted network names the network: %v", err)
	}
}

func TestAssignIPChecksTheAddressAgainstRoutesAndMembers(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	n := e.network(t)
	// A /16 route beside the /24 pool: addresses outside the pool but in a
	// route are fine for a static address; an IPv6 range too.
	routes := append(n.Routes, netoverlay.Route{Target: "10.148.0.0/16"}, netoverlay.Route{Target: "fd00:147::/64"})
	if _, err := e.c.UpdateNetwork(ctx, n.ID, netoverlay.NetworkConfig{Routes: &routes}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.nc.Join(ctx, n.ID); err != nil {
		t.Fatal(err)
	}
	other := ztfake.Serve(t, e.world.NewNode(ztfake.NodeOptions{Name: "bus-18"}))
	if _, err := client(t, other.URL, other.Token()).Join(ctx, n.ID); err != nil {
		t.Fatal(err)
	}
	id := e.node.Address()
	if _, err := e.c.AssignIP(ctx, n.ID, other.Address(), "10.147.15.9"); err != nil {
		t.Fatal(err)
	}
	before := e.ctrl.Requests()
	for ip, want := range map[string]string{
		"banana":        `address "banana": not an IP address`,
		"10.149.0.1":    "address 10.149.0.1 is outside every route of network " + n.ID + " (10.147.15.0/24 10.148.0.0/16 fd00:147::/64): the controller would store it but never send it to the node",
		"10.147.15.0":   "address 10.147.15.0 is the network address of 10.147.15.0/24",
		"10.147.15.255": "address 10.147.15.255 is the broadcast address of 10.147.15.0/24",
		"fd00:147::":    "address fd00:147:: is the network address of fd00:147::/64",
		"224.0.0.1":     "address 224.0.0.1: not a unicast address",
		"fe80::1%eth0":  `address "fe80::1%eth0": not an IP address`,
		"10.147.15.9":   "address 10.147.15.9 is already assigned to member " + other.Address() + " of network " + n.ID,
	} {
		if _, err := e.c.AssignIP(ctx, n.ID, id, ip); !errors.Is(err, netoverlay.ErrInvalid) || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: %v, want ErrInvalid with %q", ip, err, want)
		}
	}
	for _, ip := range []string{"10.148.3.4", "fd00:147::17", "::ffff:10.147.15.30"} {
		if _, err := e.c.AssignIP(ctx, n.ID, id, ip); err != nil {
			t.Errorf("%s: %v", ip, err)
		}
	}
	m, err := e.c.Member(ctx, n.ID, id)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"10.148.3.4", "fd00:147::17", "10.147.15.30"}, m.IPAssignments); diff != "" {
		t.Errorf("stored (-want +got):\n%s", diff)
	}
	if _, err := e.c.AssignIP(ctx, n.ID, id, "::ffff:10.147.15.30"); err == nil || !strings.Contains(err.Error(), "member "+id+" of network "+n.ID+" already has address 10.147.15.30") {
		t.Errorf("duplicate: %v", err)
	}
	// Refusals reached the controller only to read, never to write.
	if got := e.ctrl.Requests() - before; got == 0 {
		t.Error("no requests at all: the refusals were not checked against the stored network")
	}
}

func TestRemoveIPKeepsTheLastAutomaticallyAssignedAddress(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	n := e.network(t) // v4AssignMode zt
	if _, err := e.nc.Join(ctx, n.ID); err != nil {
		t.Fatal(err)
	}
	id := e.node.Address()
	if _, err := e.c.Authorize(ctx, n.ID, id, "10.147.15.17"); err != nil {
		t.Fatal(err)
	}
	if _, err := e.c.AssignIP(ctx, n.ID, id, "fd00::17"); err == nil {
		t.Error("an address outside every route was assigned")
	}
	_, err := e.c.RemoveIP(ctx, n.ID, id, "10.147.15.17")
	if !errors.Is(err, netoverlay.ErrInvalid) || !strings.Contains(err.Error(), "10.147.15.17 is the last IPv4 address of member "+id+", and network "+n.ID+" assigns addresses itself") {
		t.Errorf("last address: %v", err)
	}
	if _, err := e.c.RemoveIP(ctx, n.ID, id, "10.147.15.18"); err == nil || !strings.Contains(err.Error(), "member "+id+" of network "+n.ID+" has no address 10.147.15.18 (its addresses: 10.147.15.17)") {
		t.Errorf("absent address: %v", err)
	}
	// The replacement first, then the old one goes; the node follows.
	if _, err := e.c.AssignIP(ctx, n.ID, id, "10.147.15.18"); err != nil {
		t.Fatal(err)
	}
	if m, err := e.c.RemoveIP(ctx, n.ID, id, "10.147.15.17"); err != nil || !cmp.Equal(m.IPAssignments, []string{"10.147.15.18"}) {
		t.Fatalf("remove after add: %v %v", m.IPAssignments, err)
	}
	j, err := e.nc.Network(ctx, n.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !cmp.Equal(j.AssignedAddresses, []string{"10.147.15.18/24"}) {
		t.Errorf("the node has %v, want [10.147.15.18/24]", j.AssignedAddresses)
	}
	// A network that does not assign by itself lets the last one go.
	if _, err := e.c.UpdateNetwork(ctx, n.ID, netoverlay.NetworkConfig{V4AssignMode: &netoverlay.V4AssignMode{ZT: false}}); err != nil {
		t.Fatal(err)
	}
	if m, err := e.c.RemoveIP(ctx, n.ID, id, "10.147.15.18"); err != nil || len(m.IPAssignments) != 0 {
		t.Errorf("last address without automatic assignment: %v %v", m.IPAssignments, err)
	}
}

func TestJoinStatusAndLeave(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	n := e.network(t)
	j, err := e.nc.Join(ctx, n.ID)
	if err != nil {
		t.Fatal(err)
	}
	if j.Status != netoverlay.StatusRequestingConfiguration || !strings.HasPrefix(j.PortDeviceName, "zt") {
		t.Errorf("join: %+v", j)
	}
	nets, err := e.nc.Networks(ctx)
	if err != nil || len(nets) != 1 || nets[0].Status != netoverlay.StatusAccessDenied {
		t.Errorf("networks: %+v %v", nets, err)
	}
	st, err := e.nc.Status(ctx)
	if err != nil || st.Address != e.node.Address() || !st.Online {
		t.Errorf("status: %+v %v", st, err)
	}
	if err := e.nc.Leave(ctx, n.ID); err != nil {
		t.Fatal(err)
	}
	if err := e.nc.Leave(ctx, n.ID); !errors.Is(err, netoverlay.ErrNotFound) {
		t.Errorf("second leave: %v", err)
	}
	if _, err := e.nc.Network(ctx, n.ID); !errors.Is(err, netoverlay.ErrNotFound) || !strings.Contains(err.Error(), "has not joined network "+n.ID) {
		t.Errorf("after leave: %v", err)
	}
}

// rewrite sits between fogctl and the emulator and changes what fogctl
// sent into something the real controller reads differently: the emulator
// then answers 200 and silently drops or misreads it, as the real one does.
func rewrite(t *testing.T, next http.Handler, from, to string) string {
	t.Helper()
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		body = bytes.ReplaceAll(body, []byte(from), []byte(to))
		r.Body = io.NopCloser(bytes.NewReader(body))
		r.ContentLength = int64(len(body))
		next.ServeHTTP(w, r)
	}))
	t.Cleanup(ts.Close)
	return ts.URL
}

func TestReadBackReportsWhatTheControllerSilentlyDropped(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	n := e.network(t)
	if _, err := e.nc.Join(ctx, n.ID); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, from, to string
		call           func(c *netoverlay.Client) error
		want           string
		violates       bool // the published spec types only booleans strictly
	}{
		{"route dropped", `"10.147.16.0/24"`, `"10.147.16.0/33"`,
			func(c *netoverlay.Client) error { _, err := c.AddPool(ctx, n.ID, "10.147.16.0/24"); return err },
			"stored routes [10.147.15.0/24], not [10.147.15.0/24 10.147.16.0/24] as sent", false},
		{"address dropped", `"10.147.15.9"`, `"10.147.15.300"`,
			func(c *netoverlay.Client) error {
				_, err := c.Authorize(ctx, n.ID, e.node.Address(), "10.147.15.9")
				return err
			},
			// Dropped, then the node's automatic assignment filled the gap.
			"stored ipAssignments [10.147.15.80], not [10.147.15.9] as sent", false},
		{"static address dropped", `"10.147.15.40"`, `"10.147.15.400"`,
			func(c *netoverlay.Client) error {
				_, err := c.AssignIP(ctx, n.ID, e.node.Address(), "10.147.15.40")
				return err
			},
			// The address the node was given before stays; the new one is gone.
			"stored ipAssignments [10.147.15.80], not [10.147.15.80 10.147.15.40] as sent", false},
		{"boolean misread", `"authorized":true`, `"authorized":"yes"`,
			func(c *netoverlay.Client) error { _, err := c.Authorize(ctx, n.ID, e.node.Address(), ""); return err },
			"stored authorized false, not true as sent", true},
		// The real controller stores ipAssignments as sent, duplicates
		// and all (EmbeddedNetworkController appends each valid entry):
		// an address stored twice that was sent once is a difference,
		// not "with 10.147.15.9, 10.147.15.9".
		{"address stored twice", `["10.147.15.9"]`, `["10.147.15.9","10.147.15.9"]`,
			func(c *netoverlay.Client) error {
				_, err := c.Authorize(ctx, n.ID, e.node.Address(), "10.147.15.9")
				return err
			},
			"stored ipAssignments [10.147.15.9 10.147.15.9], not [10.147.15.9] as sent", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := client(t, rewrite(t, e.ctrl.Node, tc.from, tc.to), e.ctrl.Token())
			err := tc.call(c)
			var me *netoverlay.MismatchError
			if !errors.As(err, &me) || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("got %v, want a MismatchError saying %q", err, tc.want)
			}
			if v := e.ctrl.TakeViolations(); (len(v) > 0) != tc.violates {
				t.Errorf("spec violations %v, want some: %v", v, tc.violates)
			}
		})
	}
}

func TestHTTPFailuresAreOneLineErrors(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	n := e.network(t)
	serve := func(h http.HandlerFunc) string {
		ts := httptest.NewServer(h)
		t.Cleanup(ts.Close)
		return ts.URL
	}
	hang := make(chan struct{})
	t.Cleanup(func() { close(hang) })
	closed := httptest.NewServer(http.NotFoundHandler())
	closed.Close()
	for _, tc := range []struct {
		name  string
		url   string
		token string
		call  func(c *netoverlay.Client) error
		is    error
		want  string
	}{
		{"401", e.ctrl.URL, "wrongwrongwrongwrongwron", func(c *netoverlay.Client) error { _, err := c.Status(ctx); return err },
			netoverlay.ErrUnauthorized, "refused the auth token (401 Unauthorized)"},
		{"404 network", e.ctrl.URL, e.ctrl.Token(), func(c *netoverlay.Client) error {
			_, err := c.ControllerNetwork(ctx, e.ctrl.Address()+"ffffff")
			return err
		},
			netoverlay.ErrNotFound, "network " + e.ctrl.Address() + "ffffff not found on the controller"},
		{"404 member", e.ctrl.URL, e.ctrl.Token(), func(c *netoverlay.Client) error { _, err := c.Authorize(ctx, n.ID, "0123456789", ""); return err },
			netoverlay.ErrNotFound, "member 0123456789 not found in network " + n.ID},
		{"5xx", serve(func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(503)
			fmt.Fprint(w, `{"error":503,"description":"database not ready"}`)
		}), "t", func(c *netoverlay.Client) error { _, err := c.ControllerNetworks(ctx); return err },
			nil, "answered 503 Service Unavailable to GET /controller/network: database not ready"},
		{"malformed JSON", serve(func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, `{"address":`) }), "t",
			func(c *netoverlay.Client) error { _, err := c.Status(ctx); return err },
			nil, "malformed JSON for GET /status"},
		{"never answers", serve(func(w http.ResponseWriter, r *http.Request) {
			select {
			case <-r.Context().Done():
			case <-hang:
			}
		}), "t", func(c *netoverlay.Client) error { _, err := c.Status(ctx); return err },
			netoverlay.ErrTimeout, "did not answer GET /status within 200ms"},
		{"unreachable", closed.URL, "t", func(c *netoverlay.Client) error { _, err := c.Status(ctx); return err },
			nil, "cannot reach the ZeroTier service at " + closed.URL},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := client(t, tc.url, tc.token)
			c.Timeout = 200 * time.Millisecond
			err := tc.call(c)
			if err == nil || !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), "\n") {
				t.Fatalf("got %v, want one line containing %q", err, tc.want)
			}
			if tc.is != nil && !errors.Is(err, tc.is) {
				t.Errorf("errors.Is(%v, %v) is false", err, tc.is)
			}
		})
	}
}

func TestTokenNeverPrinted(t *testing.T) {
	const secret = "s3cr3ts3cr3ts3cr3ts3cr3t"
	tok := netoverlay.NewToken(secret + "\n")
	var buf bytes.Buffer
	for _, f := range []string{"%v", "%s", "%+v", "%#v", "%q", "%x", "%X", "%d"} {
		fmt.Fprintf(&buf, f+"\n", tok)
		fmt.Fprintf(&buf, f+"\n", struct{ T netoverlay.Token }{tok})
	}
	slog.New(slog.NewJSONHandler(&buf, nil)).Info("x", "token", tok)
	slog.New(slog.NewTextHandler(&buf, nil)).Info("x", "token", tok)
	data, _ := json.Marshal(map[string]any{"t": tok})
	buf.Write(data)
	if strings.Contains(buf.String(), secret) || strings.Contains(buf.String(), fmt.Sprintf("%x", secret)) {
		t.Fatalf("token leaked:\n%s", buf.String())
	}
	if !strings.Contains(buf.String(), "[redacted]") {
		t.Errorf("no [redacted] in:\n%s", buf.String())
	}
	// Errors of every kind name no token.
	w := ztfake.NewWorld()
	srv := ztfake.Serve(t, w.NewNode(ztfake.NodeOptions{Name: "fog", Controller: true, Token: secret}))
	bad := client(t, srv.URL, "wrongwrongwrongwrongwron")
	_, err := bad.Status(context.Background())
	good := client(t, srv.URL, secret)
	_, err2 := good.ControllerNetwork(context.Background(), srv.Address()+"ffffff")
	for _, e := range []error{err, err2} {
		if e == nil || strings.Contains(fmt.Sprintf("%v %+v %#v", e, e, e), secret) {
			t.Errorf("error leaks the token or is nil: %v", e)
		}
	}
}

func TestTokenFiles(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "authtoken.secret")
	if err := os.WriteFile(good, []byte("abcdefabcdefabcdefabcdef\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	empty := filepath.Join(dir, "empty")
	if err := os.WriteFile(empty, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	missing := filepath.Join(dir, "missing")
	tok, path, err := netoverlay.FindToken([]string{missing, good})
	if err != nil || path != good || tok.IsZero() {
		t.Errorf("FindToken: %v %s %v", tok, path, err)
	}
	if _, _, err := netoverlay.FindToken([]string{missing, empty}); err == nil || err.Error() != "no usable ZeroTier auth token: looked at "+missing+" (no such file or directory), "+empty+" (file is empty)" {
		t.Errorf("empty: %v", err)
	}
	if _, _, err := netoverlay.FindToken([]string{missing}); err == nil || err.Error() != "read ZeroTier auth token "+missing+": no such file or directory" {
		t.Errorf("missing: %v", err)
	}
	// Root reads any file, so permission denied is built, not provoked.
	pe := &netoverlay.TokenError{Path: "/var/lib/zerotier-one/authtoken.secret", Err: &fs.PathError{Op: "open", Path: "/var/lib/zerotier-one/authtoken.secret", Err: syscall.EACCES}}
	if got := pe.Error(); got != "read ZeroTier auth token /var/lib/zerotier-one/authtoken.secret: permission denied" {
		t.Errorf("permission denied: %q", got)
	}
	for goos, want := range map[string][]string{
		"linux":   {"/home/op/.zeroTierOneAuthToken", "/var/lib/zerotier-one/authtoken.secret"},
		"darwin":  {"/home/op/Library/Application Support/ZeroTier/One/authtoken.secret", "/Library/Application Support/ZeroTier/One/authtoken.secret"},
		"windows": {"/home/op/AppData/Local/ZeroTier/One/authtoken.secret", `C:\ProgramData\ZeroTier\One\authtoken.secret`},
	} {
		if diff := cmp.Diff(want, netoverlay.DefaultTokenPaths(goos, "/home/op")); diff != "" {
			t.Errorf("%s (-want +got):\n%s", goos, diff)
		}
	}
}

func TestNextFreeIP(t *testing.T) {
	pools := []netoverlay.Pool{{Start: "10.147.15.1", End: "10.147.15.3"}, {Start: "10.147.16.1", End: "10.147.16.1"}}
	for _, tc := range []struct {
		used []string
		want string
	}{
		{nil, "10.147.15.1"},
		{[]string{"10.147.15.1", "10.147.15.2"}, "10.147.15.3"},
		{[]string{"10.147.15.1", "10.147.15.2", "10.147.15.3"}, "10.147.16.1"},
		{[]string{"10.147.15.1", "10.147.15.2", "10.147.15.3", "10.147.16.1"}, "invalid IP"},
	} {
		got, _ := netoverlay.NextFreeIP(pools, tc.used)
		if got.String() != tc.want {
			t.Errorf("used %v: got %s, want %s", tc.used, got, tc.want)
		}
	}
}

func TestMembersWithoutTheUnstableRoute(t *testing.T) {
	w := ztfake.NewWorld()
	ctrl := ztfake.Serve(t, w.NewNode(ztfake.NodeOptions{Name: "fog", Controller: true, NoUnstable: true}))
	node := ztfake.Serve(t, w.NewNode(ztfake.NodeOptions{Name: "bus-17"}))
	ctx := context.Background()
	c := client(t, ctrl.URL, ctrl.Token())
	n, err := c.CreateNetwork(ctx, netoverlay.NetworkSpec{Name: "fleet", CIDRs: []string{"10.147.15.0/24"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := client(t, node.URL, node.Token()).Join(ctx, n.ID); err != nil {
		t.Fatal(err)
	}
	ms, err := c.Members(ctx, n.ID)
	if err != nil || len(ms) != 1 || ms[0].ID != node.Address() || !ms[0].Pending() {
		t.Errorf("members: %+v %v", ms, err)
	}
	unknown := ctrl.Address() + "ffffff"
	if _, err := c.Members(ctx, unknown); !errors.Is(err, netoverlay.ErrNotFound) || !strings.Contains(err.Error(), "network "+unknown+" not found") {
		t.Errorf("unknown network: %v", err)
	}
}

// TestRemoveIPLetsTheLastAddressGoWhenNoPoolWouldGiveOne: the controller
// assigns from a pool only an address inside a route, so with no pool, or
// only pools outside every route, it gives the node nothing back and the
// last address may go.
func TestRemoveIPLetsTheLastAddressGoWhenNoPoolWouldGiveOne(t *testing.T) {
	for name, pools := range map[string][]netoverlay.Pool{
		"no pool":            {},
		"pool outside route": {{Start: "10.150.0.1", End: "10.150.0.254"}},
	} {
		t.Run(name, func(t *testing.T) {
			e := newEnv(t)
			ctx := context.Background()
			n := e.network(t) // v4AssignMode zt, route 10.147.15.0/24
			if _, err := e.c.UpdateNetwork(ctx, n.ID, netoverlay.NetworkConfig{IPAssignmentPools: &pools}); err != nil {
				t.Fatal(err)
			}
			if _, err := e.nc.Join(ctx, n.ID); err != nil {
				t.Fatal(err)
			}
			id := e.node.Address()
			if _, err := e.c.Authorize(ctx, n.ID, id, ""); err != nil {
				t.Fatal(err)
			}
			if _, err := e.c.AssignIP(ctx, n.ID, id, "10.147.15.17"); err != nil {
				t.Fatal(err)
			}
			if m, err := e.c.RemoveIP(ctx, n.ID, id, "10.147.15.17"); err != nil || len(m.IPAssignments) != 0 {
				t.Fatalf("remove the last address: %v %v", m.IPAssignments, err)
			}
			// The node asks again and the controller gives it nothing.
			if j, err := e.nc.Network(ctx, n.ID); err != nil || len(j.AssignedAddresses) != 0 {
				t.Errorf("the node has %v (%v), want none", j.AssignedAddresses, err)
			}
		})
	}
}

func TestAutoAssignable(t *testing.T) {
	routes := []netoverlay.Route{{Target: "10.147.15.0/24"}}
	for _, tc := range []struct {
		name  string
		pools []netoverlay.Pool
		zt    bool
		used  []string
		want  bool
	}{
		{"pool in the route", []netoverlay.Pool{{Start: "10.147.15.1", End: "10.147.15.254"}}, true, nil, true},
		{"no pool", nil, true, nil, false},
		{"not assigning", []netoverlay.Pool{{Start: "10.147.15.1", End: "10.147.15.254"}}, false, nil, false},
		{"pool outside every route", []netoverlay.Pool{{Start: "10.150.0.1", End: "10.150.0.254"}}, true, nil, false},
		{"pool overlapping the route's end", []netoverlay.Pool{{Start: "10.147.15.250", End: "10.147.16.10"}}, true, nil, true},
		{"every routed pool address held", []netoverlay.Pool{{Start: "10.147.15.254", End: "10.147.16.10"}}, true, []string{"10.147.15.254"}, false},
		{"only .255 left", []netoverlay.Pool{{Start: "10.147.15.254", End: "10.147.15.255"}}, true, []string{"10.147.15.254"}, false},
		{"IPv6 pool only", []netoverlay.Pool{{Start: "fd00::1", End: "fd00::ff"}}, true, nil, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			n := netoverlay.Network{V4AssignMode: netoverlay.V4AssignMode{ZT: tc.zt}, IPAssignmentPools: tc.pools, Routes: routes}
			if got := n.AutoAssignable(tc.used); got != tc.want {
				t.Errorf("AutoAssignable(%v) = %v, want %v", tc.used, got, tc.want)
			}
		})
	}
}

// TestAuthorizeWithAnAddressFollowsAssignIPsRule: an explicit address is
// checked as `net ip add` checks it (inside a route, pool or not); only
// AutoIP takes from the pools.
func TestAuthorizeWithAnAddressFollowsAssignIPsRule(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	n := e.network(t) // pool and route 10.147.15.0/24
	routes := append(n.Routes, netoverlay.Route{Target: "10.148.0.0/16"})
	if _, err := e.c.UpdateNetwork(ctx, n.ID, netoverlay.NetworkConfig{Routes: &routes}); err != nil {
		t.Fatal(err)
	}
	other := ztfake.Serve(t, e.world.NewNode(ztfake.NodeOptions{Name: "bus-18"}))
	for _, nc := range []*netoverlay.Client{e.nc, client(t, other.URL, other.Token())} {
		if _, err := nc.Join(ctx, n.ID); err != nil {
			t.Fatal(err)
		}
	}
	id := e.node.Address()
	if _, err := e.c.AssignIP(ctx, n.ID, other.Address(), "10.148.0.10"); err != nil {
		t.Fatal(err)
	}
	for _, ip := range []string{"banana", "10.149.0.1", "10.148.0.0", "10.148.255.255", "224.0.0.1", "10.148.0.10"} {
		_, aerr := e.c.AssignIP(ctx, n.ID, id, ip)
		_, err := e.c.Authorize(ctx, n.ID, id, ip)
		if aerr == nil || !errors.Is(err, netoverlay.ErrInvalid) || !strings.HasSuffix(err.Error(), aerr.Error()) {
			t.Errorf("authorize --ip %s: %v, want the refusal of ip add: %v", ip, err, aerr)
		}
	}
	m, err := e.c.Authorize(ctx, n.ID, id, "10.148.0.9")
	if err != nil || !cmp.Equal(m.IPAssignments, []string{"10.148.0.9"}) || !m.Authorized {
		t.Fatalf("authorize --ip 10.148.0.9 (in a route, outside the pools): %v %v", m.IPAssignments, err)
	}
}

// TestMismatchErrorNamesBothCauses: without compare-and-swap, a difference
// on read-back is the controller's doing or another client's change.
func TestMismatchErrorNamesBothCauses(t *testing.T) {
	for obj, want := range map[string]string{
		"member a1b2c3d4e5 of network 8056c2e21c000001": "member a1b2c3d4e5 of network 8056c2e21c000001: the controller answered 200 but stored ipAssignments [10.147.15.17], not [10.147.15.17 10.147.15.30] as sent: the controller silently dropped or changed part of the change, or another client changed the member meanwhile",
		"network 8056c2e21c000001":                      "network 8056c2e21c000001: the controller answered 200 but stored ipAssignments [10.147.15.17], not [10.147.15.17 10.147.15.30] as sent: the controller silently dropped or changed part of the change, or another client changed the network meanwhile",
	} {
		err := &netoverlay.MismatchError{Object: obj, Field: "ipAssignments", Sent: "[10.147.15.17 10.147.15.30]", Stored: "[10.147.15.17]"}
		if got := err.Error(); got != want {
			t.Errorf("got  %q\nwant %q", got, want)
		}
	}
}
