package ctxcmd_test

import (
	"strings"
	"testing"
)

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

// TestCtxDeleteForgetsThePreviousContext: after deleting the previous
// context, 'ctx use -' says there is none (it failed naming the deleted
// context: no context named "bus-17"); a delete of another context leaves
// the previous one alone.
func TestCtxDeleteForgetsThePreviousContext(t *testing.T) {
	env := newCtxEnv(t)
	env.ok(t, "ctx", "use", "bus-17")
	env.ok(t, "ctx", "use", "bus-18") // previous: bus-17
	env.ok(t, "ctx", "delete", "depot")
	if _, stderr := env.ok(t, "ctx", "use", "-"); stderr != "✓ Switched to context bus-17\n" {
		t.Errorf("use - after deleting another context: %q", stderr)
	}
	// previous: bus-18 now; delete it.
	env.ok(t, "ctx", "delete", "bus-18")
	code, _, stderr := env.run(t, false, "ctx", "use", "-")
	if code == 0 || !strings.Contains(stderr, "no previous context") {
		t.Errorf("use - after deleting the previous context: exit %d, %q; want an error saying there is none", code, stderr)
	}
}
