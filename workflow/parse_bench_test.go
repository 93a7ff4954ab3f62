package workflow

import (
	"encoding/json"
	"fmt"
	"runtime"
	"slices"
	"testing"
	"time"
)

// BenchmarkParseJSON times Parse on plain DAG files as `fogctl run`
// reads them and, in the same loop on the same bytes, the baseline: what
// a minimal client does, json.Unmarshal into a struct of names, actions,
// URLs and dependencies (no validation). It then times, as many times,
// the YAML path Parse took for JSON before jsonDoc. Metrics: parse-ns,
// yaml-ns and baseline-ns per file; ratio is the median over iterations
// of Parse time / baseline time, mean-ratio total over total, yaml-ratio
// the YAML path's total over the baseline's.
func BenchmarkParseJSON(b *testing.B) {
	for _, c := range []struct {
		shape string
		n     int
	}{{"layered", 100}, {"chain", 100}, {"layered", 1000}, {"chain", 1000}} {
		data := dagFile(b, c.shape, c.n)
		b.Run(fmt.Sprintf("%s-%d", c.shape, c.n), func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			var parse, base time.Duration
			var ratios []float64
			for b.Loop() {
				t0 := time.Now()
				w, err := Parse("f.json", data)
				t1 := time.Now()
				if err != nil || len(w.Nodes) != c.n {
					b.Fatalf("Parse: %v", err)
				}
				var floor struct {
					Nodes []struct {
						Name, Action, URL string
						Dependencies      []string
					}
				}
				t2 := time.Now()
				err = json.Unmarshal(data, &floor)
				t3 := time.Now()
				if err != nil || len(floor.Nodes) != c.n {
					b.Fatalf("json.Unmarshal: %v", err)
				}
				parse += t1.Sub(t0)
				base += t3.Sub(t2)
				ratios = append(ratios, float64(t1.Sub(t0))/float64(t3.Sub(t2)))
			}
			// The YAML path after, so its garbage does not slow the others.
			runtime.GC()
			t0 := time.Now()
			for range b.N {
				w, err := parseWith(&parser{file: "f.json", viaYAML: true}, data)
				if err != nil || len(w.Nodes) != c.n {
					b.Fatalf("Parse via YAML: %v", err)
				}
			}
			viaYAML := time.Since(t0)
			n := float64(b.N)
			b.ReportMetric(float64(parse.Nanoseconds())/n, "parse-ns")
			b.ReportMetric(float64(viaYAML.Nanoseconds())/n, "yaml-ns")
			b.ReportMetric(float64(base.Nanoseconds())/n, "baseline-ns")
			slices.Sort(ratios)
			b.ReportMetric(ratios[len(ratios)/2], "ratio")
			b.ReportMetric(float64(parse)/float64(base), "mean-ratio")
			b.ReportMetric(float64(viaYAML)/float64(base), "yaml-ratio")
		})
	}
}
