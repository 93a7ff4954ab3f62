package workflow

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// echoHandler answers POST /n/NAME with its JSON body plus "NAME": true,
// after delay. Other paths: /status/CODE answers CODE with a text body,
// /html answers 200 with HTML, /flaky/NAME fails with 503 on its first
// call for each run and echoes after.
type echoHandler struct {
	delay time.Duration
	calls atomic.Int64
	mu    sync.Mutex
	seen  map[string]int // flaky: calls per name+run
}

func (h *echoHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h.calls.Add(1)
	if h.delay > 0 {
		time.Sleep(h.delay) // the service's own work, not a test wait
	}
	body, _ := io.ReadAll(r.Body)
	path := r.URL.Path
	switch {
	case strings.HasPrefix(path, "/status/"):
		var code int
		fmt.Sscanf(strings.TrimPrefix(path, "/status/"), "%d", &code)
		w.Header().Set("Content-Type", "text/plain")
		w.WriteHeader(code)
		fmt.Fprintf(w, "service says no: status %d", code)
		return
	case path == "/html":
		w.Header().Set("Content-Type", "text/html")
		io.WriteString(w, "<html><body>not json</body></html>")
		return
	case path == "/empty":
		w.WriteHeader(http.StatusNoContent)
		return
	case strings.HasPrefix(path, "/flaky/"):
		key := path + "?" + r.Header.Get("X-Run")
		h.mu.Lock()
		if h.seen == nil {
			h.seen = map[string]int{}
		}
		h.seen[key]++
		n := h.seen[key]
		h.mu.Unlock()
		if n == 1 {
			http.Error(w, "warming up", http.StatusServiceUnavailable)
			return
		}
		path = "/n/" + strings.TrimPrefix(path, "/flaky/")
	}
	name := strings.TrimPrefix(path, "/n/")
	out, err := echo(body, name)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Write(out)
}

// echo returns the JSON object in body with name set to true.
func echo(body []byte, name string) ([]byte, error) {
	m := map[string]any{}
	if len(strings.TrimSpace(string(body))) > 0 {
		if err := json.Unmarshal(body, &m); err != nil {
			return nil, fmt.Errorf("bad JSON body: %v", err)
		}
	}
	m[name] = true
	return json.Marshal(m)
}

func startEcho(t testing.TB, delay time.Duration) (*httptest.Server, *echoHandler) {
	t.Helper()
	h := &echoHandler{delay: delay}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv, h
}

// silentServer accepts connections and never answers.
func silentServer(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var conns []net.Conn
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		<-done
		mu.Lock()
		for _, c := range conns {
			c.Close()
		}
		mu.Unlock()
	})
	return "http://" + ln.Addr().String()
}

// spec is a node of a generated workflow.
type spec struct {
	name, kind, url, extra string
	deps                   []string
}

// genYAML writes a fogctl workflow file for nodes.
func genYAML(nodes []spec) []byte {
	var b strings.Builder
	b.WriteString("apiVersion: fogctl.io/v1alpha1\nkind: Workflow\nmetadata:\n  name: generated\nspec:\n  nodes:\n")
	for _, n := range nodes {
		fmt.Fprintf(&b, "    - name: %s\n      kind: %s\n", n.name, n.kind)
		if n.url != "" {
			fmt.Fprintf(&b, "      url: %s\n", n.url)
		}
		if len(n.deps) > 0 {
			fmt.Fprintf(&b, "      dependencies: [%s]\n", strings.Join(n.deps, ", "))
		}
		if n.extra != "" {
			for _, l := range strings.Split(strings.TrimSpace(n.extra), "\n") {
				fmt.Fprintf(&b, "      %s\n", l)
			}
		}
	}
	return []byte(b.String())
}

func mustParse(t testing.TB, nodes []spec) *Workflow {
	t.Helper()
	w, err := Parse("gen.yaml", genYAML(nodes))
	if err != nil {
		t.Fatalf("parse generated workflow: %v", err)
	}
	return w
}

// runBound is how long collect waits for a run's channel to close. No run
// in these tests needs a tenth of it: a run still open after it is an
// engine that lost track of its end, reported with every goroutine's
// stack instead of sitting silent until go test's -timeout (30 minutes in
// make test).
const runBound = 2 * time.Minute

// collect runs wf to the end and returns its events and record.
func collect(t testing.TB, ctx context.Context, wf *Workflow, opts Options) ([]Event, *Record) {
	t.Helper()
	if opts.RunID == "" {
		opts.RunID = "run-1"
	}
	rec := NewRecord(wf, opts.RunID)
	evs := readRun(t, Run(ctx, wf, opts), runBound)
	for _, ev := range evs {
		rec.Apply(ev)
	}
	return evs, rec
}

// readRun reads ch until it is closed and returns the events. If ch is
// still open after bound, the test fails with the events read and the
// stacks of all goroutines.
func readRun(t testing.TB, ch <-chan Event, bound time.Duration) []Event {
	t.Helper()
	timer := time.NewTimer(bound)
	defer timer.Stop()
	var evs []Event
	for {
		select {
		case ev, open := <-ch:
			if !open {
				return evs
			}
			evs = append(evs, ev)
		case <-timer.C:
			var last any = "none"
			if len(evs) > 0 {
				last = evs[len(evs)-1]
			}
			t.Fatalf("run still open after %s, %d events read, last %+v; goroutines:\n%s", bound, len(evs), last, allStacks())
		}
	}
}

// allStacks returns the stacks of all goroutines (at most 64 MiB of them).
func allStacks() string {
	buf := make([]byte, 1<<20)
	for {
		n := runtime.Stack(buf, true)
		if n < len(buf) || len(buf) >= 64<<20 {
			return string(buf[:n])
		}
		buf = make([]byte, 2*len(buf))
	}
}

func outputOf(t testing.TB, rec *Record, node string) map[string]any {
	t.Helper()
	n := rec.Node(node)
	if n == nil {
		t.Fatalf("no node %q in record", node)
	}
	if n.State != StateSucceeded {
		t.Fatalf("node %q: state %s (%s), want succeeded", node, n.State, n.Error)
	}
	var m map[string]any
	if err := json.Unmarshal(n.Output, &m); err != nil {
		t.Fatalf("node %q output %q: %v", node, n.Output, err)
	}
	return m
}
