package cluster

import (
	"bytes"
	"strconv"

	"go.yaml.in/yaml/v3"
)

// Large base64 values (certificate and key data) are most of a fleet
// kubeconfig's bytes, and yaml.v3 scans them one character at a time. To
// keep `fogctl ctx list` fast, parseYAML first swaps each such value, when
// it alone fills the rest of its line, for a short placeholder on the same
// line at the same column, parses that, and puts the values back into the
// nodes. Lines, columns and values come out exactly as a parse of the
// original would give; if any placeholder does not come back as a whole
// scalar (it sat inside a block scalar, say), the original is parsed as is.

var dataKeys = [][]byte{
	[]byte("certificate-authority-data:"),
	[]byte("client-certificate-data:"),
	[]byte("client-key-data:"),
}

const minBlob = 64

// parseYAML decodes the first document of data into a node tree. It
// returns io.EOF for an empty document stream.
func parseYAML(data []byte) (*yaml.Node, error) {
	short, blobs := shrink(data)
	if len(blobs) > 0 {
		doc, err := decodeFirst(short)
		if err == nil && restore(doc, blobs) == len(blobs) {
			return doc, nil
		}
	}
	return decodeFirst(data)
}

func decodeFirst(data []byte) (*yaml.Node, error) {
	var doc yaml.Node
	if err := yaml.NewDecoder(bytes.NewReader(data)).Decode(&doc); err != nil {
		return nil, err
	}
	return &doc, nil
}

const placeholderPrefix = "fogctl-blob-"

func shrink(data []byte) ([]byte, []string) {
	var out []byte
	var blobs []string
	pos := 0
	for pos < len(data) {
		end := bytes.IndexByte(data[pos:], '\n')
		if end < 0 {
			end = len(data)
		} else {
			end += pos
		}
		line := data[pos:end]
		if vs, ve, ok := blobSpan(line); ok {
			if out == nil {
				out = make([]byte, 0, len(data)/4)
				out = append(out, data[:pos]...)
			}
			out = append(out, line[:vs]...)
			out = append(out, placeholderPrefix...)
			out = strconv.AppendInt(out, int64(len(blobs)), 10)
			out = append(out, line[ve:]...)
			blobs = append(blobs, string(line[vs:ve]))
		} else if out != nil {
			out = append(out, line...)
		}
		if out != nil && end < len(data) {
			out = append(out, '\n')
		}
		pos = end + 1
	}
	if out == nil {
		return data, nil
	}
	return out, blobs
}

// blobSpan finds "<spaces>key: <base64>" on a line and returns the value's span.
func blobSpan(line []byte) (int, int, bool) {
	i := 0
	for i < len(line) && line[i] == ' ' {
		i++
	}
	if i < len(line) && line[i] == '-' && i+1 < len(line) && line[i+1] == ' ' {
		i += 2
		for i < len(line) && line[i] == ' ' {
			i++
		}
	}
	rest := line[i:]
	var key []byte
	for _, k := range dataKeys {
		if bytes.HasPrefix(rest, k) {
			key = k
			break
		}
	}
	if key == nil {
		return 0, 0, false
	}
	j := i + len(key)
	if j >= len(line) || line[j] != ' ' {
		return 0, 0, false
	}
	for j < len(line) && line[j] == ' ' {
		j++
	}
	vs := j
	for j < len(line) && isB64(line[j]) {
		j++
	}
	ve := j
	for j < len(line) && (line[j] == ' ' || line[j] == '\r') {
		j++
	}
	if j != len(line) || ve-vs < minBlob {
		return 0, 0, false
	}
	return vs, ve, true
}

var b64Table = func() (t [256]bool) {
	for _, c := range []byte("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=") {
		t[c] = true
	}
	return t
}()

func isB64(c byte) bool { return b64Table[c] }

// restore puts the blobs back and returns how many it found as whole
// plain scalars.
func restore(n *yaml.Node, blobs []string) int {
	count := 0
	var walk func(*yaml.Node)
	walk = func(n *yaml.Node) {
		if n.Kind == yaml.ScalarNode && n.Style == 0 && len(n.Value) > len(placeholderPrefix) && n.Value[:len(placeholderPrefix)] == placeholderPrefix {
			i, err := strconv.Atoi(n.Value[len(placeholderPrefix):])
			if err == nil && i >= 0 && i < len(blobs) {
				n.Value = blobs[i]
				count++
			}
		}
		for _, c := range n.Content {
			walk(c)
		}
	}
	walk(n)
	return count
}
