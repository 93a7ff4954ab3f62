package runcmd

import (
	"encoding/json"
	"maps"
	"reflect"
	"slices"
	"strconv"
	"strings"

	"github.com/fogctl/fogctl/workflow"
)

// changedNode is a node whose recorded output a resume would have reused
// though its definition changed since the run, and what changed.
type changedNode struct {
	name   string
	fields []string
}

// changedNodes lists, in file order, the nodes of now that reuse would
// take from the run of old but whose definition differs from old's: what
// the node does (kind, its action's fields), what it takes (its
// dependencies, in order: the merge follows it) or when it runs. A
// timeout, retries and backoff change how a node is tried, not what
// its success made, and are not compared; nor is where it is in the
// file. Field names are given, never values (env may hold secrets).
func changedNodes(old, now *workflow.Workflow, reuse map[string]json.RawMessage) []changedNode {
	var out []changedNode
	for _, n := range now.Nodes {
		if _, ok := reuse[n.Name]; !ok {
			continue
		}
		o := old.Node(n.Name)
		if o == nil {
			continue
		}
		if f := nodeDiff(o, n); len(f) > 0 {
			out = append(out, changedNode{n.Name, f})
		}
	}
	return out
}

// nodeDiff names the fields of a node's definition that differ.
func nodeDiff(a, b *workflow.Node) []string {
	var f []string
	add := func(name string, same bool) {
		if !same {
			f = append(f, name)
		}
	}
	add("kind", a.Kind == b.Kind)
	add("dependencies", slices.Equal(a.Dependencies, b.Dependencies))
	add("when", a.When == b.When)
	ha, hb := a.HTTP, b.HTTP
	if ha != nil && hb != nil {
		add("method", ha.Method == hb.Method)
		add("url", ha.URL == hb.URL)
		add("headers", maps.Equal(ha.Headers, hb.Headers))
	}
	ea, eb := a.Exec, b.Exec
	if ea != nil && eb != nil {
		add("argv", slices.Equal(ea.Argv, eb.Argv))
		add("env", maps.Equal(ea.Env, eb.Env))
		// As written: a file moved elsewhere (--resume ID FILE) changes
		// the directory a node without dir: runs in, not its definition.
		add("dir", ea.DirWritten() == eb.DirWritten())
	}
	if len(f) == 0 && !reflect.DeepEqual(definition(a), definition(b)) {
		f = append(f, "definition") // a field this list does not know yet
	}
	return f
}

// definition is a node's exported fields as JSON, without those that do
// not change what it makes (timeout, retries, backoff, line).
func definition(n *workflow.Node) map[string]any {
	c := *n
	c.Timeout, c.Retries, c.Backoff, c.Line = 0, 0, 0, 0
	if c.Exec != nil {
		e := *c.Exec
		e.Dir = e.DirWritten()
		c.Exec = &e
	}
	data, _ := json.Marshal(&c)
	var m map[string]any
	json.Unmarshal(data, &m)
	return m
}

// changedList is `node "a" (url) runs` or `nodes "a" (url), "c" (argv,
// env) run`.
func changedList(c []changedNode) string {
	parts := make([]string, len(c))
	for i, n := range c {
		parts[i] = strconv.Quote(n.name) + " (" + strings.Join(n.fields, ", ") + ")"
	}
	if len(c) == 1 {
		return "node " + parts[0] + " runs"
	}
	return "nodes " + strings.Join(parts, ", ") + " run"
}
