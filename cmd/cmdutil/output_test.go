package cmdutil

import (
	"bytes"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestPrintYAMLBlockStyleSameFieldsAsJSON(t *testing.T) {
	type member struct {
		ID         string   `json:"id"`
		Authorized bool     `json:"authorized"`
		IPs        []string `json:"ipAssignments"`
		Note       string   `json:"note,omitempty"`
		Rev        int      `json:"revision"`
	}
	var buf bytes.Buffer
	err := PrintYAML(&buf, []member{{ID: "a1b2c3d4e5", Authorized: true, IPs: []string{"10.147.15.17"}, Note: "true", Rev: 3}})
	if err != nil {
		t.Fatal(err)
	}
	want := `- id: a1b2c3d4e5
  authorized: true
  ipAssignments:
    - 10.147.15.17
  note: "true"
  revision: 3
`
	if diff := cmp.Diff(want, buf.String()); diff != "" {
		t.Errorf("PrintYAML (-want +got):\n%s", diff)
	}
}

func TestTableTTYAlignsPipeTabs(t *testing.T) {
	for _, tty := range []bool{true, false} {
		ios, _, out, _ := Test()
		ios.SetTTY(tty)
		tb := NewTable(ios)
		tb.Row("NAME", "SERVER")
		tb.Row("bus-17", "https://10.147.15.17:6443")
		if err := tb.Flush(); err != nil {
			t.Fatal(err)
		}
		want := "NAME\tSERVER\nbus-17\thttps://10.147.15.17:6443\n"
		if tty {
			want = "NAME    SERVER\nbus-17  https://10.147.15.17:6443\n"
		}
		if diff := cmp.Diff(want, out.String()); diff != "" {
			t.Errorf("tty=%v (-want +got):\n%s", tty, diff)
		}
	}
}
