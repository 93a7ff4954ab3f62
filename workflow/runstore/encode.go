package runstore

import (
	"bytes"
	"encoding/json"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/fogctl/fogctl/workflow"
)

// appendEvent appends ev as one line of JSON, the same object
// encoding/json makes of a workflow.Event (readers decode it with
// encoding/json), without reflection: the journal writer encodes every
// event of every run. TestAppendEventMatchesEncodingJSON keeps the two in
// step when Event gains a field.
func appendEvent(b []byte, ev *workflow.Event) []byte {
	b = append(b, `{"seq":`...)
	b = strconv.AppendInt(b, ev.Seq, 10)
	b = append(b, `,"time":"`...)
	b = ev.Time.AppendFormat(b, time.RFC3339Nano)
	b = append(b, `","runId":`...)
	b = appendString(b, ev.RunID)
	if ev.Node != "" {
		b = append(b, `,"node":`...)
		b = appendString(b, ev.Node)
	}
	b = append(b, `,"state":`...)
	b = appendString(b, string(ev.State))
	if ev.Attempt != 0 {
		b = append(b, `,"attempt":`...)
		b = strconv.AppendInt(b, int64(ev.Attempt), 10)
	}
	if ev.MaxAttempts != 0 {
		b = append(b, `,"maxAttempts":`...)
		b = strconv.AppendInt(b, int64(ev.MaxAttempts), 10)
	}
	if ev.Error != "" {
		b = append(b, `,"error":`...)
		b = appendString(b, ev.Error)
	}
	if len(ev.Input) > 0 {
		b = append(b, `,"input":`...)
		b = appendRaw(b, ev.Input)
	}
	if len(ev.Output) > 0 {
		b = append(b, `,"output":`...)
		b = appendRaw(b, ev.Output)
	}
	if ev.Stderr != "" {
		b = append(b, `,"stderr":`...)
		b = appendString(b, ev.Stderr)
	}
	if ev.Truncated {
		b = append(b, `,"truncated":true`...)
	}
	return append(b, "}\n"...)
}

// appendRaw appends a JSON value on one line: as it is when it is valid
// JSON without line breaks, compacted when it has them, and as a JSON
// string when it is not JSON at all (so the journal line still decodes).
func appendRaw(b []byte, raw []byte) []byte {
	if !json.Valid(raw) {
		return appendString(b, string(raw))
	}
	if bytes.IndexByte(raw, '\n') < 0 && bytes.IndexByte(raw, '\r') < 0 {
		return append(b, raw...)
	}
	var buf bytes.Buffer
	buf.Grow(len(raw))
	if err := json.Compact(&buf, raw); err != nil {
		return appendString(b, string(raw))
	}
	return append(b, buf.Bytes()...)
}

const hexDigits = "0123456789abcdef"

// appendString appends s as a JSON string, escaping as encoding/json does
// (invalid UTF-8 becomes U+FFFD).
func appendString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xf])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

// appendRecord appends rec as encoding/json would marshal it, without
// reflection: Close encodes the whole record of every run.
// TestAppendRecordMatchesEncodingJSON keeps the two in step.
func appendRecord(b []byte, rec *workflow.Record) []byte {
	b = append(b, `{"id":`...)
	b = appendString(b, rec.ID)
	b = append(b, `,"workflow":`...)
	b = appendString(b, rec.Workflow)
	if rec.File != "" {
		b = append(b, `,"file":`...)
		b = appendString(b, rec.File)
	}
	b = append(b, `,"state":`...)
	b = appendString(b, string(rec.State))
	b = appendTime(b, `,"started":"`, rec.Started)
	b = appendTime(b, `,"ended":"`, rec.Ended)
	if rec.Error != "" {
		b = append(b, `,"error":`...)
		b = appendString(b, rec.Error)
	}
	b = append(b, `,"nodes":`...)
	if rec.Nodes == nil {
		b = append(b, "null"...)
	} else {
		b = append(b, '[')
		for i, n := range rec.Nodes {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendNode(b, n)
		}
		b = append(b, ']')
	}
	b = append(b, `,"lastSeq":`...)
	b = strconv.AppendInt(b, rec.LastSeq, 10)
	return append(b, '}')
}

func appendNode(b []byte, n *workflow.NodeRecord) []byte {
	if n == nil {
		return append(b, "null"...)
	}
	b = append(b, `{"name":`...)
	b = appendString(b, n.Name)
	if n.Kind != "" {
		b = append(b, `,"kind":`...)
		b = appendString(b, n.Kind)
	}
	if len(n.Dependencies) > 0 {
		b = append(b, `,"dependencies":[`...)
		for i, d := range n.Dependencies {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendString(b, d)
		}
		b = append(b, ']')
	}
	b = append(b, `,"state":`...)
	b = appendString(b, string(n.State))
	if len(n.Attempts) > 0 {
		b = append(b, `,"attempts":[`...)
		for i, a := range n.Attempts {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, `{"n":`...)
			b = strconv.AppendInt(b, int64(a.N), 10)
			b = appendTime(b, `,"started":"`, a.Started)
			b = appendTime(b, `,"ended":"`, a.Ended)
			if a.Error != "" {
				b = append(b, `,"error":`...)
				b = appendString(b, a.Error)
			}
			b = append(b, '}')
		}
		b = append(b, ']')
	}
	if len(n.Input) > 0 {
		b = append(b, `,"input":`...)
		b = appendRaw(b, n.Input)
	}
	if len(n.Output) > 0 {
		b = append(b, `,"output":`...)
		b = appendRaw(b, n.Output)
	}
	if n.Truncated {
		b = append(b, `,"truncated":true`...)
	}
	if n.Error != "" {
		b = append(b, `,"error":`...)
		b = appendString(b, n.Error)
	}
	if n.Stderr != "" {
		b = append(b, `,"stderr":`...)
		b = appendString(b, n.Stderr)
	}
	b = appendTime(b, `,"started":"`, n.Started)
	b = appendTime(b, `,"ended":"`, n.Ended)
	return append(b, '}')
}

// appendTime appends key and t, unless t is zero (omitzero).
func appendTime(b []byte, key string, t time.Time) []byte {
	if t.IsZero() {
		return b
	}
	b = append(b, key...)
	b = t.AppendFormat(b, time.RFC3339Nano)
	return append(b, '"')
}
