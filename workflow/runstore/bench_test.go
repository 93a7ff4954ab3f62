package runstore

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/fogctl/fogctl/workflow"
)

// BenchmarkJournalOverhead runs the same DAG with and without the run
// store recording it, alternating, and reports with/without as "ratio"
// (target: at most 1.10). Both sides fold events into a workflow.Record
// as `fogctl run -o json` does; the store side also creates the run's file,
// journals every event, and ends it with the summary line and the
// fsyncs (the directory's, and the file's at Close).
func BenchmarkJournalOverhead(b *testing.B) {
	b.Run("noop-fan-1000", func(b *testing.B) {
		wf, data := noopWorkflow(b, 1000)
		benchOverhead(b, wf, data, nil)
	})
	b.Run("http-layered-100", func(b *testing.B) {
		url, client := echoService(b)
		wf, data := layeredHTTP(b, url, 10, 10)
		benchOverhead(b, wf, data, client)
	})
}

func benchOverhead(b *testing.B, wf *workflow.Workflow, data []byte, client *http.Client) {
	s, err := Open(b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	s.Keep = 20 // retention runs as it does for users
	input := json.RawMessage(`{"site":"depot"}`)
	plain := func(id string) {
		rec := workflow.NewRecord(wf, id)
		for ev := range workflow.Run(context.Background(), wf, workflow.Options{RunID: id, Input: input, HTTPClient: client}) {
			rec.Apply(ev)
		}
		if rec.State != workflow.StateSucceeded {
			b.Fatalf("run %s", rec.State)
		}
	}
	// recorded returns how long Create took, how long the run then took
	// to its last event (what the operator waits for before the result is
	// printed), and how long Close took (drain, summary line, the
	// final fsync, retention's end).
	recorded := func() (create, run, closing time.Duration) {
		tc := time.Now()
		r, err := s.Create(Meta{Workflow: "/bench/" + wf.Name + ".yaml", Nodes: len(wf.Nodes), Input: input}, data)
		if err != nil {
			b.Fatal(err)
		}
		t0 := time.Now()
		rec := workflow.NewRecord(wf, r.ID())
		for ev := range workflow.Run(context.Background(), wf, workflow.Options{RunID: r.ID(), Input: input, HTTPClient: client}) {
			rec.Apply(ev)
			r.Append(ev)
		}
		t1 := time.Now()
		if err := r.Close(true); err != nil {
			b.Fatal(err)
		}
		if rec.State != workflow.StateSucceeded {
			b.Fatalf("run %s", rec.State)
		}
		return t0.Sub(tc), t1.Sub(t0), time.Since(t1)
	}
	// Warm both paths (connections, page cache) before measuring.
	plain("warm")
	recorded()
	var withCreate, withRun, withClose, without time.Duration
	measure := func() {
		c, r, cl := recorded()
		withCreate += c
		withRun += r
		withClose += cl
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if i%2 == 0 {
			t0 := time.Now()
			plain("bench")
			without += time.Since(t0)
			measure()
		} else {
			measure()
			t0 := time.Now()
			plain("bench")
			without += time.Since(t0)
		}
	}
	// ratio: the whole recorded run (Create, run, Close with its fsyncs)
	// against the same run unrecorded. run-ratio: the run alone, from its
	// start to its last event, journaling every event: the journal's cost
	// on the engine's path. The difference is the fixed cost of the run's
	// file and of making it durable (one fsync of the file at Close).
	b.ReportMetric(float64(withCreate+withRun+withClose)/float64(without), "ratio")
	b.ReportMetric(float64(withRun)/float64(without), "run-ratio")
	us := func(d time.Duration) float64 { return float64(d.Microseconds()) / float64(b.N) }
	b.ReportMetric(us(without), "µs-without/op")
	b.ReportMetric(us(withCreate), "µs-create/op")
	b.ReportMetric(us(withRun), "µs-run/op")
	b.ReportMetric(us(withClose), "µs-close/op")
}

// echoService serves POST /n/NAME on loopback: the JSON body with NAME
// set to true. It returns its base URL and a client for it.
func echoService(b *testing.B) (string, *http.Client) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		m := map[string]any{}
		if len(body) > 0 {
			json.Unmarshal(body, &m)
		}
		m[strings.TrimPrefix(r.URL.Path, "/n/")] = true
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(m)
	})}
	served := make(chan struct{})
	go func() { defer close(served); srv.Serve(ln) }()
	b.Cleanup(func() { srv.Close(); <-served })
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 200}}
	b.Cleanup(client.CloseIdleConnections)
	return "http://" + ln.Addr().String(), client
}

// layeredHTTP is layers x width http nodes; each node past the first
// layer depends on two nodes of the layer before.
func layeredHTTP(b *testing.B, url string, layers, width int) (*workflow.Workflow, []byte) {
	var sb strings.Builder
	sb.WriteString("apiVersion: fogctl.io/v1alpha1\nkind: Workflow\nmetadata:\n  name: layered\nspec:\n  nodes:\n")
	for l := 0; l < layers; l++ {
		for k := 0; k < width; k++ {
			name := fmt.Sprintf("l%dn%d", l, k)
			fmt.Fprintf(&sb, "    - {name: %s, kind: http, url: %q", name, url+"/n/"+name)
			if l > 0 {
				fmt.Fprintf(&sb, ", dependencies: [l%dn%d, l%dn%d]", l-1, k, l-1, (k+1)%width)
			}
			sb.WriteString("}\n")
		}
	}
	data := []byte(sb.String())
	wf, err := workflow.Parse("layered.yaml", data)
	if err != nil {
		b.Fatal(err)
	}
	return wf, data
}
