package runbench

import (
	"bytes"
	"debug/buildinfo"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fogctl/fogctl/internal/dagshape"
)

// BenchmarkRunProcessVsFloor runs `fogctl run FILE --no-tui` as a process,
// and the floor program as a process, on the same plain DAG file and the
// same loopback echo service, in turn (each goes first on every third
// iteration) so both meet the same load. It reports ratio, the median of
// fogctl/floor over the iterations (target: 1.10 at most), and fogctl-ms
// and floor-ms, the mean wall time of one process from exec to exit. The
// run store writes under a temporary HOME, as it does for a user:
// directory, journal, fsyncs, record, retention: the store is filled to
// the 200 runs it keeps before the first run, so retention removes the
// oldest, as under cron.
//
// In the same iterations it runs a third program, the bound: the floor
// built with fogctl's libraries (-tags fogctlinits: cobra, bubbletea,
// x/ansi, yaml, flock, go-isatty linked and initialised, SIGINT and
// SIGTERM registered) and run with -record, so that it also creates,
// writes and fsyncs a record of the run before it exits. It is the least
// any `fogctl run` built on those libraries that keeps a durable record
// can cost, and it reports bound-ratio (bound/floor) and over-bound
// (fogctl/bound), medians of the per-iteration ratios like ratio: where
// bound-ratio is above 1.10, no such program meets the target, and
// over-bound is what fogctl adds of its own.
//
// Shapes: chain (each node depends on the one before), fan (a root, n-2
// nodes depending on it, a sink depending on them all) and layered
// (depth x width, each node depending on two of the layer before: 2x2,
// 2x5, 10x10, 10x100). With 5 ms of service delay the chain stops at 100
// nodes: a 1000-node chain takes 5 s a run on either side, and would
// hold the whole benchmark for a number that the 100-node chain already
// gives.
func BenchmarkRunProcessVsFloor(b *testing.B) {
	bins := buildBinaries(b)
	// One state directory for every run, full from the start, as cron
	// leaves it: each run also removes the oldest.
	env := runEnv(b)
	fillStore(b, env, bins.fogctl, runstoreKeep)
	for _, delay := range []time.Duration{0, 5 * time.Millisecond} {
		srv := startEcho(b, delay, false)
		for _, shape := range []string{"chain", "fan", "layered"} {
			for _, n := range []int{4, 10, 100, 1000} {
				if shape == "chain" && delay > 0 && n > 100 {
					continue
				}
				b.Run(fmt.Sprintf("%s/%d/delay=%s", shape, n, delay), func(b *testing.B) {
					file := writeDAG(b, shape, n, srv.URL)
					fogctl := func() time.Duration {
						return timeRun(b, env, bins.fogctl, "run", file, "--no-tui")
					}
					floor := func() time.Duration {
						return timeRun(b, env, bins.floor, file)
					}
					records := b.TempDir()
					bound := func() time.Duration {
						return timeRun(b, env, bins.bound, "-record", records, file)
					}
					progs := []func() time.Duration{fogctl, floor, bound}
					// One round first: page cache, connections to the
					// service, the state directory.
					for _, p := range progs {
						p()
					}
					var ratios, boundRatios, overBound []float64
					var total [3]time.Duration
					b.ResetTimer()
					for i := range b.N {
						// Each program goes first, second and third in
						// turn.
						var d [3]time.Duration
						for k := range progs {
							j := (i + k) % len(progs)
							d[j] = progs[j]()
							total[j] += d[j]
						}
						ratios = append(ratios, float64(d[0])/float64(d[1]))
						boundRatios = append(boundRatios, float64(d[2])/float64(d[1]))
						overBound = append(overBound, float64(d[0])/float64(d[2]))
					}
					ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / float64(b.N) / 1000 }
					b.ReportMetric(ms(total[0]), "fogctl-ms")
					b.ReportMetric(ms(total[1]), "floor-ms")
					b.ReportMetric(ms(total[2]), "bound-ms")
					b.ReportMetric(median(ratios), "ratio")
					b.ReportMetric(median(boundRatios), "bound-ratio")
					b.ReportMetric(median(overBound), "over-bound")
				})
			}
		}
	}
}

// TestFloorMatchesFogctl checks that the floor is a fair baseline: on a
// layered DAG, a fan and a chain, whose echo service answers with its
// input plus the node's name under "node" (a conflict every merge
// resolves) and, under "seen", the node's name mapped to the parent whose
// "node" won its input's merge (an object every merge deepens, which
// records every merge's order), the floor's sink outputs
// are those `fogctl run -o json` records, byte for byte once both are
// compacted (-o json indents).
func TestFloorMatchesFogctl(t *testing.T) {
	bins := buildBinaries(t)
	srv := startEcho(t, 0, true)
	for _, tc := range []struct {
		shape string
		n     int
	}{{"layered", 100}, {"fan", 10}, {"chain", 10}} {
		t.Run(fmt.Sprintf("%s-%d", tc.shape, tc.n), func(t *testing.T) {
			file := writeDAG(t, tc.shape, tc.n, srv.URL)
			env := runEnv(t)

			var floorOut bytes.Buffer
			floor := exec.Command(bins.floor, file)
			floor.Env, floor.Stdout, floor.Stderr = env, &floorOut, os.Stderr
			if err := floor.Run(); err != nil {
				t.Fatalf("floor: %v", err)
			}
			var got map[string]json.RawMessage
			if err := json.Unmarshal(floorOut.Bytes(), &got); err != nil {
				t.Fatalf("floor output: %v\n%s", err, floorOut.Bytes())
			}

			// The bound prints what the floor prints, and leaves a
			// record of every node.
			records := t.TempDir()
			var boundOut bytes.Buffer
			bound := exec.Command(bins.bound, "-record", records, file)
			bound.Env, bound.Stdout, bound.Stderr = env, &boundOut, os.Stderr
			if err := bound.Run(); err != nil {
				t.Fatalf("bound: %v", err)
			}
			if !bytes.Equal(boundOut.Bytes(), floorOut.Bytes()) {
				t.Errorf("bound printed\n%s\nthe floor\n%s", boundOut.Bytes(), floorOut.Bytes())
			}
			recs, err := filepath.Glob(filepath.Join(records, "*"))
			if err != nil || len(recs) != 1 {
				t.Fatalf("bound left %d records, want 1 (%v)", len(recs), err)
			}
			record, err := os.ReadFile(recs[0])
			if err != nil {
				t.Fatal(err)
			}
			lines := bytes.Split(bytes.TrimSuffix(record, []byte("\n")), []byte("\n"))
			if len(lines) != tc.n {
				t.Errorf("bound's record has %d lines, want %d", len(lines), tc.n)
			}
			for _, l := range lines {
				if !json.Valid(l) {
					t.Errorf("bound's record line is not JSON: %s", l)
				}
			}

			var fogOut, fogErr bytes.Buffer
			fog := exec.Command(bins.fogctl, "run", file, "-o", "json")
			fog.Env, fog.Stdout, fog.Stderr = env, &fogOut, &fogErr
			if err := fog.Run(); err != nil {
				t.Fatalf("fogctl run: %v\n%s", err, fogErr.Bytes())
			}
			var rec struct {
				State string `json:"state"`
				Nodes []struct {
					Name   string          `json:"name"`
					Output json.RawMessage `json:"output"`
				} `json:"nodes"`
			}
			if err := json.Unmarshal(fogOut.Bytes(), &rec); err != nil {
				t.Fatalf("fogctl -o json: %v", err)
			}
			if rec.State != "succeeded" {
				t.Fatalf("fogctl run ended %s", rec.State)
			}
			want := map[string]json.RawMessage{}
			for _, s := range sinks(t, tc.shape, tc.n) {
				for _, n := range rec.Nodes {
					if n.Name == s {
						want[s] = n.Output
					}
				}
			}
			if len(got) != len(want) || len(want) == 0 {
				t.Fatalf("floor printed %d sinks, fogctl recorded %d of the %d expected", len(got), len(want), len(sinks(t, tc.shape, tc.n)))
			}
			for name, w := range want {
				// -o json indents the record; compare the compact forms,
				// key order included.
				var cw, cg bytes.Buffer
				if err := json.Compact(&cw, w); err != nil {
					t.Fatal(err)
				}
				if err := json.Compact(&cg, got[name]); err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(cw.Bytes(), cg.Bytes()) {
					t.Errorf("sink %s:\nfogctl %s\nfloor  %s", name, w, got[name])
				}
				// Every node upstream of a sink left its name in "seen".
				var v struct{ Seen map[string]any }
				if err := json.Unmarshal(w, &v); err != nil {
					t.Fatal(err)
				}
				if wantSeen := ancestors(t, tc.shape, tc.n, name); len(v.Seen) != wantSeen {
					t.Errorf("sink %s saw %d nodes, want %d", name, len(v.Seen), wantSeen)
				}
			}
		})
	}
}

type binaries struct{ fogctl, floor, bound string }

var (
	buildOnce sync.Once
	built     binaries
	buildErr  error
	binDir    string
)

func TestMain(m *testing.M) {
	code := m.Run()
	if binDir != "" {
		os.RemoveAll(binDir)
	}
	os.Exit(code)
}

// buildBinaries builds fogctl as `make build` does (stripped, trimmed)
// and the floor the same way, once per test process. RUNBENCH_FOGCTL
// names a fogctl binary to measure instead of building one.
func buildBinaries(tb testing.TB) binaries {
	tb.Helper()
	buildOnce.Do(func() {
		binDir, buildErr = os.MkdirTemp("", "runbench")
		if buildErr != nil {
			return
		}
		built = binaries{fogctl: filepath.Join(binDir, "fogctl"), floor: filepath.Join(binDir, "floor"), bound: filepath.Join(binDir, "bound")}
		const floorPkg = "github.com/fogctl/fogctl/internal/runbench/floor"
		builds := []struct{ out, pkg, tags string }{
			{built.fogctl, "github.com/fogctl/fogctl", ""},
			{built.floor, floorPkg, ""},
			{built.bound, floorPkg, "fogctlinits"},
		}
		if bin := os.Getenv("RUNBENCH_FOGCTL"); bin != "" {
			// Another build of fogctl (an older commit, say) against
			// the same floor, for before-and-after figures.
			built.fogctl, builds = bin, builds[1:]
		}
		for _, p := range builds {
			c := exec.Command("go", "build", "-trimpath", "-ldflags=-s -w", "-tags="+p.tags, "-o", p.out, p.pkg)
			c.Env = append(os.Environ(), "CGO_ENABLED=0") // static, as `make build` builds fogctl
			out, err := c.CombinedOutput()
			if err != nil {
				buildErr = fmt.Errorf("go build %s: %v\n%s", p.pkg, err, out)
				return
			}
		}
	})
	if buildErr != nil {
		tb.Fatal(buildErr)
	}
	return built
}

// runEnv is the environment both programs run in: a temporary HOME and
// XDG directories, so fogctl's run store writes there, and no proxy.
func runEnv(tb testing.TB) []string {
	home := tb.TempDir()
	env := []string{
		"HOME=" + home,
		"XDG_STATE_HOME=" + filepath.Join(home, "state"),
		"XDG_CONFIG_HOME=" + filepath.Join(home, "config"),
		"PATH=" + os.Getenv("PATH"),
		"NO_COLOR=1",
	}
	if tz, ok := os.LookupEnv("TZ"); ok {
		env = append(env, "TZ="+tz)
	}
	return env
}

// timeRun runs one process to its exit, stdout discarded, and returns how
// long it took from exec to exit. It fails the benchmark if the process
// does not exit 0.
func timeRun(b *testing.B, env []string, argv ...string) time.Duration {
	cmd := exec.Command(argv[0], argv[1:]...)
	var stderr bytes.Buffer
	cmd.Env, cmd.Stdout, cmd.Stderr = env, io.Discard, &stderr
	t0 := time.Now()
	err := cmd.Run()
	d := time.Since(t0)
	if err != nil {
		b.Fatalf("%s: %v\n%s", filepath.Base(argv[0]), err, stderr.Bytes())
	}
	return d
}

// startEcho serves POST /n/NAME on loopback: it answers the JSON object it
// is sent with "node": NAME set, after delay. With seen it also sets
// "seen": {NAME: FROM} in the object the request had there, FROM being
// the "node" the request had (the parent whose output won the merge), or
// true for a root.
func startEcho(tb testing.TB, delay time.Duration, seen bool) *httptest.Server {
	tb.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		name := strings.TrimPrefix(r.URL.Path, "/n/")
		dec := json.NewDecoder(r.Body)
		dec.UseNumber()
		var body map[string]any
		if err := dec.Decode(&body); err != nil && err != io.EOF {
			http.Error(w, "want a JSON object: "+err.Error(), http.StatusBadRequest)
			return
		}
		if body == nil {
			body = map[string]any{}
		}
		if seen {
			s, _ := body["seen"].(map[string]any)
			if s == nil {
				s = map[string]any{}
			}
			// Which parent's "node" the merge kept: the last one listed.
			from := body["node"]
			if from == nil {
				from = true
			}
			s[name] = from
			body["seen"] = s
		}
		body["node"] = name
		if delay > 0 {
			t := time.NewTimer(delay) // the service's work, not a wait for the test
			select {
			case <-t.C:
			case <-r.Context().Done():
				t.Stop()
				return
			}
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(body)
	}))
	tb.Cleanup(srv.Close)
	return srv
}

// shape is the n nodes of a shape (internal/dagshape).
func shape(tb testing.TB, name string, n int) []dagshape.Node {
	tb.Helper()
	nodes, err := dagshape.Nodes(name, n)
	if err != nil {
		tb.Fatal(err)
	}
	return nodes
}

// sinks names the nodes nothing depends on.
func sinks(tb testing.TB, name string, n int) []string {
	return dagshape.Sinks(shape(tb, name, n))
}

// ancestors counts the nodes upstream of sink, sink included.
func ancestors(tb testing.TB, name string, n int, sink string) int {
	deps := map[string][]string{}
	for _, d := range shape(tb, name, n) {
		deps[d.Name] = d.Deps
	}
	seen := map[string]bool{}
	var walk func(string)
	walk = func(s string) {
		if seen[s] {
			return
		}
		seen[s] = true
		for _, d := range deps[s] {
			walk(d)
		}
	}
	walk(sink)
	return len(seen)
}

// writeDAG writes the plain DAG file of a shape into a temp dir.
func writeDAG(tb testing.TB, name string, n int, base string) string {
	tb.Helper()
	file := filepath.Join(tb.TempDir(), fmt.Sprintf("%s-%d.json", name, n))
	if err := os.WriteFile(file, dagshape.PlainDAG(shape(tb, name, n), base), 0o600); err != nil {
		tb.Fatal(err)
	}
	return file
}

// runstoreKeep is how many runs fogctl's run store keeps
// (runstore.DefaultKeep).
const runstoreKeep = 200

// fillStore records one run of a small DAG, then copies its file under
// older run IDs until the store under env's XDG_STATE_HOME holds n runs:
// the store of an operator whose cron has called fogctl for a while.
func fillStore(tb testing.TB, env []string, fogctl string, n int) {
	tb.Helper()
	srv := startEcho(tb, 0, false)
	file := writeDAG(tb, "chain", 4, srv.URL)
	out, err := runOut(env, fogctl, "run", file, "--no-tui")
	if err != nil {
		tb.Fatalf("fogctl run: %v\n%s", err, out)
	}
	var state string
	for _, e := range env {
		if v, ok := strings.CutPrefix(e, "XDG_STATE_HOME="); ok {
			state = v
		}
	}
	runs := filepath.Join(state, "fogctl", "runs")
	all, err := os.ReadDir(runs)
	var entries []os.DirEntry
	for _, e := range all {
		if !strings.HasPrefix(e.Name(), ".") { // not retention's mark
			entries = append(entries, e)
		}
	}
	if err != nil || len(entries) != 1 || entries[0].IsDir() {
		tb.Fatalf("want one run file in %s: %v (%d)", runs, err, len(entries))
	}
	data, err := os.ReadFile(filepath.Join(runs, entries[0].Name()))
	if err != nil {
		tb.Fatal(err)
	}
	for i := 1; i < n; i++ {
		dst := filepath.Join(runs, fmt.Sprintf("20200101T%06d-%08x.jsonl", i, i))
		if err := os.WriteFile(dst, data, 0o600); err != nil {
			tb.Fatal(err)
		}
	}
}

func runOut(env []string, argv ...string) ([]byte, error) {
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Env = env
	return cmd.CombinedOutput()
}

// median of the per-iteration ratios: each pair of runs shares the
// machine's momentary load, so the median shrugs off the pairs another
// process disturbed.
func median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// TestBoundLinksFogctlLibraries checks that the bound carries the
// libraries fogctl is built on, and the floor none of them: the bound's
// start-up is what it claims to be.
func TestBoundLinksFogctlLibraries(t *testing.T) {
	bins := buildBinaries(t)
	libs := []string{"github.com/spf13/cobra", "charm.land/bubbletea/v2", "github.com/charmbracelet/x/ansi", "go.yaml.in/yaml/v3", "github.com/gofrs/flock", "github.com/mattn/go-isatty"}
	mods := func(bin string) map[string]bool {
		info, err := buildinfo.ReadFile(bin)
		if err != nil {
			t.Fatal(err)
		}
		m := map[string]bool{}
		for _, d := range info.Deps {
			m[d.Path] = true
		}
		return m
	}
	bound, floor := mods(bins.bound), mods(bins.floor)
	for _, l := range libs {
		if !bound[l] {
			t.Errorf("the bound does not link %s", l)
		}
		if floor[l] {
			t.Errorf("the floor links %s", l)
		}
	}
}
