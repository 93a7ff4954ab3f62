package ztfake

import (
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Server is a Node served over HTTP on loopback for one test.
type Server struct {
	*Node
	// URL is the base URL, like http://127.0.0.1:41235.
	URL string
	// TokenFile is an authtoken.secret holding the node's token, mode 0600.
	TokenFile string
}

// Serve serves n on 127.0.0.1 until the test ends. When the test ends it
// fails the test for every request n received that broke ZeroTier's
// published spec and that the test did not take with TakeViolations.
func Serve(t testing.TB, n *Node) *Server {
	t.Helper()
	ts := httptest.NewServer(n)
	dir := t.TempDir()
	file := filepath.Join(dir, "authtoken.secret")
	if err := os.WriteFile(file, []byte(n.Token()), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ts.Close()
		if v := n.TakeViolations(); len(v) > 0 {
			t.Errorf("%s received %d request(s) that break the ZeroTier service API spec:\n  %s", n, len(v), strings.Join(v, "\n  "))
		}
	})
	return &Server{Node: n, URL: ts.URL, TokenFile: file}
}
