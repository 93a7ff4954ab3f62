package netcmd_test

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/fogctl/fogctl/cmd"
	"github.com/fogctl/fogctl/cmd/cmdutil"
	"github.com/fogctl/fogctl/netoverlay/ztfake"
)

// fleet is the documented set-up: a fog server running the controller and
// one bus, both simulated by the ztfake stand-in.
type fleet struct {
	world     *ztfake.World
	fog       *ztfake.Server
	bus       *ztfake.Server
	configDir string
	stateDir  string
	lockDir   string // $FOGCTL_NET_LOCK_DIR: the host-wide network locks
}

func newFleet(t *testing.T) *fleet {
	t.Helper()
	home := t.TempDir()
	t.Setenv("HOME", home)
	for _, k := range []string{"FOGCTL_ZT_URL", "FOGCTL_ZT_TOKEN_FILE", "FOGCTL_ZT_TOKEN", "FOGCTL_DEBUG"} {
		t.Setenv(k, "")
	}
	lockDir := filepath.Join(home, "locks")
	if err := os.Mkdir(lockDir, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("FOGCTL_NET_LOCK_DIR", lockDir)
	t.Setenv("KUBECONFIG", writeKubeconfig(t, home, "bus-17", "bus-18", "depot"))
	w := ztfake.NewWorld()
	return &fleet{
		world:     w,
		fog:       ztfake.Serve(t, w.NewNode(ztfake.NodeOptions{Name: "fog", Controller: true})),
		bus:       ztfake.Serve(t, w.NewNode(ztfake.NodeOptions{Name: "bus-17"})),
		configDir: filepath.Join(home, "config"),
		stateDir:  filepath.Join(home, "state"),
		lockDir:   lockDir,
	}
}

type result struct {
	out, err string
	code     cmd.ExitCode
}

// run runs one fogctl command line in-process with test streams.
func (fl *fleet) run(t *testing.T, tty bool, args ...string) result {
	t.Helper()
	return fl.runIn(t, tty, "", args...)
}

// runIn is run with stdin holding what the user types.
func (fl *fleet) runIn(t *testing.T, tty bool, stdin string, args ...string) result {
	t.Helper()
	ios, in, out, errOut := cmdutil.Test()
	ios.SetTTY(tty)
	in.WriteString(stdin)
	f := &cmdutil.Factory{
		IOStreams:  ios,
		Version:    "test",
		Now:        func() time.Time { return fl.world.Now().Add(5 * time.Minute) },
		HTTPClient: func() (*http.Client, error) { return &http.Client{}, nil },
		StateDir:   func() (string, error) { return fl.stateDir, os.MkdirAll(fl.stateDir, 0o700) },
		ConfigDir:  func() (string, error) { return fl.configDir, os.MkdirAll(fl.configDir, 0o700) },
		Executable: os.Executable,
	}
	code := cmd.Run(context.Background(), f, args)
	return result{out: out.String(), err: errOut.String(), code: code}
}

// ctl runs a command against the fog server's controller.
func (fl *fleet) ctl(t *testing.T, tty bool, args ...string) result {
	t.Helper()
	return fl.run(t, tty, append(append([]string{"net"}, args...), "--zt-url", fl.fog.URL, "--token-file", fl.fog.TokenFile)...)
}

// ctlIn runs a command against the controller with stdin holding what
// the user types.
func (fl *fleet) ctlIn(t *testing.T, tty bool, stdin string, args ...string) result {
	t.Helper()
	return fl.runIn(t, tty, stdin, append(append([]string{"net"}, args...), "--zt-url", fl.fog.URL, "--token-file", fl.fog.TokenFile)...)
}

// node runs a command against the bus's local service.
func (fl *fleet) node(t *testing.T, tty bool, args ...string) result {
	t.Helper()
	return fl.run(t, tty, append(append([]string{"net"}, args...), "--zt-url", fl.bus.URL, "--token-file", fl.bus.TokenFile)...)
}

// must fails the test unless r succeeded.
func must(t *testing.T, r result) result {
	t.Helper()
	if r.code != 0 {
		t.Fatalf("exit %d\nstdout: %s\nstderr: %s", r.code, r.out, r.err)
	}
	return r
}

// network creates the fleet network with 10.147.15.0/24 and returns its id.
func (fl *fleet) network(t *testing.T) string {
	t.Helper()
	return strings.TrimSpace(must(t, fl.ctl(t, false, "create", "fleet", "--cidr", "10.147.15.0/24")).out)
}

// joinBus joins the bus to nwid and returns its member id.
func (fl *fleet) joinBus(t *testing.T, nwid string) string {
	t.Helper()
	return strings.TrimSpace(must(t, fl.node(t, false, "join", nwid)).out)
}

// both runs f as TTY and as pipe.
func both(t *testing.T, f func(t *testing.T, tty bool, suffix string)) {
	t.Run("tty", func(t *testing.T) { f(t, true, "_tty") })
	t.Run("pipe", func(t *testing.T) { f(t, false, "_pipe") })
}

// writeKubeconfig writes a kubeconfig with the named contexts (each with
// its own cluster and user) under dir and returns its path.
func writeKubeconfig(t *testing.T, dir string, contexts ...string) string {
	t.Helper()
	var clusters, users, ctxs strings.Builder
	for i, n := range contexts {
		fmt.Fprintf(&clusters, "- name: %s\n  cluster:\n    server: https://127.0.0.1:%d\n", n, 6443+i)
		fmt.Fprintf(&users, "- name: %s\n  user:\n    token: not-a-secret\n", n)
		fmt.Fprintf(&ctxs, "- name: %s\n  context:\n    cluster: %s\n    user: %s\n", n, n, n)
	}
	path := filepath.Join(dir, ".kube", "config")
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		t.Fatal(err)
	}
	data := "apiVersion: v1\nkind: Config\nclusters:\n" + clusters.String() + "users:\n" + users.String() + "contexts:\n" + ctxs.String()
	if err := os.WriteFile(path, []byte(data), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}
