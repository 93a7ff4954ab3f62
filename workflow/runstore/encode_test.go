package runstore

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/fogctl/fogctl/workflow"
	"github.com/google/go-cmp/cmp"
)

// TestAppendEventMatchesEncodingJSON fills every field of an Event (by
// reflection, so a field added later is filled too) and checks appendEvent
// writes what encoding/json writes, but for the run ID (the journal's
// header holds it once).
func TestAppendEventMatchesEncodingJSON(t *testing.T) {
	full := workflow.Event{}
	v := reflect.ValueOf(&full).Elem()
	for i := 0; i < v.NumField(); i++ {
		f := v.Field(i)
		switch f.Interface().(type) {
		case time.Time:
			f.Set(reflect.ValueOf(time.Date(2026, 11, 23, 2, 15, 1, 123456789, time.UTC)))
		case json.RawMessage:
			f.Set(reflect.ValueOf(json.RawMessage(`{"a":[1,2.50,"x"],"b":{"c":null}}`)))
		case workflow.State:
			f.SetString(string(workflow.StateRetrying))
		default:
			switch f.Kind() {
			case reflect.String:
				f.SetString("name " + v.Type().Field(i).Name)
			case reflect.Int, reflect.Int64:
				f.SetInt(int64(i + 1))
			case reflect.Bool:
				f.SetBool(true)
			default:
				t.Fatalf("Event.%s has a type appendEvent does not know: %s", v.Type().Field(i).Name, f.Type())
			}
		}
	}
	tests := map[string]workflow.Event{
		"every field": full,
		"zero":        {},
		"run event":   {Seq: 1, Time: time.Date(2026, 11, 23, 2, 15, 1, 0, time.FixedZone("CET", 3600)), RunID: "r", State: workflow.StateRunning},
		"escapes": {Node: "a\"b\\c", Error: "line1\nline2\ttab \x01 <html> & \u2028 \xff bad utf8 é 漢",
			Stderr: strings.Repeat("x", 300)},
		"raw with newlines": {Output: json.RawMessage("{\n  \"a\": 1\n}\n")},
		"raw not json":      {Output: json.RawMessage("not json")},
	}
	for name, ev := range tests {
		t.Run(name, func(t *testing.T) {
			got := appendEvent(nil, &ev)
			if bytes.Count(got, []byte("\n")) != 1 || got[len(got)-1] != '\n' {
				t.Fatalf("not one line: %q", got)
			}
			var back workflow.Event
			if err := json.Unmarshal(got, &back); err != nil {
				t.Fatalf("does not decode: %v\n%s", err, got)
			}
			if back.RunID != "" {
				t.Errorf("run ID %q written on an event line", back.RunID)
			}
			noID := ev
			noID.RunID = ""
			want, _ := json.Marshal(noID)
			want = bytes.Replace(want, []byte(`,"runId":""`), nil, 1)
			if name == "raw not json" {
				if string(back.Output) != `"not json"` {
					t.Errorf("output %s, want it kept as a string", back.Output)
				}
				return
			}
			if diff := cmp.Diff(string(want)+"\n", string(got)); diff != "" {
				t.Errorf("appendEvent vs encoding/json (-want +got):\n%s", diff)
			}
		})
	}
}

func BenchmarkAppendEvent(b *testing.B) {
	ev := workflow.Event{Seq: 12, Time: time.Now(), RunID: "20261123T021501-3f9a1c2d", Node: "clean", State: workflow.StateSucceeded,
		Attempt: 2, MaxAttempts: 3, Output: json.RawMessage(`{"clean":{"samples":[{"pm25":8.4},{"pm25":9.1}],"dropped":2}}`)}
	b.Run("appendEvent", func(b *testing.B) {
		var buf []byte
		for i := 0; i < b.N; i++ {
			buf = appendEvent(buf[:0], &ev)
		}
	})
	b.Run("encoding-json", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			json.Marshal(&ev)
		}
	})
}

func TestAppendRFC3339Nano(t *testing.T) {
	zones := []*time.Location{time.UTC, time.FixedZone("CET", 3600), time.FixedZone("NST", -(3*3600 + 30*60)), time.FixedZone("odd", 37), time.Local}
	times := []time.Time{
		time.Date(2026, 11, 23, 2, 15, 1, 0, time.UTC),
		time.Date(2026, 1, 2, 3, 4, 5, 120000000, time.UTC),
		time.Date(2026, 12, 31, 23, 59, 59, 999999999, time.UTC),
		time.Date(1999, 7, 4, 0, 0, 0, 1, time.UTC),
		time.Date(12026, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Now(),
	}
	for _, tm := range times {
		for _, z := range zones {
			in := tm.In(z)
			want := in.Format(time.RFC3339Nano)
			if got := string(appendRFC3339Nano(nil, in)); got != want {
				t.Errorf("%v: got %s, want %s", in, got, want)
			}
		}
	}
}

// TestAppendMetaAndSummaryMatchEncodingJSON sets every field of a Meta
// and of a Summary (by reflection, so a field added later is set too),
// and checks appendMeta and appendSummary write what encoding/json writes,
// for them and for their zero values.
func TestAppendMetaAndSummaryMatchEncodingJSON(t *testing.T) {
	full := func(v any) {
		rv := reflect.ValueOf(v).Elem()
		for i := 0; i < rv.NumField(); i++ {
			f := rv.Field(i)
			switch f.Interface().(type) {
			case time.Time:
				f.Set(reflect.ValueOf(time.Date(2026, 11, 23, 2, 15, i, 120000000, time.FixedZone("CET", 3600))))
				continue
			case time.Duration:
				f.SetInt(int64(90 * time.Second))
				continue
			case json.RawMessage:
				f.Set(reflect.ValueOf(json.RawMessage(`{"site":"depot","pm25":[8.4,9.10]}`)))
				continue
			}
			switch f.Kind() {
			case reflect.String:
				f.SetString(rv.Type().Field(i).Name + " \"é\" <x>\n")
			case reflect.Int, reflect.Int64:
				f.SetInt(int64(i + 7))
			default:
				t.Fatalf("%s.%s has a type the appender does not know: %s", rv.Type(), rv.Type().Field(i).Name, f.Type())
			}
		}
	}
	var meta Meta
	full(&meta)
	var sum Summary
	full(&sum)
	for name, tc := range map[string]struct {
		v   any
		got []byte
	}{
		"meta":          {meta, appendMeta(nil, &meta)},
		"zero meta":     {Meta{}, appendMeta(nil, &Meta{})},
		"summary":       {sum, appendSummary(nil, &sum)},
		"zero summary":  {Summary{}, appendSummary(nil, &Summary{})},
		"input, spaced": {Meta{Input: json.RawMessage(`{"a":[1, 2]}`)}, appendMeta(nil, &Meta{Input: json.RawMessage(`{"a":[1, 2]}`)})},
	} {
		t.Run(name, func(t *testing.T) {
			want, err := json.Marshal(tc.v)
			if err != nil {
				t.Fatal(err)
			}
			if name == "input, spaced" {
				// encoding/json compacts a RawMessage; the appender keeps
				// a one-line value as it is. Both decode the same.
				var a, b Meta
				if err := json.Unmarshal(want, &a); err != nil {
					t.Fatal(err)
				}
				if err := json.Unmarshal(tc.got, &b); err != nil {
					t.Fatalf("%v\n%s", err, tc.got)
				}
				if diff := cmp.Diff(a, b, cmp.Transformer("raw", func(r json.RawMessage) string {
					var buf bytes.Buffer
					json.Compact(&buf, r)
					return buf.String()
				})); diff != "" {
					t.Errorf("decoded (-encoding/json +appender):\n%s", diff)
				}
				return
			}
			if diff := cmp.Diff(string(want), string(tc.got)); diff != "" {
				t.Errorf("appender vs encoding/json (-want +got):\n%s", diff)
			}
		})
	}
}
