package tui

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"strings"
)

// inlineWidth is the widest value the inspector keeps on one line.
const inlineWidth = 60

// jv is a JSON value with its object keys in document order.
type jv struct {
	scalar string // the encoded scalar, when keys and items are nil
	obj    bool
	arr    bool
	keys   []string
	items  []*jv
}

// pretty indents JSON for the inspector, keeping short objects and arrays
// on one line and keys in their order. Text that is not JSON comes back as
// it was.
func pretty(raw json.RawMessage) string {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	v, err := readJV(dec)
	if err != nil {
		return string(raw)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return string(raw)
	}
	var b strings.Builder
	writeJV(&b, v, "")
	return b.String()
}

func readJV(dec *json.Decoder) (*jv, error) {
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	switch t := tok.(type) {
	case json.Delim:
		v := &jv{obj: t == '{', arr: t == '['}
		for dec.More() {
			if v.obj {
				kt, err := dec.Token()
				if err != nil {
					return nil, err
				}
				k, _ := kt.(string)
				v.keys = append(v.keys, k)
			}
			item, err := readJV(dec)
			if err != nil {
				return nil, err
			}
			v.items = append(v.items, item)
		}
		if _, err := dec.Token(); err != nil {
			return nil, err
		}
		return v, nil
	default:
		enc, err := marshal(t)
		if err != nil {
			return nil, err
		}
		return &jv{scalar: enc}, nil
	}
}

// compact is v on one line, or "" when it would be wider than limit.
func compact(v *jv, limit int) string {
	var b strings.Builder
	if !writeCompact(&b, v, limit) {
		return ""
	}
	return b.String()
}

func writeCompact(b *strings.Builder, v *jv, limit int) bool {
	switch {
	case v.obj || v.arr:
		open, end := "[", "]"
		if v.obj {
			open, end = "{", "}"
		}
		b.WriteString(open)
		for i, item := range v.items {
			if i > 0 {
				b.WriteString(", ")
			}
			if v.obj {
				k, _ := marshal(v.keys[i])
				b.WriteString(k)
				b.WriteString(": ")
			}
			if !writeCompact(b, item, limit) {
				return false
			}
			if b.Len() > limit {
				return false
			}
		}
		b.WriteString(end)
	default:
		b.WriteString(v.scalar)
	}
	return b.Len() <= limit
}

func writeJV(b *strings.Builder, v *jv, indent string) {
	if !v.obj && !v.arr {
		b.WriteString(v.scalar)
		return
	}
	if c := compact(v, inlineWidth-len(indent)); c != "" {
		b.WriteString(c)
		return
	}
	open, end := "[", "]"
	if v.obj {
		open, end = "{", "}"
	}
	b.WriteString(open)
	inner := indent + "  "
	for i, item := range v.items {
		b.WriteString("\n")
		b.WriteString(inner)
		if v.obj {
			k, _ := marshal(v.keys[i])
			b.WriteString(k)
			b.WriteString(": ")
		}
		writeJV(b, item, inner)
		if i < len(v.items)-1 {
			b.WriteString(",")
		}
	}
	b.WriteString("\n")
	b.WriteString(indent)
	b.WriteString(end)
}

// marshal encodes a scalar as JSON without escaping <, > and &.
func marshal(v any) (string, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return "", err
	}
	return strings.TrimSuffix(b.String(), "\n"), nil
}
