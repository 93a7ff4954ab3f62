package workflow

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestHTTPBodilessResponses: a HEAD response announces the length of the
// body a GET would get but has none, and 204 and 304 responses have none
// whatever their headers say. Such a node succeeds with {} (as any empty
// body does), and a HEAD answered >= 400 fails naming the status. Before,
// every HEAD node failed with "HTTP 200: read response: EOF".
func TestHTTPBodilessResponses(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/file":
			// What a static file server answers to HEAD: the headers of
			// the GET, Content-Length included, and no body.
			w.Header().Set("Content-Type", "application/json")
			w.Header().Set("Content-Length", "123")
			w.WriteHeader(http.StatusOK)
		case "/missing":
			w.Header().Set("Content-Length", "42")
			w.WriteHeader(http.StatusNotFound)
		case "/not-modified":
			w.Header().Set("Content-Length", "99")
			w.WriteHeader(http.StatusNotModified)
		case "/no-content":
			w.WriteHeader(http.StatusNoContent)
		}
	}))
	defer srv.Close()
	tests := []struct {
		name, method, path string
		state              State
		out, err           string
	}{
		{"HEAD 200 with Content-Length", "HEAD", "/file", StateSucceeded, `{}`, ""},
		{"HEAD 404", "HEAD", "/missing", StateFailed, "", "HTTP 404: (empty body)"},
		{"GET 304 with Content-Length", "GET", "/not-modified", StateSucceeded, `{}`, ""},
		{"POST 204", "POST", "/no-content", StateSucceeded, `{}`, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wf := mustParse(t, []spec{{name: "a", kind: "http", url: srv.URL + tt.path, extra: "method: " + tt.method + "\ntimeout: 5s"}})
			_, rec := collect(t, context.Background(), wf, Options{})
			n := rec.Node("a")
			if n.State != tt.state || string(n.Output) != tt.out || n.Error != tt.err {
				t.Errorf("state %s, output %q, error %q; want %s, %q, %q", n.State, n.Output, n.Error, tt.state, tt.out, tt.err)
			}
		})
	}
}

// TestHTTPHeadAgainstPythonServer is the tester's case: a HEAD node
// against `python3 -m http.server` serving a file.
func TestHTTPHeadAgainstPythonServer(t *testing.T) {
	py, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("no python3")
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "status.json"), []byte(`{"ok": true}`), 0o644); err != nil {
		t.Fatal(err)
	}
	port := freePort(t)
	cmd := exec.Command(py, "-m", "http.server", "--bind", "127.0.0.1", "--directory", dir, strconv.Itoa(port))
	cmd.Stdout, cmd.Stderr = io.Discard, io.Discard
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { cmd.Process.Kill(); cmd.Wait() }()
	url := "http://127.0.0.1:" + strconv.Itoa(port) + "/status.json"
	deadline := time.Now().Add(20 * time.Second)
	for {
		resp, err := http.Get(url)
		if err == nil {
			resp.Body.Close()
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("python3 -m http.server did not answer: %v", err)
		}
		time.Sleep(50 * time.Millisecond)
	}
	wf := mustParse(t, []spec{
		{name: "probe", kind: "http", url: url, extra: "method: HEAD"},
		{name: "fetch", kind: "http", url: url, extra: "method: GET", deps: []string{"probe"}},
	})
	_, rec := collect(t, context.Background(), wf, Options{})
	if n := rec.Node("probe"); n.State != StateSucceeded || string(n.Output) != `{}` {
		t.Fatalf("HEAD node: state %s, output %q, error %q", n.State, n.Output, n.Error)
	}
	if n := rec.Node("fetch"); n.State != StateSucceeded || !strings.Contains(string(n.Output), `"ok": true`) {
		t.Errorf("GET node: state %s, output %q, error %q", n.State, n.Output, n.Error)
	}
}

func freePort(t *testing.T) int {
	t.Helper()
	srv := httptest.NewServer(http.NotFoundHandler())
	_, p, _ := strings.Cut(strings.TrimPrefix(srv.URL, "http://"), ":")
	srv.Close()
	n, _ := strconv.Atoi(p)
	return n
}
