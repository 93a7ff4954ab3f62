package ctxcmd_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestCtxStatusProbingNothingFails: a status that would check nothing
// exits 1 naming why, so 'fogctl ctx status -l line=12 || echo ...' fires
// on a typo (it printed "No contexts selected" and exited 0).
func TestCtxStatusProbingNothingFails(t *testing.T) {
	env := newFleetEnv(t) // probes may run: a real HTTP client
	data, err := os.ReadFile("../../testdata/kubeconfig/full.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Dir(env.kubeconfig), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(env.kubeconfig, data, 0o600); err != nil {
		t.Fatal(err)
	}
	typo := filepath.Join(env.home, "typo", "config")
	cases := []struct {
		name       string
		kubeconfig string // KUBECONFIG
		args       []string
		want       string
	}{
		{"missing --kubeconfig", "", []string{"--kubeconfig", typo}, "error: --kubeconfig $DIR/typo/config: no such file\n"},
		{"missing KUBECONFIG", typo, nil, "error: no contexts to probe: kubeconfig $DIR/typo/config does not exist\n"},
		{"missing KUBECONFIG files", typo + ":" + typo + "2", nil, "error: no contexts to probe: none of the kubeconfig files exists ($DIR/typo/config, $DIR/typo/config2)\n"},
		{"selector matching none", "", []string{"-l", "role=nothing"}, "error: no context matches \"role=nothing\" (run 'fogctl ctx list -o wide' for the labels)\n"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Setenv("KUBECONFIG", c.kubeconfig)
			code, stdout, stderr := env.fogctl(t, append([]string{"ctx", "status", "--timeout", "100ms"}, c.args...)...)
			stderr = strings.ReplaceAll(stderr, env.home, "$DIR")
			if code != 1 || stdout != "" || stderr != c.want {
				t.Errorf("exit %d, stdout %q, stderr %q; want exit 1 and %q", code, stdout, stderr, c.want)
			}
		})
	}
}
