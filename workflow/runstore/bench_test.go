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
// as `fogctl run` does; the store side also creates the run directory,
// journals every event and compacts the record at the end, fsyncs
// included.
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
	recorded := func() {
		run, err := s.Create(Meta{Workflow: "/bench/" + wf.Name + ".yaml", Nodes: len(wf.Nodes), Input: input}, data)
		if err != nil {
			b.Fatal(err)
		}
		rec := workflow.NewRecord(wf, run.ID())
		for ev := range workflow.Run(context.Background(), wf, workflow.Options{RunID: run.ID(), Input: input, HTTPClient: client}) {
			rec.Apply(ev)
			run.Append(ev)
		}
		if err := run.Close(rec); err != nil {
			b.Fatal(err)
		}
		if rec.State != workflow.StateSucceeded {
			b.Fatalf("run %s", rec.State)
		}
	}
	// Warm both paths (connections, page cache) before measuring.
	plain("warm")
	recorded()
	var with, without time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if i%2 == 0 {
			t0 := time.Now()
			plain("bench")
			without += time.Since(t0)
			t0 = time.Now()
			recorded()
			with += time.Since(t0)
		} else {
			t0 := time.Now()
			recorded()
			with += time.Since(t0)
			t0 = time.Now()
			plain("bench")
			without += time.Since(t0)
		}
	}
	b.ReportMetric(float64(with)/float64(without), "ratio")
	b.ReportMetric(float64(with.Microseconds())/float64(b.N), "µs-with/op")
	b.ReportMetric(float64(without.Microseconds())/float64(b.N), "µs-without/op")
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
