package ctxcmd_test

import "testing"

// TestCtxMergeMissingFileNamedOnce: "merge nonexist.yaml: no such file",
// not "merge nonexist.yaml: merge nonexist.yaml: no such file".
func TestCtxMergeMissingFileNamedOnce(t *testing.T) {
	env := newCtxEnv(t)
	code, _, stderr := env.run(t, false, "ctx", "merge", "nonexist.yaml")
	if want := "error: merge nonexist.yaml: no such file\n"; code != 1 || stderr != want {
		t.Errorf("exit %d %q, want 1 %q", code, stderr, want)
	}
}
