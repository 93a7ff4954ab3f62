package workflow

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/fogctl/fogctl/internal/dagshape"

	"go.yaml.in/yaml/v3"
)

// yamlDoc decodes JSON data the way parse did before jsonDoc: tabs
// become spaces, then one YAML document.
func yamlDoc(data []byte) (*yaml.Node, error) {
	data = bytes.ReplaceAll(data, []byte{'\t'}, []byte{' '})
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		return nil, err
	}
	var next yaml.Node
	if err := dec.Decode(&next); err != io.EOF {
		return nil, fmt.Errorf("second document: %v", err)
	}
	return &doc, nil
}

// nodeDiff compares two trees field by field and describes the first
// difference, or returns "".
func nodeDiff(want, got *yaml.Node, path string) string {
	if want == nil || got == nil {
		if want != got {
			return fmt.Sprintf("%s: want %v, got %v", path, want, got)
		}
		return ""
	}
	type fields struct {
		Kind                                               yaml.Kind
		Style                                              yaml.Style
		Tag, Value, Anchor, HeadComment, LineComment, Foot string
		Line, Column, Content                              int
		Alias                                              bool
	}
	f := func(n *yaml.Node) fields {
		return fields{n.Kind, n.Style, n.Tag, n.Value, n.Anchor, n.HeadComment, n.LineComment, n.FootComment,
			n.Line, n.Column, len(n.Content), n.Alias != nil}
	}
	if w, g := f(want), f(got); w != g {
		return fmt.Sprintf("%s:\nwant (yaml.v3) %+v\ngot  (jsonDoc) %+v", path, w, g)
	}
	if (want.Content == nil) != (got.Content == nil) {
		return fmt.Sprintf("%s: Content nil %v, want %v", path, got.Content == nil, want.Content == nil)
	}
	for i := range want.Content {
		if d := nodeDiff(want.Content[i], got.Content[i], fmt.Sprintf("%s/%d", path, i)); d != "" {
			return d
		}
	}
	return ""
}

// checkJSONDoc holds jsonDoc to its contract on data: it accepts only
// what encoding/json accepts as valid, and what it accepts, yaml.v3
// decodes into the same tree; Parse gives the same workflow or the same
// problems either way. It reports whether jsonDoc accepted data.
func checkJSONDoc(t *testing.T, data []byte) bool {
	t.Helper()
	got, ok := jsonDoc(data)
	if ok {
		if !json.Valid(data) {
			t.Fatalf("jsonDoc accepted invalid JSON %q", excerpt(string(data), 200))
		}
		want, err := yamlDoc(data)
		if err != nil {
			t.Fatalf("jsonDoc accepted %q, which yaml.v3 rejects: %v", excerpt(string(data), 200), err)
		}
		if d := nodeDiff(want, got, "doc"); d != "" {
			t.Fatalf("input %q: %s", excerpt(string(data), 200), d)
		}
	}
	wNew, errNew := Parse("f.json", data)
	wOld, errOld := parseWith(&parser{file: "f.json", viaYAML: true}, data)
	if !reflect.DeepEqual(errNew, errOld) {
		t.Fatalf("input %q:\nParse error via yaml.v3:\n%v\nParse error now:\n%v", excerpt(string(data), 200), errOld, errNew)
	}
	if !reflect.DeepEqual(wNew, wOld) {
		t.Fatalf("input %q:\nParse via yaml.v3: %+v\nParse now: %+v", excerpt(string(data), 200), wOld, wNew)
	}
	return ok
}

// dagFile is a plain DAG file of a shape as fogctl's benchmarks write it
// (internal/dagshape).
func dagFile(tb testing.TB, shape string, n int) []byte {
	tb.Helper()
	nodes, err := dagshape.Nodes(shape, n)
	if err != nil {
		tb.Fatal(err)
	}
	return dagshape.PlainDAG(nodes, "http://127.0.0.1:41234")
}

// layouts writes the same JSON compact, indented with tabs, indented with
// spaces and with CRLF line ends.
func layouts(t *testing.T, compact []byte) map[string][]byte {
	t.Helper()
	var tabs, spaces bytes.Buffer
	if err := json.Indent(&tabs, compact, "", "\t"); err != nil {
		t.Fatal(err)
	}
	if err := json.Indent(&spaces, compact, "", "  "); err != nil {
		t.Fatal(err)
	}
	return map[string][]byte{
		"compact": compact,
		"tabs":    tabs.Bytes(),
		"spaces":  spaces.Bytes(),
		"crlf":    bytes.ReplaceAll(spaces.Bytes(), []byte("\n"), []byte("\r\n")),
		"cr":      bytes.ReplaceAll(tabs.Bytes(), []byte("\n"), []byte("\r")),
	}
}

func TestJSONDocShapes(t *testing.T) {
	for _, shape := range []string{"chain", "fan", "layered"} {
		for _, n := range []int{4, 10, 100, 1000} {
			for layout, data := range layouts(t, dagFile(t, shape, n)) {
				t.Run(fmt.Sprintf("%s-%d-%s", shape, n, layout), func(t *testing.T) {
					if !checkJSONDoc(t, data) {
						t.Fatalf("jsonDoc declined a plain DAG file")
					}
					if _, err := Parse("f.json", data); err != nil {
						t.Fatalf("Parse: %v", err)
					}
				})
			}
		}
	}
}

// jsonTexts finds the JSON texts in a file: the whole file when it is
// one, else each run of lines that starts with '{' or '[' and is valid
// JSON (golden files hold command output between headers).
func jsonTexts(data []byte) [][]byte {
	if json.Valid(data) {
		return [][]byte{data}
	}
	var out [][]byte
	lines := bytes.SplitAfter(data, []byte("\n"))
	for i := 0; i < len(lines); i++ {
		if len(lines[i]) == 0 || (lines[i][0] != '{' && lines[i][0] != '[') {
			continue
		}
		for j := i + 1; j <= len(lines) && j <= i+2000; j++ {
			text := bytes.Join(lines[i:j], nil)
			if json.Valid(text) {
				out = append(out, text)
				i = j - 1
				break
			}
		}
	}
	return out
}

// fuzzCorpusJSON reads the []byte inputs of go fuzz corpus files that
// look like JSON.
func fuzzCorpusJSON(t *testing.T, dir string) [][]byte {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join(dir, "*"))
	var out [][]byte
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, line := range strings.Split(string(data), "\n") {
			q, ok := strings.CutPrefix(line, "[]byte(")
			if !ok {
				continue
			}
			s, err := strconv.Unquote(strings.TrimSuffix(q, ")"))
			if err != nil {
				t.Fatalf("%s: %v", f, err)
			}
			if tr := strings.TrimLeft(s, " \t\r\n\ufeff"); tr != "" && (tr[0] == '{' || tr[0] == '[') {
				out = append(out, []byte(s))
			}
		}
	}
	return out
}

func TestJSONDocFiles(t *testing.T) {
	var files []string
	for _, root := range []string{"testdata", "../testdata", "../cmd/runcmd/testdata"} {
		err := filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if !d.IsDir() && !strings.Contains(path, filepath.Join("testdata", "fuzz")) {
				files = append(files, path)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	texts, accepted := 0, 0
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if tr := bytes.TrimLeft(data, " \t\r\n"); len(tr) > 0 && (tr[0] == '{' || tr[0] == '[') && !json.Valid(data) {
			t.Run(f+"#invalid", func(t *testing.T) {
				texts++
				if checkJSONDoc(t, data) {
					t.Errorf("jsonDoc accepted invalid JSON")
				}
			})
		}
		for i, text := range jsonTexts(data) {
			t.Run(fmt.Sprintf("%s#%d", f, i), func(t *testing.T) {
				texts++
				if checkJSONDoc(t, text) {
					accepted++
				}
			})
		}
	}
	for _, dir := range []string{"FuzzParseDAG", "FuzzParseWorkflow", "FuzzJSONNodeMatchesYAML"} {
		for i, text := range fuzzCorpusJSON(t, filepath.Join("testdata", "fuzz", dir)) {
			t.Run(fmt.Sprintf("%s#%d", dir, i), func(t *testing.T) {
				texts++
				checkJSONDoc(t, text)
			})
		}
	}
	// The example and golden JSON files are all plain JSON jsonDoc reads.
	if accepted < 5 {
		t.Errorf("jsonDoc accepted %d of %d JSON texts in testdata files, want 5 or more", accepted, texts)
	}
	t.Logf("%d JSON texts, %d from files read by jsonDoc", texts, accepted)
}

func TestJSONDocCases(t *testing.T) {
	long := strings.Repeat("k", 990)
	deep := strings.Repeat("[", 1001) + strings.Repeat("]", 1001)
	tests := []struct {
		name   string
		in     string
		accept bool // jsonDoc reads it (else the YAML path does)
	}{
		{"escapes", `{"nodes":[{"name":"a\"b\\c\n\t\r\b\f","action":"GET","url":"http://h/"}]}`, true},
		{"unicode escapes", `["\u0041\u00e9\u20ac\uFFFD\u0000\u001f\u007f\u0085\u2028\ufeff"]`, true},
		{"raw unicode", `["é€😀 ü", "ñ", {"ключ": "значение"}, "日本語"]`, true},
		{"raw unicode columns", "[\"é€😀\", 1,\n\"x\", \"😀😀\", {\"é\": [true]}, null]", true},
		{"numbers", `[0, -0, 1, -1, 1e3, 1E3, 1e+3, 1e-3, 1.5E-2, 0.0, -0.0, 123.456e78, 9223372036854775807, 9223372036854775808, -9223372036854775808, -9223372036854775809, 18446744073709551615, 18446744073709551616, 123456789012345678901234567890, 1e308, 1e309, -1e400, 1e-400, 999999999999999999, 1000000000000000000]`, true},
		{"big integer", "[" + strings.Repeat("9", 400) + "]", true},
		{"literals", `{"t": true, "f": false, "n": null}`, true},
		{"YAML indicators in strings", `{"<<": {"&a": "*a"}, "!!str": "%YAML 1.2", "#": "- x", "---": "...", "? k": ": v", "a #b": "|", ">": "'"}`, true},
		{"nested", `{"a": {"b": {"c": [[], {}, [{}], {"d": [1, [2, [3]]]}]}}}`, true},
		{"duplicate keys", `{"nodes": [{"name": "a", "name": "b", "action": "GET", "url": "http://h/"}], "nodes": []}`, true},
		{"empty", `{"nodes": [], "x": {}}`, true},
		{"empty root", `{}`, true},
		{"empty array root", `[]`, true},
		{"white space", " \r\n\t{ \"nodes\" \t: [ \r\n ] \r\n} \n\r\n ", true},
		{"key then colon after spaces", `{"a"    :    1}`, true},
		{"long key", `{"` + long + `": 1}`, true},
		{"key past 1000 bytes", `{"` + long + `"          : 1}`, false},
		{"colon on the next line", "{\"a\"\n: 1}", false},
		{"slash escape", `{"nodes":[{"name":"a","action":"GET","url":"http:\/\/h\/"}]}`, false},
		{"surrogate pair", `["\ud83d\ude00"]`, false},
		{"lone surrogate", `["\udc00"]`, false},
		{"raw line separator", "[\"a\u2028b\"]", false},
		{"raw NEL", "[\"a\u0085b\"]", false},
		{"raw DEL", "[\"a\x7fb\"]", false},
		{"raw BOM in string", "[\"a\ufeffb\"]", false},
		{"BOM first", "\ufeff{}", false},
		{"too deep", deep, false},
		{"trailing data", `{} {}`, false},
		{"trailing comma", `[1,]`, false},
		{"unquoted key", `{a: 1}`, false},
		{"leading zero", `[01]`, false},
		{"plus", `[+1]`, false},
		{"bare dot", `[1.]`, false},
		{"truncated", `{"a": [1, 2`, false},
		{"single quotes", `['a']`, false},
		{"raw tab in string", "[\"a\tb\"]", false},
		{"dag with problems", `{"nodes": [
			{"name": "a", "action": "FETCH", "url": "ftp://h/", "dependencies": ["b", "b", "zz"]},
			{"name": "b", "action": "get", "url": "http://h/x", "dependencies": ["a"]},
			{"name": "b", "url": "http://h/"},
			{"name": " c", "action": "GET", "url": "http://"},
			{"action": "GET", "url": "http://h/", "dependencies": [1, null, "", {}]},
			{"name": "d", "action": 7, "url": ["http://h/"], "dependencies": "a"},
			3, null, "x"
		]}`, true},
		{"fogctl format", `{"apiVersion": "fogctl.io/v1alpha1", "kind": "Workflow", "metadata": {"name": "w\u00e9"},
			"spec": {"defaults": {"timeout": "5s", "retries": 2, "backoff": "0s"}, "nodes": [
			{"name": "a", "kind": "http", "url": "http://127.0.0.1/", "headers": {"X-A": "1", "X-B": "l1\nl2", "bad name": "v"}},
			{"name": "b", "kind": "exec", "argv": ["cat", "-"], "dependencies": ["a"], "when": "always", "retries": -0},
			{"name": "c", "kind": "noop", "retries": 1e3, "timeout": 5, "backoff": "-1s", "dependencies": ["b"]},
			{"name": "d", "kind": "noop", "retries": 18446744073709551615},
			{"name": "e", "kind": "noop", "retries": 1.0, "timeout": "48h"},
			{"name": "f", "kind": "teleport", "extra": true}
		]}}`, true},
		{"fogctl ok", `{"apiVersion": "fogctl.io/v1alpha1", "kind": "Workflow", "spec": {"defaults": {"retries": 3}, "nodes": [{"name": "a", "kind": "noop"}, {"name": "b", "kind": "noop", "dependencies": ["a"], "retries": 0}]}}`, true},
		{"not a workflow", `{"x": 1}`, true},
		{"list root", `[{"nodes": []}]`, true},
		{"empty spec", `{"apiVersion": 1, "kind": null, "spec": []}`, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := checkJSONDoc(t, []byte(tt.in)); got != tt.accept {
				t.Errorf("jsonDoc accepted %v, want %v", got, tt.accept)
			}
		})
	}
}

// TestJSONDocProblemLines checks a line-sensitive rejection end to end:
// the problems name the lines of the JSON file, as the YAML path did.
func TestJSONDocProblemLines(t *testing.T) {
	data := []byte("{\"nodes\": [\n  {\"name\": \"a\", \"action\": \"GET\", \"url\": \"http://h/\"},\n  {\"name\": \"a\",\r\n   \"action\": \"GET\", \"url\": \"http://h/\",\n   \"dependencies\": [\"é\",\n \"zz\"]}\n]}\n")
	if _, ok := jsonDoc(data); !ok {
		t.Fatal("jsonDoc declined the file")
	}
	_, err := Parse("f.json", data)
	var ve *ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("error %v, want a ValidationError", err)
	}
	want := "f.json:3: node \"a\": name: duplicate name: \"a\" is already defined at line 2\n" +
		"f.json:5: node \"a\": dependencies: unknown dependency \"é\": no node has that name\n" +
		"f.json:6: node \"a\": dependencies: unknown dependency \"zz\": no node has that name"
	if err.Error() != want {
		t.Errorf("error:\n%s\nwant:\n%s", err, want)
	}
	checkJSONDoc(t, data)
}
