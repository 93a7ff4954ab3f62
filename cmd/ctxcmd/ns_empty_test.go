package ctxcmd_test

import "testing"

// TestCtxNsEmptyRemoves: 'ctx ns ""' says it removed the namespace (it said
// "now uses namespace " with nothing after).
func TestCtxNsEmptyRemoves(t *testing.T) {
	env := newCtxEnv(t)
	_, stderr := env.ok(t, "ctx", "ns", "", "--context", "depot")
	if want := "✓ Removed the namespace of context depot (kubectl uses \"default\")\n"; stderr != want {
		t.Errorf("got %q, want %q", stderr, want)
	}
	if out, _ := env.ok(t, "ctx", "ns", "--context", "depot"); out != "default\n" {
		t.Errorf("ns afterwards: %q", out)
	}
}
