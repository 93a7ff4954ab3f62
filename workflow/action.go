package workflow

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"os"
	"os/exec"
	"slices"
	"strings"
	"time"
)

// callHTTP sends in as the JSON body of one request and returns the JSON
// response, decoded too with decode (decoding checks the JSON, so it is
// not scanned twice). A status >= 400, a connection error or a body that
// is not JSON is an error naming the status and an excerpt of the body.
func (r *run) callHTTP(ctx context.Context, a *HTTPAction, in []byte, decode bool) ([]byte, any, error) {
	var body io.Reader
	if a.Method != http.MethodGet && a.Method != http.MethodHead || len(in) > 2 {
		body = bytes.NewReader(in)
	}
	req, err := http.NewRequestWithContext(ctx, a.Method, a.URL, body)
	if err != nil {
		return nil, nil, fmt.Errorf("build request: %w", err)
	}
	if body != nil {
		req.Header["Content-Type"] = jsonType
	}
	req.Header["Accept"] = jsonType
	for k, v := range a.Headers {
		if strings.EqualFold(k, "Host") {
			req.Host = v
			continue
		}
		req.Header.Set(k, v)
	}
	resp, err := r.client.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return nil, nil, ctx.Err()
		}
		return nil, nil, fmt.Errorf("connection error: %w", err)
	}
	defer resp.Body.Close()
	var data []byte
	if hasBody(a.Method, resp.StatusCode) {
		data, err = readCapped(resp.Body, resp.ContentLength)
	}
	if err != nil {
		if ctx.Err() != nil {
			return nil, nil, ctx.Err()
		}
		return nil, nil, fmt.Errorf("HTTP %d: read response: %w", resp.StatusCode, err)
	}
	if resp.StatusCode >= 400 {
		return nil, nil, fmt.Errorf("HTTP %d: %s", resp.StatusCode, bodyExcerpt(data))
	}
	data = bytes.TrimSpace(data)
	if len(data) == 0 {
		if decode {
			return emptyObject, map[string]any{}, nil
		}
		return emptyObject, nil, nil
	}
	var val any
	valid := false
	if decode {
		v, err := decodeJSON(data)
		val, valid = v, err == nil
	} else {
		valid = json.Valid(data)
	}
	if !valid {
		ct := resp.Header.Get("Content-Type")
		if ct == "" {
			ct = "none"
		}
		return nil, nil, fmt.Errorf("HTTP %d: response is not JSON (Content-Type %s): %s", resp.StatusCode, ct, bodyExcerpt(data))
	}
	return data, val, nil
}

var jsonType = []string{"application/json"}

// hasBody reports whether a response can have a body. A HEAD response
// announces the Content-Length a GET would get and has no body, nor do
// 1xx, 204 and 304 responses (RFC 9110, 6.4.1): their output is {}, as
// for any empty body, and their announced length is not read.
func hasBody(method string, status int) bool {
	return method != http.MethodHead && status >= 200 && status != http.StatusNoContent && status != http.StatusNotModified
}

// readCapped reads at most MaxResponse bytes, failing on a larger body.
// size is the announced length, or -1.
func readCapped(rd io.Reader, size int64) ([]byte, error) {
	if size > MaxResponse {
		return nil, fmt.Errorf("response is larger than %d MiB", MaxResponse>>20)
	}
	if size >= 0 {
		buf := make([]byte, size)
		if _, err := io.ReadFull(rd, buf); err != nil {
			return nil, err
		}
		return buf, nil
	}
	data, err := io.ReadAll(io.LimitReader(rd, MaxResponse+1))
	if err != nil {
		return nil, err
	}
	if len(data) > MaxResponse {
		return nil, fmt.Errorf("response is larger than %d MiB", MaxResponse>>20)
	}
	return data, nil
}

// bodyExcerpt quotes the start of a response body for an error message.
func bodyExcerpt(data []byte) string {
	s := strings.TrimSpace(string(data[:min(len(data), excerptLen+8)]))
	if s == "" {
		return "(empty body)"
	}
	return fmt.Sprintf("%q", excerpt(s, excerptLen))
}

// runExec runs a.Argv with in on stdin; stdout must be JSON.
func runExec(ctx context.Context, a *ExecAction, in []byte) ([]byte, string, error) {
	cmd, stdout, stderr := execCommand(ctx, a, in, a.Dir)
	err := cmd.Start()
	if err != nil && a.Dir != "" && ctx.Err() == nil {
		// Nothing ran. A missing dir reads as a missing program (the
		// child's chdir fails with the error exec reports for argv[0]),
		// so the dir is looked at now, not before every attempt.
		fi, serr := os.Stat(a.Dir)
		switch {
		case a.fileDir && (serr != nil || !fi.IsDir()):
			// The file's directory is gone: fogctl's own.
			cmd, stdout, stderr = execCommand(ctx, a, in, "")
			err = cmd.Start()
		case serr != nil:
			return nil, "", fmt.Errorf("dir: %w", serr)
		case !fi.IsDir():
			return nil, "", fmt.Errorf("dir %s is not a directory", a.Dir)
		}
	}
	if err == nil {
		err = cmd.Wait()
	}
	killGroup(cmd)
	errText := stderr.String()
	if err != nil {
		if ctx.Err() != nil {
			return nil, errText, ctx.Err()
		}
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			msg := ee.ProcessState.String()
			if last := lastLine(errText); last != "" {
				msg += ": " + excerpt(last, excerptLen)
			}
			return nil, errText, errors.New(msg)
		}
		return nil, errText, err
	}
	if stdout.over {
		return nil, errText, fmt.Errorf("stdout is larger than %d MiB", MaxResponse>>20)
	}
	out := bytes.TrimSpace(stdout.buf.Bytes())
	if len(out) == 0 {
		return emptyObject, errText, nil
	}
	if !json.Valid(out) {
		return nil, errText, fmt.Errorf("stdout is not JSON: %s", bodyExcerpt(out))
	}
	return out, errText, nil
}

// execCommand builds the command that runs a.Argv in dir with in on stdin.
func execCommand(ctx context.Context, a *ExecAction, in []byte, dir string) (*exec.Cmd, *capWriter, *tailWriter) {
	cmd := exec.CommandContext(ctx, a.Argv[0], a.Argv[1:]...)
	cmd.Dir = dir
	if len(a.Env) > 0 {
		// Later entries win over fogctl's own: exec keeps the last of a
		// duplicated name.
		cmd.Env = os.Environ()
		for _, k := range slices.Sorted(maps.Keys(a.Env)) {
			cmd.Env = append(cmd.Env, k+"="+a.Env[k])
		}
	}
	cmd.Stdin = bytes.NewReader(in)
	stdout := &capWriter{max: MaxResponse}
	stderr := &tailWriter{}
	cmd.Stdout = stdout
	cmd.Stderr = stderr
	cmd.WaitDelay = time.Second
	setProcessGroup(cmd)
	return cmd, stdout, stderr
}

func lastLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.LastIndexByte(s, '\n'); i >= 0 {
		s = s[i+1:]
	}
	return strings.TrimSpace(s)
}

// capWriter keeps up to max bytes and notes that more came.
type capWriter struct {
	buf  bytes.Buffer
	max  int
	over bool
}

func (w *capWriter) Write(p []byte) (int, error) {
	if room := w.max - w.buf.Len(); len(p) > room {
		w.over = true
		if room > 0 {
			w.buf.Write(p[:room])
		}
		return len(p), nil
	}
	return w.buf.Write(p)
}

// tailWriter keeps the last MaxStderr bytes written to it.
type tailWriter struct {
	buf     []byte
	dropped bool
}

func (w *tailWriter) Write(p []byte) (int, error) {
	w.buf = append(w.buf, p...)
	if len(w.buf) > 2*MaxStderr {
		w.buf = append(w.buf[:0], w.buf[len(w.buf)-MaxStderr:]...)
		w.dropped = true
	}
	return len(p), nil
}

func (w *tailWriter) String() string {
	b := w.buf
	if len(b) > MaxStderr {
		b = b[len(b)-MaxStderr:]
		w.dropped = true
	}
	if w.dropped {
		return "[earlier output dropped]\n" + string(b)
	}
	return string(b)
}
