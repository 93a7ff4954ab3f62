package netcmd_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fogctl/fogctl/internal/testbin"
	"github.com/fogctl/fogctl/netoverlay/ztfake"
	"go.yaml.in/yaml/v3"
)

func TestMain(m *testing.M) { testbin.Main(m) }

type binResult struct {
	out, err string
	code     int
}

// fogctl runs the built binary with a clean environment of its own.
func fogctl(t *testing.T, home string, srv *ztfake.Server, args ...string) binResult {
	t.Helper()
	c := exec.Command(testbin.Fogctl(t), append(args, "--zt-url", srv.URL, "--token-file", srv.TokenFile)...)
	// The network locks in home too: ztfake's network ids are the same in
	// every test, and a test leaves nothing in /run/lock.
	locks := filepath.Join(home, "locks")
	if err := os.MkdirAll(locks, 0o700); err != nil {
		t.Fatal(err)
	}
	c.Env = []string{"HOME=" + home, "XDG_CONFIG_HOME=" + filepath.Join(home, "config"), "XDG_STATE_HOME=" + filepath.Join(home, "state"), "PATH=/usr/bin:/bin", "FOGCTL_NET_LOCK_DIR=" + locks}
	var out, errOut bytes.Buffer
	c.Stdout, c.Stderr = &out, &errOut
	err := c.Run()
	code := 0
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	t.Logf("$ fogctl %s\n%s%s(exit %d)", strings.Join(args, " "), out.String(), errOut.String(), code)
	return binResult{out.String(), errOut.String(), code}
}

func ok(t *testing.T, r binResult) string {
	t.Helper()
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.err)
	}
	return strings.TrimSpace(r.out)
}

// TestE2E_DocumentedProcedure is the field's documented procedure (the
// helper script's net-add, net-ipadd, member-list, member-auth, and
// zerotier-cli join / listnetworks on the node) done with the real fogctl
// binary against the ztfake stand-ins of the fog server's controller and a
// bus's local service.
func TestE2E_DocumentedProcedure(t *testing.T) {
	home := t.TempDir()
	writeKubeconfig(t, home, "bus-17") // ~/.kube/config: --context must name one of its contexts
	w := ztfake.NewWorld()
	fog := ztfake.Serve(t, w.NewNode(ztfake.NodeOptions{Name: "fog", Controller: true}))
	bus := ztfake.Serve(t, w.NewNode(ztfake.NodeOptions{Name: "bus-17"}))

	// 1. Create the network (net-add) and add its address range (net-ipadd).
	nwid := ok(t, fogctl(t, home, fog, "net", "create", "fleet"))
	if len(nwid) != 16 {
		t.Fatalf("network id %q", nwid)
	}
	ok(t, fogctl(t, home, fog, "net", "pool", "add", nwid, "10.147.15.0/24"))

	// 2. The bus joins (zerotier-cli join) and shows as pending (member-list).
	member := ok(t, fogctl(t, home, bus, "net", "join", nwid, "--context", "bus-17"))
	if member != bus.Address() {
		t.Fatalf("join printed %q, want the node's address %s", member, bus.Address())
	}
	pending := ok(t, fogctl(t, home, fog, "net", "members", nwid, "--pending"))
	if !strings.HasPrefix(pending, member+"\tpending\t") {
		t.Fatalf("members --pending: %q", pending)
	}
	if st := ok(t, fogctl(t, home, bus, "net", "status")); !strings.HasPrefix(st, nwid+"\t-\tACCESS_DENIED\t") {
		t.Errorf("status before authorization: %q", st)
	}

	// 3. Authorize it with a fixed IP (member-auth, member-ipadd).
	if ip := ok(t, fogctl(t, home, fog, "net", "authorize", nwid, member, "--ip", "10.147.15.17", "--context", "bus-17")); ip != "10.147.15.17" {
		t.Fatalf("authorize printed %q", ip)
	}
	if p := fogctl(t, home, fog, "net", "members", nwid, "--pending"); p.code != 0 || p.out != "" {
		t.Errorf("still pending after authorization: %q", p.out)
	}

	// 4. On the bus, status (listnetworks) and wait show OK with that IP.
	st := ok(t, fogctl(t, home, bus, "net", "status"))
	if !strings.Contains(st, nwid+"\tfleet\tOK\tPRIVATE\tzt") || !strings.HasSuffix(st, "\t10.147.15.17/24") {
		t.Errorf("status after authorization: %q", st)
	}
	var js struct {
		Networks []struct {
			Status, Device string
			Addresses      []string
		}
	}
	if err := json.Unmarshal([]byte(ok(t, fogctl(t, home, bus, "net", "status", "-o", "json"))), &js); err != nil || len(js.Networks) != 1 || js.Networks[0].Status != "OK" || js.Networks[0].Addresses[0] != "10.147.15.17/24" {
		t.Errorf("status -o json: %+v %v", js, err)
	}
	if ip := ok(t, fogctl(t, home, bus, "net", "wait", nwid, "--timeout", "30s", "--context", "bus-17")); ip != "10.147.15.17" {
		t.Errorf("wait printed %q, want 10.147.15.17", ip)
	}

	// 5. The fleet file holds the bus's member id and overlay IP.
	data, err := os.ReadFile(filepath.Join(home, "config", "fogctl", "fleet.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var ff struct {
		Contexts map[string]map[string]string `yaml:"contexts"`
	}
	if err := yaml.Unmarshal(data, &ff); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"networkId": nwid, "memberId": member, "overlayIP": "10.147.15.17"}
	for k, v := range want {
		if ff.Contexts["bus-17"][k] != v {
			t.Errorf("fleet file bus-17.%s = %q, want %q\n%s", k, ff.Contexts["bus-17"][k], v, data)
		}
	}
}

// TestE2E_RenumberThenDelete moves a bus to another overlay address and
// then deletes the network, with the real binary: its stdin is not a
// terminal, so delete must refuse until --yes is given.
func TestE2E_RenumberThenDelete(t *testing.T) {
	home := t.TempDir()
	w := ztfake.NewWorld()
	fog := ztfake.Serve(t, w.NewNode(ztfake.NodeOptions{Name: "fog", Controller: true}))
	bus := ztfake.Serve(t, w.NewNode(ztfake.NodeOptions{Name: "bus-17"}))
	nwid := ok(t, fogctl(t, home, fog, "net", "create", "fleet", "--cidr", "10.147.15.0/24"))
	member := ok(t, fogctl(t, home, bus, "net", "join", nwid))
	ok(t, fogctl(t, home, fog, "net", "authorize", nwid, member, "--ip", "10.147.15.17"))

	// Removing the only address first is refused: the controller would
	// hand one out again.
	if r := fogctl(t, home, fog, "net", "ip", "rm", nwid, member, "10.147.15.17"); r.code != 2 || !strings.Contains(r.err, "add the new address first") {
		t.Errorf("rm of the last address: exit %d %q", r.code, r.err)
	}
	ok(t, fogctl(t, home, fog, "net", "ip", "add", nwid, member, "10.147.15.30"))
	ok(t, fogctl(t, home, fog, "net", "ip", "rm", nwid, member, "10.147.15.17"))
	if l := ok(t, fogctl(t, home, fog, "net", "ip", "list", nwid, member)); l != "10.147.15.30\t10.147.15.0/24\tyes" {
		t.Errorf("ip list: %q", l)
	}
	if ip := ok(t, fogctl(t, home, bus, "net", "wait", nwid, "--timeout", "30s")); ip != "10.147.15.30" {
		t.Errorf("the bus's address: %q, want 10.147.15.30", ip)
	}

	r := fogctl(t, home, fog, "net", "delete", nwid)
	if r.code != 2 || !strings.Contains(r.err, "pass --yes") {
		t.Errorf("delete without --yes from a pipe: exit %d %q", r.code, r.err)
	}
	ok(t, fogctl(t, home, fog, "net", "show", nwid))
	ok(t, fogctl(t, home, fog, "net", "delete", nwid, "--yes"))
	if l := ok(t, fogctl(t, home, fog, "net", "list")); strings.Contains(l, nwid) {
		t.Errorf("list after delete: %q", l)
	}
}
