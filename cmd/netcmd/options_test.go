package netcmd

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/fogctl/fogctl/cmd/cmdutil"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/spf13/cobra"
)

func testFactory() *cmdutil.Factory {
	ios, _, _, _ := cmdutil.Test()
	return &cmdutil.Factory{IOStreams: ios}
}

func TestParseAuthorizeOptions(t *testing.T) {
	var got *AuthorizeOptions
	cmd := NewCmdAuthorize(testFactory(), &ztFlags{}, func(o *AuthorizeOptions) error { got = o; return nil })
	cmd.SetArgs([]string{"8056c2e21c000001", "a1b2c3d4e5", "--ip", "auto", "--context", "bus-17", "-o", "json"})
	if err := cmd.Execute(); err != nil {
		t.Fatal(err)
	}
	want := &AuthorizeOptions{NetworkID: "8056c2e21c000001", MemberID: "a1b2c3d4e5", IP: "auto", Context: "bus-17", Output: "json"}
	if diff := cmp.Diff(want, got, cmpopts.IgnoreFields(AuthorizeOptions{}, "IO", "Client", "ConfigDir", "Kubeconfig")); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if got.Kubeconfig == nil {
		t.Error("no kubeconfig loader: --context cannot be checked")
	}
}

func TestParseWaitAndCreateOptions(t *testing.T) {
	var w *WaitOptions
	cmd := NewCmdWait(testFactory(), &ztFlags{}, func(o *WaitOptions) error { w = o; return nil })
	cmd.SetArgs([]string{"8056c2e21c000001"})
	if err := cmd.Execute(); err != nil {
		t.Fatal(err)
	}
	if w.Timeout != 2*time.Minute || w.Interval != time.Second || w.NetworkID != "8056c2e21c000001" {
		t.Errorf("wait defaults: %+v", w)
	}
	var c *CreateOptions
	cc := NewCmdCreate(testFactory(), &ztFlags{}, func(o *CreateOptions) error { c = o; return nil })
	cc.SetArgs([]string{"fleet", "--cidr", "10.147.15.0/24", "--cidr", "10.147.16.0/24"})
	if err := cc.Execute(); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"10.147.15.0/24", "10.147.16.0/24"}, c.CIDRs); diff != "" || c.Name != "fleet" || !c.Private {
		t.Errorf("create: %+v %s", c, diff)
	}
}

func TestTokenFromEnvironmentNeverFromAFlagValue(t *testing.T) {
	z := &ztFlags{}
	env := map[string]string{EnvToken: "s3cr3ts3cr3ts3cr3ts3cr3t"}
	tok, err := z.token(func(k string) string { return env[k] })
	if err != nil || tok.IsZero() {
		t.Fatalf("token from $%s: %v", EnvToken, err)
	}
	for _, name := range []string{"token", "auth-token", "zt-token"} {
		if NewCmdNet(testFactory()).PersistentFlags().Lookup(name) != nil {
			t.Errorf("flag --%s would put the token in argv", name)
		}
	}
}

func TestParseDeleteAndIPOptions(t *testing.T) {
	var d *DeleteOptions
	cmd := NewCmdDelete(testFactory(), &ztFlags{}, func(o *DeleteOptions) error { d = o; return nil })
	cmd.SetArgs([]string{"8056c2e21c000001", "-y"})
	if err := cmd.Execute(); err != nil {
		t.Fatal(err)
	}
	if d.NetworkID != "8056c2e21c000001" || !d.Yes {
		t.Errorf("delete: %+v", d)
	}
	// Not a terminal and no --yes: refused before runF, as a usage error.
	d = nil
	cmd = NewCmdDelete(testFactory(), &ztFlags{}, func(o *DeleteOptions) error { d = o; return nil })
	cmd.SetArgs([]string{"8056c2e21c000001"})
	cmd.SilenceErrors, cmd.SilenceUsage = true, true
	var fe *cmdutil.FlagError
	if err := cmd.Execute(); !errors.As(err, &fe) || d != nil {
		t.Errorf("without --yes in a pipe: %v, runF called: %v", err, d != nil)
	}

	for verb, args := range map[string][]string{
		"add":    {"add", "8056c2e21c000001", "a1b2c3d4e5", "10.147.15.30", "-o", "yaml"},
		"rm":     {"rm", "8056c2e21c000001", "a1b2c3d4e5", "10.147.15.30", "-o", "yaml"},
		"remove": {"remove", "8056c2e21c000001", "a1b2c3d4e5", "10.147.15.30", "-o", "yaml"},
		"list":   {"ls", "8056c2e21c000001", "a1b2c3d4e5", "-o", "yaml"},
	} {
		var got *IPOptions
		cmd := NewCmdIP(testFactory(), &ztFlags{}, func(o *IPOptions) error { got = o; return nil })
		cmd.SetArgs(args)
		if err := cmd.Execute(); err != nil {
			t.Fatal(err)
		}
		if verb == "remove" {
			verb = "rm"
		}
		want := &IPOptions{Verb: verb, NetworkID: "8056c2e21c000001", MemberID: "a1b2c3d4e5", IP: "10.147.15.30", Output: "yaml"}
		if verb == "list" {
			want.IP = ""
		}
		if diff := cmp.Diff(want, got, cmpopts.IgnoreFields(IPOptions{}, "IO", "Client", "StateDir", "ConfigDir")); diff != "" {
			t.Errorf("ip %s (-want +got):\n%s", verb, diff)
		}
	}
}

func TestParsePoolOptions(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want *PoolOptions
	}{
		{[]string{"add", "8056c2e21c000001", "10.147.16.0/24"}, &PoolOptions{NetworkID: "8056c2e21c000001", CIDR: "10.147.16.0/24"}},
		{[]string{"rm", "8056c2e21c000001", "10.147.16.0/24"}, &PoolOptions{Remove: true, NetworkID: "8056c2e21c000001", CIDR: "10.147.16.0/24"}},
	} {
		var got *PoolOptions
		cmd := NewCmdPool(testFactory(), &ztFlags{}, func(o *PoolOptions) error { got = o; return nil })
		cmd.SetArgs(tc.args)
		if err := cmd.Execute(); err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(tc.want, got, cmpopts.IgnoreFields(PoolOptions{}, "IO", "Client", "StateDir")); diff != "" {
			t.Errorf("pool %s (-want +got):\n%s", tc.args[0], diff)
		}
	}
}

// TestUseLinesNameNoFlags: a Use line names the command and its
// arguments; flags are listed by cobra under Flags.
func TestUseLinesNameNoFlags(t *testing.T) {
	var walk func(*cobra.Command)
	walk = func(c *cobra.Command) {
		if strings.Contains(c.Use, "-") {
			t.Errorf("%s: Use %q names a flag", c.CommandPath(), c.Use)
		}
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(NewCmdNet(testFactory()))
}
