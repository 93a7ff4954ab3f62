package netcmd_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// commands lists every `fogctl net` command with arguments that reach the
// service; nwid and member fill in the placeholders.
func commands(nwid, member string) map[string][]string {
	return map[string][]string{
		"create":      {"create", "fleet", "--cidr", "10.147.15.0/24"},
		"list":        {"list"},
		"show":        {"show", nwid},
		"delete":      {"delete", nwid, "--yes"},
		"ip add":      {"ip", "add", nwid, member, "10.147.15.30"},
		"ip rm":       {"ip", "rm", nwid, member, "10.147.15.30"},
		"ip list":     {"ip", "list", nwid, member},
		"pool add":    {"pool", "add", nwid, "10.147.16.0/24"},
		"pool rm":     {"pool", "rm", nwid, "10.147.15.0/24"},
		"members":     {"members", nwid},
		"authorize":   {"authorize", nwid, member, "--ip", "auto"},
		"deauthorize": {"deauthorize", nwid, member},
		"join":        {"join", nwid},
		"leave":       {"leave", nwid},
		"status":      {"status"},
		"wait":        {"wait", nwid, "--timeout", "300ms", "--interval", "50ms"},
	}
}

// TestNetFailuresAreOneLineWithExitCode1 runs every command against a
// service that refuses the token, fails, answers garbage or never answers.
func TestNetFailuresAreOneLineWithExitCode1(t *testing.T) {
	fl := newFleet(t)
	nwid := fl.network(t)
	member := fl.joinBus(t, nwid)
	hang := make(chan struct{})
	t.Cleanup(func() { close(hang) })
	serveFunc := func(h http.HandlerFunc) string {
		ts := httptest.NewServer(h)
		t.Cleanup(ts.Close)
		return ts.URL
	}
	badToken := filepath.Join(t.TempDir(), "authtoken.secret")
	if err := os.WriteFile(badToken, []byte("wrongwrongwrongwrongwron"), 0o600); err != nil {
		t.Fatal(err)
	}
	services := []struct {
		name, url, tokenFile, want string
	}{
		{"401", fl.fog.URL, badToken, "refused the auth token (401 Unauthorized): the token is wrong for this service (check --token-file or $FOGCTL_ZT_TOKEN_FILE)"},
		{"5xx", serveFunc(func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(500)
			fmt.Fprint(w, `{"error":500,"description":"disk full"}`)
		}), fl.fog.TokenFile, "answered 500 Internal Server Error to "},
		{"malformed JSON", serveFunc(func(w http.ResponseWriter, r *http.Request) {
			fmt.Fprint(w, `{"address":"0123456789",`)
		}), fl.fog.TokenFile, "sent malformed JSON for "},
		{"never answers", serveFunc(func(w http.ResponseWriter, r *http.Request) {
			select {
			case <-r.Context().Done():
			case <-hang:
			}
		}), fl.fog.TokenFile, "within 150ms (raise --zt-timeout, or check the service)"},
	}
	for _, svc := range services {
		for name, args := range commands(nwid, member) {
			t.Run(svc.name+"/"+name, func(t *testing.T) {
				args := append([]string{"net"}, args...)
				r := fl.run(t, false, append(args, "--zt-url", svc.url, "--token-file", svc.tokenFile, "--zt-timeout", "150ms")...)
				if r.code != 1 {
					t.Errorf("exit %d, want 1 (stderr %q)", r.code, r.err)
				}
				if !strings.HasPrefix(r.err, "error: ") || strings.Count(r.err, "\n") != 1 || !strings.Contains(r.err, svc.want) {
					t.Errorf("stderr %q, want one line with %q", r.err, svc.want)
				}
				if r.out != "" {
					t.Errorf("stdout %q, want nothing", r.out)
				}
			})
		}
	}
}

func TestNetNotFoundNamesTheNetworkOrMember(t *testing.T) {
	fl := newFleet(t)
	nwid := fl.network(t)
	unknownNet := fl.fog.Address() + "ffffff"
	for _, tc := range []struct {
		args []string
		node bool
		want string
	}{
		{[]string{"show", unknownNet}, false, "network " + unknownNet + " not found on the controller"},
		{[]string{"pool", "add", unknownNet, "10.147.16.0/24"}, false, "network " + unknownNet + " not found on the controller"},
		{[]string{"pool", "rm", unknownNet, "10.147.16.0/24"}, false, "network " + unknownNet + " not found on the controller"},
		{[]string{"members", unknownNet}, false, "network " + unknownNet + " not found on the controller"},
		{[]string{"authorize", unknownNet, "0123456789"}, false, "network " + unknownNet + " not found on the controller"},
		{[]string{"authorize", nwid, "0123456789", "--ip", "auto"}, false, "member 0123456789 not found in network " + nwid},
		{[]string{"deauthorize", nwid, "0123456789"}, false, "member 0123456789 not found in network " + nwid},
		{[]string{"delete", unknownNet, "--yes"}, false, "network " + unknownNet + " not found on the controller"},
		{[]string{"ip", "add", unknownNet, "0123456789", "10.147.15.30"}, false, "network " + unknownNet + " not found on the controller"},
		{[]string{"ip", "list", unknownNet, "0123456789"}, false, "network " + unknownNet + " not found on the controller"},
		{[]string{"ip", "add", nwid, "0123456789", "10.147.15.30"}, false, "member 0123456789 not found in network " + nwid},
		{[]string{"ip", "rm", nwid, "0123456789", "10.147.15.30"}, false, "member 0123456789 not found in network " + nwid},
		{[]string{"ip", "list", nwid, "0123456789"}, false, "member 0123456789 not found in network " + nwid},
		{[]string{"leave", nwid}, true, "leave network " + nwid + ": this node has not joined it"},
		{[]string{"wait", nwid}, true, "this node has not joined network " + nwid},
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			var r result
			if tc.node {
				r = fl.node(t, false, tc.args...)
			} else {
				r = fl.ctl(t, false, tc.args...)
			}
			if r.code != 1 || strings.Count(r.err, "\n") != 1 || !strings.Contains(r.err, tc.want) {
				t.Errorf("exit %d stderr %q, want 1 and one line with %q", r.code, r.err, tc.want)
			}
		})
	}
}

func TestNetBadInputExits2BeforeSending(t *testing.T) {
	fl := newFleet(t)
	nwid := fl.network(t)
	member := fl.joinBus(t, nwid)
	before := fl.fog.Requests()
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"show", "8056c2e21c"}, `network id "8056c2e21c": want 16 hex digits`},
		{[]string{"create", "fleet", "--cidr", "10.147.15.1/24"}, `address range "10.147.15.1/24": host bits are set (did you mean 10.147.15.0/24?)`},
		{[]string{"create", "fleet", "--cidr", "10.147.15.0/33"}, `address range "10.147.15.0/33": not a CIDR`},
		{[]string{"pool", "add", nwid, "banana"}, `address range "banana": not a CIDR`},
		{[]string{"authorize", nwid, "XYZ"}, `member id "XYZ": want the node's 10 hex digit address`},
		{[]string{"members", "nothex"}, `network id "nothex"`},
		{[]string{"join", "nothex"}, `network id "nothex"`},
		{[]string{"wait", "nothex"}, `network id "nothex"`},
		{[]string{"delete", "nothex", "--yes"}, `network id "nothex"`},
		{[]string{"ip", "add", nwid, member, "banana"}, `address "banana": not an IP address like 10.147.15.7 or fd00::7`},
		{[]string{"ip", "rm", nwid, member, "10.147.15.300"}, `address "10.147.15.300": not an IP address`},
		{[]string{"ip", "add", nwid, member, "fe80::1%zt0"}, `address "fe80::1%zt0": not an IP address`},
		{[]string{"ip", "list", nwid, "XYZ"}, `member id "XYZ"`},
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			r := fl.ctl(t, false, tc.args...)
			if r.code != 2 || strings.Count(r.err, "\n") != 1 || !strings.Contains(r.err, tc.want) {
				t.Errorf("exit %d stderr %q, want 2 and one line with %q", r.code, r.err, tc.want)
			}
		})
	}
	if n := fl.fog.Requests() - before; n != 0 {
		t.Errorf("the controller received %d requests for bad input", n)
	}
	// Addresses are checked against the stored routes: refused before any change.
	for ip, want := range map[string]string{
		"10.147.99.1": "address 10.147.99.1 is outside every route of network " + nwid + " (10.147.15.0/24)",
		"300.1.1.1":   `address "300.1.1.1": not an IP address`,
	} {
		r := fl.ctl(t, false, "authorize", nwid, member, "--ip", ip)
		if r.code != 2 || !strings.Contains(r.err, want) {
			t.Errorf("--ip %s: exit %d %q, want 2 and %q", ip, r.code, r.err, want)
		}
	}
	if m := must(t, fl.ctl(t, false, "members", nwid, "--pending")); !strings.HasPrefix(m.out, member) {
		t.Errorf("a refused authorize changed the member: %q", m.out)
	}
	// Usage mistakes print usage and exit 2.
	for _, args := range [][]string{{"show"}, {"members", nwid, "-o", "xml"}, {"wait", nwid, "--timeout", "0s"}, {"authorize", nwid, member, "--context", ""},
		{"delete", nwid, nwid, "--yes"}, {"ip", "add", nwid, member}, {"ip", "list", nwid, member, "10.147.15.1"}, {"ip", "rm", nwid, member, "10.147.15.1", "-o", "wide"}} {
		r := fl.ctl(t, false, args...)
		if r.code != 2 || !strings.Contains(r.err, "Usage:") {
			t.Errorf("%v: exit %d %q, want 2 with usage", args, r.code, r.err)
		}
	}
}

func TestNetMissingTokenSaysWhereAndWhatToDo(t *testing.T) {
	fl := newFleet(t)
	r := fl.run(t, false, "net", "status", "--zt-url", fl.bus.URL)
	if _, err := os.Stat("/var/lib/zerotier-one/authtoken.secret"); err == nil {
		t.Skip("this machine has a real ZeroTier token")
	}
	// Every place looked at, ~/.zeroTierOneAuthToken included, and for
	// root (who ran this) not "run as root" but why the file is missing.
	remedy := "zerotier-one writes /var/lib/zerotier-one/authtoken.secret when it first starts: is it installed and running on this machine? If its home is elsewhere, pass --token-file"
	if os.Geteuid() != 0 {
		t.Skip("the remedy for root is checked here; TestTokenRemedy checks the others")
	}
	home, _ := os.UserHomeDir()
	want := "error: no ZeroTier auth token found: looked at --token-file, $FOGCTL_ZT_TOKEN_FILE and $FOGCTL_ZT_TOKEN (none set), " + filepath.Join(home, ".zeroTierOneAuthToken") + " (no such file or directory), /var/lib/zerotier-one/authtoken.secret (no such file or directory) (" + remedy + ")\n"
	if r.code != 1 || r.err != want {
		t.Errorf("exit %d stderr %q, want 1 and %q", r.code, r.err, want)
	}
	missing := filepath.Join(t.TempDir(), "nope")
	r = fl.run(t, false, "net", "status", "--zt-url", fl.bus.URL, "--token-file", missing)
	if want := "error: read ZeroTier auth token " + missing + ": no such file or directory (check --token-file or $FOGCTL_ZT_TOKEN_FILE)\n"; r.err != want {
		t.Errorf("--token-file missing: %q, want %q", r.err, want)
	}
	// The user's own copy, as zerotier-cli reads it.
	if err := os.WriteFile(filepath.Join(os.Getenv("HOME"), ".zeroTierOneAuthToken"), []byte(fl.bus.Token()), 0o600); err != nil {
		t.Fatal(err)
	}
	must(t, fl.run(t, false, "net", "status", "--zt-url", fl.bus.URL))
	// Environment variables.
	t.Setenv("FOGCTL_ZT_URL", fl.fog.URL)
	t.Setenv("FOGCTL_ZT_TOKEN_FILE", fl.fog.TokenFile)
	must(t, fl.run(t, false, "net", "list"))
	t.Setenv("FOGCTL_ZT_TOKEN_FILE", "")
	t.Setenv("FOGCTL_ZT_TOKEN", fl.fog.Token())
	must(t, fl.run(t, false, "net", "list"))
}

// TestNetTokenNeverInOutputOrLog runs every command, succeeding and
// failing, with FOGCTL_DEBUG=1, and looks for the token everywhere fogctl
// writes.
func TestNetTokenNeverInOutputOrLog(t *testing.T) {
	fl := newFleet(t)
	t.Setenv("FOGCTL_DEBUG", "1")
	nwid := fl.network(t)
	member := fl.joinBus(t, nwid)
	var all strings.Builder
	for _, tty := range []bool{true, false} {
		for _, args := range commands(nwid, member) {
			for _, target := range []*struct{ url, tok string }{{fl.fog.URL, fl.fog.TokenFile}, {fl.bus.URL, fl.bus.TokenFile}} {
				for _, extra := range [][]string{nil, {"-o", "json"}, {"--zt-timeout", "1ms"}} {
					a := append(append([]string{"net"}, args...), "--zt-url", target.url, "--token-file", target.tok)
					r := fl.run(t, tty, append(a, extra...)...)
					all.WriteString(r.out + r.err)
				}
			}
		}
	}
	t.Setenv("FOGCTL_ZT_TOKEN", fl.fog.Token())
	r := fl.run(t, false, "net", "show", fl.fog.Address()+"ffffff", "--zt-url", fl.fog.URL)
	all.WriteString(r.out + r.err)
	log, err := os.ReadFile(filepath.Join(fl.stateDir, "fogctl.log"))
	if err != nil {
		t.Fatalf("no debug log written: %v", err)
	}
	all.Write(log)
	for _, tok := range []string{fl.fog.Token(), fl.bus.Token()} {
		if strings.Contains(all.String(), tok) {
			t.Fatalf("token %s... found in output or log", tok[:4])
		}
	}
	if !strings.Contains(all.String(), "error:") || !strings.Contains(string(log), "not found") {
		t.Error("the runs produced no errors: the test looked at nothing")
	}
}

func TestNetCompletion(t *testing.T) {
	fl := newFleet(t)
	nwid := fl.network(t)
	member := fl.joinBus(t, nwid)
	c := must(t, fl.run(t, false, "__complete", "net", "members", "--zt-url", fl.fog.URL, "--token-file", fl.fog.TokenFile, ""))
	if !strings.HasPrefix(c.out, nwid+"\n") {
		t.Errorf("network completion: %q", c.out)
	}
	m := must(t, fl.run(t, false, "__complete", "net", "authorize", "--zt-url", fl.fog.URL, "--token-file", fl.fog.TokenFile, nwid, ""))
	if !strings.HasPrefix(m.out, member+"\tpending\n") {
		t.Errorf("member completion: %q", m.out)
	}
	j := must(t, fl.run(t, false, "__complete", "net", "wait", "--zt-url", fl.bus.URL, "--token-file", fl.bus.TokenFile, ""))
	if !strings.HasPrefix(j.out, nwid+"\t") || !strings.Contains(j.out, "ACCESS_DENIED") {
		t.Errorf("joined completion: %q", j.out)
	}
	// A service that is down completes nothing, quickly, without an error.
	d := must(t, fl.run(t, false, "__complete", "net", "members", "--zt-url", "http://127.0.0.1:1", "--token-file", fl.fog.TokenFile, ""))
	if strings.Contains(d.out, nwid) {
		t.Errorf("down service: %q", d.out)
	}
}

// TestNetZTTimeoutMustBePositive: --zt-timeout 0 or below meant no limit
// (a service that never answers hung fogctl for good). Every command now
// refuses it as ctx status refuses --timeout 0: exit 2, before anything
// is sent, within a second even against a service that never answers.
func TestNetZTTimeoutMustBePositive(t *testing.T) {
	fl := newFleet(t)
	hang := make(chan struct{})
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-hang:
		case <-r.Context().Done():
		}
	}))
	t.Cleanup(func() { close(hang); ts.Close() })
	for name, args := range commands("8056c2e21c000001", "a1b2c3d4e5") {
		for _, v := range []string{"0", "0s", "-1s"} {
			done := make(chan result, 1)
			go func() {
				done <- fl.run(t, false, append(append([]string{"net"}, args...), "--zt-url", ts.URL, "--token-file", fl.fog.TokenFile, "--zt-timeout", v)...)
			}()
			var r result
			select {
			case r = <-done:
			case <-time.After(10 * time.Second):
				t.Fatalf("%s --zt-timeout %s: still running after 10s", name, v)
			}
			want := "error: --zt-timeout must be positive, like 10s or 500ms, got "
			if r.code != 2 || !strings.HasPrefix(r.err, want) {
				t.Errorf("%s --zt-timeout %s: exit %d stderr %q, want 2 and %q...", name, v, r.code, r.err, want)
			}
		}
	}
}

// TestNetNoController: controller commands pointed at a node that runs no
// controller (the bus), or at a web service that is not ZeroTier, said
// "GET /controller/network: not found (404)" or "network ... not found on
// the controller (list them with 'fogctl net list')", whose command failed
// the same way. They now say the service has no network controller and
// where the controller is, exit 1.
func TestNetNoController(t *testing.T) {
	fl := newFleet(t)
	nwid := fl.network(t)
	member := fl.joinBus(t, nwid)
	notZT := httptest.NewServer(http.NotFoundHandler())
	t.Cleanup(notZT.Close)
	for _, svc := range []struct{ name, url, tokenFile string }{
		{"ZeroTier node without a controller", fl.bus.URL, fl.bus.TokenFile},
		{"not ZeroTier", notZT.URL, fl.bus.TokenFile},
	} {
		for name, args := range commands(nwid, member) {
			switch name {
			case "join", "leave", "status", "wait":
				continue // node commands
			}
			r := fl.run(t, false, append(append([]string{"net"}, args...), "--zt-url", svc.url, "--token-file", svc.tokenFile)...)
			want := "the service at " + svc.url + " has no network controller (GET /controller answered 404 Not Found): controller commands (create, list, show, delete, pool, members, ip, authorize, deauthorize) need the ZeroTier service of the fog server, which runs the controller (check --zt-url or $FOGCTL_ZT_URL)\n"
			if name == "create" && svc.name == "not ZeroTier" {
				// create asks /status first, which such a service has not.
				want = "GET /status: not found (404)\n"
			}
			if r.code != 1 || !strings.HasSuffix(r.err, want) || strings.Count(r.err, "\n") != 1 {
				t.Errorf("%s, %s: exit %d stderr %q, want 1 and one line ending %q", svc.name, name, r.code, r.err, want)
			}
		}
	}
}
