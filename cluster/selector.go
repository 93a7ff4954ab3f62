package cluster

import (
	"fmt"
	"sort"
	"strings"
)

// Selector matches label sets, as kubectl's -l: "role=edge,line!=12,gpu,!spare,zone in (a,b),tier notin (x)".
type Selector struct {
	reqs []requirement
	text string
}

type requirement struct {
	key    string
	op     string // "=", "!=", "exists", "!exists", "in", "notin"
	values []string
}

// ParseSelector parses a kubectl-style label selector. The empty string
// selects everything.
func ParseSelector(s string) (Selector, error) {
	sel := Selector{text: s}
	for _, part := range splitTop(s) {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		r, err := parseRequirement(part)
		if err != nil {
			return Selector{}, fmt.Errorf("label selector %q: %w", s, err)
		}
		sel.reqs = append(sel.reqs, r)
	}
	return sel, nil
}

// splitTop splits on commas outside parentheses.
func splitTop(s string) []string {
	var out []string
	depth, start := 0, 0
	for i, c := range s {
		switch c {
		case '(':
			depth++
		case ')':
			depth--
		case ',':
			if depth == 0 {
				out = append(out, s[start:i])
				start = i + 1
			}
		}
	}
	return append(out, s[start:])
}

func parseRequirement(p string) (requirement, error) {
	if strings.HasPrefix(p, "!") {
		key := strings.TrimSpace(p[1:])
		if err := validKey(key); err != nil {
			return requirement{}, err
		}
		return requirement{key: key, op: "!exists"}, nil
	}
	for _, op := range []string{" notin ", " in "} {
		if i := strings.Index(p, op); i > 0 {
			key := strings.TrimSpace(p[:i])
			rest := strings.TrimSpace(p[i+len(op):])
			if !strings.HasPrefix(rest, "(") || !strings.HasSuffix(rest, ")") {
				return requirement{}, fmt.Errorf("%q: values of %s go in parentheses: %s%s(a,b)", p, strings.TrimSpace(op), key, op)
			}
			if err := validKey(key); err != nil {
				return requirement{}, err
			}
			var vals []string
			for _, v := range strings.Split(rest[1:len(rest)-1], ",") {
				vals = append(vals, strings.TrimSpace(v))
			}
			return requirement{key: key, op: strings.TrimSpace(op), values: vals}, nil
		}
	}
	for _, op := range []string{"!=", "==", "="} {
		if i := strings.Index(p, op); i >= 0 {
			key := strings.TrimSpace(p[:i])
			val := strings.TrimSpace(p[i+len(op):])
			if err := validKey(key); err != nil {
				return requirement{}, err
			}
			if strings.ContainsAny(val, "=!(), ") {
				return requirement{}, fmt.Errorf("%q: bad value %q", p, val)
			}
			if op == "==" {
				op = "="
			}
			return requirement{key: key, op: op, values: []string{val}}, nil
		}
	}
	if err := validKey(p); err != nil {
		return requirement{}, err
	}
	return requirement{key: p, op: "exists"}, nil
}

// validKey accepts what kubectl accepts for label keys, loosely: a
// non-empty name of letters, digits, '-', '_', '.' and one '/'.
func validKey(k string) error {
	if k == "" {
		return fmt.Errorf("empty label key")
	}
	for _, c := range k {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.' || c == '/') {
			return fmt.Errorf("bad label key %q: use letters, digits, '-', '_', '.' and '/'", k)
		}
	}
	return nil
}

// Empty reports whether the selector selects everything.
func (s Selector) Empty() bool { return len(s.reqs) == 0 }

// String is the selector as written.
func (s Selector) String() string { return s.text }

// Matches reports whether labels satisfy every requirement.
func (s Selector) Matches(labels map[string]string) bool {
	for _, r := range s.reqs {
		v, ok := labels[r.key]
		switch r.op {
		case "exists":
			if !ok {
				return false
			}
		case "!exists":
			if ok {
				return false
			}
		case "=":
			if !ok || v != r.values[0] {
				return false
			}
		case "!=":
			if ok && v == r.values[0] {
				return false
			}
		case "in":
			if !ok || !containsStr(r.values, v) {
				return false
			}
		case "notin":
			if ok && containsStr(r.values, v) {
				return false
			}
		}
	}
	return true
}

func containsStr(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// Select returns the contexts a multi-context command acts on: those
// named in names (all of them when names is empty) whose fleet labels
// match selector, sorted by name. A name that is not a context is an error.
func (k *Kubeconfig) Select(fleet *Fleet, selector string, names []string) ([]Context, error) {
	sel, err := ParseSelector(selector)
	if err != nil {
		return nil, err
	}
	var candidates []Context
	if len(names) == 0 {
		candidates = k.Contexts()
	} else {
		seen := map[string]bool{}
		var missing []string
		for _, n := range names {
			n = strings.TrimSpace(n)
			if n == "" || seen[n] {
				continue
			}
			seen[n] = true
			c, ok := k.Context(n)
			if !ok {
				missing = append(missing, n)
				continue
			}
			candidates = append(candidates, c)
		}
		if len(missing) > 0 {
			return nil, fmt.Errorf("no context named %s (run 'fogctl ctx list')", quoteList(missing))
		}
		sort.Slice(candidates, func(i, j int) bool { return candidates[i].Name < candidates[j].Name })
	}
	if sel.Empty() {
		return candidates, nil
	}
	var out []Context
	for _, c := range candidates {
		var labels map[string]string
		if fleet != nil {
			labels = fleet.Entry(c.Name).Labels
		}
		if sel.Matches(labels) {
			out = append(out, c)
		}
	}
	return out, nil
}

func quoteList(names []string) string {
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = fmt.Sprintf("%q", n)
	}
	return strings.Join(q, ", ")
}
