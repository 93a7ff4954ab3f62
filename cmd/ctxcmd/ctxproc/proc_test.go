package ctxproc

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/fogctl/fogctl/cluster/kubeconfigtest"
	"github.com/fogctl/fogctl/internal/testbin"
)

// fogctlBinary is the fogctl binary as `make build` builds it (trimmed,
// stripped), so start-up is measured as shipped.
func fogctlBinary(tb testing.TB) string { return testbin.Fogctl(tb) }

func TestMain(m *testing.M) { testbin.Main(m) }

// fleetHome is an operator's home with a kubeconfig of n contexts and a
// k3s.yaml to import.
type fleetHome struct {
	dir, kubeconfig, k3s string
	env                  []string
}

func newFleetHome(tb testing.TB, n int) *fleetHome {
	tb.Helper()
	dir := tb.TempDir()
	h := &fleetHome{dir: dir, kubeconfig: filepath.Join(dir, ".kube", "config"), k3s: filepath.Join(dir, "k3s.yaml")}
	if err := os.MkdirAll(filepath.Dir(h.kubeconfig), 0o700); err != nil {
		tb.Fatal(err)
	}
	if err := os.WriteFile(h.kubeconfig, kubeconfigtest.Fleet(n), 0o600); err != nil {
		tb.Fatal(err)
	}
	k3s, err := os.ReadFile("../../../testdata/kubeconfig/k3s.yaml")
	if err != nil {
		tb.Fatal(err)
	}
	if err := os.WriteFile(h.k3s, k3s, 0o600); err != nil {
		tb.Fatal(err)
	}
	h.env = append(os.Environ(),
		"HOME="+dir,
		"KUBECONFIG="+h.kubeconfig,
		"XDG_STATE_HOME="+filepath.Join(dir, "state"),
		"XDG_CONFIG_HOME="+filepath.Join(dir, "config"),
		"NO_COLOR=1",
	)
	return h
}

func (h *fleetHome) command(bin string, args ...string) *exec.Cmd {
	c := exec.Command(bin, args...)
	c.Env = h.env
	c.Dir = h.dir
	return c
}

func (h *fleetHome) run(tb testing.TB, bin string, args ...string) []byte {
	tb.Helper()
	var stderr bytes.Buffer
	c := h.command(bin, args...)
	c.Stderr = &stderr
	out, err := c.Output()
	if err != nil {
		tb.Fatalf("%s %v: %v\n%s", filepath.Base(bin), args, err, stderr.String())
	}
	return out
}
