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
// encoding/json makes of a workflow.Event but for the run ID, which the
// journal's header holds once (readJournal puts it back), without
// reflection: the journal writer encodes every event of every run.
// TestAppendEventMatchesEncodingJSON keeps the two in step when Event
// gains a field.
func appendEvent(b []byte, ev *workflow.Event) []byte {
	b = append(b, `{"seq":`...)
	b = strconv.AppendInt(b, ev.Seq, 10)
	b = append(b, `,"time":"`...)
	b = appendRFC3339Nano(b, ev.Time)
	b = append(b, '"')
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
	if ev.Reused {
		b = append(b, `,"reused":true`...)
	}
	if ev.ReusedFrom != "" {
		b = append(b, `,"reusedFrom":`...)
		b = appendString(b, ev.ReusedFrom)
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

// appendRFC3339Nano appends t as t.AppendFormat(b, time.RFC3339Nano)
// does, faster for the common case of a record's times: UTC, or a zone
// a whole number of minutes from it, formatted digit by digit.
func appendRFC3339Nano(b []byte, t time.Time) []byte {
	_, offset := t.Zone()
	year, month, day := t.Date()
	if year < 1000 || year > 9999 || offset%60 != 0 {
		return t.AppendFormat(b, time.RFC3339Nano)
	}
	hour, min, sec := t.Clock()
	b = append(b, byte('0'+year/1000), byte('0'+year/100%10), byte('0'+year/10%10), byte('0'+year%10), '-',
		byte('0'+int(month)/10), byte('0'+int(month)%10), '-', byte('0'+day/10), byte('0'+day%10), 'T',
		byte('0'+hour/10), byte('0'+hour%10), ':', byte('0'+min/10), byte('0'+min%10), ':',
		byte('0'+sec/10), byte('0'+sec%10))
	if ns := t.Nanosecond(); ns != 0 {
		var frac [10]byte
		frac[0] = '.'
		for i := 9; i >= 1; i-- {
			frac[i] = byte('0' + ns%10)
			ns /= 10
		}
		n := 10
		for frac[n-1] == '0' {
			n--
		}
		b = append(b, frac[:n]...)
	}
	if offset == 0 {
		return append(b, 'Z')
	}
	sign := byte('+')
	if offset < 0 {
		sign, offset = '-', -offset
	}
	h, m := offset/3600, offset/60%60
	return append(b, sign, byte('0'+h/10), byte('0'+h%10), ':', byte('0'+m/10), byte('0'+m%10))
}

// appendMeta appends m as encoding/json marshals it, without reflection:
// the first json.Marshal of a type builds its encoder, 0.13-0.3 ms of a
// process that records one run. TestAppendMetaAndSummaryMatchEncodingJSON
// keeps the two in step.
func appendMeta(b []byte, m *Meta) []byte {
	b = append(b, `{"id":`...)
	b = appendString(b, m.ID)
	b = append(b, `,"workflow":`...)
	b = appendString(b, m.Workflow)
	b = append(b, `,"nodes":`...)
	b = strconv.AppendInt(b, int64(m.Nodes), 10)
	b = append(b, `,"input":`...)
	if len(m.Input) == 0 {
		b = append(b, "null"...)
	} else {
		b = appendRaw(b, m.Input)
	}
	if m.Parallel != 0 {
		b = append(b, `,"parallel":`...)
		b = strconv.AppendInt(b, int64(m.Parallel), 10)
	}
	if m.Timeout != 0 {
		b = append(b, `,"timeout":`...)
		b = strconv.AppendInt(b, int64(m.Timeout), 10)
	}
	if m.ResumedFrom != "" {
		b = append(b, `,"resumedFrom":`...)
		b = appendString(b, m.ResumedFrom)
	}
	b = append(b, `,"created":"`...)
	b = appendRFC3339Nano(b, m.Created)
	b = append(b, `","pid":`...)
	b = strconv.AppendInt(b, int64(m.PID), 10)
	return append(b, '}')
}

// appendSummary appends s as encoding/json marshals it, without
// reflection (see appendMeta).
func appendSummary(b []byte, s *Summary) []byte {
	b = append(b, `{"id":`...)
	b = appendString(b, s.ID)
	b = append(b, `,"workflow":`...)
	b = appendString(b, s.Workflow)
	b = append(b, `,"state":`...)
	b = appendString(b, string(s.State))
	b = append(b, `,"created":"`...)
	b = appendRFC3339Nano(b, s.Created)
	b = append(b, '"')
	if !s.Finished.IsZero() {
		b = append(b, `,"finished":"`...)
		b = appendRFC3339Nano(b, s.Finished)
		b = append(b, '"')
	}
	for _, f := range [...]struct {
		key string
		n   int
	}{{`,"nodes":`, s.Nodes}, {`,"succeeded":`, s.Succeeded}, {`,"failed":`, s.Failed}, {`,"retried":`, s.Retried}} {
		b = append(b, f.key...)
		b = strconv.AppendInt(b, int64(f.n), 10)
	}
	if s.ResumedFrom != "" {
		b = append(b, `,"resumedFrom":`...)
		b = appendString(b, s.ResumedFrom)
	}
	return append(b, '}')
}
