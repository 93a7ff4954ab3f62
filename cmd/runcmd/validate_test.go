package runcmd_test

import (
	"testing"

	"github.com/fogctl/fogctl/internal/golden"
)

func TestValidate(t *testing.T) {
	tests := []struct {
		name string
		args []string
		code int
	}{
		{"ok", []string{"validate", "testdata/pipeline.yaml"}, 0},
		{"invalid", []string{"validate", "testdata/invalid.yaml"}, 2},
		{"missing", []string{"validate", "testdata/nope.yaml"}, 2},
		{"no_args", []string{"validate"}, 2},
	}
	for _, tt := range tests {
		for _, tty := range []bool{false, true} {
			name := tt.name + map[bool]string{false: "_pipe", true: "_tty"}[tty]
			t.Run(name, func(t *testing.T) {
				f, _, out, errOut := testFactory(t, tty)
				if code := run(t, f, tt.args...); code != tt.code {
					t.Errorf("exit %d, want %d", code, tt.code)
				}
				golden.Assert(t, "TestValidate_"+name, "stdout:\n"+out.String()+"\nstderr:\n"+errOut.String())
			})
		}
	}
}

func TestGraph(t *testing.T) {
	tests := []struct {
		name string
		tty  bool
		args []string
		code int
	}{
		{"dot", false, []string{"graph", "testdata/pipeline.yaml"}, 0},
		{"text_pipe", false, []string{"graph", "testdata/pipeline.yaml", "--format", "text"}, 0},
		{"text_tty", true, []string{"graph", "testdata/pipeline.yaml", "--format", "text"}, 0},
		{"invalid", false, []string{"graph", "testdata/invalid.yaml"}, 2},
		{"bad_format", false, []string{"graph", "testdata/pipeline.yaml", "--format", "svg"}, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, _, out, errOut := testFactory(t, tt.tty)
			if code := run(t, f, tt.args...); code != tt.code {
				t.Errorf("exit %d, want %d", code, tt.code)
			}
			golden.Assert(t, "TestGraph_"+tt.name, "stdout:\n"+out.String()+"\nstderr:\n"+errOut.String())
		})
	}
}
