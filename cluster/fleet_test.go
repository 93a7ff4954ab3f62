package cluster_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/fogctl/fogctl/cluster"
)

// TestFleetErrorLines: a fleet file that does not load names the line an
// operator must fix, once. yaml.v3 gives the 0-based line where the
// enclosing block starts for its parser's errors (line 2 for a bad line
// 3), and its type errors printed their line twice ("line 3: line 3:
// cannot unmarshal").
func TestFleetErrorLines(t *testing.T) {
	for _, tc := range []struct {
		name, yaml, want string
	}{
		{"unclosed flow sequence, last line", "contexts:\n  bus-17:\n    labels: [oops\n",
			"line 3: did not find expected ',' or ']'"},
		{"unclosed flow sequence, line 4", "contexts:\n  bus-17:\n    networkId: 8056c2e21c000001\n    labels: [oops\n",
			"line 4: did not find expected ',' or ']'"},
		{"unclosed flow sequence, more after", "contexts:\n  bus-17:\n    labels: [oops\n  bus-18:\n    networkId: 8056c2e21c000001\n",
			"line 3: did not find expected ',' or ']'"},
		{"unclosed flow mapping", "# fleet\ncontexts:\n  bus-17:\n    labels: {a: b\n",
			"line 4: did not find expected ',' or '}'"},
		{"indented to no level", "contexts:\n  bus-17:\n    labels:\n      a: b\n     c: d\n",
			"line 5: did not find expected key"},
		{"a tab", "contexts:\n  bus-17:\n\tlabels: x\n",
			"line 3: found character that cannot start any token"},
		{"labels not a mapping", "contexts:\n  bus-17:\n    labels: 5\n",
			"line 3: cannot unmarshal !!int `5` into map[string]string"},
		{"labels a sequence", "contexts:\n  bus-17:\n    labels:\n      - a\n",
			"line 4: cannot unmarshal !!seq into map[string]string"},
		{"unknown field", "contexts:\n  bus-17:\n    networkID: 8056c2e21c000001\n",
			"line 3: field networkID not found in type cluster.FleetEntry"},
		{"two type errors", "contexts:\n  bus-17:\n    labels: 5\n  bus-18:\n    memberID: a1b2c3d4e5\n",
			"line 3: cannot unmarshal !!int `5` into map[string]string; line 5: field memberID not found in type cluster.FleetEntry"},
		{"a context twice", "contexts:\n  bus-17:\n    labels: {a: b}\n  bus-17:\n    networkId: x\n",
			"line 4: mapping key \"bus-17\" already defined at line 2"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, cluster.FleetFileName)
			if err := os.WriteFile(path, []byte(tc.yaml), 0o600); err != nil {
				t.Fatal(err)
			}
			_, err := cluster.LoadFleet(dir)
			if want := path + " " + tc.want; err == nil || err.Error() != want {
				t.Errorf("got  %v\nwant %s", err, want)
			}
		})
	}
}
