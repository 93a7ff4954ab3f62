package workflow

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// TestRunDiamond runs a -> (b, c) -> d over HTTP: d's input merges b's
// and c's outputs, and the events tell the whole story in order.
func TestRunDiamond(t *testing.T) {
	srv, _ := startEcho(t, 0)
	wf := mustParse(t, []spec{
		{name: "a", kind: "http", url: srv.URL + "/n/a"},
		{name: "b", kind: "http", url: srv.URL + "/n/b", deps: []string{"a"}},
		{name: "c", kind: "http", url: srv.URL + "/n/c", deps: []string{"a"}},
		{name: "d", kind: "http", url: srv.URL + "/n/d", deps: []string{"b", "c"}},
	})
	evs, rec := collect(t, context.Background(), wf, Options{RunID: "r1", Input: []byte(`{"in": 1}`)})
	if rec.State != StateSucceeded {
		t.Fatalf("run %s: %s", rec.State, rec.Error)
	}
	want := map[string]any{"in": 1.0, "a": true, "b": true, "c": true, "d": true}
	if diff := cmp.Diff(want, outputOf(t, rec, "d")); diff != "" {
		t.Errorf("d output (-want +got)\n%s", diff)
	}
	if string(rec.Node("d").Input) != `{"a":true,"b":true,"c":true,"in":1}` {
		t.Errorf("d input = %s", rec.Node("d").Input)
	}
	if first, last := evs[0], evs[len(evs)-1]; first.Node != "" || first.State != StateRunning || last.Node != "" || last.State != StateSucceeded {
		t.Errorf("first %+v last %+v, want run running ... run succeeded", first, last)
	}
	for i, ev := range evs {
		if ev.Seq != int64(i+1) || ev.RunID != "r1" {
			t.Errorf("event %d: seq %d run %q", i, ev.Seq, ev.RunID)
		}
	}
}

// fanOutIn is root -> n middle nodes -> sink.
func fanOutIn(url string, n int) []spec {
	nodes := []spec{{name: "root", kind: "http", url: url + "/n/root"}}
	mids := make([]string, n)
	for i := range n {
		mids[i] = fmt.Sprintf("m%04d", i)
		nodes = append(nodes, spec{name: mids[i], kind: "http", url: url + "/n/" + mids[i], deps: []string{"root"}})
	}
	return append(nodes, spec{name: "sink", kind: "http", url: url + "/n/sink", deps: mids})
}

// layered is width·depth nodes; node j of layer k depends on nodes j and
// j+1 (mod width) of layer k-1; a sink depends on the whole last layer.
func layered(url string, depth, width int) []spec {
	var nodes []spec
	name := func(k, j int) string { return fmt.Sprintf("l%02dn%03d", k, j) }
	for k := range depth {
		for j := range width {
			s := spec{name: name(k, j), kind: "http", url: url + "/n/" + name(k, j)}
			if k > 0 {
				s.deps = []string{name(k-1, j), name(k-1, (j+1)%width)}
			}
			nodes = append(nodes, s)
		}
	}
	var last []string
	for j := range width {
		last = append(last, name(depth-1, j))
	}
	return append(nodes, spec{name: "sink", kind: "http", url: url + "/n/sink", deps: last})
}

// wantAll is the object with every node's name set to true.
func wantAll(nodes []spec) map[string]any {
	m := map[string]any{}
	for _, n := range nodes {
		m[n.name] = true
	}
	return m
}

// TestBigDAGsMergeCompletely runs a 1000-node fan-out/fan-in and a 10x100
// layered DAG 50 times each: the sink's output must hold every node's
// key every time (the reference engine loses some to a race).
func TestBigDAGsMergeCompletely(t *testing.T) {
	srv, h := startEcho(t, 0)
	tests := []struct {
		name  string
		nodes []spec
	}{
		{"fan-out-fan-in-1000", fanOutIn(srv.URL, 1000)},
		{"layered-10x100", layered(srv.URL, 10, 100)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wf := mustParse(t, tt.nodes)
			want := wantAll(tt.nodes)
			client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 1024}}
			defer client.CloseIdleConnections()
			for run := range 50 {
				before := h.calls.Load()
				_, rec := collect(t, context.Background(), wf, Options{RunID: fmt.Sprint("run-", run), HTTPClient: client})
				if rec.State != StateSucceeded {
					t.Fatalf("run %d: %s: %s", run, rec.State, rec.Error)
				}
				got := outputOf(t, rec, "sink")
				if diff := cmp.Diff(want, got); diff != "" {
					t.Fatalf("run %d: sink output (-want +got)\n%s", run, diff)
				}
				if calls := h.calls.Load() - before; calls != int64(len(tt.nodes)) {
					t.Fatalf("run %d: %d calls, want %d", run, calls, len(tt.nodes))
				}
			}
		})
	}
}

// TestMergeOrder checks the documented merge rule through the engine:
// parents merge in dependencies order, later ones win, objects merge
// deeply, arrays and scalars are replaced.
func TestMergeOrder(t *testing.T) {
	mux := http.NewServeMux()
	reply := func(path, body string) {
		mux.HandleFunc(path, func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, body) })
	}
	reply("/p1", `{"a": 1, "shared": "p1", "deep": {"x": 1, "y": {"k": "p1"}}, "list": [1, 2], "big": 12345678901234567890}`)
	reply("/p2", `{"b": 2, "shared": "p2", "deep": {"z": 3, "y": {"k": "p2", "j": true}}, "list": [3]}`)
	reply("/scalar", `"just a string"`)
	srv := httptest.NewServer(mux)
	defer srv.Close()
	wf := mustParse(t, []spec{
		{name: "p1", kind: "http", url: srv.URL + "/p1"},
		{name: "p2", kind: "http", url: srv.URL + "/p2"},
		{name: "s", kind: "http", url: srv.URL + "/scalar"},
		{name: "forward", kind: "noop", deps: []string{"p1", "p2"}},
		{name: "backward", kind: "noop", deps: []string{"p2", "p1"}},
		{name: "scalar-last", kind: "noop", deps: []string{"p1", "s"}},
		{name: "scalar-first", kind: "noop", deps: []string{"s", "p2"}},
	})
	_, rec := collect(t, context.Background(), wf, Options{})
	tests := map[string]string{
		"forward":      `{"a":1,"b":2,"big":12345678901234567890,"deep":{"x":1,"y":{"j":true,"k":"p2"},"z":3},"list":[3],"shared":"p2"}`,
		"backward":     `{"a":1,"b":2,"big":12345678901234567890,"deep":{"x":1,"y":{"j":true,"k":"p1"},"z":3},"list":[1,2],"shared":"p1"}`,
		"scalar-last":  `"just a string"`,
		"scalar-first": `{"b":2,"deep":{"y":{"j":true,"k":"p2"},"z":3},"list":[3],"shared":"p2"}`,
	}
	for node, want := range tests {
		if got := string(rec.Node(node).Output); got != want {
			t.Errorf("%s output:\n got %s\nwant %s", node, got, want)
		}
	}
	// The parents' own outputs are untouched by their children's merges.
	if got := string(rec.Node("p1").Output); !strings.Contains(got, `"y": {"k": "p1"}}`) {
		t.Errorf("p1 output changed: %s", got)
	}
}

func TestMergeOutputs(t *testing.T) {
	tests := []struct {
		name string
		in   []string
		want string
	}{
		{"none", nil, `{}`},
		{"one kept as is", []string{`{"b": 1, "a": 2}`}, `{"b": 1, "a": 2}`},
		{"later wins", []string{`{"a": 1, "b": 1}`, `{"b": 2}`}, `{"a":1,"b":2}`},
		{"deep", []string{`{"o": {"a": 1}}`, `{"o": {"b": 2}}`, `{"o": {"a": 3}}`}, `{"o":{"a":3,"b":2}}`},
		{"object replaces scalar", []string{`{"o": 1}`, `{"o": {"a": 1}}`}, `{"o":{"a":1}}`},
		{"null replaces", []string{`{"o": {"a": 1}}`, `{"o": null}`}, `{"o":null}`},
		{"array replaces object", []string{`{"a": 1}`, `[1]`}, `[1]`},
		{"object replaces array", []string{`[1]`, `{"a": 1}`}, `{"a":1}`},
		{"no HTML escaping", []string{`{"a": "<b>"}`, `{"c": "&"}`}, `{"a":"<b>","c":"&"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var in []json.RawMessage
			for _, s := range tt.in {
				in = append(in, json.RawMessage(s))
			}
			got, err := MergeOutputs(in...)
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tt.want {
				t.Errorf("got %s, want %s", got, tt.want)
			}
		})
	}
}

// TestFailurePropagation: a failed node's dependants are upstream-failed
// and never called, a when: always node runs with what succeeded, an
// independent branch finishes, and the run fails naming the root cause.
func TestFailurePropagation(t *testing.T) {
	srv, h := startEcho(t, 0)
	wf := mustParse(t, []spec{
		{name: "ok", kind: "http", url: srv.URL + "/n/ok"},
		{name: "bad", kind: "http", url: srv.URL + "/status/500"},
		{name: "child", kind: "http", url: srv.URL + "/n/child", deps: []string{"bad"}},
		{name: "grandchild", kind: "http", url: srv.URL + "/n/grandchild", deps: []string{"child"}},
		{name: "cleanup", kind: "http", url: srv.URL + "/n/cleanup", deps: []string{"ok", "child"}, extra: "when: always"},
		{name: "other", kind: "http", url: srv.URL + "/n/other", deps: []string{"ok"}},
	})
	_, rec := collect(t, context.Background(), wf, Options{})
	states := map[string]State{}
	for _, n := range rec.Nodes {
		states[n.Name] = n.State
	}
	want := map[string]State{"ok": StateSucceeded, "bad": StateFailed, "child": StateUpstreamFailed, "grandchild": StateUpstreamFailed, "cleanup": StateSucceeded, "other": StateSucceeded}
	if diff := cmp.Diff(want, states); diff != "" {
		t.Errorf("states (-want +got)\n%s", diff)
	}
	if rec.State != StateFailed || rec.Error != `node "bad" failed: HTTP 500: "service says no: status 500"` {
		t.Errorf("run %s, error %q", rec.State, rec.Error)
	}
	if got := rec.Node("child").Error; got != `dependency "bad" failed` {
		t.Errorf("child error %q", got)
	}
	if got := rec.Node("grandchild").Error; got != `dependency "child" failed` {
		t.Errorf("grandchild error %q", got)
	}
	if got := string(rec.Node("cleanup").Input); got != `{"ok":true}` {
		t.Errorf("cleanup input %s, want ok's output", got)
	}
	if calls := h.calls.Load(); calls != 4 {
		t.Errorf("%d calls, want 4 (ok, bad, cleanup, other)", calls)
	}
}

// TestHTTPFailures: each way an HTTP call fails names what happened.
func TestHTTPFailures(t *testing.T) {
	srv, _ := startEcho(t, 0)
	closed := httptest.NewServer(http.NotFoundHandler())
	closedURL := closed.URL
	closed.Close()
	tests := []struct {
		name, url, want string
	}{
		{"status 404", srv.URL + "/status/404", `HTTP 404: "service says no: status 404"`},
		{"status 503", srv.URL + "/status/503", `HTTP 503: "service says no: status 503"`},
		{"not JSON", srv.URL + "/html", `HTTP 200: response is not JSON (Content-Type text/html): "<html><body>not json</body></html>"`},
		{"connection refused", closedURL + "/x", `connection error: Post "` + closedURL + `/x": dial tcp ` + strings.TrimPrefix(closedURL, "http://") + `: connect: connection refused`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wf := mustParse(t, []spec{{name: "a", kind: "http", url: tt.url}})
			_, rec := collect(t, context.Background(), wf, Options{})
			n := rec.Node("a")
			if n.State != StateFailed || n.Error != tt.want {
				t.Errorf("state %s error:\n %s\nwant\n %s", n.State, n.Error, tt.want)
			}
			if rec.State != StateFailed {
				t.Errorf("run %s", rec.State)
			}
		})
	}
	t.Run("empty body is {}", func(t *testing.T) {
		wf := mustParse(t, []spec{{name: "a", kind: "http", url: srv.URL + "/empty"}})
		_, rec := collect(t, context.Background(), wf, Options{})
		if n := rec.Node("a"); n.State != StateSucceeded || string(n.Output) != `{}` {
			t.Errorf("state %s output %s", n.State, n.Output)
		}
	})
	t.Run("long body is cut", func(t *testing.T) {
		long := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(500)
			io.WriteString(w, strings.Repeat("x", 5000))
		}))
		defer long.Close()
		wf := mustParse(t, []spec{{name: "a", kind: "http", url: long.URL}})
		_, rec := collect(t, context.Background(), wf, Options{})
		if e := rec.Node("a").Error; len(e) > 600 || !strings.HasPrefix(e, `HTTP 500: "xxxx`) || !strings.HasSuffix(e, `…"`) {
			t.Errorf("error (%d bytes): %.80s...", len(e), e)
		}
	})
}

// TestTimeoutSilentService: a service that accepts the connection and
// never answers fails its node after the node's timeout; the other
// branch and the when: always node still finish.
func TestTimeoutSilentService(t *testing.T) {
	srv, _ := startEcho(t, 0)
	silent := silentServer(t)
	wf := mustParse(t, []spec{
		{name: "hang", kind: "http", url: silent + "/hang", extra: "timeout: 200ms"},
		{name: "after-hang", kind: "http", url: srv.URL + "/n/after", deps: []string{"hang"}},
		{name: "ok", kind: "http", url: srv.URL + "/n/ok"},
		{name: "ok2", kind: "http", url: srv.URL + "/n/ok2", deps: []string{"ok"}},
		{name: "report", kind: "noop", deps: []string{"hang", "ok2"}, extra: "when: always"},
	})
	start := time.Now()
	_, rec := collect(t, context.Background(), wf, Options{})
	elapsed := time.Since(start)
	if n := rec.Node("hang"); n.State != StateFailed || n.Error != "timed out after 200ms" {
		t.Errorf("hang: %s %q", n.State, n.Error)
	}
	if n := rec.Node("after-hang"); n.State != StateUpstreamFailed {
		t.Errorf("after-hang: %s", n.State)
	}
	for _, name := range []string{"ok", "ok2", "report"} {
		if n := rec.Node(name); n.State != StateSucceeded {
			t.Errorf("%s: %s %s", name, n.State, n.Error)
		}
	}
	if rec.State != StateFailed {
		t.Errorf("run %s", rec.State)
	}
	if elapsed < 200*time.Millisecond || elapsed > 10*time.Second {
		t.Errorf("run took %s, want about the 200ms timeout", elapsed)
	}
}

// TestDefaultTimeouts: node timeout, then spec.defaults, then
// Options.DefaultTimeout.
func TestDefaultTimeouts(t *testing.T) {
	silent := silentServer(t)
	file := func(defaults string) []byte {
		return []byte("apiVersion: fogctl.io/v1alpha1\nkind: Workflow\nspec:\n" + defaults +
			"  nodes:\n  - {name: own, kind: http, url: '" + silent + "', timeout: 100ms}\n  - {name: inherit, kind: http, url: '" + silent + "'}\n")
	}
	tests := []struct {
		name     string
		defaults string
		opt      time.Duration
		want     string
	}{
		{"file default", "  defaults: {timeout: 150ms}\n", time.Hour, "timed out after 150ms"},
		{"run default", "", 120 * time.Millisecond, "timed out after 120ms"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wf, err := Parse("t.yaml", file(tt.defaults))
			if err != nil {
				t.Fatal(err)
			}
			_, rec := collect(t, context.Background(), wf, Options{DefaultTimeout: tt.opt})
			if got := rec.Node("own").Error; got != "timed out after 100ms" {
				t.Errorf("own: %q", got)
			}
			if got := rec.Node("inherit").Error; got != tt.want {
				t.Errorf("inherit: %q, want %q", got, tt.want)
			}
		})
	}
}

// TestRetries: a service failing once succeeds on the retry; a node that
// keeps failing uses every attempt.
func TestRetries(t *testing.T) {
	srv, h := startEcho(t, 0)
	wf := mustParse(t, []spec{
		{name: "flaky", kind: "http", url: srv.URL + "/flaky/flaky", extra: "retries: 2\nbackoff: 10ms"},
		{name: "broken", kind: "http", url: srv.URL + "/status/502", extra: "retries: 2\nbackoff: 1ms"},
	})
	evs, rec := collect(t, context.Background(), wf, Options{})
	flaky := rec.Node("flaky")
	if flaky.State != StateSucceeded || len(flaky.Attempts) != 2 {
		t.Fatalf("flaky: %s, %d attempts", flaky.State, len(flaky.Attempts))
	}
	if e := flaky.Attempts[0].Error; !strings.HasPrefix(e, `HTTP 503: "warming up"; retrying in `) {
		t.Errorf("first attempt error %q", e)
	}
	if gap := flaky.Attempts[1].Started.Sub(flaky.Attempts[0].Ended); gap < 5*time.Millisecond {
		t.Errorf("retry came %s after the failure, want at least half the 10ms backoff", gap)
	}
	broken := rec.Node("broken")
	if broken.State != StateFailed || len(broken.Attempts) != 3 || broken.Attempts[2].Error != `HTTP 502: "service says no: status 502"` {
		t.Errorf("broken: %s %+v", broken.State, broken.Attempts)
	}
	if calls := h.calls.Load(); calls != 5 {
		t.Errorf("%d calls, want 5", calls)
	}
	var seq []string
	for _, ev := range evs {
		if ev.Node == "flaky" {
			seq = append(seq, fmt.Sprintf("%s/%d/%d", ev.State, ev.Attempt, ev.MaxAttempts))
		}
	}
	if diff := cmp.Diff([]string{"running/1/3", "retrying/1/3", "running/2/3", "succeeded/2/3"}, seq); diff != "" {
		t.Errorf("flaky events (-want +got)\n%s", diff)
	}
}

func TestBackoff(t *testing.T) {
	for a, want := range map[int]time.Duration{1: 100 * time.Millisecond, 2: 200 * time.Millisecond, 3: 400 * time.Millisecond, 12: 30 * time.Second} {
		for range 100 {
			if d := backoff(100*time.Millisecond, a); d < want/2 || d > want {
				t.Fatalf("attempt %d: backoff %s, want in [%s, %s]", a, d, want/2, want)
			}
		}
	}
	seen := map[time.Duration]bool{}
	for range 20 {
		seen[backoff(time.Second, 1)] = true
	}
	if len(seen) < 2 {
		t.Errorf("backoff has no jitter: %v", seen)
	}
	if backoff(0, 3) != 0 {
		t.Errorf("zero base gives a wait")
	}
}

// TestParallelBound: no more than Parallel nodes are in flight at once,
// and with no bound all 20 are.
func TestParallelBound(t *testing.T) {
	var inflight, peak atomic.Int64
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := inflight.Add(1)
		for {
			p := peak.Load()
			if n <= p || peak.CompareAndSwap(p, n) {
				break
			}
		}
		select {
		case <-release:
		case <-time.After(20 * time.Millisecond):
		}
		inflight.Add(-1)
		io.WriteString(w, "{}")
	}))
	defer srv.Close()
	var nodes []spec
	for i := range 20 {
		nodes = append(nodes, spec{name: fmt.Sprint("n", i), kind: "http", url: srv.URL})
	}
	wf := mustParse(t, nodes)
	for _, limit := range []int{1, 3} {
		peak.Store(0)
		_, rec := collect(t, context.Background(), wf, Options{Parallel: limit})
		if rec.State != StateSucceeded || peak.Load() > int64(limit) || peak.Load() < 1 {
			t.Errorf("parallel %d: run %s, peak %d in flight", limit, rec.State, peak.Load())
		}
	}
	// Unbounded: every node is in flight together; the 20th releases all.
	peak.Store(0)
	var once sync.Once
	srv.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if inflight.Add(1) == 20 {
			once.Do(func() { close(release) })
		}
		select {
		case <-release:
		case <-time.After(5 * time.Second):
		}
		inflight.Add(-1)
		io.WriteString(w, "{}")
	})
	_, rec := collect(t, context.Background(), wf, Options{})
	select {
	case <-release:
	default:
		t.Errorf("unbounded run never had 20 nodes in flight (run %s)", rec.State)
	}
}
