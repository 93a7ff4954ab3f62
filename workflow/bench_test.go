package workflow

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fogctl/fogctl/internal/dagshape"
)

// The benchmarks run fogctl's engine and, in the same iteration on the
// same loopback echo service and HTTP client, the floor: a minimal
// hand-written client that calls the same services in topological order
// with maximal parallelism (a goroutine per node waiting on its parents'
// done channels) and merges parents' outputs by the same rule. Each
// reports ratio, the median over iterations of engine time / floor time
// (and mean-ratio, total over total); the target is 1.10 at most.

// benchShape builds a DAG of n http nodes of a shape (internal/dagshape).
func benchShape(shape string, n int, url string) []spec {
	nodes, err := dagshape.Nodes(shape, n)
	if err != nil {
		panic(err)
	}
	specs := make([]spec, len(nodes))
	for i, nd := range nodes {
		specs[i] = spec{name: nd.Name, kind: "http", url: url + "/n/" + nd.Name, deps: nd.Deps}
	}
	return specs
}

// floorPlan is the floor client's view of a workflow.
type floorPlan struct {
	urls    []string
	deps    [][]int32
	needVal []bool
}

func newFloorPlan(wf *Workflow) *floorPlan {
	p := &floorPlan{deps: wf.deps, needVal: make([]bool, len(wf.Nodes))}
	for i, n := range wf.Nodes {
		p.urls = append(p.urls, n.HTTP.URL)
		if len(wf.deps[i]) > 1 {
			for _, d := range wf.deps[i] {
				p.needVal[d] = true
			}
		}
	}
	return p
}

// runFloor calls every node once, in topological order, as soon as its
// parents are done, and returns the outputs.
func (p *floorPlan) run(ctx context.Context, client *http.Client, input []byte) ([][]byte, error) {
	n := len(p.urls)
	outs := make([][]byte, n)
	vals := make([]any, n)
	done := make([]chan struct{}, n)
	for i := range done {
		done[i] = make(chan struct{})
	}
	var wg sync.WaitGroup
	var errOnce sync.Once
	var firstErr error
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer close(done[i])
			for _, d := range p.deps[i] {
				<-done[d]
			}
			var in []byte
			switch len(p.deps[i]) {
			case 0:
				in = input
			case 1:
				in = outs[p.deps[i][0]]
			default:
				var m merger
				var acc any
				for k, d := range p.deps[i] {
					if k == 0 {
						acc = vals[d]
						continue
					}
					acc = m.merge(acc, vals[d])
				}
				in, _ = encodeJSON(acc)
			}
			req, _ := http.NewRequestWithContext(ctx, "POST", p.urls[i], bytes.NewReader(in))
			req.Header.Set("Content-Type", "application/json")
			resp, err := client.Do(req)
			if err != nil {
				errOnce.Do(func() { firstErr = err })
				return
			}
			body, err := io.ReadAll(resp.Body)
			resp.Body.Close()
			if err != nil || resp.StatusCode >= 400 {
				errOnce.Do(func() { firstErr = fmt.Errorf("status %d: %v", resp.StatusCode, err) })
				return
			}
			outs[i] = body
			if p.needVal[i] {
				vals[i], _ = decodeJSON(body)
			}
		}()
	}
	wg.Wait()
	return outs, firstErr
}

func runEngine(b *testing.B, wf *Workflow, client *http.Client) {
	var last Event
	for ev := range Run(context.Background(), wf, Options{RunID: "bench", HTTPClient: client}) {
		last = ev
	}
	if last.State != StateSucceeded {
		b.Fatalf("engine run %s: %s", last.State, last.Error)
	}
}

func BenchmarkEngineVsFloor(b *testing.B) {
	for _, delay := range []time.Duration{0, 5 * time.Millisecond} {
		srv, _ := startEcho(b, delay)
		client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 2048}}
		b.Cleanup(client.CloseIdleConnections)
		for _, shape := range []string{"chain", "fan", "layered"} {
			for _, n := range []int{4, 10, 100, 1000} {
				name := fmt.Sprintf("delay=%s/%s-%d", delay, shape, n)
				b.Run(name, func(b *testing.B) {
					wf := mustParse(b, benchShape(shape, n, srv.URL))
					plan := newFloorPlan(wf)
					floor := func() {
						if _, err := plan.run(context.Background(), client, emptyObject); err != nil {
							b.Fatal(err)
						}
					}
					if delay == 0 {
						runEngine(b, wf, client) // warm the connection pool
						floor()
					}
					var te, tf time.Duration
					ratios := make([]float64, 0, b.N)
					b.ResetTimer()
					for i := range b.N {
						// Alternate the order so neither side always
						// runs on a warmer pool.
						var de, df time.Duration
						if i%2 == 0 {
							t0 := time.Now()
							runEngine(b, wf, client)
							t1 := time.Now()
							floor()
							de, df = t1.Sub(t0), time.Since(t1)
						} else {
							t0 := time.Now()
							floor()
							t1 := time.Now()
							runEngine(b, wf, client)
							df, de = t1.Sub(t0), time.Since(t1)
						}
						te, tf = te+de, tf+df
						ratios = append(ratios, float64(de)/float64(df))
					}
					b.ReportMetric(float64(te.Microseconds())/float64(b.N)/1000, "engine-ms")
					b.ReportMetric(float64(tf.Microseconds())/float64(b.N)/1000, "floor-ms")
					b.ReportMetric(float64(te)/float64(tf), "mean-ratio")
					b.ReportMetric(median(ratios), "ratio")
				})
			}
		}
	}
}

// BenchmarkNoop10k runs 10,000-node DAGs of noop nodes. The target is
// 100 ms and 100 MB: ratio is the run's time over 100 ms.
func BenchmarkNoop10k(b *testing.B) {
	shapes := map[string][]spec{}
	var chain, fan, lay []spec
	for i := range 10000 {
		s := spec{name: fmt.Sprint("c", i), kind: "noop"}
		if i > 0 {
			s.deps = []string{fmt.Sprint("c", i-1)}
		}
		chain = append(chain, s)
	}
	fan = append(fan, spec{name: "root", kind: "noop"})
	var mids []string
	for i := range 9998 {
		mids = append(mids, fmt.Sprint("m", i))
		fan = append(fan, spec{name: mids[i], kind: "noop", deps: []string{"root"}})
	}
	fan = append(fan, spec{name: "sink", kind: "noop", deps: mids})
	for _, s := range layered("", 100, 100)[:10000] {
		s.kind, s.url = "noop", ""
		lay = append(lay, s)
	}
	shapes["chain"], shapes["fan"], shapes["layered-100x100"] = chain, fan, lay
	for _, name := range []string{"chain", "fan", "layered-100x100"} {
		b.Run(name, func(b *testing.B) {
			wf := mustParse(b, shapes[name])
			input := []byte(`{"station":"depot-3","readings":{"pm25":12.5,"no2":31}}`)
			var ms runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&ms)
			before := ms.TotalAlloc
			var elapsed time.Duration
			b.ResetTimer()
			for range b.N {
				t0 := time.Now()
				n := 0
				for range Run(context.Background(), wf, Options{RunID: "noop", Input: input}) {
					n++
				}
				elapsed += time.Since(t0)
				if n != 10002 {
					b.Fatalf("%d events, want 10002", n)
				}
			}
			b.StopTimer()
			runtime.ReadMemStats(&ms)
			ms1 := float64(elapsed.Microseconds()) / float64(b.N) / 1000
			b.ReportMetric(ms1, "ms/run")
			b.ReportMetric(float64(ms.TotalAlloc-before)/float64(b.N)/(1<<20), "MB-alloc/run")
			b.ReportMetric(peakRSSMB(), "MB-peak-RSS")
			b.ReportMetric(ms1/100, "ratio")
		})
	}
}

// median of the per-iteration ratios: each pair of runs shares the
// machine's momentary load, so the median shrugs off the iterations that
// another process disturbed. mean-ratio is total engine over total floor.
func median(xs []float64) float64 {
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	if len(s) == 0 {
		return 0
	}
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// peakRSSMB is the process's peak resident set (VmHWM), or 0 where
// /proc is not there.
func peakRSSMB() float64 {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, l := range strings.Split(string(data), "\n") {
		if f := strings.Fields(l); len(f) >= 2 && f[0] == "VmHWM:" {
			kb, _ := strconv.ParseFloat(f[1], 64)
			return kb / 1024
		}
	}
	return 0
}
