// Command floor is the baseline `fogctl run` is measured against: a
// minimal hand-written client for the reference engine's plain DAG files
// ({"nodes":[{name, action, url, dependencies}]}). It starts a goroutine
// per node; each waits for its dependencies' done channels, POSTs (or
// sends action) its input to url and keeps the JSON response as its
// output. A root node's input is {}; a node with one dependency gets that
// output byte for byte; a node with several gets their deep merge in the
// order dependencies lists them, later winning, as fogctl merges
// (workflow/doc.go). It prints {sink: output, ...} for the nodes nothing
// depends on and exits 0, or prints the first error and exits 1.
//
// It records nothing, validates nothing beyond what it needs, and has no
// timeouts or retries: it is the floor, not a product.
//
// With -record DIR it also keeps a durable record, the least any runner
// that keeps one must do: once the nodes are done it creates a file in
// DIR, writes a line per node (name and output) and fsyncs it before it
// exits. Built with -tags fogctlinits it also links the libraries fogctl
// is built on and registers for SIGINT and SIGTERM (inits.go). The two
// together are the bound of BenchmarkRunProcessVsFloor.
package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"sync"
)

type node struct {
	Name         string   `json:"name"`
	Action       string   `json:"action"`
	URL          string   `json:"url"`
	Dependencies []string `json:"dependencies"`
}

func main() {
	args, record := os.Args[1:], ""
	if len(args) == 3 && args[0] == "-record" {
		args, record = args[2:], args[1]
	}
	if len(args) != 1 {
		fmt.Fprintln(os.Stderr, "usage: floor [-record DIR] DAG.json")
		os.Exit(2)
	}
	if err := run(args[0], record, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "floor:", err)
		os.Exit(1)
	}
}

func run(file, record string, stdout io.Writer) error {
	data, err := os.ReadFile(file)
	if err != nil {
		return err
	}
	var dag struct {
		Nodes []node `json:"nodes"`
	}
	if err := json.Unmarshal(data, &dag); err != nil {
		return fmt.Errorf("%s: %w", file, err)
	}
	nodes := dag.Nodes
	index := make(map[string]int, len(nodes))
	for i, n := range nodes {
		index[n.Name] = i
	}
	deps := make([][]int, len(nodes))
	hasChild := make([]bool, len(nodes))
	for i, n := range nodes {
		for _, d := range n.Dependencies {
			j, ok := index[d]
			if !ok {
				return fmt.Errorf("node %s: unknown dependency %s", n.Name, d)
			}
			deps[i] = append(deps[i], j)
			hasChild[j] = true
		}
	}

	// A competent minimal client: one transport for the run that keeps
	// every connection it opened, as the nodes of a layer run at once.
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: len(nodes) + 1}}
	outs := make([][]byte, len(nodes))
	done := make([]chan struct{}, len(nodes))
	for i := range done {
		done[i] = make(chan struct{})
	}
	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		firstErr error
	)
	fail := func(err error) {
		mu.Lock()
		if firstErr == nil {
			firstErr = err
		}
		mu.Unlock()
	}
	for i := range nodes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer close(done[i])
			for _, d := range deps[i] {
				<-done[d]
				if outs[d] == nil {
					return // a dependency failed
				}
			}
			in, err := input(outs, deps[i])
			if err != nil {
				fail(fmt.Errorf("node %s: merge: %w", nodes[i].Name, err))
				return
			}
			out, err := call(client, nodes[i], in)
			if err != nil {
				fail(fmt.Errorf("node %s: %w", nodes[i].Name, err))
				return
			}
			outs[i] = out
		}()
	}
	wg.Wait()
	if firstErr != nil {
		return firstErr
	}
	if record != "" {
		if err := writeRecord(record, nodes, outs); err != nil {
			return err
		}
	}
	sinks := make(map[string]json.RawMessage)
	for i, n := range nodes {
		if !hasChild[i] {
			sinks[n.Name] = outs[i]
		}
	}
	res, err := json.Marshal(sinks)
	if err != nil {
		return err
	}
	_, err = stdout.Write(append(res, '\n'))
	return err
}

// writeRecord creates a new file in dir, writes {"node":NAME,"output":OUT}
// for each node and fsyncs it.
func writeRecord(dir string, nodes []node, outs [][]byte) error {
	f, err := os.CreateTemp(dir, "run-*.jsonl")
	if err != nil {
		return err
	}
	var b []byte
	for i, n := range nodes {
		b = append(b, `{"node":`...)
		b = strconv.AppendQuote(b, n.Name)
		b = append(b, `,"output":`...)
		b = append(b, outs[i]...)
		b = append(b, "}\n"...)
	}
	_, err = f.Write(b)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// input is a node's input: {} for a root, the output of a single
// dependency as it is, else the deep merge of the dependencies' outputs.
func input(outs [][]byte, deps []int) ([]byte, error) {
	switch len(deps) {
	case 0:
		return []byte("{}"), nil
	case 1:
		return outs[deps[0]], nil
	}
	var acc any
	for k, d := range deps {
		dec := json.NewDecoder(bytes.NewReader(outs[d]))
		dec.UseNumber()
		var v any
		if err := dec.Decode(&v); err != nil {
			return nil, err
		}
		if k == 0 {
			acc = v
		} else {
			acc = merge(acc, v)
		}
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(acc); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte{'\n'}), nil
}

// merge deep-merges src into dst: objects key by key, anything else
// replaced by src. Values are freshly decoded, so dst is written in place.
func merge(dst, src any) any {
	s, ok := src.(map[string]any)
	if !ok {
		return src
	}
	d, ok := dst.(map[string]any)
	if !ok {
		return src
	}
	for k, sv := range s {
		if dv, ok := d[k]; ok {
			d[k] = merge(dv, sv)
		} else {
			d[k] = sv
		}
	}
	return d
}

func call(client *http.Client, n node, in []byte) ([]byte, error) {
	method := n.Action
	if method == "" {
		method = http.MethodPost
	}
	req, err := http.NewRequest(method, n.URL, bytes.NewReader(in))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		return nil, err
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return nil, err
	}
	if resp.StatusCode >= 400 {
		return nil, fmt.Errorf("HTTP %d: %.200s", resp.StatusCode, body)
	}
	body = bytes.TrimSpace(body)
	if len(body) == 0 {
		return []byte("{}"), nil
	}
	if !json.Valid(body) {
		return nil, fmt.Errorf("HTTP %d: response is not JSON: %.200s", resp.StatusCode, body)
	}
	return body, nil
}
