package runcmd_test

import (
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// TestRunKeepsConnections runs a layered DAG whose layers' calls are all
// in flight at once (the service answers a layer when the whole layer has
// arrived) and counts the TCP connections fogctl opens: a layer reuses the
// connections of the one before, so an 8x10 DAG opens 10 (at most 15 here), not
// the 20 to 60 that a pool of 2 idle connections per host (http.DefaultTransport)
// dials.
func TestRunKeepsConnections(t *testing.T) {
	const depth, width = 8, 10
	var conns atomic.Int32
	var mu sync.Mutex
	arrived := map[string]int{}
	full := map[string]chan struct{}{}
	layer := func(l string) chan struct{} {
		if full[l] == nil {
			full[l] = make(chan struct{})
		}
		return full[l]
	}
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		l, _, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/"), "-")
		mu.Lock()
		ch := layer(l)
		if arrived[l]++; arrived[l] == width {
			close(ch)
		}
		mu.Unlock()
		select {
		case <-ch:
		case <-time.After(10 * time.Second): // a bound, not a wait: the layer's calls all come at once
		}
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{}`)
	}))
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			conns.Add(1)
		}
	}
	srv.Start()
	t.Cleanup(srv.Close)

	var b strings.Builder
	b.WriteString("nodes:\n")
	for l := range depth {
		for j := range width {
			fmt.Fprintf(&b, "  - {name: l%d-%d, action: POST, url: %s/l%d-%d", l, j, srv.URL, l, j)
			if l > 0 {
				fmt.Fprintf(&b, ", dependencies: [l%d-%d, l%d-%d]", l-1, j, l-1, (j+1)%width)
			}
			b.WriteString("}\n")
		}
	}
	file := writeWorkflow(t, t.TempDir(), "layers.yaml", b.String(), nil)
	f, _, _, errOut := testFactory(t, false)
	if code := run(t, f, "run", file); code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if n := conns.Load(); n > width+width/2 {
		t.Errorf("%d connections for a %dx%d DAG, want at most %d: layers do not reuse connections", n, depth, width, width+width/2)
	}
}
