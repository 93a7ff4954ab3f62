package ctxcmd_test

import "testing"

// TestCtxRenameCarriesThePreviousContext: 'ctx use -' after renaming the
// previous context switches to it by its new name (it failed: no context
// named "bus-17"), as labels and last-seen times follow a rename.
func TestCtxRenameCarriesThePreviousContext(t *testing.T) {
	env := newCtxEnv(t)
	env.ok(t, "ctx", "use", "bus-17")
	env.ok(t, "ctx", "use", "bus-18") // previous: bus-17
	env.ok(t, "ctx", "rename", "bus-17", "bus-x")
	if _, stderr := env.ok(t, "ctx", "use", "-"); stderr != "✓ Switched to context bus-x\n" {
		t.Errorf("use - after renaming the previous context: %q", stderr)
	}
	// A rename of another context leaves the previous one alone.
	env.ok(t, "ctx", "rename", "depot", "depot-2")
	if _, stderr := env.ok(t, "ctx", "use", "-"); stderr != "✓ Switched to context bus-18\n" {
		t.Errorf("use - after renaming another context: %q", stderr)
	}
}
