package workflow

import (
	"bytes"
	"encoding/json"
	"reflect"
	"unsafe"
)

// emptyObject is the input of root nodes when the run has none, and the
// output of an http node whose response has no body.
var emptyObject = []byte("{}")

// decodeJSON decodes data keeping numbers exact (json.Number), so merging
// never rounds a large integer.
func decodeJSON(data []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	return v, nil
}

// encodeJSON encodes v with sorted object keys and without HTML escaping.
func encodeJSON(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte{'\n'}), nil
}

// merger deep-merges decoded JSON values without modifying them: a map it
// did not create is copied before it is written to, so parents' outputs,
// shared by all their children, stay intact.
type merger struct {
	owned map[unsafe.Pointer]struct{}
}

// merge returns dst deep-merged with src. Objects merge key by key,
// recursively; for any other pair of values src wins (arrays are replaced,
// not concatenated, and a non-object replaces an object and vice versa).
func (m *merger) merge(dst, src any) any {
	s, ok := src.(map[string]any)
	if !ok {
		return src
	}
	d, ok := dst.(map[string]any)
	if !ok {
		return src
	}
	if len(s) == 0 {
		return d
	}
	if len(d) == 0 {
		return s
	}
	if !m.isOwned(d) {
		c := make(map[string]any, len(d)+len(s))
		for k, v := range d {
			c[k] = v
		}
		d = c
		m.own(d)
	}
	for k, sv := range s {
		if dv, ok := d[k]; ok {
			d[k] = m.merge(dv, sv)
		} else {
			d[k] = sv
		}
	}
	return d
}

func (m *merger) own(d map[string]any) {
	if m.owned == nil {
		m.owned = make(map[unsafe.Pointer]struct{})
	}
	m.owned[reflect.ValueOf(d).UnsafePointer()] = struct{}{}
}

func (m *merger) isOwned(d map[string]any) bool {
	if m.owned == nil {
		return false
	}
	_, ok := m.owned[reflect.ValueOf(d).UnsafePointer()]
	return ok
}

// MergeOutputs merges outputs in order with fogctl's rule (see the package
// documentation): later outputs win on conflicting keys, objects merge
// recursively, anything else replaces. It returns the merged document. No
// output means {}; a single output is returned as it is.
func MergeOutputs(outputs ...json.RawMessage) (json.RawMessage, error) {
	switch len(outputs) {
	case 0:
		return json.RawMessage(emptyObject), nil
	case 1:
		return outputs[0], nil
	}
	var m merger
	var acc any
	for i, o := range outputs {
		v, err := decodeJSON(o)
		if err != nil {
			return nil, err
		}
		if i == 0 {
			acc = v
			continue
		}
		acc = m.merge(acc, v)
	}
	return encodeJSON(acc)
}
